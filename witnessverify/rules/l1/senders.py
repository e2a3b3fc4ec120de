"""Transaction senders recovered from the block's own encoding of each transaction.

A typed transaction (EIP-2718 types 1 to 4: EIP-2930, EIP-1559, EIP-4844, EIP-7702) signs
keccak(type || rlp([every field but y_parity, r, s])). py-evm builds that message by making an
unsigned transaction object and encoding it with pyrlp's sedes, about a third of a sender's cost;
here it is cut from the signed transaction's canonical encoding (the same list without its last
three items, under a new length prefix), which is the same bytes. The recovery itself is py-evm's:
eth-keys' Signature from (y_parity, r, s), recovered from the message's hash.

Only where the message is py-evm's own for that type (its class's `get_message_for_signing`
is py-evm's; a chain's own type, a deposit or a legacy transaction is left to py-evm), and only
when recovery succeeds: a signature that recovers nothing is left to py-evm, which raises as it
always did. tests/unit/rules/l1/test_senders.py: the message equals py-evm's for every typed
transaction of the bundled blocks and for random ones of every type, and the sender too.
"""

from __future__ import annotations

from typing import Optional

from eth_hash.auto import keccak
from eth_keys import keys
from rlp.codec import consume_length_prefix, length_prefix
from rlp.exceptions import DecodingError

from ... import pyevm_adapter

TYPES = (1, 2, 3, 4)


def _item(raw: bytes, pos: int) -> tuple[int, int]:
    """(payload start, end) of the RLP item at raw[pos], by pyrlp's own prefix reader."""
    _, _, length, start = consume_length_prefix(raw, pos)
    return start, start + length


def signing_message(encoded: bytes) -> Optional[bytes]:
    """type || rlp(fields without y_parity, r, s) of a typed transaction's canonical encoding;
    None for anything else."""
    if type(encoded) is not bytes or len(encoded) < 2 or encoded[0] not in TYPES or encoded[1] < 0xC0:
        return None
    try:
        start, end = _item(encoded, 1)
        if end != len(encoded):
            return None
        starts, pos = [], start
        while pos < end:
            starts.append(pos)
            pos = _item(encoded, pos)[1]
    except (DecodingError, IndexError):
        return None
    if pos != end or len(starts) < 4:
        return None
    body = encoded[start:starts[-3]]
    return encoded[:1] + length_prefix(len(body), 0xC0) + body


def _py_evm_message(transaction) -> bool:
    """Whether `transaction` is a typed transaction signing py-evm's own message for its type."""
    if getattr(transaction, "type_id", None) not in TYPES:
        return False
    try:
        inner = pyevm_adapter.typed_payload(transaction)
    except AttributeError:
        return False
    return type(inner).get_message_for_signing.__module__.startswith("eth.vm.forks.")


def recover_senders(transactions, encoded: list) -> None:
    """Recover and keep the sender of each typed transaction whose encoding is in `encoded`
    (the block's transaction items, in order)."""
    if len(encoded) != len(transactions):
        return
    for transaction, raw in zip(transactions, encoded):
        if not _py_evm_message(transaction):
            continue
        message = signing_message(raw)
        if message is None:
            continue
        try:
            signature = keys.Signature(vrs=(transaction.y_parity, transaction.r, transaction.s))
            sender = signature.recover_public_key_from_msg_hash(keccak(message)).to_canonical_address()
        except Exception:  # noqa: BLE001 - py-evm recovers it again and raises its own error
            continue
        pyevm_adapter.cache_sender(transaction, sender)
