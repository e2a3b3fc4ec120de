"""The garbage collector's share of verification time, CPython's default against the policy the
command line applies (witnessverify/gcpolicy.py).

Run: .venv/bin/python -m pytest benchmarks/test_gc_policy.py --benchmark-only -s

Time inside the collector is measured by gc.callbacks (start to stop of every collection), so
the figure is the collector's own cost, not a difference of two noisy totals. Rounds alternate
between the two settings in one process, on a compute-heavy block and two mainnet-shaped ones.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

from witnessverify import gcpolicy, sources
from witnessverify.pipeline import verify_bundle

BUNDLES = Path(__file__).resolve().parent.parent / "witnesses"
BLOCKS = ["560048-51632.json", "1-24628607.json", "1-25229957.json"]
ROUNDS = int(os.environ.get("WV_BENCH_ROUNDS", "3"))


class _Clock:
    def __init__(self) -> None:
        self.seconds, self.collections, self._start = 0.0, 0, 0.0

    def __call__(self, phase, info) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1


def test_gc_share(benchmark):
    bundles = [sources.load(BUNDLES / name)[0] for name in BLOCKS]
    default = gc.get_threshold()
    settings = {"default": default, "policy": (gcpolicy.GEN0_THRESHOLD, *default[1:])}
    totals = {name: [0.0, 0.0, 0] for name in settings}  # verification s, collector s, collections
    for bundle in bundles:
        assert verify_bundle(bundle).verdict == "VALID"
    try:
        for _ in range(ROUNDS):
            for name, threshold in settings.items():
                gc.collect()
                gc.set_threshold(*threshold)
                clock = _Clock()
                gc.callbacks.append(clock)
                start = time.perf_counter()
                for bundle in bundles:
                    verify_bundle(bundle)
                totals[name][0] += time.perf_counter() - start
                gc.callbacks.remove(clock)
                totals[name][1] += clock.seconds
                totals[name][2] += clock.collections
    finally:
        gc.set_threshold(*default)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    for name, (total, in_gc, count) in totals.items():
        benchmark.extra_info[name] = {"gc_share_pct": round(100 * in_gc / total, 2), "collections": count}
        print(f"\n{name} {settings[name]}: {100 * in_gc / total:.1f}% of {total:.2f} s in {count} collections")
    share = {name: in_gc / total for name, (total, in_gc, _) in totals.items()}
    assert share["policy"] <= share["default"], share
