"""Header fields that follow from the parent header alone (no execution needed).

Each check yields (field, expected-from-parent, claimed-by-block) for the verdict; the formulas
are the consensus rules: EIP-1559 base fee, the 1/1024 gas-limit bound, strictly increasing
timestamps, consecutive numbers, and EIP-4844/7691 excess blob gas.
"""

from __future__ import annotations

from typing import Iterator

from eth.abc import BlockHeaderAPI
from eth.vm.forks.cancun.headers import calc_excess_blob_gas_cancun
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.headers import calc_excess_blob_gas_prague

GAS_LIMIT_BOUND_DIVISOR = 1024
MIN_GAS_LIMIT = 5000

_EXCESS_BLOB_GAS = {"cancun": calc_excess_blob_gas_cancun, "prague": calc_excess_blob_gas_prague}


def check_against_parent(
    fork: str, header: BlockHeaderAPI, parent: BlockHeaderAPI
) -> Iterator[tuple[str, object, object]]:
    """Yield (field, expected, claimed) for each header field the parent contradicts."""
    if header.block_number != parent.block_number + 1:
        yield "number", parent.block_number + 1, header.block_number
    if header.timestamp <= parent.timestamp:
        yield "timestamp", f"> {parent.timestamp}", header.timestamp
    bound = parent.gas_limit // GAS_LIMIT_BOUND_DIVISOR
    if abs(header.gas_limit - parent.gas_limit) >= bound or header.gas_limit < MIN_GAS_LIMIT:
        low, high = max(parent.gas_limit - bound + 1, MIN_GAS_LIMIT), parent.gas_limit + bound - 1
        yield "gasLimit", f"{low}..{high}", header.gas_limit
    if hasattr(header, "base_fee_per_gas") and hasattr(parent, "base_fee_per_gas"):
        expected = calculate_expected_base_fee_per_gas(parent)
        if header.base_fee_per_gas != expected:
            yield "baseFeePerGas", expected, header.base_fee_per_gas
    if fork in _EXCESS_BLOB_GAS:
        expected = _EXCESS_BLOB_GAS[fork](parent)
        if header.excess_blob_gas != expected:
            yield "excessBlobGas", expected, header.excess_blob_gas
