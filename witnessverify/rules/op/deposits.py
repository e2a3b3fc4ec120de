"""Deposit transactions (type 0x7E): their encoding, their receipts, and where they are applied.

ethereum-optimism/specs `specs/protocol/deposits.md`: a deposit is
0x7E || rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data]); it carries no signature
and no fee fields. Applied (`apply_deposit`): `mint` is credited first and kept on failure; no
signature, fee or nonce check; the sender's nonce is bumped even when the deposit fails; a
deposit whose value its sender cannot cover fails as a whole; from Regolith the gas used is the
gas actually used and no coinbase is touched. From Canyon its receipt adds `depositNonce` (the
sender's nonce before execution) and `depositReceiptVersion` = 1:
0x7E || rlp([status, cumulativeGasUsed, logsBloom, logs, depositNonce, depositReceiptVersion]);
before Canyon the receipts root commits to the plain receipt (`deposit_receipt` says why).
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.exceptions import InsufficientFunds
from eth_hash.auto import keccak
from eth_keys import keys
from eth_utils import ValidationError

from ...errors import InputError
from ..context import ExecutingTransaction, TxScratch
from ..receipts import ExtendedReceipt

DEPOSIT_TX_TYPE = 0x7E
_DUMMY_KEY = keys.PrivateKey(b"\x01" * 32)


def is_deposit(transaction) -> bool:
    return getattr(transaction, "type_id", None) == DEPOSIT_TX_TYPE


class DepositFailure(ValidationError):
    """A deposit that cannot even start (intrinsic gas above its gas): included as failed."""


@dataclass(frozen=True)
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
        """The plain receipt py-evm asks for; `deposit_receipt` adds what the fork encodes."""
        return ExtendedReceipt.from_entries(DEPOSIT_TX_TYPE, status, gas_used, log_entries, [])


def decode_deposit(raw: bytes, label: str) -> DepositTransaction:
    return DepositTransaction.decode(raw, label)


def deposit_receipt(receipt: ExtendedReceipt, scratch: TxScratch) -> ExtendedReceipt:
    """The receipt as the receipts root commits to it. A deposit receipt records its
    depositNonce from Regolith, but the consensus encoding carries it only together with
    depositReceiptVersion, from Canyon: op-geth's `Receipts.EncodeIndex` writes the nonce only
    when the version is set, a quirk its comment says is kept for backwards compatibility,
    and op-reth, kona and base/base strip the nonce between Regolith and Canyon to match
    (specs deposits.md "Before Canyon, these depositNonce & depositNonceVersion fields must
    always be omitted"). So a Regolith-to-Delta deposit receipt is the plain receipt."""
    if scratch.receipt_version is None:
        return receipt
    return receipt.with_extra([scratch.deposit_nonce, scratch.receipt_version])


def deposit_intrinsic_gas(vm, tx: DepositTransaction) -> int:
    """A deposit's intrinsic gas as the fork prices an EIP-1559 transaction of its shape."""
    unsigned = vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
        chain_id=1, nonce=0, max_priority_fee_per_gas=0, max_fee_per_gas=0, gas=tx.gas,
        to=tx.to or CREATE_CONTRACT_ADDRESS, value=0, data=tx.data, access_list=[],
    )
    return unsigned.as_signed_transaction(_DUMMY_KEY).intrinsic_gas


def apply_deposit(vm, header, tx: DepositTransaction, apply):
    """Apply a deposit (`apply`: py-evm's own transaction application), returning (receipt,
    computation or None)."""
    state = vm.state
    scratch = vm.env.tx
    nonce = state.get_nonce(tx.sender)
    scratch.deposit_nonce = nonce if vm.l2_fork.at_least("regolith") else None
    scratch.receipt_version = 1 if vm.l2_fork.at_least("canyon") else None
    executing = ExecutingTransaction(tx, deposit_intrinsic_gas(vm, tx), nonce=nonce)
    state.lock_changes()
    if tx.mint:
        state.delta_balance(tx.sender, tx.mint)  # unconditional, kept on failure
    try:
        return apply(header, executing)
    except DepositFailure:
        # included as failed: its changes undone, the mint kept, the nonce bumped once
        if state.get_nonce(tx.sender) == nonce:
            state.increment_nonce(tx.sender)
        receipt = deposit_receipt(tx.make_receipt(b"", header.gas_used + tx.gas, []), scratch)
        return receipt, None


def check_deposit(tx) -> None:
    """A deposit whose intrinsic gas is above its gas cannot start: included as failed."""
    if tx.intrinsic_gas > tx.gas:
        raise DepositFailure("deposit gas below its intrinsic gas")


def check_deposit_gas(base_header, tx) -> None:
    """A deposit's gas must fit the gas left in the block."""
    if base_header.gas_used + tx.gas > base_header.gas_limit:
        raise ValidationError("deposit gas exceeds the gas left in the block")


def run_deposit(state, run):
    """Run a deposit's message (`run`); a deposit whose value its sender cannot cover (after
    the mint) fails as a whole: op-revm `catch_error`, op-geth's failed-deposit path (py-evm
    would raise instead)."""
    snapshot = state.snapshot()
    try:
        return run()
    except InsufficientFunds:
        state.revert(snapshot)
        raise DepositFailure("the sender cannot cover the deposit's value") from None
