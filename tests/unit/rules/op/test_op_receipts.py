"""OP deposit receipts in the receipts root: before Canyon the root commits to the plain receipt
(no depositNonce, although the receipt records one), from Canyon to depositNonce and
depositReceiptVersion (rules/op/deposits.py). Proven on a real Regolith-era block: OP Mainnet
#110000000's four receipts and its header's receiptsRoot (tests/vectors, with provenance)."""

from __future__ import annotations

import json

from eth.db.trie import make_trie_root_and_nodes
from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth.vm.forks.london.receipts import LondonTypedReceipt as TypedReceipt
from eth_bloom import BloomFilter

from witnessverify.rules.context import TxScratch
from witnessverify.rules.op.deposits import DepositTransaction, deposit_receipt

from tests.helpers.fixtures import VECTORS

VECTOR = json.loads((VECTORS / "op_mainnet_110000000_receipts.json").read_text())


def _b(x: str) -> bytes:
    return bytes.fromhex(x[2:])


def _logs(r: dict) -> list:
    return [(_b(log["address"]), [int(t, 16) for t in log["topics"]], _b(log["data"])) for log in r["logs"]]


class _Deposit:
    """A deposit whose receipt records `nonce` (and from Canyon `version`), as execution sets it."""

    def __init__(self, nonce: int, version) -> None:
        self.tx = DepositTransaction(b"\x00" * 32, b"\x11" * 20, b"\x22" * 20, 0, 0, 100_000, False, b"", b"\x7e")
        self.scratch = TxScratch(deposit_nonce=nonce, receipt_version=version)

    def make_receipt(self, status, gas, logs):
        return deposit_receipt(self.tx.make_receipt(status, gas, logs), self.scratch)


def _deposit(nonce: int, version) -> _Deposit:
    return _Deposit(nonce, version)


def _receipts(version) -> list:
    out = []
    for r in VECTOR["receipts"]:
        status, gas = (b"\x01" if r["status"] == "0x1" else b""), int(r["cumulativeGasUsed"], 16)
        if r["type"] == "0x7e":
            out.append(_deposit(int(r["depositNonce"], 16), version).make_receipt(status, gas, _logs(r)))
            continue
        inner = Receipt(state_root=status, gas_used=gas, logs=[Log(a, t, d) for a, t, d in _logs(r)])
        out.append(inner if r["type"] == "0x0" else TypedReceipt(int(r["type"], 16), inner))
    return out


def test_the_vector_is_self_consistent():
    for r in VECTOR["receipts"]:
        if "logsBloom" in r:
            bloom = BloomFilter()
            for address, topics, _ in _logs(r):
                bloom.add(address)
                for t in topics:
                    bloom.add(t.to_bytes(32, "big"))
            assert int(bloom) == int(r["logsBloom"], 16)


def test_a_regolith_block_commits_to_deposit_receipts_without_their_nonce():
    root, _ = make_trie_root_and_nodes(tuple(_receipts(version=None)))
    assert "0x" + root.hex() == VECTOR["_provenance"]["block"]["receiptsRoot"]


def test_with_the_nonce_in_the_encoding_the_real_root_is_missed():
    from witnessverify.rules.receipts import ExtendedReceipt

    receipts = _receipts(version=None)
    r = VECTOR["receipts"][0]
    receipts[0] = ExtendedReceipt.from_entries(0x7E, b"\x01", int(r["cumulativeGasUsed"], 16), [],
                                               [int(r["depositNonce"], 16)])
    root, _ = make_trie_root_and_nodes(tuple(receipts))
    assert "0x" + root.hex() != VECTOR["_provenance"]["block"]["receiptsRoot"]


def test_from_canyon_the_nonce_and_version_are_encoded():
    receipt = _deposit(7, 1).make_receipt(b"\x01", 50_000, [])
    import rlp

    assert receipt.encode()[0] == 0x7E
    assert rlp.decode(receipt.encode()[1:])[4:] == [b"\x07", b"\x01"]
    assert len(rlp.decode(_deposit(7, None).make_receipt(b"\x01", 50_000, []).encode()[1:])) == 4
