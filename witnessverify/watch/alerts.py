"""Alerts to a webhook (Slack-compatible JSON `{"text": ...}`), never in the way of checking.

`Alerter.send` only queues (a bounded queue: when full, the oldest alert is dropped and counted);
one worker thread posts, retrying with backoff a bounded number of times. Each alert has a key
(e.g. "split", "unavailable:geth"); one key alerts at most once per `min_interval` seconds.

`AlertRules` decides what to alert on: a SPLIT at once; a client on a chain of its own at once;
N consecutive INCONCLUSIVE (or NO_SOURCE) checks; N consecutive UNAVAILABLE answers of one
client, or N passes with one client stalled behind the others; and a recovery message when a
condition that alerted clears.

What an endpoint said (an RPC error, a bad-block reason, any detail) is `Said` text: in Slack's
format it is escaped (`&`, `<`, `>`, so no `<!channel>` and no `<url|label>` link) and set in
code, where Slack makes no link of a URL; in the generic JSON format (`--webhook-format json`) it
is a JSON string like any other, and never part of a link either.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Optional

import requests

from ..threadsig import leave_stop_signals_to_main

log = logging.getLogger("witnessverify.alerts")
FORMATS = ("slack", "json")


class Said(str):
    """Text an endpoint said: never markup, never a link."""


def said(text: object, limit: int = 200) -> Said:
    """What an endpoint said, at most `limit` characters: cut at a word, marked with an ellipsis."""
    text = str(text)
    if len(text) <= limit:
        return Said(text)
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return Said((cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…")


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(parts, fmt: str) -> str:
    """An alert's text from its parts: ours as they are (escaped for Slack all the same), what an
    endpoint said quoted as code in Slack (backticks in it made quotes, so it cannot close the
    code span), plain in JSON."""
    if isinstance(parts, str):
        parts = (parts,)
    if fmt == "json":
        return "".join(parts)
    out = []
    for p in parts:
        if isinstance(p, Said):
            body = slack_escape(p.replace("`", "'")).replace("\n", " ")
            out.append(f"`{body}`" if body else "")
        else:
            out.append(slack_escape(p))
    return "".join(out)


class Alerter:
    def __init__(self, url: Optional[str], min_interval: float = 300.0, retries: int = 3, backoff: float = 1.0,
                 timeout: float = 10.0, metrics=None, capacity: int = 100, fmt: str = "slack") -> None:
        self.url, self.min_interval, self.retries, self.backoff, self.timeout = url, min_interval, retries, backoff, timeout
        if fmt not in FORMATS:
            raise ValueError(f"webhook format {fmt!r}: one of {', '.join(FORMATS)}")
        self.fmt = fmt
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

    def body(self, key: str, parts) -> dict:
        """The JSON posted: Slack's {"text"}, or a generic {"key", "kind", "text"}."""
        text = render(parts, self.fmt)
        return {"text": text} if self.fmt == "slack" else {"key": key, "kind": key.split(":")[0], "text": text}

    def send(self, key: str, parts, force: bool = False) -> bool:
        """Queue an alert (its text: a string of ours, or parts with `Said` text of an endpoint's)
        unless its key alerted within min_interval; never blocks."""
        if not self.url:
            return False
        now = time.monotonic()
        kind = key.split(":")[0]
        if not force and now - self.last_sent.get(key, -1e18) < self.min_interval:
            self._count(kind, "rate-limited")
            return False
        self.last_sent[key] = now
        item = {"key": key, "body": self.body(key, parts)}
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
        leave_stop_signals_to_main()
        while True:
            item = self.queue.get()
            if item is None:
                return
            kind = item["key"].split(":")[0]
            for attempt in range(self.retries + 1):
                try:
                    r = self.session.post(self.url, json=item["body"], timeout=self.timeout)
                    if r.status_code < 300:
                        self._count(kind, "sent")
                        break
                    why = f"HTTP {r.status_code}"
                except requests.RequestException as exc:
                    why = type(exc).__name__
                if attempt == self.retries:
                    self._count(kind, "failed")
                    log.warning("alert not delivered after %d tries (%s): %s", attempt + 1, why,
                                item["body"]["text"][:120])
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
    """Which checks alert: a SPLIT at once, a client on a chain of its own at once, a run of
    `after` inconclusive checks, a run of `after` UNAVAILABLE answers (or stalled passes) of one
    client; recoveries once."""

    def __init__(self, alerter: Alerter, chain: str, after: int = 3) -> None:
        self.alerter, self.chain, self.after = alerter, chain, after
        self.inconclusive_run = 0
        self.unavailable_runs: dict[str, int] = {}
        self.stalled_runs: dict[str, int] = {}
        self.alerted: set[str] = set()

    def observe(self, number: Optional[int], block_hash: str, overall: str, reason: str,
                clients: list[tuple[str, str, str]], saved: Optional[str]) -> None:
        where = f"{self.chain} block #{number} {block_hash[:18]}"
        send = self.alerter.send
        if overall == "SPLIT":
            wrong: list = []
            for c, v, d in clients:
                if v in ("DISAGREES", "REJECTED"):
                    wrong += [", " if wrong else "", f"{c} ({v}: ", said(d, 80), ")"]
            send("split", (f":rotating_light: SPLIT at {where}: wrong: ", *wrong, ". ",
                           f"Replay: witnessverify verify {saved}" if saved else ""), force=True)
        for c, v, d in clients:
            if v == "DIFFERENT_CHAIN":
                send(f"chain:{c}", (f":rotating_light: {c} holds a chain of its own at {where}: ", said(d, 240)))
        if overall in ("INCONCLUSIVE", "NO_SOURCE"):
            self.inconclusive_run += 1
            if self.inconclusive_run >= self.after:
                self.alerted.add("inconclusive")
                send("inconclusive", (f":warning: {self.inconclusive_run} inconclusive checks in a row on "
                                      f"{self.chain}; last at {where}: {overall}: ", said(reason)))
        else:
            if "inconclusive" in self.alerted:
                self.alerted.discard("inconclusive")
                send("recovered:inconclusive", f":white_check_mark: {self.chain}: checks conclusive again "
                     f"({where}: {overall})", force=True)
            self.inconclusive_run = 0
        for client, verdict, detail in clients:
            self._run(self.unavailable_runs, "unavailable", client, verdict == "UNAVAILABLE",
                      (f":warning: {client} unavailable for {{n}} checks in a row on {self.chain} (", said(detail, 160),
                       ")"), f":white_check_mark: {client} answers again on {self.chain}")

    def observe_heads(self, lags: dict[str, int], stalled: list[str], follow: str) -> None:
        """Each pass: a client whose head stays more than --stall-after blocks behind the leader."""
        for client, lag in lags.items():
            self._run(self.stalled_runs, "stalled", client, client in stalled,
                      (f":warning: {client} is stalled on {self.chain}: its {follow} block is {lag} behind the "
                       f"leading client's ({{n}} passes in a row); the others are followed",),
                      f":white_check_mark: {client} has caught up on {self.chain}")

    def _run(self, runs: dict[str, int], kind: str, client: str, bad: bool, alert: tuple, recovered: str) -> None:
        """Count one client's run of a bad condition: alert at `after` in a row, recover once."""
        key = f"{kind}:{client}"
        if bad:
            n = runs[client] = runs.get(client, 0) + 1
            if n >= self.after:
                self.alerted.add(key)
                self.alerter.send(key, tuple(p.replace("{n}", str(n)) if not isinstance(p, Said) else p
                                             for p in alert))
        else:
            runs[client] = 0
            if key in self.alerted:
                self.alerted.discard(key)
                self.alerter.send(f"recovered:{client}" if kind == "unavailable" else f"recovered:{key}", recovered,
                                  force=True)
