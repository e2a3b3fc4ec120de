"""Mutations of real fixtures, each with the exact verdict it must give."""

from __future__ import annotations

import json
import subprocess
import sys

import rlp
from eth_hash.auto import keccak

from witnessverify.inputs import verify_path
from witnessverify.pipeline import verify_bundle
from witnessverify.verdict import ERROR, MISMATCH, VALID, WITNESS_INCOMPLETE, WITNESS_INVALID
from witnessverify.witness.headers import decode_header

from tests.helpers.fixtures import KEEPER_HOODI, SBV_MAINNET, load_one, node_map, trie_path


def keeper():
    return load_one(KEEPER_HOODI)


def _parent_root(bundle) -> bytes:
    return decode_header(bundle.headers[0], "parent").state_root


def _sender_and_block(bundle):
    from witnessverify.chains import HOODI
    from witnessverify.pipeline import prepare

    block = prepare(bundle, HOODI).block
    return block.transactions[0].sender, block


def test_unmutated_keeper_is_valid():
    assert verify_bundle(keeper(), chain_name="hoodi").verdict == VALID


def test_drop_a_needed_node_names_it_with_its_account():
    b = keeper()
    sender, _ = _sender_and_block(b)
    path = trie_path(node_map(b), _parent_root(b), keccak(sender))
    assert len(path) >= 3
    dropped = path[2]
    b.state = [n for n in b.state if keccak(n) != dropped]
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == WITNESS_INCOMPLETE
    assert out.missing[0].hash == dropped
    assert out.missing[0].account == sender
    assert out.exit_code == 3


def test_drop_the_root_node_is_invalid():
    b = keeper()
    root = _parent_root(b)
    b.state = [n for n in b.state if keccak(n) != root]
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == WITNESS_INVALID
    assert root.hex() in out.reason and "not proven" in out.reason


def test_flip_one_byte_in_a_needed_node():
    b = keeper()
    sender, _ = _sender_and_block(b)
    target = trie_path(node_map(b), _parent_root(b), keccak(sender))[-1]  # the sender's leaf
    flipped = []
    for n in b.state:
        if keccak(n) == target:
            n = n[:-1] + bytes([n[-1] ^ 0x01])
        flipped.append(n)
    b.state = flipped
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == WITNESS_INCOMPLETE
    assert out.missing[0].hash == target and out.missing[0].account == sender


def test_flip_one_byte_in_the_root_node_is_invalid():
    b = keeper()
    root = _parent_root(b)
    b.state = [n[:-1] + bytes([n[-1] ^ 1]) if keccak(n) == root else n for n in b.state]
    assert verify_bundle(b, chain_name="hoodi").verdict == WITNESS_INVALID


def test_junk_nodes_are_harmless():
    b = keeper()
    junk = [rlp.encode([bytes([i]) * 40, b"junk"]) for i in range(50)]
    b.state = junk + b.state + [b"\x80", b""]
    b.codes = b.codes + [b"\x60\x00\x60\x00"]
    assert verify_bundle(b, chain_name="hoodi").verdict == VALID


def test_drop_a_needed_code():
    b = keeper()
    from eth.vm.forks.cancun.constants import BEACON_ROOTS_CONTRACT_CODE

    assert BEACON_ROOTS_CONTRACT_CODE in b.codes
    b.codes = [c for c in b.codes if c != BEACON_ROOTS_CONTRACT_CODE]
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == WITNESS_INCOMPLETE
    assert out.missing[0].kind == "code"
    assert out.missing[0].hash == keccak(BEACON_ROOTS_CONTRACT_CODE)


def test_wrong_parent_header_is_invalid():
    b = keeper()
    fields = rlp.decode(b.headers[0])
    fields[12] = b"not the parent"  # extraData
    b.headers = [rlp.encode(fields)]
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == WITNESS_INVALID
    assert "parent header not linked" in out.reason


def test_headers_that_are_not_a_chain_are_invalid():
    b = load_one(SBV_MAINNET)  # no headers of its own: add the keeper's unrelated one
    b.headers = [keeper().headers[0]]
    out = verify_bundle(b)
    assert out.verdict == WITNESS_INVALID


def _header_field_changed(index: int, value, bundle=None, **kw) -> object:
    b = bundle or load_one(SBV_MAINNET)  # a witness without gaps
    block = rlp.decode(b.block_rlp)
    block[0][index] = value
    b.block_rlp = rlp.encode(block)
    return verify_bundle(b, **kw)


def _int(n: int) -> bytes:
    return n.to_bytes(32, "big").lstrip(b"\0")


def test_changed_gas_used_is_a_mismatch_naming_it():
    out = _header_field_changed(10, _int(1429581))
    assert out.verdict == MISMATCH
    fields = {m["field"]: m for m in out.mismatches}
    assert fields["gasUsed"]["expected"] == 1429581 and fields["gasUsed"]["computed"] == 1429580
    assert "stateRoot" not in fields and "receiptsRoot" not in fields
    assert out.exit_code == 1


def test_a_state_dependent_mismatch_beside_an_assumed_absence_is_inconclusive():
    """The keeper witness lacks one exclusion proof: a gasUsed claim it cannot confirm is not blamed."""
    out = _header_field_changed(10, _int(21001), bundle=keeper(), chain_name="hoodi")
    assert out.verdict == WITNESS_INCOMPLETE
    assert out.missing[0].account.hex() == "00d8b9e957becc0978a9882f0cd5e776cd7c5b20"


