"""CIP-64 fee-currency transactions (type 0x7b) and their receipts.

Encoding (celo-org/celo-kona `crates/celo-alloy/consensus/src/transaction/cip64.rs`,
celo-org/op-geth `core/types/celo_dynamic_fee_tx_v2.go`):

    0x7b || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data,
                 accessList, feeCurrency, yParity, r, s])

EIP-1559's fields in EIP-1559's order, then `feeCurrency` (empty: native CELO; else exactly 20
bytes). The signing hash is keccak(0x7b || rlp(the ten unsigned fields)); the hash of the
transaction is keccak of its whole envelope. A fee currency of the zero address counts as native
(celo-kona `non_native_fee_currency`).

The receipt is 0x7b || rlp([status, cumulativeGasUsed, logsBloom, logs, baseFee]): on the L2 every
CIP-64 receipt carries `baseFee`, the block's base fee in the fee currency (native: the base fee
itself); its logs are those of the fee debit, then the transaction's, then the fee credit's
(`crates/alloy-celo-evm/src/cip64_storage.rs`).
"""

from __future__ import annotations

from typing import Optional

import rlp
from eth.vm.forks.berlin.transactions import AccountAccesses
from eth.vm.forks.london.transactions import DynamicFeeTransaction
from rlp.sedes import CountableList, big_endian_int, binary
from eth.rlp.sedes import address
from eth_utils import ValidationError

from ... import pyevm_adapter
from ..receipts import ExtendedReceipt

CIP64_TX_TYPE = 0x7B
_ZERO_ADDRESS = bytes(20)


class Cip64Payload(DynamicFeeTransaction):
    """The signed CIP-64 body: py-evm's EIP-1559 transaction with `fee_currency` before the
    signature (so signature checks, access lists and intrinsic gas are py-evm's own)."""

    _type_id = CIP64_TX_TYPE
    fields = [
        ("chain_id", big_endian_int),
        ("nonce", big_endian_int),
        ("max_priority_fee_per_gas", big_endian_int),
        ("max_fee_per_gas", big_endian_int),
        ("gas", big_endian_int),
        ("to", address),
        ("value", big_endian_int),
        ("data", binary),
        ("access_list", CountableList(AccountAccesses)),
        ("fee_currency", binary),
        ("y_parity", big_endian_int),
        ("r", big_endian_int),
        ("s", big_endian_int),
    ]

    def get_message_for_signing(self) -> bytes:
        unsigned = [self.chain_id, self.nonce, self.max_priority_fee_per_gas, self.max_fee_per_gas, self.gas,
                    self.to, self.value, self.data,
                    [[a.account, [k.to_bytes(32, "big") for k in a.storage_keys]] for a in self.access_list],
                    self.fee_currency]
        return bytes([CIP64_TX_TYPE]) + rlp.encode(unsigned)


def decoder_for(typed_transaction_class: type):
    """A decoder of 0x7b transactions wrapping them in the fork's typed-transaction class."""

    class Cip64Transaction(typed_transaction_class):
        """A CIP-64 transaction as py-evm sees it (its intrinsic gas is the EIP-1559 body's; a
        fee currency's own is added while the block executes, fee_debit.py)."""

        @classmethod
        def get_payload_codec(cls, type_id: int):
            return _Cip64Codec if type_id == CIP64_TX_TYPE else super().get_payload_codec(type_id)

        @property
        def fee_currency(self) -> Optional[bytes]:
            """The ERC-20 the fees are paid in, or None for native CELO (empty or the zero address)."""
            fc = pyevm_adapter.typed_payload(self).fee_currency
            return None if fc in (b"", _ZERO_ADDRESS) else fc

        def validate(self) -> None:
            pyevm_adapter.typed_payload(self).validate()
            if self.gas < self.intrinsic_gas:
                raise ValidationError("intrinsic gas (with the fee currency's) exceeds the gas limit")

        def make_receipt(self, status: bytes, gas_used: int, log_entries) -> ExtendedReceipt:
            """The plain receipt py-evm asks for; `cip64_receipt` adds the fee logs and baseFee."""
            return ExtendedReceipt.from_entries(CIP64_TX_TYPE, status, gas_used, log_entries, [])

    def decode(raw: bytes, label: str):
        payload = rlp.decode(raw[1:], sedes=Cip64Payload)
        if len(payload.fee_currency) not in (0, 20):
            raise ValueError("feeCurrency is neither empty nor 20 bytes")
        return Cip64Transaction(CIP64_TX_TYPE, payload)

    return decode


def cip64_receipt(receipt: ExtendedReceipt, scratch) -> ExtendedReceipt:
    """The receipt a CIP-64 transaction commits to: the fee debit's logs, the transaction's,
    then the fee credit's, and the block's base fee in the fee currency (scratch: what the
    debit and credit recorded, fee_debit.py)."""
    entries = list(scratch.pre_logs) + [(log.address, log.topics, log.data) for log in receipt.logs] \
        + list(scratch.post_logs)
    return ExtendedReceipt.from_entries(CIP64_TX_TYPE, receipt.state_root, receipt.gas_used, entries,
                                        [scratch.receipt_base_fee])


class _Cip64Codec:
    @classmethod
    def decode(cls, payload: bytes):
        return rlp.decode(payload, sedes=Cip64Payload)

