"""`witnessverify chains`: every built-in chain (or one, or a rollup config's) with its fork
schedule, and which fork a block number or timestamp runs. Presentation of chains.py only."""

from __future__ import annotations

import time
from typing import Any, Optional

from .chains import EVM_OF_L2_FORK, FORK_ORDER, UNIMPLEMENTED_FORKS, ChainConfig


def _utc(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts)) if ts else "genesis"


def schedule(chain: ChainConfig) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if chain.is_op:
        for name in chain.fork_line:
            if name in chain.op_forks:
                start = chain.op_forks[name]
                rows.append({"fork": name, "timestamp": start, "utc": _utc(start), "evm": EVM_OF_L2_FORK[name]})
        for name, start in sorted(chain.unknown_op_forks.items(), key=lambda kv: kv[1]):
            rows.append({"fork": name, "timestamp": start, "utc": _utc(start), "evm": None, "unsupported": True})
        return rows
    for name in FORK_ORDER:
        if name in chain.block_forks:
            rows.append({"fork": name, "block": chain.block_forks[name]})
        elif name in chain.time_forks:
            start = chain.time_forks[name]
            row: dict[str, Any] = {"fork": name, "timestamp": start, "utc": _utc(start)}
            if name in UNIMPLEMENTED_FORKS:
                row["unsupported"] = True
            blobs = chain.blob_schedule.get(name)
            if blobs is not None:
                row["blobs"] = {"target": blobs.target, "max": blobs.max, "updateFraction": blobs.update_fraction}
            rows.append(row)
    return rows


def fork_at(chain: ChainConfig, number: Optional[int], timestamp: Optional[int]) -> str:
    if chain.is_op:
        fork = chain.op_fork_at(timestamp or 0)
        for name, start in sorted(chain.unknown_op_forks.items(), key=lambda kv: kv[1]):
            if (timestamp or 0) >= start:
                fork = name
        return fork
    return chain.fork_at(number if number is not None else 10**12, timestamp or 0)


def to_json(chain: ChainConfig, number: Optional[int] = None, timestamp: Optional[int] = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": chain.name,
        "chainId": chain.chain_id,
        "family": chain.family,
        "forks": schedule(chain),
        "sources": list(chain.sources),
    }
    if number is not None or timestamp is not None:
        out["at"] = {"number": number, "timestamp": timestamp, "fork": fork_at(chain, number, timestamp)}
    return out


def human(chain: ChainConfig, number: Optional[int] = None, timestamp: Optional[int] = None) -> str:
    family = {"l1": "Ethereum", "op": "OP Stack", "base": "Base (OP Stack, Base's own forks after Jovian)",
              "celo": "Celo (OP Stack with Celo's rules)"}[chain.family]
    lines = [f"{chain.name}  chain id {chain.chain_id}  {family}"]
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
