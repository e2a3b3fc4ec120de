"""Transaction types: a type of a later fork of the chain is an invalid transaction (the block is
invalid, the client that accepted it is wrong); a type no fork this tool knows defines is
UNSUPPORTED (it cannot tell whether the chain has one: never blame a client for it); decoding is
per chain family (0x7b is CIP-64 on Celo only)."""

from __future__ import annotations

import rlp

from witnessverify.pipeline import verify_bundle

from tests.helpers.fixtures import BUNDLES, load_one


def _with_extra_tx(name: str, raw: bytes):
    b = load_one(BUNDLES / name)
    block = rlp.decode(b.block_rlp)
    block[1].append(raw)
    b.block_rlp = rlp.encode(block)
    return b


def test_a_set_code_transaction_in_a_cancun_block_is_invalid():
    out = verify_bundle(_with_extra_tx("560048-51632.json", b"\x04" + rlp.encode([560048, 0, 1, 1, 21000])))
    assert out.verdict == "MISMATCH" and out.exit_code == 1
    (m,) = [m for m in out.mismatches if m["field"].startswith("transactions[")]
    assert m["field"] == "transactions[11]" and "0x04 is not a transaction type of cancun" in m["computed"]
    assert "transactionsRoot" in [m["field"] for m in out.mismatches]  # the body is not the header's


def test_an_unknown_type_is_unsupported_not_blamed():
    out = verify_bundle(_with_extra_tx("1-24628607.json", b"\x05" + rlp.encode([1, 2, 3])))
    assert out.verdict == "UNSUPPORTED" and out.exit_code == 3
    assert "0x05 is unknown" in out.reason and out.number == 24628607


def test_cip64_is_unknown_on_op_mainnet_but_decodes_on_celo():
    out = verify_bundle(_with_extra_tx("10-121057303.json", b"\x7b" + rlp.encode([10, 0])))
    assert out.verdict == "UNSUPPORTED" and "0x7b" in out.reason
    out = verify_bundle(_with_extra_tx("11142220-2346038.json", b"\x7b" + rlp.encode([11142220, 0])))
    assert out.verdict == "MISMATCH"  # a malformed CIP-64 transaction: invalid, named
    assert any("CIP-64" in str(m["computed"]) or "0x7b" in str(m["computed"]) for m in out.mismatches)
