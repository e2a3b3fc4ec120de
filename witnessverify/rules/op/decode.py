"""Decoding OP Stack blocks: like L1 blocks, but transactions may be deposits (type 0x7E) or a
family's own types, which py-evm's block classes cannot decode (rules/decode.py decodes each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import rlp
from eth.vm.forks.shanghai.withdrawals import Withdrawal

from ...errors import InvalidBlock
from ..decode import decode_transaction
from ..l1.body import check_body


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
    check_body(block, "paris")
    return block
