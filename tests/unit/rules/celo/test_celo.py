"""Celo on real blocks: every celo-kona executor fixture (Granite, Isthmus, the Jovian activation
block, Jovian) builds to the block hash the chain gave it, from the fixture file as it is; the
bundles made from them verify VALID bit-exactly; and each Celo rule, changed, changes the
verdict (the hash of the real block is the oracle: it commits to every header field)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify.build import build_from_file
from witnessverify.chains import CELO_SEPOLIA
from witnessverify.pipeline import verify_bundle
from witnessverify.verdict import MISMATCH, VALID, WITNESS_INCOMPLETE

from tests.helpers.fixtures import BUNDLES, SHARED, load_one, node_map, trie_path

FIXTURES = sorted(SHARED.glob("celo-kona-celo-*/*/celo-kona-celo-*.json"))
L1_BLOCK = bytes.fromhex("4200000000000000000000000000000000000015")
SEQUENCER_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000011")
BASE_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000019")


def _bundle(chain_id: int, number: int):
    return load_one(BUNDLES / f"{chain_id}-{number}.json")


def test_all_eleven_fixtures_are_present():
    assert len(FIXTURES) == 11, FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.parent.name)
def test_fixture_builds_to_the_chains_block_hash(fixture):
    built = build_from_file(str(fixture))
    doc = json.loads(fixture.read_text())
    assert built.expected_hash == bytes.fromhex(doc["expected_block_hash"][2:])
    assert built.block_hash == built.expected_hash, built.header
    assert not built.missing and built.invalid is None


def test_build_needs_no_flags_on_the_fixture_file_as_it_is():
    """The rollup config inside names the chain by string ("celo-sepolia"): no --chain needed."""
    fixture = SHARED / "celo-kona-celo-sepolia" / "20465049" / "celo-kona-celo-sepolia-20465049.json"
    assert json.loads(fixture.read_text())["rollup_config"]["l2_chain_id"] == "celo-sepolia"
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "build", str(fixture), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "MATCH" and doc["fork"] == "celo-jovian"
    # Jovian's v1 extraData (minBaseFee 0 from the attributes) and Isthmus's requests hash
    assert doc["header"]["extraData"] == "0x01" + "00000190" + "00000005" + "00" * 8
    assert doc["header"]["requestsHash"] == "0x" + bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").hex()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.parent.name)
def test_bundle_verifies_valid_bit_exactly(fixture):
    doc = json.loads(fixture.read_text())
    chain_id = 42220 if "mainnet" in fixture.name else 11142220
    number = int(fixture.parent.name)
    out = verify_bundle(_bundle(chain_id, number))
    assert out.verdict == VALID, (out.reason, out.mismatches, out.missing)
    assert not out.assumed_absent and not out.skipped
    assert out.expected["blockHash"] == doc["expected_block_hash"]
    for name in ("stateRoot", "receiptsRoot", "gasUsed", "logsBloom", "withdrawalsRoot", "blobGasUsed",
                 "requestsHash", "blockHash", "transactionsRoot"):
        assert out.computed.get(name) == out.expected.get(name), name


def test_a_deposit_only_block_reads_no_coinbase():
    """#2346038 holds only the L1-attributes deposit: kona never reads the SequencerFeeVault, so its
    witness lacks it; the engine must not need it (py-evm would credit it zero for the deposit)."""
    b = _bundle(11142220, 2346038)
    out = verify_bundle(b)
    assert out.verdict == VALID and not out.assumed_absent
    from witnessverify.witness.headers import decode_header
    from witnessverify.witness.missing import MissingLog
    from witnessverify.witness.state import WitnessAccountDB, WitnessStore

    gaps = MissingLog()
    db = WitnessAccountDB(WitnessStore(node_map(b), gaps), decode_header(b.headers[0], "parent").state_root)
    db._base_account(SEQUENCER_FEE_VAULT)
    assert gaps.items and gaps.items[0].account == SEQUENCER_FEE_VAULT  # not in the witness


# -- mutations: each rule changed changes the verdict --------------------------------------------------
def test_a_changed_deposit_mint_in_the_jovian_activation_block():
    b = _bundle(11142220, 20465049)
    block = rlp.decode(b.block_rlp)
    deposit = rlp.decode(block[1][1][1:])  # the first upgrade deposit after the L1 attributes
    deposit[3] = (10**18).to_bytes(8, "big")
    block[1][1] = b"\x7e" + rlp.encode(deposit)
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == MISMATCH
    assert {"transactionsRoot", "stateRoot"} <= {m["field"] for m in out.mismatches}


def test_the_base_fee_paid_to_the_base_fee_vault_instead_of_the_fee_handler():
    chain = dataclasses.replace(CELO_SEPOLIA, celo=dataclasses.replace(CELO_SEPOLIA.celo, fee_handler=BASE_FEE_VAULT))
    out = verify_bundle(_bundle(11142220, 2343822), chain)  # a native CELO transfer pays a base fee
    # Celo's clients never touch the BaseFeeVault, so its real witness cannot even hold it
    assert out.verdict == WITNESS_INCOMPLETE
    assert [m.account for m in out.missing] == [BASE_FEE_VAULT]


def test_without_the_celo_base_fee_floor_the_header_is_refuted():
    chain = dataclasses.replace(CELO_SEPOLIA, celo=dataclasses.replace(CELO_SEPOLIA.celo, base_fee_floor=0))
    out = verify_bundle(_bundle(11142220, 2346038), chain)
    assert out.verdict == MISMATCH
    (m,) = [m for m in out.mismatches if m["field"] == "baseFeePerGas"]
    assert m["expected"] == 25_000_000_000 and m["computed"] < 25_000_000_000 and m["rule"] == "parent"


def test_a_cip64_debit_changed_by_one_unit(monkeypatch):
    from witnessverify.rules.celo import fee_debit

    original = fee_debit.debit_amount
    monkeypatch.setattr(fee_debit, "debit_amount", lambda state, tx: original(state, tx) + 1)
    out = verify_bundle(_bundle(11142220, 2346450))  # an ERC-20 fee-currency transfer
    assert out.verdict == MISMATCH and "stateRoot" in [m["field"] for m in out.mismatches]


def test_the_transfer_precompile_warming_from_before_jovian(monkeypatch):
    """#31128957: the transfer precompile must not warm `to` before Jovian; warming it changes gas."""
    from witnessverify.rules.celo import vm

    from witnessverify.rules import registry

    real = vm.make_transfer
    monkeypatch.setattr(vm, "make_transfer", lambda token, warms: real(token, True))
    registry.clear_cache()  # the VM classes are built with the precompile once, and cached
    monkeypatch.setattr(registry, "_CACHE", type(registry._CACHE)())
    out = verify_bundle(_bundle(42220, 31128957))
    assert out.verdict == MISMATCH and "gasUsed" in [m["field"] for m in out.mismatches]


