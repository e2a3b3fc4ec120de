"""`witnessverify chains`: every built-in chain (or one, or a rollup config's) with its fork
schedule, and which fork a block number or timestamp runs. Presentation of chains/ only."""

from __future__ import annotations

import time
from typing import Any, Optional

from .chains import ChainConfig


def _utc(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts)) if ts else "genesis"


def schedule(chain: ChainConfig) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for fork, kind, start in chain.schedule():
        if kind == "block":
            rows.append({"fork": fork.name, "block": start})
            continue
        row: dict[str, Any] = {"fork": fork.name, "timestamp": start, "utc": _utc(start)}
        if fork.family != "l1":
            row["evm"] = fork.evm.name if fork.known else None
        if not fork.implemented:
            row["unsupported"] = True
        blobs = chain.blob_schedule.get(fork.name) if fork.family == "l1" else None
        if blobs is not None:
            row["blobs"] = {"target": blobs.target, "max": blobs.max, "updateFraction": blobs.update_fraction}
        rows.append(row)
    return rows


def fork_range(chain: ChainConfig, number: Optional[int], timestamp: Optional[int]) -> tuple[str, str]:
    """The earliest and latest fork a block can run: the same unless only a number is given and
    forks after the one it reaches are scheduled by time (its timestamp decides)."""
    n = number if number is not None else 10**12
    early = chain.fork(n, timestamp or 0).name
    return early, (chain.fork(n, 2**63).name if timestamp is None else early)


def fork_at(chain: ChainConfig, number: Optional[int], timestamp: Optional[int]) -> str:
    early, late = fork_range(chain, number, timestamp)
    if late != early:
        return f"{early} to {late}, by its timestamp (forks after {early} activate by time: pass --timestamp)"
    return early


def to_json(chain: ChainConfig, number: Optional[int] = None, timestamp: Optional[int] = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": chain.name,
        "chainId": chain.chain_id,
        "family": chain.family,
        "forks": schedule(chain),
        "sources": list(chain.sources),
    }
    if number is not None or timestamp is not None:
        early, late = fork_range(chain, number, timestamp)
        out["at"] = {"number": number, "timestamp": timestamp, "fork": early if early == late else None,
                     "forks": [early, late] if early != late else [early]}
    return out


def human(chain: ChainConfig, number: Optional[int] = None, timestamp: Optional[int] = None) -> str:
    lines = [f"{chain.name}  chain id {chain.chain_id}  {chain.family_name}"]
    for row in schedule(chain):
        if "block" in row:
            when = f"block {row['block']:,}"
        else:
            when = f"{row['timestamp']:>10}  {row['utc']}"
        extra = ""
        if row.get("evm"):
            extra = f"  ({row['evm']} EVM)"
        if row.get("blobs"):
            b = row["blobs"]
            extra = f"  blobs {b['target']}/{b['max']}/{b['updateFraction']}"
        if row.get("unsupported"):
            extra = "  not implemented: blocks from here are UNSUPPORTED"
        lines.append(f"  {row['fork']:<18} {when}{extra}")
    if number is not None or timestamp is not None:
        at = " ".join(x for x in (f"block {number}" if number is not None else "",
                                  f"timestamp {timestamp}" if timestamp is not None else "") if x)
        lines.append(f"  at {at}: {fork_at(chain, number, timestamp)}")
    for s in chain.sources:
        lines.append(f"  source: {s}")
    return "\n".join(lines)
