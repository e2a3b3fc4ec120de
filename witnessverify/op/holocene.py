"""Holocene: EIP-1559 parameters carried in the block header's extraData.

specs `holocene/exec-engine.md`: from Holocene, extraData is exactly 9 bytes,
version 0 || denominator (u32) || elasticity (u32); the base fee of a block uses the parameters
in its *parent's* extraData when the parent is a Holocene block, else the chain config's.
The payload attributes carry the 8 parameter bytes (`eip1559Params`); all-zero parameters mean
the chain config's Canyon values.
"""

from __future__ import annotations

from typing import Optional


def decode_extra_data(extra: bytes) -> Optional[tuple[int, int]]:
    """(denominator, elasticity) from a Holocene extraData, or None if it is not well formed."""
    if len(extra) != 9 or extra[0] != 0:
        return None
    denominator = int.from_bytes(extra[1:5], "big")
    elasticity = int.from_bytes(extra[5:9], "big")
    if denominator == 0:
        return None
    return denominator, elasticity


def encode_extra_data(eip1559_params: bytes, default_denominator: int, default_elasticity: int) -> bytes:
    if eip1559_params == bytes(8):
        eip1559_params = default_denominator.to_bytes(4, "big") + default_elasticity.to_bytes(4, "big")
    return b"\x00" + eip1559_params
