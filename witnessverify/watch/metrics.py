"""Prometheus metrics of the spot-checker (prometheus-client), one registry per process.

Label sets are bounded: clients are the configured ones, verdicts and overall answers are fixed
words, and inconclusive reasons are folded into a few kinds (`reason_kind`).
"""

from __future__ import annotations

import logging
import time
from typing import Iterable, Optional

from ..provenance import provenance
from ..verdicts import ClientWord, Overall
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, write_to_textfile

log = logging.getLogger("witnessverify.watch")
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


ALERT_KINDS = ("split", "chain", "inconclusive", "unavailable", "stalled", "recovered")
ALERT_OUTCOMES = ("sent", "failed", "rate-limited", "dropped")
UNSETTLED = "unsettled"


class Metrics:
    """Every series a rule alerts on exists at 0 from the start (`prime`): Prometheus's
    increase() cannot see a counter's first step if its series is born at 1."""

    def __init__(self, chain: Optional[str], clients: Iterable[str] = ()) -> None:
        self.chain = chain or UNSETTLED
        self.clients = list(dict.fromkeys(clients))
        self.primed = False
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
        self.build_info = Gauge("witnessverify_build_info", "1, labelled with the code that judges",
                                ["version", "pyevm", "commit"], registry=r)
        built = provenance()
        self.build_info.labels(built["witnessverify"] or "", built["py-evm"] or "", built["commit"] or "").set(1)
        self.errors = Counter("witnessverify_loop_errors", "Errors in the watch loop that were survived",
                              ["chain"], registry=r)

        if chain:
            self.prime()

    def settle(self, chain: str) -> None:
        """The chain's name, once known (from --chain, or the chain id the clients serve)."""
        if not self.primed:
            self.chain = chain
            self.prime()

    def prime(self) -> None:
        c = self.chain
        for overall in Overall:
            self.blocks.labels(c, overall)
        for client in self.clients:
            for word in ClientWord:
                self.client_verdicts.labels(c, client, word)
            self.client_stalled.labels(c, client)
        for kind in REASON_KINDS:
            self.inconclusive.labels(c, kind)
        for kind in ALERT_KINDS:
            for outcome in ALERT_OUTCOMES:
                self.alerts.labels(kind, outcome)
        self.errors.labels(c)
        self.seconds.labels(c)
        self.primed = True

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

    # -- cron mode: counters that outlive the process ---------------------------------------------
    def _counters(self) -> dict:
        return {"witnessverify_blocks_checked": self.blocks, "witnessverify_client_verdicts": self.client_verdicts,
                "witnessverify_inconclusive": self.inconclusive, "witnessverify_alerts": self.alerts,
                "witnessverify_loop_errors": self.errors}

    def carried(self) -> dict:
        """What the next pass starts from: every counter's value by labels, and the last success."""
        names = self._counters()
        out: dict = {"counters": [], "last_success": {}}
        for family in self.registry.collect():
            for sample in family.samples:
                if family.name in names and sample.name == family.name + "_total":
                    out["counters"].append([family.name, sample.labels, sample.value])
                elif sample.name == "witnessverify_last_success_timestamp_seconds":
                    out["last_success"][sample.labels["chain"]] = sample.value
        return out

    def carry_over(self, doc: Optional[dict]) -> None:
        """Start from the previous pass's counters (`carried`), so a pass with nothing due keeps
        every series and a counter only grows; none (or unreadable) starts at 0, a counter reset."""
        names = self._counters()
        try:
            for name, labels, value in (doc or {}).get("counters", []):
                if name in names and value > 0:
                    names[name].labels(**labels).inc(value)
            for chain, value in (doc or {}).get("last_success", {}).items():
                self.last_success.labels(chain).set(value)
        except (TypeError, ValueError, AttributeError) as exc:
            log.warning("the metrics carried from the last pass are unreadable, counters start at 0: %s", exc)

    def write_textfile(self, path: str) -> None:
        """For node_exporter's textfile collector (cron mode): written atomically."""
        write_to_textfile(path, self.registry)
