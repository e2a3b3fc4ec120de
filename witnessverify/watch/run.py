"""Wiring of `watch` and `spot-check`: clients, history, metrics, alerts, status page, signals."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Optional

from ..chains import chain_label
from ..errors import InputError
from ..verdicts import exit_code
from ..store import History, HistoryError
from ..tiebreak.rpc import RpcClient
from .alerts import Alerter, AlertRules
from .daemon import STALL_AFTER, Watcher
from .metrics import Metrics
from .schedule import Schedule

log = logging.getLogger("witnessverify.watch")


def build(clients: list[RpcClient], rollup_nodes: list[RpcClient], db: str, schedule: Schedule, mode: str,
          chain, follow: str, lag: int, webhook: Optional[str], alert_after: int, alert_interval: float,
          save_dir: Optional[str], start: Optional[int], stall_after: int = STALL_AFTER, webhook_format: str = "slack"):
    history = History(db)
    label = chain_label(chain, None) if chain else None  # else the served chain id's name, once settled
    metrics = Metrics(label, [c.name for c in clients + rollup_nodes])
    alerter = Alerter(webhook, min_interval=alert_interval, metrics=metrics, fmt=webhook_format)
    watcher = Watcher(clients, history, schedule, mode, chain, follow, lag, metrics,
                      AlertRules(alerter, label or "the chain", alert_after), save_dir, rollup_nodes, start,
                      stall_after)
    return watcher, history, metrics, alerter


def watch(watcher: Watcher, history: History, metrics: Metrics, alerter: Alerter, listen: Optional[tuple[str, int]],
          poll: float, max_blocks: Optional[int]) -> int:
    status = None
    if listen is not None:
        from .status import StatusServer

        status = StatusServer(listen[0], listen[1], str(history.path), watcher.state, metrics.exposition)
        log.info("status page and /metrics on http://%s:%d/", listen[0], status.port,
                 extra={"fields": {"listen": f"{listen[0]}:{status.port}"}})

    stopped_by: list[int] = []

    def stop(signum, frame):
        log.info("signal %d: finishing the block in hand, then stopping", signum)
        stopped_by.append(signum)
        watcher.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("watching %s, %s, following %s%s", [c.name for c in watcher.clients], watcher.schedule.describe(),
             watcher.follow, f", {watcher.lag} block(s) behind it" if watcher.lag else "")
    try:
        judged = watcher.run(poll, max_blocks)
    except HistoryError:  # fatal, and already logged by the loop as one line
        return 4
    finally:
        alerter.close()
        if status is not None:
            status.close()
        history.close()
    log.info("stopped after %d block(s)", judged)
    # stopped by a signal: 128 + its number, as shells and systemd expect (SuccessExitStatus=143)
    return 128 + stopped_by[0] if stopped_by else 0


def spot_check(watcher: Watcher, history: History, metrics: Metrics, alerter: Alerter, textfile: Optional[str],
               max_blocks: Optional[int]) -> int:
    # the textfile's counters are cumulative: their state is kept in the history, one key per file
    key = f"metrics:{Path(textfile).resolve()}" if textfile else None
    try:
        if key:
            metrics.carry_over(_json_or_none(history.meta(key)))
        result = watcher.run_pass(max_blocks)
    except InputError as exc:  # one line, on stderr with the rest of the log
        log.error("%s", exc)
        return 4
    finally:
        alerter.close()
        if key:  # also after a failed pass: its counters carried over, its errors counted
            _keep_metrics(history, key, metrics, textfile)
        history.close()
    overalls = [r.overall for r in result.judged]
    log.info("spot-check: %d block(s) judged%s", len(overalls),
             "" if result.head is not None else " (no client answered its head)")
    if result.head is None:
        return 4
    # check's exit codes over the pass (0 also when nothing was due)
    return exit_code(overalls)


def _json_or_none(text: Optional[str]):
    import json

    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _keep_metrics(history: History, key: str, metrics: Metrics, textfile: str) -> None:
    import json

    try:
        history.set_meta(key, json.dumps(metrics.carried()))
    except HistoryError as exc:  # the textfile is still written: this pass's counters, not lost
        log.error("%s", exc)
    metrics.write_textfile(textfile)  # atomically (prometheus-client writes a temp file and renames)
