"""Which chain a check is about: the clients' chain ids voted on (a client on another chain is
left out), the block's own signatures when the vote ties, and a dev chain's fork as its node
reports it."""

from __future__ import annotations

from typing import Optional

from ..chain_id import infer_chain_id
from ..chains import ChainConfig, chain_by_name
from .fetch import call, chain_ids, fetch_block_rlp, resolve_all
from .rpc import RpcClient


def expected_chain(clients: list[RpcClient], chain, notes: list[str]) -> tuple[Optional[int], dict[str, str], bool]:
    """The chain id the check is about, the clients to leave out (name -> why), and whether as
    many clients serve each of several chains (then the block's signatures decide)."""
    ids = chain_ids(clients)
    excluded = {name: why for name, (cid, why) in ids.items() if cid is None}
    served = [cid for cid, _ in ids.values() if cid is not None]
    want: Optional[int] = None
    if isinstance(chain, ChainConfig):
        want = chain.chain_id
    elif isinstance(chain, str) and not chain.lower().startswith("dev:"):
        known = chain_by_name(chain)
        want = known.chain_id if known is not None else None
    if want is None and served:
        counts = {cid: served.count(cid) for cid in set(served)}
        top = max(counts.values())
        leaders = [cid for cid, n in counts.items() if n == top]
        if len(leaders) == 1:
            want = leaders[0]
            if len(counts) > 1:
                notes.append(f"clients serve different chains ({', '.join(str(x) for x in sorted(counts))}); "
                             f"judging chain {want}, the one most of them serve")
        else:  # as many clients on each: the block's own signatures decide (see check)
            return None, excluded, True
    for name, (cid, _) in ids.items():
        if cid is not None and want is not None and cid != want:
            excluded[name] = f"serves chain {cid}, not chain {want}"
    return want, excluded, False


def chain_from_the_block(clients: list[RpcClient], ref: str, notes: list[str]) -> Optional[int]:
    """When as many clients serve each of several chains: the chain the block's transactions are
    signed for, if one of the clients serves it."""
    candidates, _ = resolve_all(ref, clients, [])
    served = {cid for cid, _ in chain_ids(clients).values() if cid is not None}
    for h in candidates:
        block_rlp, _ = fetch_block_rlp(clients, [], h)
        named = infer_chain_id(block_rlp) if block_rlp else None
        if named in served:
            notes.append(f"clients serve different chains ({', '.join(str(x) for x in sorted(served))}); the block's "
                         f"transactions are signed for chain {named}")
            return named
    return None


def dev_chain_of(clients: list[RpcClient], chain, chain_id: Optional[int], notes: list[str]):
    """`chain`, or for an Anvil-style dev chain (31337) named by none, the fork its node reports."""
    if chain is None and chain_id == 31337:  # an Anvil-style dev chain: ask it for its fork
        for c in clients:
            info, _ = call(c, "anvil_nodeInfo")
            if isinstance(info, dict) and isinstance(info.get("hardFork"), str):
                notes.append(f"dev chain: fork {info['hardFork'].lower()} as {c.name} reports it")
                return f"dev:{info['hardFork'].lower()}"
    return chain


def majority_chain_id(clients: list[RpcClient]) -> Optional[int]:
    """The chain id most of the clients serve (None if none answers one)."""
    served = [cid for cid, _ in chain_ids(clients).values() if cid is not None]
    return max(set(served), key=served.count) if served else None
