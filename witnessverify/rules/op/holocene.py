"""Holocene and Jovian: EIP-1559 parameters (and Jovian's minimum base fee) in the header's extraData.

specs `holocene/exec-engine.md`: from Holocene, extraData is exactly 9 bytes,
version 0 || denominator (u32) || elasticity (u32); the base fee of a block uses the parameters
in its *parent's* extraData when the parent is a Holocene block, else the chain config's.
The payload attributes carry the 8 parameter bytes (`eip1559Params`); all-zero parameters mean
the chain config's Canyon values.
"""

from __future__ import annotations

from typing import Optional

from types import SimpleNamespace

from ...chains import l2_at_least as at_least
from ..l1.header import expected_base_fee


def decode_extra_data(extra: bytes) -> Optional[tuple[int, int]]:
    """(denominator, elasticity) from a Holocene (v0, 9 bytes) or Jovian (v1, 17 bytes)
    extraData, or None if it is not well formed."""
    if not ((len(extra) == 9 and extra[0] == 0) or (len(extra) == 17 and extra[0] == 1)):
        return None
    denominator = int.from_bytes(extra[1:5], "big")
    elasticity = int.from_bytes(extra[5:9], "big")
    if denominator == 0:
        return None
    return denominator, elasticity


def min_base_fee(extra: bytes) -> int:
    """Jovian's minimum base fee (v1 extraData bytes [9:17)); 0 for other layouts."""
    return int.from_bytes(extra[9:17], "big") if len(extra) == 17 and extra[0] == 1 else 0


def extra_data_valid(extra: bytes, jovian: bool) -> bool:
    """specs holocene/ and jovian/exec-engine.md: v0 (9 bytes) for Holocene blocks, v1 (17
    bytes) from Jovian, by the block's own timestamp; the denominator non-zero."""
    if decode_extra_data(extra) is None:
        return False
    return (extra[0] == 1) == jovian


def op_expected_base_fee(parent, elasticity: int, denominator: int, parent_is_jovian: bool) -> int:
    """EIP-1559 with OP's parameters; a Jovian parent meters max(gasUsed, blobGasUsed) (the DA
    footprint) and its minimum base fee clamps the result (specs jovian/exec-engine.md)."""
    if not parent_is_jovian:
        return expected_base_fee(parent, elasticity, denominator)
    metered = max(parent.gas_used, getattr(parent, "blob_gas_used", 0) or 0)
    view = SimpleNamespace(base_fee_per_gas=parent.base_fee_per_gas, gas_limit=parent.gas_limit, gas_used=metered)
    return max(expected_base_fee(view, elasticity, denominator), min_base_fee(parent.extra_data))


def eip1559_params(chain, op_fork: str, parent=None) -> tuple[int, int]:
    """(elasticity multiplier, base fee max change denominator) for a child of `parent` in
    `op_fork`: the parent's extraData when the parent is a Holocene block, else the chain
    config's (the Canyon denominator from Canyon on)."""
    holocene = chain.op_forks.get("holocene")
    if parent is not None and hasattr(parent, "extra_data") and at_least(op_fork, "holocene") \
            and holocene is not None and parent.timestamp >= holocene:
        params = decode_extra_data(parent.extra_data)
        if params is not None:
            denominator, elasticity = params
            return elasticity, denominator
    if chain.eip1559_denominator_canyon and at_least(op_fork, "canyon"):
        return chain.eip1559_elasticity, chain.eip1559_denominator_canyon
    return chain.eip1559_elasticity, chain.eip1559_denominator


def next_base_fee(chain, op_fork: str, parent) -> int:
    """The base fee of a child of `parent` in `op_fork` on an OP Stack chain."""
    elasticity, denominator = eip1559_params(chain, op_fork, parent)
    jovian = chain.op_forks.get("jovian")
    return op_expected_base_fee(parent, elasticity, denominator, jovian is not None and parent.timestamp >= jovian)


def encode_extra_data(params: bytes, default_denominator: int, default_elasticity: int,
                      min_base_fee: Optional[int] = None) -> bytes:
    """Holocene's v0 extraData, or with a minimum base fee Jovian's v1."""
    if params == bytes(8):
        params = default_denominator.to_bytes(4, "big") + default_elasticity.to_bytes(4, "big")
    if min_base_fee is None:
        return b"\x00" + params
    return b"\x01" + params + min_base_fee.to_bytes(8, "big")
