"""The diagnosis of a client the engine finds wrong: the first transaction whose receipt differs
from ours (its `eth_getBlockReceipts`), the first transaction after which its state root differs
(`debug_intermediateRoots` against ours, computed after each transaction), and every account and
slot our execution changed whose value on the client (`eth_getProof` at the block) differs. A
client's garbage here only shortens its diagnosis."""

from __future__ import annotations

from ..hexjson import quantity
from ..verdict import Outcome
from .fetch import call
from .rpc import RpcClient


def _q(value, default: int = 0) -> int:
    try:
        return quantity(value, "value")
    except Exception:  # noqa: BLE001 - a client's garbage: read as unknown
        return -1 if value is not None else default


def diagnose(c: RpcClient, block_hash: bytes, outcome_receipts: list) -> dict:
    """First transaction whose receipt (status, cumulative gas, log count) differs from ours."""
    theirs, err = call(c, "eth_getBlockReceipts", "0x" + block_hash.hex())
    if not isinstance(theirs, list):
        return {"receipts": f"not available ({err})" if err else "not available (not a list)"}
    for i, ours in enumerate(outcome_receipts):
        if i >= len(theirs):
            return {"firstDivergingTransaction": i, "why": "the client has fewer receipts"}
        t = theirs[i] if isinstance(theirs[i], dict) else {}
        mine = {"status": 1 if ours.state_root == b"\x01" else 0, "cumulativeGasUsed": ours.gas_used, "logs": len(ours.logs)}
        logs = t.get("logs")
        got = {"status": _q(t.get("status")), "cumulativeGasUsed": _q(t.get("cumulativeGasUsed")),
               "logs": len(logs) if isinstance(logs, list) else -1}
        if mine != got:
            return {"firstDivergingTransaction": i, "ours": mine, "theirs": got}
    return {"receipts": "all receipts agree"}


def compare_roots(ours: list, theirs: list) -> dict:
    """The first transaction after which the client's state root differs from ours."""
    for i, mine in enumerate(ours):
        if i >= len(theirs):
            return {"firstDivergingTransaction": i, "why": "the client has fewer roots"}
        if mine is None:
            continue  # our witness could not settle this intermediate root
        if "0x" + mine.hex() != str(theirs[i]).lower():
            return {"firstDivergingTransaction": i, "ours": "0x" + mine.hex(), "theirs": str(theirs[i])[:80]}
    return {"roots": "every intermediate root we could compute agrees"}


def state_diff(c: RpcClient, number: int, outcome: Outcome, limit: int = 50) -> list[dict]:
    """Each account and slot our execution changed, where the client's post-state differs."""
    slots_of: dict[bytes, list[int]] = {}
    for (address, slot) in outcome.post_storage:
        slots_of.setdefault(address, []).append(slot)
    diffs: list[dict] = []
    for address in sorted(set(outcome.post_accounts) | set(slots_of)):
        ours = outcome.post_accounts.get(address, "unchanged")
        slots = sorted(slots_of.get(address, []))
        proof, err = call(c, "eth_getProof", "0x" + address.hex(), ["0x" + s.to_bytes(32, "big").hex() for s in slots],
                          hex(number))
        if not isinstance(proof, dict):
            return diffs + [{"account": "0x" + address.hex(), "error": str(err) if err else "not a proof object"}]
        if ours != "unchanged":
            mine = (0, 0) if ours is None else (ours.balance, ours.nonce)
            theirs = (_q(proof.get("balance")), _q(proof.get("nonce")))
            if mine != theirs:
                diffs.append({"account": "0x" + address.hex(), "field": "balance, nonce", "ours": list(mine), "theirs": list(theirs)})
        entries = proof.get("storageProof")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            slot = _q(entry.get("key"))
            mine = outcome.post_storage.get((address, slot))
            theirs = _q(entry.get("value"))
            if mine is not None and mine != theirs:
                diffs.append({"account": "0x" + address.hex(), "slot": hex(slot), "ours": hex(mine), "theirs": hex(theirs)})
        if len(diffs) >= limit:
            break
    return diffs[:limit]