def test_an_l1block_slot_missing_from_the_witness():
    """A native transaction's L1 data fee reads L1Block slot 3 (the fee scalars)."""
    b = _bundle(11142220, 2343822)
    nodes = node_map(b)
    from witnessverify.witness.missing import MissingLog
    from witnessverify.witness.state import WitnessAccountDB, WitnessStore
    from witnessverify.witness.headers import decode_header

    db = WitnessAccountDB(WitnessStore(dict(nodes), MissingLog()), decode_header(b.headers[0], "parent").state_root)
    storage_root = db._base_account(L1_BLOCK).storage_root
    leaf = trie_path(nodes, storage_root, keccak((3).to_bytes(32, "big")))[-1]
    b.state = [n for n in b.state if keccak(n) != leaf]
    out = verify_bundle(b)
    assert out.verdict == WITNESS_INCOMPLETE
    assert out.missing[0].account == L1_BLOCK and out.missing[0].slot == 3


def test_the_message_passer_missing_is_never_assumed_absent():
    """Isthmus's withdrawalsRoot is the L2ToL1MessagePasser's storage root: a witness without that
    account cannot vouch for it (a gap there is not the 'assumed absent' of a read-only lookup)."""
    passer = bytes.fromhex("4200000000000000000000000000000000000016")
    b = _bundle(11142220, 2346038)
    nodes = node_map(b)
    leaf = trie_path(nodes, rlp.decode(b.headers[0])[3], keccak(passer))[-1]
    b.state = [n for n in b.state if keccak(n) != leaf]
    out = verify_bundle(b)
    assert out.verdict == WITNESS_INCOMPLETE and not out.assumed_absent
    assert out.missing[0].account == passer and out.missing[0].during == "commitment"
