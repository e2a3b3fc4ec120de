"""Header fields that follow from the parent header alone (no execution needed).

Each check yields (field, expected-from-parent, claimed-by-block) for the verdict; the formulas
are the consensus rules: EIP-1559 base fee, the 1/1024 gas-limit bound, strictly increasing
timestamps, consecutive numbers, and excess blob gas (EIP-4844, -7691, -7892, -7918).
"""

from __future__ import annotations

from typing import Iterator

from typing import Optional

from eth.abc import BlockHeaderAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas

from .blobs import excess_blob_gas
from .chains import BlobParams
from .forks import RESERVE_PRICE_FORKS

GAS_LIMIT_BOUND_DIVISOR = 1024
MIN_GAS_LIMIT = 5000


def check_against_parent(
    fork: str, header: BlockHeaderAPI, parent: BlockHeaderAPI, blob_params: Optional[BlobParams] = None
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
    if blob_params is not None:
        expected = excess_blob_gas(parent, blob_params, fork in RESERVE_PRICE_FORKS)
        if header.excess_blob_gas != expected:
            yield "excessBlobGas", expected, header.excess_blob_gas
