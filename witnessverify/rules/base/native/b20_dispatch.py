"""A call into a B20 token (base/base `b20_asset/dispatch.rs`, `b20_stablecoin/dispatch.rs`):
no value, calldata gas, the fork's logic version (V1 at Beryl, V2 from Cobalt), the token
initialised (its 0xEF code), then the logic. The tokens do not consult the ActivationRegistry.
"""

from __future__ import annotations

from ....chains import l2_at_least
from .b20_asset import AssetV1, StablecoinV1, route_with
from .b20_v2 import AssetV2, StablecoinV2
from .errors import error
from .host import CALLDATA_WORD_GAS, EMPTY_CODE_HASH, Host, Revert, words

LOGIC = {(1, 0): AssetV1, (1, 1): StablecoinV1, (2, 0): AssetV2, (2, 1): StablecoinV2}


def version(fork):
    """`AssetVersions::from_base_upgrade`: none before Beryl, V1 at Beryl, V2 from Cobalt."""
    if not l2_at_least(fork, "beryl"):
        return None
    return 2 if l2_at_least(fork, "cobalt") else 1


def logic_class(token: bytes, fork):
    """The logic a B20 address (its variant byte) runs at `fork`, or None."""
    v = version(fork)
    if v is None or token[:10] != b"\xb2" + bytes(9):
        return None
    return LOGIC.get((v, token[10]))


def route(host: Host, token: bytes, policy, calldata: bytes, privileged: bool = False, cls=None) -> bytes:
    """The token logic's answer (raises Revert / OutOfGas)."""
    return route_with(cls(host, policy, token, privileged), calldata)


def dispatch(host: Host, token: bytes, policy, calldata: bytes, fork, variant: int | None = None) -> bytes:
    """A call into the token at `token` at `fork` (raises Revert / OutOfGas); `variant`
    overrides the address's (the goldens use a plain address)."""
    if host.value:
        raise error("NonPayable()")
    host.charge(CALLDATA_WORD_GAS * words(len(calldata)))
    v = version(fork)
    if v is None:
        raise Revert(b"")
    if host.account_code_hash(token) == EMPTY_CODE_HASH:
        raise Revert(b"")  # not created: no token here
    cls = LOGIC[(v, token[10] if variant is None else variant)]
    return route(host, token, policy, calldata, cls=cls)
