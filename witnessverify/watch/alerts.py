"""Alerts to a webhook (Slack-compatible JSON `{"text": ...}`), never in the way of checking.

`Alerter.send` only queues (a bounded queue: when full, the oldest alert is dropped and counted);
one worker thread posts, retrying with backoff a bounded number of times. Each alert has a key
(e.g. "split", "unavailable:geth"); one key alerts at most once per `min_interval` seconds.

`AlertRules` decides what to alert on: a SPLIT at once; N consecutive INCONCLUSIVE (or
NO_SOURCE) checks; N consecutive UNAVAILABLE answers of one client; and a recovery message when
a condition that alerted clears.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Optional

import requests

log = logging.getLogger("witnessverify.alerts")


class Alerter:
    def __init__(self, url: Optional[str], min_interval: float = 300.0, retries: int = 3, backoff: float = 1.0,
                 timeout: float = 10.0, metrics=None, capacity: int = 100) -> None:
        self.url, self.min_interval, self.retries, self.backoff, self.timeout = url, min_interval, retries, backoff, timeout
        self.metrics = metrics
        self.queue: "queue.Queue[Optional[dict]]" = queue.Queue(maxsize=capacity)
        self.last_sent: dict[str, float] = {}
        self.session = requests.Session()
        self.thread: Optional[threading.Thread] = None
        if url:
            self.thread = threading.Thread(target=self._run, name="alerts", daemon=True)
            self.thread.start()

    def _count(self, kind: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.alerts.labels(kind, outcome).inc()

    def send(self, key: str, text: str, force: bool = False) -> bool:
        """Queue an alert unless its key alerted within min_interval; never blocks."""
        if not self.url:
            return False
        now = time.monotonic()
        kind = key.split(":")[0]
        if not force and now - self.last_sent.get(key, -1e18) < self.min_interval:
            self._count(kind, "rate-limited")
            return False
        self.last_sent[key] = now
        item = {"key": key, "text": text}
        while True:
            try:
                self.queue.put_nowait(item)
                return True
            except queue.Full:
                try:
                    dropped = self.queue.get_nowait()
                    if dropped is not None:
                        self._count(dropped["key"].split(":")[0], "dropped")
                except queue.Empty:
                    pass

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            kind = item["key"].split(":")[0]
            for attempt in range(self.retries + 1):
                try:
                    r = self.session.post(self.url, json={"text": item["text"]}, timeout=self.timeout)
                    if r.status_code < 300:
                        self._count(kind, "sent")
                        break
                    why = f"HTTP {r.status_code}"
                except requests.RequestException as exc:
                    why = type(exc).__name__
                if attempt == self.retries:
                    self._count(kind, "failed")
                    log.warning("alert not delivered after %d tries (%s): %s", attempt + 1, why, item["text"][:120])
                else:
                    time.sleep(self.backoff * 2 ** attempt)

    def close(self, wait: float = 5.0) -> None:
        """Deliver what is queued (up to `wait` seconds), then stop the worker."""
        if self.thread is None:
            return
        try:
            self.queue.put(None, timeout=wait)
        except queue.Full:
            return
        self.thread.join(wait)


class AlertRules:
    """Which checks alert: a SPLIT at once, a run of `after` inconclusive checks, a run of
    `after` UNAVAILABLE answers from one client; recoveries once."""

    def __init__(self, alerter: Alerter, chain: str, after: int = 3) -> None:
        self.alerter, self.chain, self.after = alerter, chain, after
        self.inconclusive_run = 0
        self.unavailable_runs: dict[str, int] = {}
        self.alerted: set[str] = set()

    def observe(self, number: Optional[int], block_hash: str, overall: str, reason: str,
                clients: list[tuple[str, str, str]], saved: Optional[str]) -> None:
        where = f"{self.chain} block #{number} {block_hash[:18]}"
        if overall == "SPLIT":
            wrong = ", ".join(f"{c} ({v}: {d[:80]})" for c, v, d in clients if v in ("DISAGREES", "REJECTED"))
            self.alerter.send("split", f":rotating_light: SPLIT at {where}: wrong: {wrong}. "
                              + (f"Replay: witnessverify verify {saved}" if saved else ""), force=True)
        if overall in ("INCONCLUSIVE", "NO_SOURCE"):
            self.inconclusive_run += 1
            if self.inconclusive_run >= self.after:
                self.alerted.add("inconclusive")
                self.alerter.send("inconclusive", f":warning: {self.inconclusive_run} inconclusive checks in a row on "
                                  f"{self.chain}; last at {where}: {overall}: {reason[:200]}")
        else:
            if "inconclusive" in self.alerted:
                self.alerted.discard("inconclusive")
                self.alerter.send("recovered:inconclusive", f":white_check_mark: {self.chain}: checks conclusive again "
                                  f"({where}: {overall})", force=True)
            self.inconclusive_run = 0
        for client, verdict, detail in clients:
            if verdict == "UNAVAILABLE":
                n = self.unavailable_runs[client] = self.unavailable_runs.get(client, 0) + 1
                if n >= self.after:
                    self.alerted.add(f"unavailable:{client}")
                    self.alerter.send(f"unavailable:{client}", f":warning: {client} unavailable for {n} checks in a "
                                      f"row on {self.chain} ({detail[:160]})")
            else:
                self.unavailable_runs[client] = 0
                if f"unavailable:{client}" in self.alerted:
                    self.alerted.discard(f"unavailable:{client}")
                    self.alerter.send(f"recovered:{client}", f":white_check_mark: {client} answers again on "
                                      f"{self.chain}", force=True)
