"""The OP forks' precompile changes on top of their EVM fork's: Fjord's P256VERIFY (RIP-7212)
at 0x100 for 3450 gas (on the Osaka EVM Osaka's own, 6900), and input caps in bytes
(specs granite/, isthmus/, jovian/, karst/ exec-engine.md): an input over its cap fails the call,
consuming its gas."""

from __future__ import annotations

from eth.exceptions import VMError

from ... import pyevm_adapter
from ..l1.p256verify import P256VERIFY_ADDRESS, make_p256verify

GAS_P256VERIFY_FJORD = 3450  # RIP-7212 as activated in Fjord (specs `fjord/exec-engine.md`)
_BN256_PAIRING, _BLS_G1_MSM, _BLS_G2_MSM, _BLS_PAIRING = 0x08, 0x0C, 0x0E, 0x0F
# address -> [(first OP fork, cap), ...]
INPUT_CAPS = {
    _BN256_PAIRING: [("granite", 112_687), ("jovian", 81_984), ("karst", 57_600)],
    _BLS_G1_MSM: [("isthmus", 513_760), ("jovian", 288_960)],
    _BLS_G2_MSM: [("isthmus", 488_448), ("jovian", 278_784)],
    _BLS_PAIRING: [("isthmus", 235_008), ("jovian", 156_672)],
}


class PrecompileInputTooLong(VMError):
    """An OP precompile input over its cap fails the call, consuming its gas."""


def _capped(precompile, cap: int, address: int):
    def capped(computation):
        if len(computation.msg.data) > cap:
            raise PrecompileInputTooLong(f"precompile {address:#x} input over {cap} bytes")
        return precompile(computation)

    return capped


def op_precompiles(l2_fork, computation: type) -> dict:
    """The precompiles of `l2_fork` (a Fork) on top of its EVM fork's computation."""
    precompiles = pyevm_adapter.precompiles_of(computation)
    if l2_fork.at_least("fjord") and not l2_fork.evm.at_least("osaka"):
        # RIP-7212 at Fjord's price; on the Osaka EVM (Karst, Base's Azul) Osaka's own (6900)
        precompiles[P256VERIFY_ADDRESS] = make_p256verify(GAS_P256VERIFY_FJORD)
    for address, steps in INPUT_CAPS.items():
        cap = None
        for fork_name, limit in steps:
            if l2_fork.at_least(fork_name):
                cap = limit
        key = address.to_bytes(20, "big")
        if cap is not None and key in precompiles:
            precompiles[key] = _capped(precompiles[key], cap, address)
    return precompiles
