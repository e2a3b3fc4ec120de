"""Hostile input: each example found by feeding mutated inputs, as a regression test. No false
VALID, no crash, no hang: a one-line ERROR (exit 4) or a verdict, never a traceback or exit 5."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import rlp
from eth_hash.auto import keccak

from witnessverify.pipeline import verify_bundle

from tests.helpers.fixtures import BUNDLES, SBV_MAINNET, load_one, node_map, recommit, trie_path

HOODI = BUNDLES / "560048-1151683.json"


def cli(*args, timeout=120):
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=timeout)
    r.seconds = time.monotonic() - started
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert r.returncode >= 0, f"killed by signal {-r.returncode}"
    return r


def _error(r, *words):
    assert r.returncode == 4, (r.returncode, r.stdout, r.stderr)
    out = (r.stdout + r.stderr).strip()
    assert "ERROR" in out
    for w in words:
        assert w in out, out


# -- crashes and hangs --------------------------------------------------------------------------------
def test_json_nested_100000_deep_is_refused_not_a_crash(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000)
    _error(cli("verify", tmp_path / "deep.json"), "nested too deeply")


def test_rlp_nested_100000_deep_is_refused(tmp_path):
    inner = b""
    for _ in range(100_000):
        inner = rlp.encode([inner]) if len(inner) < 50 else bytes([0xF8 + 3]) + len(inner).to_bytes(4, "big")[1:] + inner
    (tmp_path / "deep.rlp").write_bytes(inner)
    r = cli("verify", tmp_path / "deep.rlp")
    assert r.returncode == 4 and r.seconds < 30


def test_a_utf16_bundle_is_refused_at_once(tmp_path):
    doc = json.loads(HOODI.read_text())
    doc["provenance"] = {"pad": "x" * 1_000_000}
    (tmp_path / "u16.json").write_bytes(json.dumps(doc).encode("utf-16"))
    r = cli("verify", tmp_path / "u16.json")
    _error(r, "UTF-16")
    assert r.seconds < 10


def test_300kb_of_a_bogus_rlp_list_is_refused_at_once(tmp_path):
    (tmp_path / "ff.hex").write_text("0xf9ffff" + "ff" * 300_000)
    r = cli("verify", tmp_path / "ff.hex")
    _error(r, "length prefix")
    assert r.seconds < 10


# -- wrong JSON types: one line each -----------------------------------------------------------------
def _bundle_doc() -> dict:
    return json.loads(HOODI.read_text())


def test_ancestor_hashes_not_a_list(tmp_path):
    doc = _bundle_doc()
    doc["ancestorHashes"] = 5
    (tmp_path / "b.json").write_text(json.dumps(doc))
    _error(cli("verify", tmp_path / "b.json"), "ancestorHashes")


def test_a_300_digit_chain_id(tmp_path):
    doc = _bundle_doc()
    doc["chainId"] = int("9" * 300)
    (tmp_path / "b.json").write_text(json.dumps(doc))
    _error(cli("verify", tmp_path / "b.json"), "chainId")
    _error(cli("convert", tmp_path / "b.json", "-o", tmp_path / "out"), "chainId")


def test_sbv_fields_of_the_wrong_type(tmp_path):
    doc = json.loads(SBV_MAINNET.read_text())
    for mutate in (lambda d: d.__setitem__("header", 5),
                   lambda d: d["transactions"][0].__setitem__("signature", 7),
                   lambda d: d.__setitem__("withdrawals", [3])):
        copy = json.loads(json.dumps(doc))
        mutate(copy)
        (tmp_path / "s.json").write_text(json.dumps(copy))
        _error(cli("verify", tmp_path / "s.json"))


def test_build_on_null_and_convert_on_a_broken_block(tmp_path):
    (tmp_path / "null.json").write_text("null")
    _error(cli("build", tmp_path / "null.json"), "not a build fixture")
    for block in ("0xc0", _bundle_doc()["block"][:200]):
        doc = _bundle_doc()
        doc["block"] = block
        (tmp_path / "b.json").write_text(json.dumps(doc))
        _error(cli("convert", tmp_path / "b.json", "-o", tmp_path / "out"))


# -- bad data is a verdict, not exit 5 --------------------------------------------------------------
def test_a_witness_node_that_hashes_right_but_is_no_trie_node():
    b = load_one(HOODI)
    nodes = node_map(b)
    root = rlp.decode(b.headers[0])[3]
    sender_path = trie_path(nodes, root, keccak(bytes.fromhex("00d8b9e957becc0978a9882f0cd5e776cd7c5b20")))
    bad = rlp.encode([b"\x01", b"\x02", b"\x03"])  # RLP, but not a 2- or 17-item node
    mutated = recommit(b, sender_path[1], bad)
    out = verify_bundle(mutated)
    assert out.verdict == "WITNESS_INVALID", (out.verdict, out.reason)
    assert "0x" + keccak(bad).hex() in out.reason and "not a valid trie node" in out.reason


def test_a_bad_signature_names_the_transaction():
    b = load_one(HOODI)
    block = rlp.decode(b.block_rlp)
    fields = rlp.decode(block[1][0][1:])
    fields[-2] = b"\x00"  # r = 0
    block[1][0] = block[1][0][:1] + rlp.encode(fields)
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == "MISMATCH" and out.mismatches[0]["field"] == "transactions[0]"


def test_a_block_relabelled_for_another_chain():
    """The Hoodi block labelled chain 1: its transaction is signed for 560048, so it is invalid on
    mainnet (it used to be VALID)."""
    b = load_one(HOODI)
    b.chain_id = 1
    out = verify_bundle(b)
    assert out.verdict == "MISMATCH"
    assert "signed for chain id 560048" in out.mismatches[0]["computed"]


def test_an_l1_block_labelled_op_mainnet_is_a_clear_verdict():
    b = load_one(HOODI)
    b.chain_id = 10
    out = verify_bundle(b)
    assert out.verdict in ("MISMATCH", "UNSUPPORTED") and not getattr(out, "internal", False), out.reason


# -- header fields no execution checks ---------------------------------------------------------------
def _with_header(index: int, value):
    b = load_one(HOODI)
    block = rlp.decode(b.block_rlp)
    block[0][index] = value
    b.block_rlp = rlp.encode(block)
    return verify_bundle(b)


def test_header_fields_with_rules_of_their_own():
    cases = {1: (b"\x11" * 32, "sha3Uncles"), 7: (b"\x01", "difficulty"), 14: (b"\x00" * 7 + b"\x01", "nonce"),
             12: (b"x" * 33, "extraData"), 9: ((2**63).to_bytes(8, "big"), "gasLimit")}
    for index, (value, field) in cases.items():
        out = _with_header(index, value)
        assert out.verdict == "MISMATCH", field
        assert [m for m in out.mismatches if m["field"] == field and m.get("rule") == "header"], field


def test_without_a_parent_header_huge_gas_limit_and_excess_blob_gas_are_refused():
    b = load_one(SBV_MAINNET)
    for index, field in ((9, "gasLimit"), (18, "excessBlobGas")):
        block = rlp.decode(b.block_rlp)
        block[0][index] = (2**256 - 1).to_bytes(32, "big")
        copy = load_one(SBV_MAINNET)
        copy.block_rlp = rlp.encode(block)
        out = verify_bundle(copy)
        assert out.verdict == "MISMATCH" and field in [m["field"] for m in out.mismatches]
        if field == "excessBlobGas":  # judged after execution: what could not be checked is said
            assert any("excessBlobGas" in s for s in out.skipped)
