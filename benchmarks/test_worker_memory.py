"""A long-running worker's resident memory: ten rounds of one block in one process, as an audit
worker (witnessverify.audit.verify_bytes) runs them.

Run: .venv/bin/python -m pytest benchmarks/test_worker_memory.py --benchmark-only -s

Target: round 10 within 10% of round 2 (round 1 builds the fork's classes and fills the code
caches). Each block runs in a fresh child so one block's peak does not hide another's growth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BUNDLES = Path(__file__).resolve().parent.parent / "witnesses"
BLOCKS = ["1-25229957.json", "1-24628607.json", "560048-51632.json"]
ROUNDS = int(os.environ.get("WV_BENCH_ROUNDS", "10"))
CHILD = """
import json, sys
from witnessverify.audit import verify_bytes
path = sys.argv[1]
data = open(path, "rb").read()
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
out = []
for _ in range(int(sys.argv[2])):
    assert verify_bytes(path, data)["verdict"] == "VALID"
    out.append(round(rss(), 1))
print(json.dumps(out))
"""


@pytest.mark.parametrize("name", BLOCKS)
def test_worker_rss_is_flat(benchmark, name):
    def child():
        done = subprocess.run([sys.executable, "-c", CHILD, str(BUNDLES / name), str(ROUNDS)],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.splitlines()[-1])

    rss = benchmark.pedantic(child, rounds=1, iterations=1)
    growth = rss[-1] / rss[1]
    benchmark.extra_info["rss_mb"] = rss
    benchmark.extra_info["round10_over_round2"] = round(growth, 3)
    print(f"\n{name}: RSS MB by round {rss}; round {len(rss)} / round 2 = {growth:.3f}")
    assert growth <= 1.10, f"resident memory grew {100 * (growth - 1):.0f}% from round 2 to round {len(rss)}"
