"""BN254 (ECADD 0x06, ECMUL 0x07, ECPAIRING 0x08) on the C module against the Ethereum blockchain
tests (EEST v5.4.0, ../shared/conformance/): every test of the ported static suites
stZeroKnowledge and stZeroKnowledge2 (the EIP-196/197 vectors: valid and invalid points, points
off the curve and outside the subgroup, infinity, short and long inputs, Byzantium and Istanbul
prices) and of the non-static byzantium/eip196_ec_add_mul and eip197_ec_pairing files, all of
them, not a sample: about 3,300 tests in under a minute on 2 cores.

The last test breaks the C module's answers, once each, and requires the same tests to fail:
the suite reaches the native code and can see it wrong."""

from __future__ import annotations

import json
import tarfile

import pytest

from witnessverify import blocktest as bt
from witnessverify import native

from tests.helpers.fixtures import REPO

ARCHIVES = REPO.parent / "shared" / "conformance"
CACHE = REPO / ".cache" / "eest-v5.4.0" / "bn254"
SUITES = ("stZeroKnowledge/", "stZeroKnowledge2/", "eip196_ec_add_mul/", "eip197_ec_pairing/")


def _extract(archive: str) -> None:
    path = ARCHIVES / archive
    if not path.exists():
        pytest.skip(f"{path} is not beside the checkout")
    with tarfile.open(path) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and any(s in m.name for s in SUITES)]
        tar.extractall(CACHE, members=members, filter="data")


@pytest.fixture(scope="module")
def fixtures():
    marker = CACHE / ".unpacked"
    if not marker.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        _extract("eest-v5.4.0-blockchain_tests-static.tar.xz")
        _extract("eest-v5.4.0-blockchain_tests.tar.xz")
        marker.write_text("ok\n")
    return CACHE


def test_every_bn254_conformance_test_passes_on_the_c_module(fixtures):
    assert native.native_bn254(), "the C module is not in use: this would test py_ecc"
    files = bt.fixture_files([str(fixtures)])
    assert {s.rstrip("/") for s in SUITES} == {f.parent.name for f in files}
    results = list(bt.run(files, workers=2))
    failed = [f"{r.name}: {r.error}" for r in results if not r.passed]
    assert len(results) >= 3200
    assert not failed, "\n".join(failed[:20])
    networks = {r.network for r in results}
    assert {"Byzantium", "Istanbul", "Prague", "Osaka"} <= networks, networks


# (C function, a wrong answer, a test file whose tests must then fail)
MUTATIONS = {
    "pairing_check": (lambda f: lambda data, rest: None if f(data, rest) is None else not f(data, rest),
                      "stZeroKnowledge/pairingTest.json"),
    "g1_add": (lambda f: lambda a, b: None if f(a, b) is None else bytes(64),
               "stZeroKnowledge2/ecadd_1-2_1-2_25000_128.json"),
    "g1_mul": (lambda f: lambda p, k: None if f(p, k) is None else bytes(64),
               "stZeroKnowledge2/ecmul_1-2_2_21000_96.json"),
}


@pytest.mark.parametrize("function", sorted(MUTATIONS))
def test_a_wrong_native_answer_fails_the_suite(fixtures, monkeypatch, function):
    from witnessverify import _bn254

    wrong, name = MUTATIONS[function]
    (path,) = [p for p in bt.fixture_files([str(fixtures)]) if str(p).endswith(name)]
    doc = json.loads(path.read_text())
    assert all(bt.run_test(n, doc[n], str(path)).passed for n in doc)
    monkeypatch.setattr(_bn254, function, wrong(getattr(_bn254, function)))
    assert not all(bt.run_test(n, doc[n], str(path)).passed for n in doc), f"{name} passes with {function} wrong"
