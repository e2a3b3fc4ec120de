"""Prometheus metrics of the spot-checker (prometheus-client), one registry per process.

Label sets are bounded: clients are the configured ones, verdicts and overall answers are fixed
words, and inconclusive reasons are folded into a few kinds (`reason_kind`).
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, write_to_textfile

REASON_KINDS = ("reorg", "witness", "engine", "no-claim", "no-source", "other")


def reason_kind(overall: str, reason: str) -> str:
    r = (reason or "").lower()
    if overall == "NO_SOURCE":
        return "no-source"
    if "reorg" in r:
        return "reorg"
    if "witness" in r:
        return "witness"
    if "engine cannot judge" in r or "unsupported" in r:
        return "engine"
    if "no client made a claim" in r:
        return "no-claim"
    return "other"


class Metrics:
    def __init__(self, chain: str) -> None:
        self.chain = chain
        self.registry = r = CollectorRegistry()
        self.blocks = Counter("witnessverify_blocks_checked", "Blocks checked, by overall answer",
                              ["chain", "overall"], registry=r)
        self.client_verdicts = Counter("witnessverify_client_verdicts", "Per-client verdicts",
                                       ["chain", "client", "verdict"], registry=r)
        self.inconclusive = Counter("witnessverify_inconclusive", "Inconclusive checks, by kind of reason",
                                    ["chain", "reason"], registry=r)
        self.available = Gauge("witnessverify_client_available",
                               "1 if the client answered in the last check, else 0", ["chain", "client"], registry=r)
        self.mgas = Gauge("witnessverify_mgas_per_second", "Execution speed of the last block judged",
                          ["chain"], registry=r)
        self.seconds = Histogram("witnessverify_block_seconds", "Wall seconds per block check (fetch + execute)",
                                 ["chain"], buckets=(0.5, 1, 2, 5, 10, 20, 40, 60, 120, 300), registry=r)
        self.lag = Gauge("witnessverify_lag_blocks", "Blocks between the followed head and the last block checked",
                         ["chain"], registry=r)
        self.head = Gauge("witnessverify_head_block", "The followed head's number", ["chain"], registry=r)
        self.last_success = Gauge("witnessverify_last_success_timestamp_seconds",
                                  "Unix time of the last check that reached a verdict (AGREE or SPLIT)", ["chain"],
                                  registry=r)
        self.client_lag = Gauge("witnessverify_client_head_lag_blocks",
                                "Blocks between the client's followed head and the leading client's",
                                ["chain", "client"], registry=r)
        self.client_stalled = Gauge("witnessverify_client_stalled",
                                    "1 if the client's head is more than --stall-after blocks behind the leader's",
                                    ["chain", "client"], registry=r)
        self.alerts = Counter("witnessverify_alerts", "Alerts, by kind and outcome", ["kind", "outcome"], registry=r)
        self.errors = Counter("witnessverify_loop_errors", "Errors in the watch loop that were survived",
                              ["chain"], registry=r)

    def observe(self, overall: str, reason: str, clients: list[tuple[str, str]], seconds: float,
                mgas: float | None) -> None:
        c = self.chain
        self.blocks.labels(c, overall).inc()
        for client, verdict in clients:
            self.client_verdicts.labels(c, client, verdict).inc()
            self.available.labels(c, client).set(0 if verdict == "UNAVAILABLE" else 1)
        if overall in ("INCONCLUSIVE", "NO_SOURCE"):
            self.inconclusive.labels(c, reason_kind(overall, reason)).inc()
        self.seconds.labels(c).observe(seconds)
        if mgas is not None:
            self.mgas.labels(c).set(mgas)
        if overall in ("AGREE", "SPLIT"):
            self.last_success.labels(c).set(time.time())

    def set_lag(self, head: int, last: int | None) -> None:
        self.head.labels(self.chain).set(head)
        if last is not None:
            self.lag.labels(self.chain).set(max(0, head - last))

    def set_client_heads(self, lags: dict[str, int], stalled: list[str]) -> None:
        for client, lag in lags.items():
            self.client_lag.labels(self.chain, client).set(lag)
            self.client_stalled.labels(self.chain, client).set(1 if client in stalled else 0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def write_textfile(self, path: str) -> None:
        """For node_exporter's textfile collector (cron mode): written atomically."""
        write_to_textfile(path, self.registry)
