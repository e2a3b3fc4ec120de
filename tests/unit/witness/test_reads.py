"""The engine reads the accounts the reference clients read, no more: a witness holds exactly
those, so an extra read makes a good witness look incomplete (issue: py-evm's zero coinbase
credits). Checked on real blocks by recording every account the witness-backed state loads."""

from __future__ import annotations

import rlp

from witnessverify.pipeline import verify_bundle
from witnessverify.witness.state import WitnessAccountDB

from tests.helpers.fixtures import BUNDLES, load_one


def _reads(monkeypatch, bundle) -> tuple[set, object]:
    seen: set = set()
    original = WitnessAccountDB._base_account

    def recording(self, address, *args, **kwargs):
        seen.add(bytes(address))
        return original(self, address, *args, **kwargs)

    monkeypatch.setattr(WitnessAccountDB, "_base_account", recording)
    return seen, verify_bundle(bundle)


def test_an_empty_l1_block_reads_no_coinbase(monkeypatch):
    """Post-merge geth and reth pay no block reward and so never load the coinbase of a block
    without transactions (py-evm credits it a zero reward)."""
    b = load_one(BUNDLES / "560048-1151683.json")
    block = rlp.decode(b.block_rlp)
    coinbase = block[0][2]
    block[1] = []  # the same block without its one transaction
    b.block_rlp = rlp.encode(block)
    seen, out = _reads(monkeypatch, b)
    assert coinbase not in seen
    assert out.verdict == "MISMATCH"  # the header still commits to the transaction


def test_a_deposit_only_op_block_reads_no_coinbase(monkeypatch):
    b = load_one(BUNDLES / "11142220-2346038.json")
    coinbase = rlp.decode(b.block_rlp)[0][2]
    seen, out = _reads(monkeypatch, b)
    assert out.verdict == "VALID"
    assert coinbase not in seen
