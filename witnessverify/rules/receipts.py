"""Typed receipts that append fields to the Ethereum receipt body: OP deposit receipts
(`depositNonce`, `depositReceiptVersion`) and Celo CIP-64 receipts (`baseFee`).

Encoding: type byte || rlp([status, cumulativeGasUsed, logsBloom, logs, *extra]); the extra
fields are appended only when present, as both families define them optional.
"""

from __future__ import annotations

import rlp
from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth_bloom import BloomFilter


class ExtendedReceipt:
    """A receipt with py-evm's receipt fields plus trailing fields of its type."""

    def __init__(self, type_id: int, status: bytes, gas_used: int, logs, extra: list) -> None:
        self.type_id = type_id
        self._body = Receipt(state_root=status, gas_used=gas_used, logs=logs)
        self.extra = extra

    @classmethod
    def from_entries(cls, type_id: int, status: bytes, gas_used: int, log_entries, extra: list) -> "ExtendedReceipt":
        logs = [Log(address, topics, data) for address, topics, data in log_entries]
        return cls(type_id, status, gas_used, logs, extra)

    state_root = property(lambda self: self._body.state_root)
    gas_used = property(lambda self: self._body.gas_used)
    logs = property(lambda self: self._body.logs)
    bloom = property(lambda self: self._body.bloom)

    @property
    def bloom_filter(self) -> BloomFilter:
        return self._body.bloom_filter

    def with_extra(self, extra: list) -> "ExtendedReceipt":
        """The same receipt with these trailing fields."""
        return ExtendedReceipt(self.type_id, self.state_root, self.gas_used, self.logs, extra)

    def encode(self) -> bytes:
        fields = rlp.decode(rlp.encode(self._body))  # status, cumulative gas, bloom, logs
        return bytes([self.type_id]) + rlp.encode(fields + [x for x in self.extra if x is not None])
