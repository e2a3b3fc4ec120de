"""The OP forks' header rules that need no execution (the Ethereum ones are in l1/header.py):
Holocene's and Jovian's extraData layouts, excessBlobGas 0 from Ecotone, the coinbase derivation
fixes, Jovian's DA footprint within the gas limit."""

from __future__ import annotations

from typing import Iterator, Optional

from .holocene import extra_data_valid


def op_header_rules(l2_fork, header, fee_recipient: Optional[bytes]) -> Iterator[tuple[str, object, object, str]]:
    """Yield (field, claimed, required, rule) for each OP header rule `header` breaks."""
    if l2_fork.at_least("holocene"):
        jovian = l2_fork.at_least("jovian")
        if not extra_data_valid(header.extra_data, jovian):
            want = "v1: 0x01 || denominator || elasticity || minBaseFee (17 bytes)" if jovian else \
                "v0: 0x00 || denominator || elasticity (9 bytes)"
            yield "extraData", "0x" + header.extra_data.hex(), want, "parent"
    if l2_fork.at_least("ecotone") and header.excess_blob_gas != 0:
        yield "excessBlobGas", header.excess_blob_gas, 0, "parent"
    if fee_recipient is not None and header.coinbase != fee_recipient:
        yield "coinbase", "0x" + header.coinbase.hex(), "0x" + fee_recipient.hex(), "derivation"
    if l2_fork.at_least("jovian") and header.blob_gas_used > header.gas_limit:
        yield "blobGasUsed", header.blob_gas_used, f"<= gasLimit {header.gas_limit}", "parent"
