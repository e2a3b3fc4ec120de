"""Celo's base-fee floor (celo-org/celo-kona `crates/kona/executor/src/builder/env.rs`
`CELO_EIP_1559_BASE_FEE_FLOOR`; celo-org/op-geth `consensus/misc/eip1559/eip1559.go` CalcBaseFee).

Before Jovian a Celo block's base fee is the OP EIP-1559 result raised to at least the chain's
floor (25 gwei on both chains). The floor is chosen by the *new* block's fork: from the first
Jovian block on it is gone, and Jovian's minBaseFee (from the parent's extraData) takes over.
"""

from __future__ import annotations

from ...chains import CeloParams, l2_at_least


def with_celo_floor(base_fee: int, fork: str, celo: CeloParams) -> int:
    if l2_at_least(fork, "jovian"):
        return base_fee
    return max(base_fee, celo.base_fee_floor)
