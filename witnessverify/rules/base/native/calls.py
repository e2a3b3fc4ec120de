"""Which native precompile answers a call, and the prologue every one shares (base/base
`precompiles/src/provider.rs` `install_with_observer`, `lookup.rs` `BerylLookup`, `macros.rs`
`base_precompile!`, read at 84ef08be).

Installed at a fixed address (alloy-evm `extend_precompiles`, so warm from a transaction's
start like any precompile, EIP-2929): from Beryl the B20 factory, the PolicyRegistry and the
ActivationRegistry; from Cobalt the NonceManager and the TransactionContext. Found by address
instead (a `PrecompileLookup`, never warm at the start): a B20 token, 0xb2 ‖ 00×9 ‖ variant
(00 Asset, 01 Stablecoin) ‖ 9 bytes, whether or not it was created.

Every one first refuses a call that is not direct (DELEGATECALL, CALLCODE: the frame's target
is not the precompile) with `DelegateCallNotAllowed()`, charging nothing; then its dispatcher
runs with the call's calldata on a Host (host.py) that the engine backs with its state.
"""

from __future__ import annotations

from typing import Optional

from ....chains import l2_at_least
from ....errors import Unsupported
from .. import precompiles as addresses
from . import activation, b20_dispatch, eip8130, factory, policy_dispatch
from .errors import selector
from .host import Host, Revert

DELEGATE_CALL_NOT_ALLOWED = selector("DelegateCallNotAllowed()")


def fixed_addresses(fork) -> tuple[bytes, ...]:
    """The native precompiles installed at a fixed address at `fork` (warm at a transaction's
    start)."""
    return tuple(address for address, since in addresses.FIXED.items() if l2_at_least(fork, since))


def is_token(address: bytes, fork) -> bool:
    """Whether the lookup routes `address` to a B20 token's logic at `fork`."""
    return l2_at_least(fork, "beryl") and addresses.b20_variant(bytes(address)) is not None


def answer(host: Host, calldata: bytes, fork, direct: bool, admin: Optional[bytes]) -> bytes:
    """The returned data of a call into the native precompile at `host.address` (raises
    host.Revert, host.OutOfGas, or Unsupported for what this tool does not implement).
    `direct`: the frame runs at the precompile's own address; `admin`: the chain's configured
    ActivationRegistry admin."""
    if not direct:
        raise Revert(DELEGATE_CALL_NOT_ALLOWED)
    host.cobalt_storage = l2_at_least(fork, "cobalt")  # `UpgradeGatedStorageFeatures::from_upgrade`
    address = host.address
    if address == addresses.B20_FACTORY:
        return factory.dispatch(host, calldata, fork)
    if address == addresses.POLICY_REGISTRY:
        return policy_dispatch.dispatch(host, calldata, fork)
    if address == addresses.ACTIVATION_REGISTRY:
        return activation.dispatch(host, calldata, admin, cobalt=l2_at_least(fork, "cobalt"))
    if address == addresses.NONCE_MANAGER:
        return eip8130.nonce_manager(host, calldata)
    if address == addresses.TX_CONTEXT:
        return eip8130.transaction_context(host, calldata)
    if is_token(address, fork):
        return b20_dispatch.dispatch(host, address, policy_dispatch.registry(host, fork), calldata, fork)
    raise Unsupported(f"a call to 0x{address.hex()}: no native precompile of base-reth-node is there")
