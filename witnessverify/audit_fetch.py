"""`audit --rpc ... --from A --to B`: a range of blocks fetched from nodes, each block fetched
where it is verified. A job carries the block number and the endpoints (never bytes), so a
cluster's workers fetch in parallel. The client only hands out numbers.

--rps stays a limit per node for the whole audit: each worker's share is --rps divided by the
workers there are when the job is handed out. A worker process keeps one client per endpoint
(`_CLIENTS`), so its share holds across the jobs it runs, and the client's throttle is
thread-safe for a worker that runs several threads.

Per block: the hash the nodes hold at that height, then the block, then a witness: the first
node's that decodes, else one assembled from proofs. A block already in the history (`done`:
the hashes recorded at that height) is skipped once its hash is known.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Optional

from .audit import Job, _error, judged

_CLIENTS: dict[tuple, object] = {}  # per worker process: endpoint -> its RpcClient


def endpoint(client, share: float = 1.0) -> tuple:
    """What a worker needs to build its own client for `client`: the rate divided by `share`."""
    rps = client.rps / share if client.rps else 0.0
    return (client.name, client.url, tuple(sorted(client.headers.items())), client.timeout, rps)


def _clients(endpoints: list[tuple]) -> list:
    from .tiebreak.rpc import RpcClient

    out = []
    for e in endpoints:
        if e not in _CLIENTS:
            name, url, headers, timeout, rps = e
            _CLIENTS[e] = RpcClient(name, url, dict(headers), timeout=timeout, rps=rps)
        out.append(_CLIENTS[e])
    return out


def range_jobs(clients, start: int, end: int, chain_id_hint: Optional[int], done: dict[int, set],
               workers: Callable[[], int]) -> Iterator[Job]:
    """One job per height, holding the number and the endpoints."""
    for n in range(start, end + 1):
        share = max(1, workers())
        spec = {"number": n, "chainId": chain_id_hint, "done": sorted(done.get(n, ())),
                "endpoints": [endpoint(c, share) for c in clients]}
        yield Job(f"#{n}", b"", runner=(fetch_and_verify, (f"#{n}", spec)))


def fetch_and_verify(name: str, spec: dict, chain: Optional[str] = None) -> dict:
    """The worker for a height: fetch the block and a witness, then judge the bundle as fetched
    (no round trip through its JSON); {"skipped": True} for a block the history has."""
    started = time.process_time()
    clients = _clients(spec["endpoints"])
    fetched = fetch_block(clients, spec["number"], spec["chainId"], set(spec["done"]))
    if fetched is None:
        return {"source": name, "skipped": True}
    name, key, bundle, error = fetched
    if bundle is None:
        return _error(Job(name, b"", error, key=key))
    bundle.origin = name  # as a bundle file's results name it
    return judged(bundle, chain, started)


def fetch_block(clients, n: int, chain_id_hint: Optional[int], done: set) -> Optional[tuple]:
    """Block n: (name, key, bundle, "") or, when something failed, (name, key, None, what);
    None if `done` holds its hash."""
    from .tiebreak.fetch import (
        ASSEMBLED, assembled_witness, fetch_block_rlp, fetch_witnesses, gather_claim, resolve_all, witness_bundles,
    )

    notes: list[str] = []
    candidates, _ = resolve_all(hex(n), clients, [])
    if not candidates:
        return f"#{n}", (chain_id_hint or 0, n, None), None, f"block #{n}: no client could name it"
    block_hash = candidates[0]
    key = (chain_id_hint or 0, n, "0x" + block_hash.hex())
    if key[2] in done:
        return None
    name = f"#{n} 0x{block_hash.hex()[:16]}"
    claims = [gather_claim(c, block_hash) for c in clients]
    block_rlp, _ = fetch_block_rlp(clients, claims, block_hash)
    if block_rlp is None:
        return name, key, None, f"block #{n}: no client served its body"
    bundles = witness_bundles(fetch_witnesses(clients, block_hash, n), block_rlp, chain_id_hint, notes)
    if not bundles:
        try:
            assembled = assembled_witness(clients, block_hash, n, notes)
        except Exception as exc:  # noqa: BLE001 - a witness that does not authenticate, named
            return name, key, None, f"block #{n}: {exc}"
        if assembled is None:
            return name, key, None, f"block #{n}: no client served a witness or proofs"
        source, proof_witness, parent_rlp = assembled
        bundles = witness_bundles([(source.name, proof_witness.as_witness([parent_rlp]))], block_rlp,
                                  chain_id_hint, notes, ASSEMBLED)
    bundle = bundles[0][1]
    bundle.provenance = {"source": "witnessverify audit", "client": bundles[0][0]}
    return name, key, bundle, ""
