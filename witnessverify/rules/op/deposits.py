"""Deposit transactions (type 0x7E) and their receipts.

ethereum-optimism/specs `specs/protocol/deposits.md`: a deposit is
0x7E || rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data]); it carries no signature
and no fee fields. From Canyon its receipt adds `depositNonce` (the sender's nonce before execution)
and `depositReceiptVersion` = 1:
0x7E || rlp([status, cumulativeGasUsed, logsBloom, logs, depositNonce, depositReceiptVersion]);
before Canyon the receipts root commits to the plain receipt (make_receipt says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import rlp
from eth_hash.auto import keccak

from ...errors import InputError
from ..receipts import ExtendedReceipt

DEPOSIT_TX_TYPE = 0x7E


@dataclass
class DepositTransaction:
    source_hash: bytes
    sender: bytes
    to: bytes  # b"" for a contract creation
    mint: int
    value: int
    gas: int
    is_system_tx: bool
    data: bytes
    raw: bytes
    # set while executing
    nonce: int = 0
    intrinsic_gas: int = 0
    deposit_nonce: Optional[int] = None

    type_id = DEPOSIT_TX_TYPE
    # a deposit pays no fees: it looks to py-evm's executor like a transaction priced at zero
    max_fee_per_gas = 0
    max_priority_fee_per_gas = 0
    gas_price = 0
    access_list: tuple = ()
    authorization_list: tuple = ()
    r = s = y_parity = 0

    @classmethod
    def decode(cls, raw: bytes, what: str = "deposit") -> "DepositTransaction":
        try:
            fields = rlp.decode(raw[1:])
            source_hash, sender, to, mint, value, gas, is_system, data = fields
        except (rlp.exceptions.DecodingError, ValueError, TypeError, RecursionError):
            raise InputError(f"{what}: not a deposit transaction RLP") from None
        if not all(isinstance(f, bytes) for f in fields):
            raise InputError(f"{what}: deposit transaction with a list where a field belongs")
        if len(source_hash) != 32 or len(sender) != 20 or len(to) not in (0, 20):
            raise InputError(f"{what}: deposit transaction with malformed fields")
        num = lambda b: int.from_bytes(b, "big")  # noqa: E731
        return cls(source_hash, sender, to, num(mint), num(value), num(gas), bool(num(is_system)), data, raw)

    def encode(self) -> bytes:
        return self.raw

    @property
    def hash(self) -> bytes:
        return keccak(self.raw)

    def validate(self) -> None:  # no signature, no fee fields
        pass

    def check_signature_validity(self) -> None:
        pass

    def make_receipt(self, status: bytes, gas_used: int, log_entries) -> ExtendedReceipt:
        """The receipt as the receipts root commits to it. A deposit receipt records its
        depositNonce from Regolith, but the consensus encoding carries it only together with
        depositReceiptVersion, from Canyon: op-geth's `Receipts.EncodeIndex` writes the nonce only
        when the version is set, a quirk its comment says is kept for backwards compatibility,
        and op-reth, kona and base/base strip the nonce between Regolith and Canyon to match
        (specs deposits.md "Before Canyon, these depositNonce & depositNonceVersion fields must
        always be omitted"). So a Regolith-to-Delta deposit receipt is the plain receipt."""
        extra = [self.deposit_nonce, self.receipt_version] if self.receipt_version is not None else []
        return ExtendedReceipt.from_entries(DEPOSIT_TX_TYPE, status, gas_used, log_entries, extra)

    receipt_version: Optional[int] = None
