"""The ActivationRegistry (0x8453000000000000000000000000000000000001, Beryl on): feature
flags that gate the B20 factory and the PolicyRegistry's writes (base/base
`precompiles/src/activation/`).

Storage (ERC-7201 "base.activation_registry"): features: mapping(bytes32 => bool) at +0,
admin at +1. At Beryl the admin is the chain's configured address (static; ChainConfig
`activation_admin`); from Cobalt it is the stored one, a stored 0 falling back to the
configured address, and `setAdmin` exists. At Beryl the registry takes value and keeps it;
from Cobalt it reverts NonPayable() (PR #4808).
"""

from __future__ import annotations

from typing import Optional

from eth_hash.auto import keccak

from . import abi
from .errors import error, selector, topic
from .host import CALLDATA_WORD_GAS, NATIVE_CODE, Host, words
from .slots import erc7201, mapping

ADDRESS = bytes.fromhex("8453000000000000000000000000000000000001")
ROOT = erc7201("base.activation_registry")
FEATURES, ADMIN = ROOT, ROOT + 1

FEATURE_POLICY_REGISTRY = keccak(b"base.policy_registry")
FEATURE_B20_ASSET = keccak(b"base.b20_asset")
FEATURE_B20_STABLECOIN = keccak(b"base.b20_stablecoin")

IS_ACTIVATED = selector("isActivated(bytes32)")
CHECK_ACTIVATED = selector("checkActivated(bytes32)")
ADMIN_OF = selector("admin()")
SET_ADMIN = selector("setAdmin(address)")
ACTIVATE = selector("activate(bytes32)")
DEACTIVATE = selector("deactivate(bytes32)")
BERYL_SURFACE = {IS_ACTIVATED: ("isActivated", ["bytes32"]), CHECK_ACTIVATED: ("checkActivated", ["bytes32"]),
                 ADMIN_OF: ("admin", []), ACTIVATE: ("activate", ["bytes32"]),
                 DEACTIVATE: ("deactivate", ["bytes32"])}
SURFACES = {False: abi.interface("IActivationRegistryCalls", BERYL_SURFACE),  # setAdmin from Cobalt
            True: abi.interface("IActivationRegistryCalls", {**BERYL_SURFACE, SET_ADMIN: ("setAdmin", ["address"])})}


def feature_slot(feature: bytes) -> int:
    return mapping(FEATURES, feature)


def is_activated(host: Host, feature: bytes) -> bool:
    """One SLOAD of the registry's flag (how the factory and the PolicyRegistry read it)."""
    return host.sload(feature_slot(feature), ADDRESS) != 0


def ensure_activated(host: Host, feature: bytes) -> None:
    if not is_activated(host, feature):
        raise error("FeatureNotActivated(bytes32)", feature)


class Registry:
    """One call's view of the registry's admin rule: `configured` is the chain's admin (None
    where the chain has none), `state_backed` from Cobalt."""

    def __init__(self, host: Host, configured: Optional[bytes], state_backed: bool) -> None:
        self.host, self.configured, self.state_backed = host, configured, state_backed

    def admin(self) -> bytes:
        if self.state_backed:
            stored = self.host.sload(ADMIN) & ((1 << 160) - 1)
            if stored:
                return stored.to_bytes(20, "big")
        return self.configured or bytes(20)

    def _require_admin(self) -> None:
        caller = self.host.caller
        if caller == bytes(20):
            raise error("Unauthorized(address)", caller)
        admin = self.admin()  # one SLOAD in state mode
        if admin == bytes(20) or caller != admin:
            raise error("Unauthorized(address)", caller)

    def _writable(self) -> None:
        if self.host.is_static:
            raise error("StaticCallNotAllowed()")

    def activate(self, feature: bytes) -> None:
        self._writable()
        self._require_admin()
        if self.host.sload(feature_slot(feature)):
            raise error("AlreadyActivated(bytes32)", feature)
        self.host.set_code(NATIVE_CODE)
        self.host.sstore(feature_slot(feature), 1)
        self.host.emit([topic("FeatureActivated(bytes32,address)"), feature, abi.address_word(self.host.caller)])

    def deactivate(self, feature: bytes) -> None:
        self._writable()
        self._require_admin()
        if not self.host.sload(feature_slot(feature)):
            raise error("FeatureNotActivated(bytes32)", feature)
        self.host.sstore(feature_slot(feature), 0)
        self.host.emit([topic("FeatureDeactivated(bytes32,address)"), feature, abi.address_word(self.host.caller)])

    def set_admin(self, new: bytes) -> None:
        self._writable()
        if not self.state_backed:
            raise error("AdminStorageNotEnabled()")
        if new == bytes(20):
            raise error("ZeroAdminAddress()")
        self._require_admin()
        self.host.set_code(NATIVE_CODE)
        self.host.sstore(ADMIN, int.from_bytes(new, "big"))
        caller = abi.address_word(self.host.caller)
        self.host.emit([topic("AdminChanged(address,address,address)"), caller, abi.address_word(new), caller])


def dispatch(host: Host, calldata: bytes, configured: Optional[bytes], cobalt: bool) -> bytes:
    """The registry's answer to `calldata` (raises Revert / OutOfGas). From Cobalt it takes no
    value, checked before anything is charged (base/base PR #4808, merged 2026-08-31)."""
    if cobalt and host.value:
        raise error("NonPayable()")
    host.charge(CALLDATA_WORD_GAS * words(len(calldata)))
    _, args = abi.decode_call(SURFACES[cobalt], calldata)
    sel = calldata[:4]
    registry = Registry(host, configured, cobalt)
    if sel == IS_ACTIVATED:
        return abi.encode(["bool"], [is_activated(host, args[0])])
    if sel == CHECK_ACTIVATED:
        ensure_activated(host, args[0])
        return b""
    if sel == ADMIN_OF:
        return abi.address_word(registry.admin())
    {ACTIVATE: registry.activate, DEACTIVATE: registry.deactivate, SET_ADMIN: registry.set_admin}[sel](args[0])
    return b""

