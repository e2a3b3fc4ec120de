"""The spot-checker: follow a chain's head and judge the chosen blocks with the tie-breaker.

One pass (`Watcher.run_pass`, the whole of `spot-check`): find the followed head (the median of
what the clients answer for latest/safe/finalized, minus --lag), look back over the recent
blocks already judged and mark those the chain reorganised away (then judge the block that
replaced it, once), and judge every due block after the cursor, in order. `watch` repeats passes
until stopped. Each judged block is recorded with the cursor in one transaction
(store/history.py); metrics, alerts and logs only observe.

The checker never hurts a node: every request goes through the guarded client (one at a time per
client, --rps, bounded retries with backoff), and by default it follows the tip, where
`debug_executionWitness` is cheap (geth rebuilds old state for blocks behind it).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median_low
from typing import Optional

from ..errors import InputError
from ..store import CheckRecord, History, HistoryError
from ..provenance import provenance
from ..tiebreak import check, to_json
from ..tiebreak.claims import CheckReport
from ..tiebreak.fetch import call, chain_ids, number_of, resolve_all
from ..tiebreak.rpc import RpcClient
from .schedule import Schedule

log = logging.getLogger("witnessverify.watch")
REORG_WINDOW = 64  # blocks behind the head within which judged blocks are re-checked for reorgs
REORG_SCAN = 8  # at most this many of them per pass (the newest), one request each to one client
# one cursor per chain, shared by `watch` and `spot-check`: a cron pass resumes where the daemon
# stopped and the other way round (the `mode` column says which judged a block)
CURSOR = "head"
STALL_AFTER = 8  # a client more than this many blocks behind the leader's head is flagged stalled


@dataclass
class PassResult:
    judged: list[CheckReport] = field(default_factory=list)
    abandoned: list[tuple[int, str]] = field(default_factory=list)
    head: Optional[int] = None


def record_of(report: CheckReport, chain_id: int, number: int, mode: str, saved: Optional[str]) -> CheckRecord:
    o = report.outcome
    out = report.output
    verdicts = [(v.client, "client", v.verdict, v.detail, list(v.fields)) for v in report.clients]
    verdicts += [(v.client, "output", v.verdict, v.detail, list(v.fields)) for v in report.outputs]
    return CheckRecord(
        chain_id=chain_id, number=report.block_number if report.block_number is not None else number,
        block_hash="0x" + report.block_hash.hex() if report.block_hash else "", mode=mode, overall=report.overall,
        report={**to_json(report), "judgedBy": provenance()}, reason=report.reason or "", engine_verdict=o.verdict if o else None,
        fork=o.fork if o else None, gas_used=o.gas_used if o else None, seconds=o.seconds if o else None,
        mgas_per_s=round(o.mgas_per_second, 3) if o and o.seconds else None,
        output_root=("0x" + out.root.hex()) if out is not None and out.root is not None else None,
        saved_dir=saved, verdicts=verdicts)


class Watcher:
    def __init__(self, clients: list[RpcClient], history: History, schedule: Schedule, mode: str = "watch",
                 chain=None, follow: str = "latest", lag: int = 0, metrics=None, alerts=None,
                 save_dir: Optional[str] = None, rollup_nodes: Optional[list[RpcClient]] = None,
                 start: Optional[int] = None, stall_after: int = STALL_AFTER) -> None:
        if follow not in ("latest", "safe", "finalized"):
            raise InputError(f"--follow {follow}: one of latest, safe, finalized")
        self.clients, self.history, self.schedule, self.mode = clients, history, schedule, mode
        self.chain, self.follow, self.lag = chain, follow, max(0, lag)
        self.metrics, self.alerts, self.save_dir = metrics, alerts, save_dir
        self.rollup_nodes = rollup_nodes or []
        self.start, self.stall_after = start, stall_after
        self.stop = threading.Event()
        self.chain_id: Optional[int] = None
        self.block_time = 2.0
        self._behind_warned = -1e18
        # what the status page shows besides the history (a few numbers: bounded)
        self.state: dict = {"head": None, "target": None, "last": None, "started": time.time(), "mode": mode,
                            "schedule": schedule.describe(), "follow": follow, "lag": self.lag}

    # -- the chain ------------------------------------------------------------------------------
    def settle_chain(self) -> int:
        """The chain id most clients serve (or --chain's); fixed for the life of the process."""
        if self.chain_id is not None:
            return self.chain_id
        from ..chains import chain_by_name, chain_label

        served = [cid for cid, _ in chain_ids(self.clients).values() if cid is not None]
        want = None
        if isinstance(self.chain, str) and not self.chain.lower().startswith("dev:"):
            known = chain_by_name(self.chain)
            want = known.chain_id if known else None
        if want is None and served:
            want = max(set(served), key=served.count)
        if want is None:
            raise InputError("no client answered eth_chainId: nothing to follow")
        self.chain_id = want
        self.state["chain_id"] = want
        label = chain_label(self.chain, want)  # "op-mainnet", not "auto", in metrics and alerts
        self.state["chain_name"] = label  # and on the status page
        if self.metrics:
            self.metrics.settle(label)
        if self.alerts:
            self.alerts.chain = label
        return want

    def head(self) -> Optional[int]:
        """The followed head: the median of the clients' heads (a client racing ahead moves it by
        at most one place), leaving out a client that is stalled — more than --stall-after blocks
        behind the leader and further behind than at the last pass — so with two clients the
        healthy one is still followed. Each client's lag against the leader is kept and flagged."""
        heads: dict[str, int] = {}
        for c in self.clients:
            header, _ = call(c, "eth_getBlockByNumber", self.follow, False)
            if isinstance(header, dict) and number_of(header.get("number")) is not None:
                heads[c.name] = number_of(header["number"])
        if not heads:
            return None
        leader = max(heads.values())
        lags = {name: leader - n for name, n in heads.items()}
        before = self.state.get("client_lags") or {}
        stalled = sorted(name for name, lag in lags.items() if lag > self.stall_after)
        falling = {name for name in stalled if name in before and lags[name] > before[name]}
        for name in stalled:
            if name not in (self.state.get("stalled") or []):
                log.warning("%s is stalled: its %s block #%d is %d behind the leader's #%d", name, self.follow,
                            heads[name], lags[name], leader,
                            extra={"fields": {"client": name, "stalled": True, "lag": lags[name]}})
        self.state.update(client_heads=heads, client_lags=lags, stalled=stalled)
        if self.metrics:
            self.metrics.set_client_heads(lags, stalled)
        if self.alerts:
            self.alerts.observe_heads(lags, stalled, self.follow)
        return median_low([n for name, n in heads.items() if name not in falling])

    def measure_block_time(self, head: int) -> None:
        span = min(head, 100)
        if span < 1:
            return
        times = []
        for n in (head, head - span):
            for c in self.clients:
                header, _ = call(c, "eth_getBlockByNumber", hex(n), False)
                if isinstance(header, dict) and number_of(header.get("timestamp")) is not None:
                    times.append(number_of(header["timestamp"]))
                    break
        if len(times) == 2 and times[0] > times[1]:
            self.block_time = (times[0] - times[1]) / span

    # -- one block --------------------------------------------------------------------------------
    def judge(self, number: int, ref: Optional[str] = None) -> CheckReport:
        """Check block `number` (or the block `ref` names) and record it with the cursor."""
        started = time.monotonic()
        tmp = None
        if self.save_dir:
            tmp = str(Path(self.save_dir) / f".tmp-{number}")
            shutil.rmtree(tmp, ignore_errors=True)
        try:
            report = check(ref or str(number), self.clients, self.chain, save_dir=tmp,
                           rollup_nodes=self.rollup_nodes or None)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop a months-long watch
            from ..tiebreak.claims import INCONCLUSIVE

            log.exception("internal error checking block #%d", number)
            report = CheckReport(INCONCLUSIVE, reason=f"internal error: {type(exc).__name__}: {exc}"[:300],
                                 block_number=number)
            if self.metrics:
                self.metrics.errors.labels(self.metrics.chain).inc()
        seconds = time.monotonic() - started
        saved = self._keep_saved(tmp, report, number)
        cursor = None if ref else (CURSOR, number)
        try:
            fresh = self.history.record(record_of(report, self.chain_id, number, self.mode, saved), cursor)
        except HistoryError:  # not recorded: judged again next pass, but a split alerts now
            self._observe(report, seconds, saved, True)
            raise
        self.state["last"] = number
        self._observe(report, seconds, saved, fresh)
        return report

    def _keep_saved(self, tmp: Optional[str], report: CheckReport, number: int) -> Optional[str]:
        """A split keeps its saved bundle and claims (replay: `verify DIR`); other checks do not."""
        if tmp is None or not Path(tmp).exists():
            return None
        if report.overall != "SPLIT":
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        h = report.block_hash.hex()[:16] if report.block_hash else "nohash"
        final = Path(self.save_dir) / f"{self.chain_id}-{number}-{h}"
        shutil.rmtree(final, ignore_errors=True)
        Path(tmp).rename(final)
        return str(final)

    def _observe(self, report: CheckReport, seconds: float, saved: Optional[str], fresh: bool) -> None:
        o = report.outcome
        clients = [(v.client, v.verdict, v.detail) for v in report.clients + report.outputs]
        h = "0x" + report.block_hash.hex() if report.block_hash else ""
        fields = {"block": report.block_number, "hash": h, "overall": report.overall, "seconds": round(seconds, 3),
                  "mgas_per_s": round(o.mgas_per_second, 3) if o else None,
                  "clients": {c: v for c, v, _ in clients}}
        if not fresh:
            fields["duplicate"] = True
        level = logging.WARNING if report.overall in ("SPLIT",) else logging.INFO
        log.log(level, "#%s %s %s%s", report.block_number, report.overall,
                " ".join(f"{c}={v}" for c, v, _ in clients), f" ({report.reason})" if report.reason else "",
                extra={"fields": fields})
        if self.metrics:
            self.metrics.observe(report.overall, report.reason, [(c, v) for c, v, _ in clients], seconds,
                                 o.mgas_per_second if o and o.seconds else None)
        if self.alerts:
            self.alerts.observe(report.block_number, h, report.overall, report.reason, clients, saved)

    # -- a pass ---------------------------------------------------------------------------------
    def check_reorgs(self, target: int, result: PassResult) -> None:
        """Judged blocks the chain no longer holds are marked abandoned, and the block now at that
        height is judged once (it is a new block: a new row), never the abandoned one again.

        A recorded block the engine refuted (a liar's header, the only one served at the time) is
        no chain block to abandon: it stays as judged, and the block the clients now hold at that
        height is judged once beside it."""
        tip = (target, self._canonical(target))
        if self.state.get("scanned") == tip:  # the chain did not move: nothing new to see
            return
        self.state["scanned"] = tip
        for number, block_hash, engine_verdict in self.history.recent_live(self.chain_id, target - REORG_WINDOW)[-REORG_SCAN:]:
            if self.stop.is_set():
                return
            if self._canonical(number) in (None, block_hash):  # one client's word: cheap, and enough to agree
                continue
            candidates, _ = resolve_all(hex(number), self.clients, [])  # a difference is confirmed with all
            if not candidates or bytes.fromhex(block_hash[2:]) in candidates:
                continue
            recorded = {r["block_hash"] for r in self.history.recorded(self.chain_id, number)}
            fresh = ["0x" + h.hex() for h in candidates if "0x" + h.hex() not in recorded]
            if engine_verdict == "VALID" and self.history.mark_abandoned(self.chain_id, number, block_hash):
                log.warning("#%d %s was reorganised away; marked abandoned", number, block_hash[:18],
                            extra={"fields": {"block": number, "hash": block_hash, "abandoned": True}})
                result.abandoned.append((number, block_hash))
            if fresh:
                result.judged.append(self.judge(number, ref=fresh[0]))

    def _canonical(self, number: int) -> Optional[str]:
        """The hash the first client that answers holds at `number`."""
        for c in self.clients:
            header, _ = call(c, "eth_getBlockByNumber", hex(number), False)
            if isinstance(header, dict) and isinstance(header.get("hash"), str):
                return header["hash"].lower()
        return None

    def run_pass(self, limit: Optional[int] = None) -> PassResult:
        result = PassResult()
        chain_id = self.settle_chain()
        head = self.head()
        if head is None:
            log.warning("no client answered its %s block; nothing to do this round", self.follow)
            return result
        if self.state.get("head") is None:
            self.measure_block_time(head)
        target = head - self.lag
        result.head = head
        self.state.update(head=head, target=target)
        cursor = self.history.cursor(chain_id, CURSOR)
        if cursor is None:  # first run: from --from, else the target itself (no backfill)
            cursor = (self.start - 1) if self.start is not None else target - 1
        if self.metrics:
            self.metrics.set_lag(head, max(cursor, self.state.get("last") or cursor))
        self.check_reorgs(target, result)
        number = cursor + 1
        last_skipped = None
        started = time.monotonic()
        while number <= target and not self.stop.is_set():
            if limit is not None and len(result.judged) >= limit:
                break
            if self.schedule.picks(number, self.block_time):
                result.judged.append(self.judge(number))
                last_skipped = None
            else:
                last_skipped = number
            number += 1
        if last_skipped is not None:  # the blocks after the last judged one were not due
            self.history.set_cursor(chain_id, CURSOR, last_skipped)
        if self.metrics:
            self.metrics.set_lag(head, self.history.cursor(chain_id, CURSOR))
        self._warn_if_falling_behind(len(result.judged), time.monotonic() - started)
        return result

    def _warn_if_falling_behind(self, judged: int, seconds: float) -> None:
        """When judging the due blocks takes longer than the chain takes to make them, the lag
        only grows: say so (once an hour) with what to change, instead of falling behind silently."""
        if judged < 3 or self.block_time <= 0:
            return
        per_block = seconds / judged
        need = self.block_time / self.schedule.share(self.block_time)  # seconds between two due blocks
        now = time.monotonic()
        if per_block > need and now - self._behind_warned > 3600:
            self._behind_warned = now
            log.warning("falling behind: %.1f s per block judged, a due block every %.1f s (%s); the lag will "
                        "grow - judge fewer blocks (--every N or --sample K/hour) or lower --rps limits",
                        per_block, need, self.schedule.describe(),
                        extra={"fields": {"seconds_per_block": round(per_block, 2), "due_every": round(need, 2)}})

    def run(self, poll: float = 4.0, max_blocks: Optional[int] = None) -> int:
        """Passes until stopped (or `max_blocks` judged); the number of blocks judged."""
        judged = 0
        while not self.stop.is_set():
            try:
                left = None if max_blocks is None else max_blocks - judged
                judged += len(self.run_pass(left).judged)
            except HistoryError as exc:
                log.error("%s", exc, extra={"fields": {"history_error": exc.code or "", "fatal": exc.fatal}})
                if self.metrics:
                    self.metrics.errors.labels(self.metrics.chain).inc()
                if exc.fatal:  # another pass would fail the same way: stop, and say why
                    raise
            except InputError as exc:
                log.error("%s", exc)
            except Exception:  # noqa: BLE001 - logged; the next pass tries again
                log.exception("error in the watch loop")
                if self.metrics:
                    self.metrics.errors.labels(self.metrics.chain).inc()
            if max_blocks is not None and judged >= max_blocks:
                break
            self.stop.wait(poll)
        return judged
