"""Every real L1 fixture verifies VALID, bit-exactly, from its original file and from its bundle.

The expected values are the block's own header (from the chain); each test also pins the block
hash the chain gave the block, so a lossy import cannot pass.
"""

from __future__ import annotations

import pytest

from witnessverify.pipeline import verify_bundle
from witnessverify.verdict import VALID

from tests.helpers.fixtures import BUNDLES, HOLESKY_MAP, KEEPER_HOODI, SBV_MAINNET, ZEVM_HOODI, load_one, require

# (source path, extra verify kwargs, block number, block hash from the chain)
CASES = {
    "hoodi-1151683-geth-rlp": (KEEPER_HOODI, {"chain_name": "hoodi"}, 1151683,
                               "678e9770bebc2ecc6db9919b052da83c01b9360d8222eda5242e87c19ca288cd"),
    "hoodi-51632-reth-json": (ZEVM_HOODI, {"chain_name": "hoodi"}, 51632, None),
    "mainnet-23587691-sbv": (SBV_MAINNET, {}, 23587691, None),
    # old reth maps carry no parent header: the parent state root must be given
    "holesky-2860556-reth-map": (HOLESKY_MAP, {"chain_name": "holesky", "parent_state_root": "holesky"},
                                 2860556, "c28caa8e9a42b668ddc739691ed0f4400b9f200a9e83651644f924c2403b8576"),
}

BUNDLE_FILES = {
    "hoodi-1151683-geth-rlp": "560048-1151683.json",
    "hoodi-51632-reth-json": "560048-51632.json",
    "mainnet-23587691-sbv": "1-23587691.json",
    "holesky-2860556-reth-map": "17000-2860556.json",
}

# Holesky #2860555's stateRoot (the parent of #2860556), see witnesses/PROVENANCE.md
HOLESKY_PARENT_STATE_ROOT = bytes.fromhex("7bff4351c2b5af0bdeb90daface1dcfdfe9138ec6f9d43656717cf39d9d47d31")


def _kwargs(kw: dict) -> dict:
    kw = dict(kw)
    if kw.get("parent_state_root") == "holesky":
        kw["parent_state_root"] = HOLESKY_PARENT_STATE_ROOT
    return kw


def _assert_valid(outcome, number, block_hash):
    assert outcome.verdict == VALID, (outcome.reason, outcome.mismatches, outcome.missing)
    assert outcome.number == number
    assert outcome.mismatches == []
    # every recomputed commitment equals the header's
    for name, value in outcome.expected.items():
        assert outcome.computed[name] == value, name
    assert {"stateRoot", "receiptsRoot", "gasUsed", "logsBloom", "blockHash"} <= set(outcome.computed)
    if block_hash:
        assert outcome.block_hash.hex() == block_hash
        assert outcome.computed["blockHash"] == "0x" + block_hash


@pytest.mark.parametrize("name", sorted(CASES))
def test_original_fixture_is_valid(name):
    path, kw, number, block_hash = CASES[name]
    outcome = verify_bundle(load_one(path), **_kwargs(kw))
    _assert_valid(outcome, number, block_hash)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bundle_is_valid(name):
    path, kw, number, block_hash = CASES[name]
    bundle = load_one(require(BUNDLES / BUNDLE_FILES[name]))
    kw = {k: v for k, v in _kwargs(kw).items() if k != "chain_name"}  # bundles carry their chain id
    outcome = verify_bundle(bundle, **kw)
    _assert_valid(outcome, number, block_hash)


def test_bundle_round_trips_the_original():
    """A bundle holds exactly the data of the file it was made from."""
    original = load_one(KEEPER_HOODI)
    bundle = load_one(BUNDLES / BUNDLE_FILES["hoodi-1151683-geth-rlp"])
    assert bundle.block_rlp == original.block_rlp
    assert bundle.state == original.state and bundle.codes == original.codes
    assert bundle.headers == original.headers


def test_geth_witness_gap_is_reported_as_assumption_and_strict_refuses_it():
    """geth's keeper witness lacks the exclusion proof of a zero-value call's absent recipient."""
    bundle = load_one(KEEPER_HOODI)
    lenient = verify_bundle(bundle, chain_name="hoodi")
    assert [g.account.hex() for g in lenient.assumed_absent] == ["00d8b9e957becc0978a9882f0cd5e776cd7c5b20"]
    strict = verify_bundle(bundle, chain_name="hoodi", strict=True)
    assert strict.verdict == "WITNESS_INCOMPLETE"
    assert strict.missing[0].account.hex() == "00d8b9e957becc0978a9882f0cd5e776cd7c5b20"
