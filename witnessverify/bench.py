"""`witnessverify bench`: per block, how fast it verifies and how much it takes.

Each block runs in a fresh forked child process (one at a time, so the figures are not shared
with anything else): ingest (read the file, decode it, check the witness) once, then `rounds`
verifications, keeping the best CPU and wall time; the child's peak RSS is the block's. Gas is
the block's own; Mgas/s is gas over the best CPU time of execution.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional

from .errors import InputError


def _measure(path: str, index: int, rounds: int, chain: Optional[str]) -> dict:
    from .chains import resolve_chain
    from .inputs import load_bundles
    from .pipeline import prepare, verify_bundle

    size = Path(path).stat().st_size
    t0, c0 = time.perf_counter(), time.process_time()
    bundles = load_bundles(path)
    bundle = bundles[index]
    prepare(bundle, resolve_chain(chain, bundle.chain_id, path))
    ingest_wall, ingest_cpu = time.perf_counter() - t0, time.process_time() - c0
    best_cpu = best_wall = float("inf")
    outcome = None
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        outcome = verify_bundle(bundle, chain)
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w), min(best_cpu, time.process_time() - c)
    return {
        "source": bundle.origin or path, "chainId": outcome.chain_id, "number": outcome.number, "fork": outcome.fork,
        "verdict": outcome.verdict, "transactions": outcome.transactions, "gas": outcome.gas_used,
        "cpuSeconds": round(best_cpu, 6), "wallSeconds": round(best_wall, 6),  # a small block takes ms
        "mgasPerSecond": round(outcome.gas_used / best_cpu / 1e6, 3) if best_cpu > 0 else 0.0,
        "ingestSeconds": round(ingest_wall, 4), "ingestCpuSeconds": round(ingest_cpu, 4),
        "ingestMBPerSecond": round(size / ingest_wall / 1e6, 2) if ingest_wall > 0 else 0.0,
        "fileMB": round(size / 1e6, 3), "witnessMB": round(bundle.witness_bytes() / 1e6, 3),
        "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "rounds": rounds,
    }


def targets(paths: list[str]) -> list[tuple[str, int]]:
    """(file, index of the bundle in it) for every block found under `paths`."""
    from .inputs import load_bundles

    out = []
    for p in paths:
        files = sorted(f for f in Path(p).rglob("*.json") if not f.name.upper().startswith(("PROVENANCE", "README"))) \
            if Path(p).is_dir() else [Path(p)]
        for f in files:
            try:
                n = len(load_bundles(str(f)))
            except InputError:
                n = 1  # the child names the problem
            out += [(str(f), i) for i in range(n)]
    return out


def run(paths: list[str], rounds: int = 3, chain: Optional[str] = None):
    """Yield one figures dict per block, each measured in its own child process."""
    ctx = multiprocessing.get_context("fork")
    for p in paths:
        if not Path(p).exists():
            yield {"source": p, "error": f"{p}: no such file or folder"}
    for path, index in targets([p for p in paths if Path(p).exists()]):
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            try:
                yield pool.submit(_measure, path, index, rounds, chain).result()
            except InputError as exc:
                yield {"source": path, "error": str(exc)}
            except OSError as exc:  # unreadable (permissions, a file gone meanwhile): named, not a bug
                yield {"source": path, "error": f"{path}: {exc.strerror or exc}"}
