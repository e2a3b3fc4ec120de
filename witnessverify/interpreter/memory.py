"""Memory expansion and its gas for the fast interpreter: py-evm's `extend_memory` with the gas
taken from the loop's local counter instead of the GasMeter.

Equivalence: the same formula (3 gas a word plus words^2 / 512, charged on the difference between
the 32-byte-rounded sizes after and before), nothing charged or extended for a zero size, the
same `Memory.extend` (so the buffer-replacement path py-evm takes when a memoryview of it is
alive is kept). Out of gas is raised before the memory grows, as in py-evm.
"""

from __future__ import annotations

from eth.exceptions import OutOfGas


def memory_cost(size_in_bytes: int) -> int:
    words = (size_in_bytes + 31) >> 5
    return words * 3 + words * words // 512


def expand(memory, start: int, size: int, gas: int) -> int:
    """Grow `memory` to cover [start, start + size) and return the gas left after paying for it."""
    if not size:
        return gas
    end = start + size
    current = len(memory._bytes)
    if end <= current:
        return gas
    fee = memory_cost(end) - memory_cost(current)
    if fee > gas:
        raise OutOfGas(f"Out of gas: Needed {fee} - Remaining {gas} - Reason: Expanding memory {current} -> {end}")
    memory.extend(start, size)
    return gas - fee