def test_changed_state_root_is_a_mismatch_naming_it():
    out = _header_field_changed(3, b"\x11" * 32)
    assert out.verdict == MISMATCH
    fields = [m["field"] for m in out.mismatches]
    assert "stateRoot" in fields and "gasUsed" not in fields


def test_changed_receipts_root_is_a_mismatch_naming_it():
    out = _header_field_changed(5, b"\x22" * 32)
    assert out.verdict == MISMATCH
    assert "receiptsRoot" in [m["field"] for m in out.mismatches]


def test_changed_base_fee_contradicts_the_parent():
    b = keeper()
    block = rlp.decode(b.block_rlp)
    block[0][15] = (int.from_bytes(block[0][15], "big") + 1).to_bytes(8, "big").lstrip(b"\0")
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == MISMATCH
    assert "baseFeePerGas" in [m["field"] for m in out.mismatches]


# -- unreadable input: ERROR, exit 4, one line, never a traceback ------------------------------
def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "witnessverify.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_truncated_rlp(tmp_path):
    raw = (KEEPER_HOODI / "1192c3_block.rlp").read_bytes()
    (tmp_path / "x_block.rlp").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "x_witness.rlp").write_bytes((KEEPER_HOODI / "1192c3_witness.rlp").read_bytes())
    (out,) = list(verify_path(str(tmp_path), chain_name="hoodi"))
    assert out.verdict == ERROR and "x_block.rlp" in out.reason and "RLP" in out.reason
    r = _cli("verify", str(tmp_path), "--chain", "hoodi")
    assert r.returncode == 4 and "Traceback" not in r.stdout + r.stderr


def test_not_json(tmp_path):
    f = tmp_path / "witness.json"
    f.write_text('{"state": ["0x00", ')
    r = _cli("verify", str(f))
    assert r.returncode == 4
    assert "not valid JSON" in r.stdout and str(f) in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_empty_file(tmp_path):
    f = tmp_path / "empty.json"
    f.write_bytes(b"")
    r = _cli("verify", str(f))
    assert r.returncode == 4 and "empty file" in r.stdout


def test_json_rpc_error_envelope(tmp_path):
    f = tmp_path / "w.json"
    f.write_text(json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "the method debug_executionWitness does not exist"}}))
    (out,) = list(verify_path(str(f)))
    assert out.verdict == ERROR and "debug_executionWitness does not exist" in out.reason


def test_missing_parent_state_root_is_a_one_line_error():
    from tests.helpers.fixtures import HOLESKY_MAP

    (out,) = list(verify_path(str(HOLESKY_MAP), chain_name="holesky"))
    assert out.verdict == ERROR and "--parent-state-root" in out.reason


def test_bad_hex_flag_is_a_usage_error():
    r = _cli("verify", str(KEEPER_HOODI), "--parent-state-root", "0xzz")
    assert r.returncode == 2


def test_forced_wrong_format(tmp_path):
    (out,) = list(verify_path(str(SBV_MAINNET), fmt="geth-rlp"))
    assert out.verdict == ERROR and "format geth-rlp" in out.reason


def test_changed_gas_limit_beyond_the_parent_bound():
    b = keeper()
    parent = decode_header(b.headers[0], "parent")
    block = rlp.decode(b.block_rlp)
    block[0][9] = (parent.gas_limit + parent.gas_limit // 1024).to_bytes(8, "big").lstrip(b"\0")
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == MISMATCH
    (m,) = [m for m in out.mismatches if m["field"] == "gasLimit"]
    assert m["rule"] == "parent"


def test_timestamp_not_after_the_parent():
    b = keeper()
    parent = decode_header(b.headers[0], "parent")
    block = rlp.decode(b.block_rlp)
    block[0][11] = parent.timestamp.to_bytes(8, "big").lstrip(b"\0")
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b, chain_name="hoodi")
    assert out.verdict == MISMATCH
    assert "timestamp" in [m["field"] for m in out.mismatches]


def test_blockhash_beyond_the_known_ancestors_is_a_missing_header():
    """BLOCKHASH is answered only from hash-linked ancestors; deeper asks name the header."""
    from eth.vm.execution_context import ExecutionContext

    from witnessverify.engine import AncestorHashes
    from witnessverify.rules.l1.vm import witness_vm_class
    from witnessverify.witness.missing import MissingLog
    from witnessverify.witness.state import WitnessStore

    missing = MissingLog()
    known = [b"\x01" * 32, b"\x02" * 32]
    ctx = ExecutionContext(
        coinbase=b"\0" * 20, timestamp=1, block_number=1000, difficulty=0, mix_hash=b"\0" * 32,
        gas_limit=30_000_000, prev_hashes=AncestorHashes(1000, known, missing), chain_id=1,
        base_fee_per_gas=1, excess_blob_gas=0,
    )
    state = witness_vm_class("cancun").get_state_class()(WitnessStore({}, missing), ctx, b"\x56\xe8\x1f\x17\x1b\xcc\x55\xa6\xff\x83\x45\xe6\x92\xc0\xf8\x6e\x5b\x48\xe0\x1b\x99\x6c\xad\xc0\x01\x62\x2f\xb5\xe3\x63\xb4\x21")
    assert state.get_ancestor_hash(999) == known[0]
    assert state.get_ancestor_hash(998) == known[1]
    assert not missing
    state.get_ancestor_hash(996)
    assert [(m.kind, m.block_number) for m in missing.items] == [("header", 997), ("header", 996)]
