"""BN254 precompiles: this project's C module (rules/l1/bn254.py) against py-evm's py_ecc versions,
measured in one run, rounds interleaved, best of each in CPU seconds (pytest-benchmark times the
native side; the comparison is in extra_info and printed).

Run: .venv/bin/python -m pytest benchmarks/test_bn254.py --benchmark-only -s
  (WV_BENCH_ROUNDS=N for more rounds)

  ecpairing  one ECPAIRING call with 2 pairs, e(P, Q) * e(-P, Q) = 1 for random P, Q (issue 22's
             goal: at least 50x py_ecc)
  block      the whole verification of Holesky #2860556 (witnesses/17000-2860556.json: ECADD, ECMUL
             and ECPAIRING calls), with the BN254 precompiles on the C module, then on py_ecc (every
             other backend the same: the rule-set cache is cleared between the two)
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from witnessverify import native, sources
from witnessverify.chains import resolve_chain
from witnessverify.pipeline import verify_bundle
from witnessverify.rules import registry
from witnessverify.rules.l1 import bn254
from witnessverify.rules.l1.vm import witness_vm_class

from tests.helpers.precompile_call import PrecompileCall

ROUNDS = int(os.environ.get("WV_BENCH_ROUNDS", "3"))
BUNDLE = Path(__file__).resolve().parent.parent / "witnesses" / "17000-2860556.json"

pytestmark = pytest.mark.skipif(not native.native_bn254(), reason="the C module is not built (or WV_PURE_PYTHON=1)")


def _two_pairs() -> bytes:
    from py_ecc.optimized_bn128 import G1, G2, multiply, neg, normalize

    rng = random.Random(22)
    p, q = multiply(G1, rng.randrange(1, bn254.GROUP_ORDER)), multiply(G2, rng.randrange(1, bn254.GROUP_ORDER))

    def g1(point):
        return b"".join(int(c).to_bytes(32, "big") for c in normalize(point))

    x, y = normalize(q)
    g2 = b"".join(c.to_bytes(32, "big") for c in (x.coeffs[1], x.coeffs[0], y.coeffs[1], y.coeffs[0]))
    return g1(p) + g2 + g1(neg(p)) + g2


def _best(fns: dict, rounds: int) -> dict:
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            cpu = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - cpu)
    return best


def _report(benchmark, label: str, best: dict) -> float:
    ratio = best["py_ecc"] / best["native"]
    benchmark.extra_info.update({"native_cpu_s": best["native"], "py_ecc_cpu_s": best["py_ecc"], "ratio": ratio})
    print(f"\n{label}: native {best['native'] * 1000:.2f} ms, py_ecc {best['py_ecc'] * 1000:.1f} ms CPU: {ratio:.0f}x")
    return ratio


def test_ecpairing_two_pairs(benchmark):
    from eth.precompiles.ecpairing import ecpairing as py_ecc_pairing

    data = _two_pairs()
    ours = bn254.make_ecpairing(*bn254.GAS_ISTANBUL[2:])
    one = (0).to_bytes(31, "big") + b"\x01"
    fns = {"native": lambda: ours(PrecompileCall(data)), "py_ecc": lambda: py_ecc_pairing(PrecompileCall(data))}
    assert fns["native"]().output == fns["py_ecc"]().output == one
    best = _best(fns, ROUNDS)
    benchmark.pedantic(fns["native"], rounds=ROUNDS, iterations=1)
    assert _report(benchmark, "ECPAIRING, 2 pairs", best) >= 50


def test_holesky_block_with_bn254_calls(benchmark, monkeypatch):
    (bundle,) = sources.load(BUNDLE)
    chain = resolve_chain(None, bundle.chain_id, BUNDLE.name)

    def verify(native_on: bool):
        def run():
            monkeypatch.setattr(native, "native_bn254", lambda: native_on)
            witness_vm_class.cache_clear()
            registry.clear_cache()
            start = time.process_time()
            outcome = verify_bundle(bundle, chain)
            assert outcome.verdict == "VALID", outcome
            return time.process_time() - start

        return run

    try:
        verify(True)(), verify(False)()  # warm: imports, py_ecc's tables
        best = {"native": float("inf"), "py_ecc": float("inf")}
        for _ in range(ROUNDS):
            for name, on in (("native", True), ("py_ecc", False)):
                best[name] = min(best[name], verify(on)())
        benchmark.pedantic(verify(True), rounds=1, iterations=1)
        _report(benchmark, "Holesky #2860556, whole verification", best)
        assert best["native"] < best["py_ecc"]
    finally:
        monkeypatch.undo()
        witness_vm_class.cache_clear()
        registry.clear_cache()
