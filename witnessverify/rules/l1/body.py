"""An Ethereum block's body: decoding it for its fork, and the body rules no execution needs (no
ommers after the merge, withdrawals only from Shanghai and with 64-bit fields, every transaction
of a type of the fork). A body that breaks one is an invalid block (MISMATCH naming the part)."""

from __future__ import annotations

import rlp
from eth.exceptions import UnrecognizedTransactionType
from eth.vm.forks.shanghai.withdrawals import Withdrawal
from eth_utils import ValidationError as EthValidationError
from trie import HexaryTrie

from ...chains import fork
from ...errors import InputError, InvalidBlock
from ..decode import decode_transaction


def decode_block(raw: bytes, items: list, header, vm_class: type, evm_fork: str, what: str):
    """The block RLP `raw` (whose top-level items are `items`) decoded for `evm_fork`."""
    try:
        block = rlp.decode(raw, sedes=vm_class.get_block_class())
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError, ValueError, TypeError,
            UnrecognizedTransactionType, EthValidationError) as exc:
        name_the_bad_part(items, vm_class, evm_fork)  # an invalid transaction, withdrawal, ommer: MISMATCH
        raise InputError(
            f"{what}: block #{header.block_number} does not decode as a {evm_fork} block "
            f"({str(exc).splitlines()[0][:120]})"
        ) from None
    check_body(block, evm_fork)
    return block


def check_body(block, evm_fork: str) -> None:
    """Body rules no execution needs: no ommers after the merge, withdrawal fields in range."""
    if fork("l1", evm_fork).at_least("paris") and block.uncles:
        raise InvalidBlock("uncles", f"a {evm_fork} block has {len(block.uncles)} ommer(s); after the merge it has none")
    for i, w in enumerate(getattr(block, "withdrawals", None) or ()):
        if max(w.index, w.validator_index, w.amount) > 2**64 - 1:
            raise InvalidBlock(f"withdrawals[{i}]", "index, validator index and amount are 64-bit numbers")


def raw_transactions_root(transactions: list) -> bytes:
    """The transactions trie root of a block body's transactions as they are encoded (legacy: an
    RLP list, typed: its bytes), without decoding them."""
    trie = HexaryTrie({})
    for i, t in enumerate(transactions):
        trie[rlp.encode(i)] = rlp.encode(t) if isinstance(t, list) else t
    return trie.root_hash


def name_the_bad_part(items: list, vm_class: type, evm_fork: str) -> None:
    """Raise InvalidBlock for the first transaction, ommer or withdrawal of a well-formed block
    RLP that the fork cannot decode (a type before its fork, a field out of range); return if none."""
    if isinstance(items[1], list):
        for i, t in enumerate(items[1]):
            decode_transaction(t, i, vm_class, "block")
    if fork("l1", evm_fork).at_least("paris") and items[2]:
        raise InvalidBlock("uncles", f"a {evm_fork} block has {len(items[2])} ommer(s); after the merge it has none")
    if len(items) > 3:
        if not isinstance(items[3], list):
            raise InvalidBlock("withdrawals", "not a list")
        for i, w in enumerate(items[3]):
            try:
                rlp.decode(rlp.encode(w), sedes=Withdrawal)
            except (rlp.exceptions.DeserializationError, rlp.exceptions.DecodingError, TypeError, ValueError):
                raise InvalidBlock(f"withdrawals[{i}]", "does not decode as a withdrawal (a field out of "
                                                        "range: index, validator index and amount are "
                                                        "uint64, the address 20 bytes)") from None
    if len(items) > 3 and not fork("l1", evm_fork).at_least("shanghai"):
        raise InvalidBlock("withdrawals", f"a {evm_fork} block has no withdrawals")
