"""Speed of verification on the bundled real witnesses (pytest-benchmark).

Run: .venv/bin/python -m pytest benchmarks --benchmark-only
Each case records in extra_info the figures the README reports: Mgas/s of execution and
witness-ingest MB/s (reading the bundle file, decoding it and checking the witness).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witnessverify import sources
from witnessverify.chains import resolve_chain
from witnessverify.pipeline import prepare, verify_bundle

BUNDLES = Path(__file__).resolve().parent.parent / "witnesses"
FILES = sorted(p.name for p in BUNDLES.glob("*.json"))


@pytest.mark.parametrize("name", FILES)
def test_verify(benchmark, name):
    (bundle,) = sources.load(BUNDLES / name)
    outcome = benchmark.pedantic(verify_bundle, args=(bundle,), rounds=2, iterations=1, warmup_rounds=0)
    assert outcome.verdict == "VALID", outcome.reason
    best = benchmark.stats.stats.min
    benchmark.extra_info["gas"] = outcome.gas_used
    benchmark.extra_info["mgas_per_s"] = round(outcome.gas_used / best / 1e6, 3)


@pytest.mark.parametrize("name", FILES)
def test_ingest(benchmark, name):
    path = BUNDLES / name

    def ingest():
        (bundle,) = sources.load(path)
        prepare(bundle, resolve_chain(None, bundle.chain_id, name))
        return bundle

    bundle = benchmark.pedantic(ingest, rounds=3, iterations=1)
    size = path.stat().st_size
    benchmark.extra_info["file_mb"] = round(size / 1e6, 3)
    benchmark.extra_info["witness_mb"] = round(bundle.witness_bytes() / 1e6, 3)
    benchmark.extra_info["ingest_mb_per_s"] = round(size / benchmark.stats.stats.min / 1e6, 2)
