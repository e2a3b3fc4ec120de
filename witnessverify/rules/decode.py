"""Decoding one transaction of a block, by its type, for any family: the family's own types (OP
deposits, Celo's CIP-64, refused types such as Base's EIP-8130), else py-evm's decoder for the
EVM fork. A type of a later fork of the chain is an invalid transaction; a type no fork this tool
knows defines is UNSUPPORTED, named (it cannot tell whether the chain has one)."""

from __future__ import annotations

import rlp
from eth.exceptions import UnrecognizedTransactionType

from ..errors import InputError, InvalidBlock, Unsupported

# typed transaction types of Ethereum's forks (EIP-2930, -1559, -4844, -7702); families add theirs
ETHEREUM_TRANSACTION_TYPES = frozenset({0x01, 0x02, 0x03, 0x04})
# types specified for forks this tool does not implement: refused by name, like any unknown type
SPECIFIED_TYPES = {
    0x7D: "OP Lagoon's post-execution transaction, ethereum-optimism/specs protocol/lagoon/post-exec.md; "
          "Lagoon is specified, not scheduled, and not implemented here",
}


def decode_transaction(raw, index: int, vm_class: type, what: str):
    """Transaction `index` of a block (`raw`: a legacy RLP list or a typed envelope) for `vm_class`."""
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
    extra = getattr(vm_class, "extra_transaction_types", {})
    try:
        if tx_type in extra:
            return extra[tx_type](raw, label)
        return vm_class.get_transaction_builder().decode(raw)
    except (InvalidBlock, Unsupported):
        raise
    except InputError as exc:  # a family decoder's word for a malformed transaction of its type
        raise InvalidBlock(part, str(exc).split(": ", 2)[-1]) from None
    except UnrecognizedTransactionType:
        known = getattr(vm_class, "known_transaction_types", ETHEREUM_TRANSACTION_TYPES)
        if tx_type in known:
            # a type of a later fork of this chain: the block is invalid
            raise InvalidBlock(part, f"type {tx_type:#04x} is not a transaction type of {vm_class.fork}") from None
        named = f" ({SPECIFIED_TYPES[tx_type]})" if tx_type in SPECIFIED_TYPES else ""
        raise Unsupported(f"{label}: transaction type {tx_type:#04x}{named} is unknown to this tool "
                          f"(known here: {', '.join(f'{t:#04x}' for t in sorted(known))})") from None
    except Exception as exc:  # py-evm raises several kinds for undecodable transactions
        detail = f": {str(exc).splitlines()[0][:120]}" if isinstance(exc, ValueError) and str(exc) else ""
        raise InvalidBlock(part, f"type {tx_type:#04x} transaction does not decode ({type(exc).__name__}{detail})") from None
