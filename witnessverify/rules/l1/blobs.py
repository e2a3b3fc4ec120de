"""Blob gas arithmetic per fork (EIP-4844, EIP-7691, EIP-7892 blob schedules, EIP-7918).

The schedule entry (target, max, update fraction) comes from the chain config; the formulas are
the execution specs' `calculate_excess_blob_gas` and `calculate_blob_gas_price`.
"""

from __future__ import annotations

from eth._utils.calculations import fake_exponential

from ...chains import BlobParams

GAS_PER_BLOB = 2**17
MIN_BLOB_BASE_FEE = 1
BLOB_BASE_COST = 2**13  # EIP-7918


def blob_base_fee(excess_blob_gas: int, params: BlobParams) -> int:
    return fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, params.update_fraction)


def excess_blob_gas(parent, params: BlobParams, reserve_price: bool) -> int:
    """Excess blob gas of a block from its parent header, with the block's fork's schedule.

    `reserve_price` (Osaka on, EIP-7918): when execution gas makes blobs cheap relative to the
    parent's base fee, excess grows by the blob gas used scaled by (max - target) / max.
    """
    parent_excess = getattr(parent, "excess_blob_gas", 0) or 0
    parent_used = getattr(parent, "blob_gas_used", 0) or 0
    target = params.target * GAS_PER_BLOB
    if parent_excess + parent_used < target:
        return 0
    if reserve_price:
        base_fee = getattr(parent, "base_fee_per_gas", 0) or 0
        if BLOB_BASE_COST * base_fee > GAS_PER_BLOB * blob_base_fee(parent_excess, params):
            return parent_excess + parent_used * (params.max - params.target) // params.max
    return parent_excess + parent_used - target


def max_blob_gas_per_block(params: BlobParams) -> int:
    return params.max * GAS_PER_BLOB
