"""The values at the witness tries' leaves, decoded: an account (the state trie) and a slot's
value (a storage trie), as `rlp.decode(raw, sedes=Account)` and `rlp.decode(raw,
sedes=big_endian_int)` decode them.

Through pyrlp's sedes each read built a generic item list, deserialized it field by field
with ABC type checks and then built the account: about 3% of a mainnet block. Here the shapes
real leaves have (canonical RLP; integers without leading zero bytes; 32-byte roots and hashes)
are read directly, and anything else goes to pyrlp, so a malformed leaf raises what it always
raised and a decoded one is pyrlp's value exactly (tests/unit/witness/test_leaves.py: every
account and slot of the bundled witnesses, and malformed leaves of every kind).
"""

from __future__ import annotations

import rlp
from eth.rlp.accounts import Account
from rlp.sedes import big_endian_int

from .tries import decode_node


def decode_account(raw: bytes) -> Account:
    try:
        items = decode_node(raw) if type(raw) is bytes else None
    except Exception:  # pyrlp's own call below raises what it raises
        items = None
    if type(items) is list and len(items) == 4:
        nonce, balance, storage_root, code_hash = items
        if (type(nonce) is bytes and type(balance) is bytes and type(storage_root) is bytes
                and type(code_hash) is bytes and len(storage_root) == 32 and len(code_hash) == 32
                and (not nonce or nonce[0]) and (not balance or balance[0])):
            return Account(int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash)
    return rlp.decode(raw, sedes=Account)


def decode_slot_value(raw: bytes) -> int:
    if type(raw) is bytes and raw:
        n, first = len(raw), raw[0]
        if n == 1 and 0 < first < 0x80:
            return first
        if 0x80 < first <= 0xA0 and n == first - 0x7F and raw[1] and (n > 2 or raw[1] >= 0x80):
            return int.from_bytes(raw[1:], "big")
    return rlp.decode(raw, sedes=big_endian_int)
