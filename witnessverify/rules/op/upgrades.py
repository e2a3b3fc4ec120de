"""Irregular state changes of OP Stack fork activations: Canyon places the create2Deployer
(specs canyon/overview.md, preinstalls.md; op-geth `consensus/misc/create2deployer.go`, base/base
`canyon::ensure_create2_deployer`) in the block whose timestamp is the Canyon time, as op-geth's
EnsureCreate2Deployer checks."""

from __future__ import annotations

from pathlib import Path

CREATE2_DEPLOYER = bytes.fromhex("13b0d85ccb8bf860b6b79af3029fca081ae9bef2")
_CREATE2_DEPLOYER_CODE = None


def create2_deployer_code() -> bytes:
    """The code Canyon places at the create2Deployer address (data: op/data/, from the specs)."""
    global _CREATE2_DEPLOYER_CODE
    if _CREATE2_DEPLOYER_CODE is None:
        path = Path(__file__).with_name("data") / "create2deployer.hex"
        _CREATE2_DEPLOYER_CODE = bytes.fromhex(path.read_text().strip()[2:])
    return _CREATE2_DEPLOYER_CODE


def apply_upgrades(state, chain, header) -> None:
    """The fork-activation changes due in the block with `header`."""
    canyon = (chain.op_forks or {}).get("canyon")
    if canyon is not None and header.timestamp == canyon:
        state.set_code(CREATE2_DEPLOYER, create2_deployer_code())
