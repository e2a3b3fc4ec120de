"""Malformed blockchain-test fixtures: real EEST tests (../shared/conformance) with one value
anywhere in them replaced by a value of another type or an RLP item of another shape. Every
mutant is a test that passes or fails with a reason, never an exception out of the runner nor an
internal error (exit 5). `WV_FUZZ_BLOCKTEST=2000` runs 2,000 mutants (CI: 150)."""

from __future__ import annotations

import collections
import copy
import json
import os
import random
import subprocess
import sys

import rlp

from witnessverify import blocktest as bt

from tests.differential.test_conformance import _unpacked

COUNT = int(os.environ.get("WV_FUZZ_BLOCKTEST", "150"))
FILES = ["cancun/eip7516_blobgasfee/test_blobbasefee_before_fork.json", "shanghai/eip3855_push0/test_push0_contracts.json",
         "frontier/opcodes/test_dup.json"]
SHAPES = [b"", [], [[]], [b""], [[b""]], [[b""] * 15], [[b"\x01"] * 20, [], []], [[b""] * 16, [[]], []],
          [[[b"a"]] * 16], b"\x00" * 40, [[b"\x01"] * 20, [[b"x"]], [], []]]
VALUES = [None, 0, -1, 2**300, "0x", "0xc0", "0x80", "zz", "0xzz", [], {}, [1], {"a": 1}, True, "0x" + "ff" * 40, "1",
          1.5, "0x0g"]


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def _tests():
    root = _unpacked("eest-v5.4.0-blockchain_tests.tar.xz", "nonstatic") / "blockchain_tests"
    out = []
    for f in FILES:
        doc = json.loads((root / f).read_text())
        out += [(name, doc[name]) for name in list(doc)[:2]]
    return out


def _mutant(rng, test):
    test = copy.deepcopy(test)
    path = rng.choice([p for p in _paths(test) if p])
    if rng.random() < 0.25:
        path = rng.choice([("genesisRLP",), ("blocks", 0, "rlp")])
    value = ("0x" + rlp.encode(rng.choice(SHAPES)).hex()) if path[-1] in ("rlp", "genesisRLP") and rng.random() < 0.7 \
        else rng.choice(VALUES)
    _set(test, path, value)
    return path, test


def test_malformed_fixtures_fail_with_a_reason_never_an_internal_error():
    rng = random.Random(0)
    tests = _tests()
    failures, kinds = [], collections.Counter()
    for n in range(COUNT):
        name, test = rng.choice(tests)
        try:
            path, mutant = _mutant(rng, test)
        except (IndexError, KeyError, TypeError):
            continue
        where = "/".join(map(str, path))
        try:
            r = bt.run_test(name, mutant)
        except Exception as exc:  # noqa: BLE001 - the point
            failures.append(f"#{n} {where}: escaped {type(exc).__name__}: {exc}")
            continue
        if "internal error" in (r.error or ""):
            failures.append(f"#{n} {where}: {r.error}")
        kinds["passed" if r.passed else (r.error or "?").split(":")[0][:40]] += 1
    print("\nblocktest fuzzer:", dict(kinds.most_common(8)))
    assert not failures, "\n".join(failures[:20])


def test_a_genesis_rlp_of_an_empty_list_is_a_failed_test_not_exit_5(tmp_path):
    name, test = _tests()[0]
    for genesis in ("0xc0", "0x80", "0xc1c0"):
        doc = {name: dict(test, genesisRLP=genesis)}
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(doc))
        r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "blocktest", str(path)], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (genesis, r.stdout, r.stderr)
        assert "genesisRLP: not a block" in r.stdout
