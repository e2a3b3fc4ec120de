"""Wiring of `watch` and `spot-check`: clients, history, metrics, alerts, status page, signals."""

from __future__ import annotations

import logging
import signal
from typing import Optional

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
    metrics = Metrics(str(chain or "auto"))
    alerter = Alerter(webhook, min_interval=alert_interval, metrics=metrics, fmt=webhook_format)
    watcher = Watcher(clients, history, schedule, mode, chain, follow, lag, metrics,
                      AlertRules(alerter, str(chain or "chain"), alert_after), save_dir, rollup_nodes, start,
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

    def stop(signum, frame):
        log.info("signal %d: finishing the block in hand, then stopping", signum)
        watcher.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("watching %s, %s, following %s - %d", [c.name for c in watcher.clients], watcher.schedule.describe(),
             watcher.follow, watcher.lag)
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
    return 0


def spot_check(watcher: Watcher, history: History, metrics: Metrics, alerter: Alerter, textfile: Optional[str],
               max_blocks: Optional[int]) -> int:
    try:
        result = watcher.run_pass(max_blocks)
    except InputError as exc:
        log.error("%s", exc)
        print(f"ERROR {exc}")
        return 4
    finally:
        alerter.close()
        history.close()
    if textfile:
        metrics.write_textfile(textfile)
    overalls = [r.overall for r in result.judged]
    log.info("spot-check: %d block(s) judged%s", len(overalls),
             "" if result.head is not None else " (no client answered its head)")
    if result.head is None:
        return 4
    # check's exit codes over the pass (0 also when nothing was due)
    return exit_code(overalls)
