"""Decoding OP Stack blocks: like L1 blocks, but transactions may be deposits (type 0x7E), which
py-evm's block classes cannot decode."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import rlp
from eth.vm.forks.shanghai.withdrawals import Withdrawal

from eth.exceptions import UnrecognizedTransactionType

from ...errors import InputError, InvalidBlock, Unsupported
from .deposits import DEPOSIT_TX_TYPE, DepositTransaction


# typed transaction types of Ethereum's forks (EIP-2930, -1559, -4844, -7702); families add theirs
ETHEREUM_TRANSACTION_TYPES = frozenset({0x01, 0x02, 0x03, 0x04})
# types specified for forks this tool does not implement: refused by name, like any unknown type
SPECIFIED_TYPES = {
    0x7D: "OP Lagoon's post-execution transaction, ethereum-optimism/specs protocol/lagoon/post-exec.md; "
          "Lagoon is specified, not scheduled, and not implemented here",
}


@dataclass
class OPBlock:
    header: object
    transactions: tuple
    uncles: tuple = ()
    withdrawals: Optional[tuple] = None
    block_requests: list = field(default_factory=list)

    @property
    def number(self) -> int:  # py-evm's system calls (EIP-2935) read `block.number`
        return self.header.block_number


def decode_transaction(raw, index: int, vm_class: type, what: str):
    """One transaction of an L2 block, by its type: deposits, the family's own types (Celo's
    CIP-64), refused types (Base's EIP-8130), else py-evm's decoder for the EVM fork."""
    label = f"{what}: transaction {index}"
    part = f"transactions[{index}]"
    if isinstance(raw, list):
        try:
            return vm_class.get_transaction_builder().decode(rlp.encode(raw))
        except Exception as exc:  # py-evm raises several kinds for undecodable transactions
            raise InvalidBlock(part, f"legacy transaction does not decode ({type(exc).__name__})") from None
    if not raw:
        raise InvalidBlock(part, "empty transaction")
    tx_type = raw[0]
    unsupported = getattr(vm_class, "unsupported_transaction_types", {})
    if tx_type in unsupported:
        raise Unsupported(f"{label}: transaction type {unsupported[tx_type]} is not implemented")
    if tx_type == DEPOSIT_TX_TYPE:
        try:
            return DepositTransaction.decode(raw, label)
        except InputError as exc:
            raise InvalidBlock(part, str(exc).split(": ", 2)[-1]) from None
    extra = getattr(vm_class, "extra_transaction_types", {})
    try:
        if tx_type in extra:
            return extra[tx_type](raw, label)
        return vm_class.get_transaction_builder().decode(raw)
    except (InvalidBlock, Unsupported):
        raise
    except UnrecognizedTransactionType:
        if tx_type in getattr(vm_class, "known_transaction_types", ETHEREUM_TRANSACTION_TYPES):
            # a type of a later fork of this chain: the block is invalid
            raise InvalidBlock(part, f"type {tx_type:#04x} is not a transaction type of {vm_class.fork}") from None
        # a type no fork this tool knows defines: it cannot tell whether the chain has one
        known = getattr(vm_class, "known_transaction_types", ETHEREUM_TRANSACTION_TYPES)
        named = f" ({SPECIFIED_TYPES[tx_type]})" if tx_type in SPECIFIED_TYPES else ""
        raise Unsupported(f"{label}: transaction type {tx_type:#04x}{named} is unknown to this tool "
                          f"(known here: {', '.join(f'{t:#04x}' for t in sorted(known))})") from None
    except Exception as exc:  # py-evm raises several kinds for undecodable transactions
        detail = f": {str(exc).splitlines()[0][:120]}" if isinstance(exc, ValueError) and str(exc) else ""
        raise InvalidBlock(part, f"type {tx_type:#04x} transaction does not decode ({type(exc).__name__}{detail})") from None


def decode_op_block(items: list, header, vm_class: type, what: str) -> OPBlock:
    txs = tuple(decode_transaction(t, i, vm_class, what) for i, t in enumerate(items[1]))
    if items[2]:
        raise InvalidBlock("uncles", "an OP Stack block cannot have uncles")
    withdrawals = None
    if len(items) > 3:
        try:
            withdrawals = tuple(rlp.decode(rlp.encode(w), sedes=Withdrawal) for w in items[3])
        except (rlp.exceptions.DeserializationError, rlp.exceptions.DecodingError, TypeError):
            raise InvalidBlock("withdrawals", "the withdrawals list does not decode") from None
    block = OPBlock(header=header, transactions=txs, withdrawals=withdrawals)
    from ...witness.check import check_body

    check_body(block, "paris")
    return block
