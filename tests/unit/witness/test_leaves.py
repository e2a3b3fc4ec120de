"""witness/leaves.py decodes accounts and slot values as pyrlp's sedes do: the same value for
every leaf of every bundled witness, and the same exception (type and text) for malformed
leaves of every kind, so a witness that was judged WITNESS_INVALID still is."""

from __future__ import annotations

import random

import pytest
import rlp
from eth.rlp.accounts import Account
from rlp.sedes import big_endian_int

from witnessverify.witness.leaves import decode_account, decode_slot_value
from witnessverify.witness.tries import decode_node

from tests.helpers.fixtures import BUNDLES, load_one, node_map


def _outcome(fn, raw):
    try:
        return ("value", fn(raw))
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return ("raised", type(exc), str(exc))


def _leaf_values() -> list[bytes]:
    values = set()
    for path in sorted(BUNDLES.glob("*.json")):
        for raw in node_map(load_one(path)).values():
            try:
                node = decode_node(raw)
            except rlp.exceptions.DecodingError:
                continue
            if type(node) is list and len(node) == 2 and type(node[0]) is bytes and node[0] \
                    and node[0][0] >> 4 in (2, 3) and type(node[1]) is bytes:
                values.add(node[1])
    return sorted(values)


LEAVES = _leaf_values()
ACCOUNT = (lambda raw: rlp.decode(raw, sedes=Account))
SLOT = (lambda raw: rlp.decode(raw, sedes=big_endian_int))


def test_the_bundled_witnesses_hold_both_kinds_of_leaf():
    accounts = [v for v in LEAVES if _outcome(ACCOUNT, v)[0] == "value"]
    slots = [v for v in LEAVES if _outcome(SLOT, v)[0] == "value"]
    assert len(accounts) > 1000 and len(slots) > 1000  # distinct values: 1026 and 1783 on 2026-12-04


@pytest.mark.parametrize("fast, reference", [(decode_account, ACCOUNT), (decode_slot_value, SLOT)],
                         ids=["account", "slot"])
def test_every_bundled_leaf_decodes_as_pyrlp_decodes_it(fast, reference):
    # each leaf is fed to both decoders: an account to the slot decoder is a malformed slot value
    for raw in LEAVES:
        assert _outcome(fast, raw) == _outcome(reference, raw), raw.hex()


def _mutants(raw: bytes, rng: random.Random) -> list[bytes]:
    out = [raw[:-1], raw + b"\x00", raw[:1], b"\x00" + raw[1:], bytes([raw[0] ^ 1]) + raw[1:]]
    i = rng.randrange(len(raw))
    out += [raw[:i] + bytes([rng.randrange(256)]) + raw[i + 1:], raw[:i] + raw[i + 1:], raw[:i] + b"\x00" + raw[i:]]
    return out


CRAFTED = [
    b"", b"\x00", b"\x7f", b"\x80", b"\x81\x00", b"\x81\x7f", b"\x81\x80", b"\x82\x00\x01", b"\xa0" + b"\x01" * 32,
    b"\xa1" + b"\x01" * 33, b"\xa0" + b"\x00" + b"\x01" * 31, b"\xb8\x01\x01", b"\xc0", b"\xc1\x80",
    rlp.encode([b"", b"", b"\x00" * 32, b"\x00" * 32]),
    rlp.encode([b"\x00", b"", b"\x00" * 32, b"\x00" * 32]),  # a nonce with a leading zero
    rlp.encode([b"\x01", b"\x00\x05", b"\x00" * 32, b"\x00" * 32]),  # a balance with a leading zero
    rlp.encode([b"\x01", b"\x05", b"\x00" * 31, b"\x00" * 32]),  # a 31-byte storage root
    rlp.encode([b"\x01", b"\x05", b"\x00" * 32, b"\x00" * 33]),
    rlp.encode([b"\x01", b"\x05", b"\x00" * 32]), rlp.encode([b"\x01", b"\x05", b"\x00" * 32, b"\x00" * 32, b""]),
    rlp.encode([b"\x01", [b"\x05"], b"\x00" * 32, b"\x00" * 32]),
    rlp.encode([b"\x01" * 40, b"\x05" * 40, b"\x00" * 32, b"\x00" * 32]),  # 40-byte integers
    rlp.encode([b"\x01", b"\x05", b"\x00" * 32, b"\x00" * 32]) + b"\x00",
]


@pytest.mark.parametrize("fast, reference", [(decode_account, ACCOUNT), (decode_slot_value, SLOT)],
                         ids=["account", "slot"])
def test_malformed_leaves_raise_what_pyrlp_raises(fast, reference):
    rng = random.Random(7)
    cases = list(CRAFTED)
    for raw in rng.sample(LEAVES, 600):
        cases += _mutants(raw, rng)
    cases += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) for _ in range(500)]
    raised = 0
    for raw in cases:
        want = _outcome(reference, raw)
        assert _outcome(fast, raw) == want, raw.hex()
        raised += want[0] == "raised"
    assert raised > 300  # the mutants reach pyrlp's errors, not only its values
