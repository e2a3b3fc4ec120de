"""Decoding OP Stack blocks: like L1 blocks, but transactions may be deposits (type 0x7E), which
py-evm's block classes cannot decode."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import rlp
from eth.vm.forks.shanghai.withdrawals import Withdrawal

from ..errors import InputError
from .deposits import DEPOSIT_TX_TYPE, DepositTransaction


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
    builder = vm_class.get_transaction_builder()
    txs = []
    for i, t in enumerate(items[1]):
        label = f"{what}: transaction {i}"
        try:
            if isinstance(t, list):
                txs.append(builder.decode(rlp.encode(t)))
            elif t[:1] == bytes([DEPOSIT_TX_TYPE]):
                txs.append(DepositTransaction.decode(t, label))
            else:
                txs.append(builder.decode(t))
        except InputError:
            raise
        except Exception as exc:  # py-evm raises several kinds for undecodable transactions
            raise InputError(f"{label}: cannot decode ({type(exc).__name__})") from None
    if items[2]:
        raise InputError(f"{what}: an OP Stack block cannot have uncles")
    withdrawals = None
    if len(items) > 3:
        withdrawals = tuple(rlp.decode(rlp.encode(w), sedes=Withdrawal) for w in items[3])
    return OPBlock(header=header, transactions=tuple(txs), withdrawals=withdrawals)
