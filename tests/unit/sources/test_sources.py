"""Input shapes with no real file here, made by re-shaping a real fixture; each must verify VALID.

geth/op-geth JSON (headers as JSON objects, keys null), older op-geth maps keyed by hash, reth
"canonical" (sorted, no 0x80 entries), JSON-RPC envelopes, block RLP as hex text.
"""

from __future__ import annotations

import json

import rlp
from eth_hash.auto import keccak

from witnessverify import sources
from witnessverify.inputs import verify_path
from witnessverify.pipeline import verify_bundle
from witnessverify.verdict import VALID

from tests.helpers.fixtures import KEEPER_HOODI, load_one
from tests.helpers.rpc_fixture import header_json

def _hex(xs):
    return ["0x" + x.hex() for x in xs]


def _write_pair(tmp_path, witness_doc) -> str:
    (tmp_path / "block.rlp").write_bytes((KEEPER_HOODI / "1192c3_block.rlp").read_bytes())
    (tmp_path / "witness.json").write_text(json.dumps(witness_doc))
    return str(tmp_path / "witness.json")


def _verify(path):
    (out,) = list(verify_path(path, chain_name="hoodi"))
    assert out.verdict == VALID, (out.reason, out.mismatches)
    return out


def test_geth_json_headers_as_objects_keys_null(tmp_path):
    b = load_one(KEEPER_HOODI)
    doc = {"headers": [header_json(h) for h in b.headers], "codes": _hex(b.codes), "state": _hex(b.state), "keys": None}
    _verify(_write_pair(tmp_path, doc))


def test_op_geth_maps_keyed_by_hash(tmp_path):
    b = load_one(KEEPER_HOODI)
    doc = {
        "headers": [header_json(h) for h in b.headers],
        "codes": {"0x" + keccak(c).hex(): "0x" + c.hex() for c in b.codes},
        "state": {"0x" + keccak(n).hex(): "0x" + n.hex() for n in b.state},
    }
    _verify(_write_pair(tmp_path, doc))


def test_reth_canonical_sorted_in_an_envelope(tmp_path):
    b = load_one(KEEPER_HOODI)
    result = {"state": sorted(_hex(b.state)), "codes": sorted(_hex(b.codes)), "keys": [], "headers": _hex(b.headers)}
    _verify(_write_pair(tmp_path, {"jsonrpc": "2.0", "id": 7, "result": result}))


def test_reth_legacy_with_empty_node_entries(tmp_path):
    b = load_one(KEEPER_HOODI)
    doc = {"state": ["0x80"] + _hex(reversed(b.state)) + ["0x80"], "codes": _hex(b.codes), "keys": [], "headers": _hex(b.headers)}
    _verify(_write_pair(tmp_path, doc))


def test_block_as_hex_text_and_raw_block_envelope(tmp_path):
    raw = (KEEPER_HOODI / "1192c3_block.rlp").read_bytes()
    (tmp_path / "a_witness.rlp").write_bytes((KEEPER_HOODI / "1192c3_witness.rlp").read_bytes())
    (tmp_path / "a_block.hex").write_text("0x" + raw.hex() + "\n")
    _verify(str(tmp_path))
    (tmp_path / "a_block.hex").unlink()
    (tmp_path / "a_block.json").write_text(json.dumps({"jsonrpc": "2.0", "id": 1, "result": "0x" + raw.hex()}))
    _verify(str(tmp_path / "a_witness.rlp"))


def test_three_field_ext_witness(tmp_path):
    headers, codes, state, *_ = rlp.decode((KEEPER_HOODI / "1192c3_witness.rlp").read_bytes())
    (tmp_path / "b_witness.rlp").write_bytes(rlp.encode([headers, codes, state]))
    (tmp_path / "b_block.rlp").write_bytes((KEEPER_HOODI / "1192c3_block.rlp").read_bytes())
    _verify(str(tmp_path / "b_block.rlp"))


def test_bundle_file_round_trip(tmp_path):
    b = load_one(KEEPER_HOODI)
    b.chain_id = 560048
    (tmp_path / "x.json").write_text(b.dumps())
    (again,) = sources.load(tmp_path / "x.json")
    assert verify_bundle(again).verdict == VALID
    assert again.state == b.state and again.block_rlp == b.block_rlp


def test_several_pairs_in_one_folder_are_paired_by_name(tmp_path):
    for prefix in ("one_", "two_"):
        (tmp_path / f"{prefix}block.rlp").write_bytes((KEEPER_HOODI / "1192c3_block.rlp").read_bytes())
        (tmp_path / f"{prefix}witness.rlp").write_bytes((KEEPER_HOODI / "1192c3_witness.rlp").read_bytes())
    outs = list(verify_path(str(tmp_path), chain_name="hoodi"))
    assert [o.verdict for o in outs] == [VALID, VALID]


def test_kona_preimage_fixture_imports_with_its_transactions_root():
    """kona's OP fixtures import losslessly: the chain's transactions root, header and a VALID block."""
    from trie import HexaryTrie

    from tests.helpers.fixtures import SHARED

    path = SHARED / "kona-op-mainnet" / "op-mainnet-121057303.json"
    b = load_one(path)
    header, txs = rlp.decode(b.block_rlp)[:2]
    t = HexaryTrie({})
    for i, tx in enumerate(txs):
        t[rlp.encode(i)] = tx if isinstance(tx, bytes) else rlp.encode(tx)
    assert t.root_hash == header[4]  # transactionsRoot of the chain's header
    assert b.chain_id == 10 and len(b.headers) == 1
    doc = json.loads(path.read_text())
    assert keccak(rlp.encode(header)).hex() == keccak(bytes.fromhex(doc["expected_header_rlp"][2:])).hex()
    (out,) = list(verify_path(str(path)))
    assert out.verdict == VALID and out.chain_id == 10
