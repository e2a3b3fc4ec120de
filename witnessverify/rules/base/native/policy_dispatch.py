"""The PolicyRegistry's dispatcher (base/base `precompiles/src/policy/dispatch.rs`): value,
calldata gas, the fork's version, the selector on that version's surface, the strict decode,
the activation gate for writes (views never ask), then the function."""

from __future__ import annotations

from typing import Optional

from ....chains import l2_at_least
from . import abi
from .activation import FEATURE_POLICY_REGISTRY, ensure_activated
from .errors import error
from .host import CALLDATA_WORD_GAS, Host, Revert, words
from .policy import ALLOWLIST, ENUM_ARG, SURFACE, VIEWS, PolicyRegistryV1
from .policy_v2 import INTERSECT, SURFACE_V2, VIEWS_V2, PolicyRegistryV2


def version(fork) -> Optional[int]:
    """`PolicyVersions::from_base_upgrade`: none before Beryl, V1 at Beryl, V2 from Cobalt."""
    if not l2_at_least(fork, "beryl"):
        return None
    return 2 if l2_at_least(fork, "cobalt") else 1


def registry(host: Host, fork):
    """The registry logic of `fork`, as a token or the factory asks it (`PolicyVersions`)."""
    return PolicyRegistryV2(host) if version(fork) == 2 else PolicyRegistryV1(host)


def dispatch(host: Host, calldata: bytes, fork, cobalt_storage: bool = True) -> bytes:
    """The registry's answer to `calldata` at `fork` (raises Revert / OutOfGas).
    `cobalt_storage=False` is the goldens' Legacy storage feature at Cobalt."""
    if host.value:
        raise error("NonPayable()")
    host.charge(CALLDATA_WORD_GAS * words(len(calldata)))
    v = version(fork)
    if v is None:
        raise Revert(b"")
    surface, views, top = (SURFACE, VIEWS, ALLOWLIST) if v == 1 else (SURFACE_V2, VIEWS_V2, INTERSECT)
    enums = {name: (1, top) for name in (*ENUM_ARG, "createCompositePolicy")}  # PolicyType
    name, args = abi.decode_call(surface, calldata, enums)
    if name not in views:
        ensure_activated(host, FEATURE_POLICY_REGISTRY)
    registry = PolicyRegistryV1(host) if v == 1 else PolicyRegistryV2(host)
    if v == 2:
        registry.cobalt_storage = cobalt_storage
    return getattr(registry, name)(*args)
