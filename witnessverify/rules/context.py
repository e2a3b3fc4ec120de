"""What the rules know while a block executes, kept apart from py-evm's objects.

`BlockEnv` is the one thing the engine hands a block's VM and state (as `env`): the rule set,
the receipts so far, the family's per-block data (Celo's fee currencies) and the scratch of the
transaction in hand. `TxScratch` holds what a family works out about one transaction and needs
again later in it (the L1 data fee charged up front and paid to its vault; a fee currency's
debit logs for the receipt). `ExecutingTransaction` is a transaction as py-evm executes it when a
rule changes what py-evm reads (a deposit's intrinsic gas, a fee currency's added intrinsic
gas): the decoded transaction itself is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class TxScratch:
    """What the rules record about the transaction in hand (fields by the family that sets them)."""

    # OP: the L1 data fee and the operator fee on the gas limit, charged before execution
    l1_cost: Optional[int] = None
    operator_fee_charged: int = 0
    # OP deposits: the receipt's depositNonce and depositReceiptVersion (None: not encoded)
    deposit_nonce: Optional[int] = None
    receipt_version: Optional[int] = None
    # Celo CIP-64: the fee currency, the debit's gas and logs, the credit's logs, the receipt's baseFee
    fee_currency: Any = None
    debit_gas: int = 0
    pre_logs: tuple = ()
    post_logs: tuple = ()
    receipt_base_fee: Optional[int] = None


@dataclass
class BlockEnv:
    """The per-block context of the rules (see the module docstring)."""

    rules: Any  # the RuleSet
    receipts: list = field(default_factory=list)
    tx: TxScratch = field(default_factory=TxScratch)
    fee_currencies: Any = None  # Celo: the block's fee-currency context

    def start_transaction(self) -> TxScratch:
        self.tx = TxScratch()
        return self.tx


class ExecutingTransaction:
    """`tx` as py-evm executes it, with the intrinsic gas the chain's rules give it (and any field
    py-evm reads that the decoded transaction does not carry, such as a deposit's nonce)."""

    def __init__(self, tx, intrinsic_gas: int, **fields: Any) -> None:
        self.tx = tx
        self._intrinsic_gas = intrinsic_gas
        self._fields = fields

    def __getattr__(self, name: str):
        fields = self.__dict__.get("_fields", {})
        if name in fields:
            return fields[name]
        return getattr(self.tx, name)

    @property
    def intrinsic_gas(self) -> int:
        return self._intrinsic_gas

    def get_intrinsic_gas(self) -> int:
        return self._intrinsic_gas


def decoded(tx):
    """The decoded transaction behind an executing one (or the transaction itself)."""
    return tx.tx if isinstance(tx, ExecutingTransaction) else tx
