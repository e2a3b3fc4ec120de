"""The B20 tokens' V2 (Cobalt; base/base `b20_asset/logic/v2.rs`, `b20_stablecoin/logic/v2.rs`,
`common/abi/v2.rs`, `b20_asset/abi/v2.rs`): V1 plus

- seizing (`seizeWithMemo`, SEIZE_ROLE, the SEIZE_HOLDER and SEIZE_RECEIVER policy scopes in
  the lanes of base.b20 +14, a SEIZE pause bit), for both variants;
- one read of the transfer policy ids per transfer (V1 reads them per check);
- on the Asset, ERC-8056 scaled UI amounts: a scheduled multiplier (pending value and time in
  base.b20.asset +4) that takes effect lazily at its time, `setUIMultiplier`,
  `cancelScheduledMultiplier`, the UI views and `supportsInterface`; `updateMultiplier` bounded
  by 2^128-1 and emitting UIMultiplierUpdated.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from . import abi, b20_storage as store
from .b20_asset import ASSET, COMMON, CONSTANTS, STABLECOIN, WAD, AssetV1, StablecoinV1
from .b20_token import LANES, SCOPES, U64, aw
from .errors import error, topic
from .host import Panic

SEIZE = 3
SEIZE_ROLE = keccak(b"SEIZE_ROLE")
SEIZE_HOLDER, SEIZE_RECEIVER = keccak(b"SEIZE_HOLDER_POLICY"), keccak(b"SEIZE_RECEIVER_POLICY")
SEIZE_LANES = store.B20_ROOT + 14
U128 = (1 << 128) - 1
PENDING = store.ASSET_ROOT + 4
INTERFACES = {bytes.fromhex(x) for x in ("01ffc9a7", "a60bf13d", "4bd27648", "d890fd71")}

COMMON_V2 = abi.surface("IB20Calls", "seizeWithMemo(address,address,uint256,bytes32) SEIZE_ROLE() "
                        "SEIZE_HOLDER_POLICY() SEIZE_RECEIVER_POLICY()", COMMON)
ASSET_V2 = abi.surface("IB20AssetCalls", "uiMultiplier() newUIMultiplier() effectiveAt() balanceOfUI(address) "
                       "totalSupplyUI() setUIMultiplier(uint256,uint256) cancelScheduledMultiplier() "
                       "supportsInterface(bytes4)", ASSET)
V2_CONSTANTS = {"SEIZE_ROLE": SEIZE_ROLE, "SEIZE_HOLDER_POLICY": SEIZE_HOLDER, "SEIZE_RECEIVER_POLICY": SEIZE_RECEIVER}


class TokenV2:
    """The common V2 changes, over a V1 variant class."""

    lanes = {**LANES, SEIZE_HOLDER: (SEIZE_LANES, 0), SEIZE_RECEIVER: (SEIZE_LANES, 64)}
    features = (0, 1, 2, SEIZE)
    common_surface = COMMON_V2
    constants = {**CONSTANTS, **V2_CONSTANTS}

    def _policy_ok(self, scope: bytes, pid: int, account: bytes) -> None:
        if not self.policy.is_authorized(pid, account):
            raise error("PolicyForbids(bytes32,uint64)", scope, pid)

    def _transfer_policies(self, sender: bytes, to: bytes, executor=None) -> None:
        """V2: one SLOAD of the three transfer lanes; executor, sender, receiver, in that order."""
        word = self.load(store.B20_ROOT + 9)
        names = (("TRANSFER_EXECUTOR_POLICY", executor, 128), ("TRANSFER_SENDER_POLICY", sender, 0),
                 ("TRANSFER_RECEIVER_POLICY", to, 64))
        for name, account, shift in names:
            if account is not None:
                self._policy_ok(SCOPES[name], word >> shift & U64, account)

    def seizeWithMemo(self, sender: bytes, to: bytes, amount: int, memo: bytes) -> bytes:
        self.require_unpaused(SEIZE)
        self.require_role(SEIZE_ROLE, self.host.caller)  # no privileged form
        if to == bytes(20):
            raise error("InvalidReceiver(address)", to)
        if self.policy.is_authorized(self.policy_id(SEIZE_HOLDER), sender):
            raise error("AccountNotSeizable(address)", sender)
        self._policy_ok(SEIZE_RECEIVER, self.policy_id(SEIZE_RECEIVER), to)
        self._move(sender, to, amount)
        self._memo(memo)
        self.emit([topic("Seized(address,address,address,uint256)"), aw(self.host.caller), aw(sender), aw(to)],
                  abi.word(amount))
        return b""


class StablecoinV2(TokenV2, StablecoinV1):
    own_surface = STABLECOIN


class AssetV2(TokenV2, AssetV1):
    own_surface = ASSET_V2

    # -- the scheduled multiplier (each accessor one SLOAD of base.b20.asset +4, as in v2.rs) ---
    def _pending_multiplier(self) -> int:
        return self.load(PENDING) & U128

    def _pending_at(self) -> int:
        return self.load(PENDING) >> 128 & U64

    def _stored_multiplier(self) -> int:
        return self.load(store.MULTIPLIER) or WAD

    def _set_pending(self, value: int, at: int) -> None:
        """One read-modify-write: the reserved upper 64 bits kept."""
        self.store(PENDING, self.load(PENDING) >> 192 << 192 | at << 128 | value)

    def _clear_pending(self) -> None:
        self.store(PENDING, self.load(PENDING) >> 192 << 192)

    def _multiplier(self) -> int:
        """The effective multiplier: a matured pending one from its time on (lazily)."""
        at = self._pending_at()
        if at and self.host.timestamp >= at:
            return self._pending_multiplier()
        return self._stored_multiplier()

    def uiMultiplier(self) -> bytes:
        return abi.word(self._multiplier())

    def newUIMultiplier(self) -> bytes:
        if self._pending_at() > self.host.timestamp:
            return abi.word(self._pending_multiplier())
        return abi.word(self._multiplier())

    def effectiveAt(self) -> bytes:
        return abi.word(self._pending_at())

    def balanceOfUI(self, account: bytes) -> bytes:
        return self.scaledBalanceOf(account)

    def totalSupplyUI(self) -> bytes:
        multiplier = self._multiplier()
        product = self.load(store.TOTAL_SUPPLY) * multiplier
        if product >> 256:
            raise Panic(0x11)
        return abi.word(product // WAD)

    def supportsInterface(self, interface: bytes) -> bytes:
        return abi.word(1 if interface[:4] in INTERFACES else 0)

    def _ui_updated(self, old: int, new: int, at: int) -> None:
        self.emit([topic("UIMultiplierUpdated(uint256,uint256,uint256)")],
                  abi.encode(["uint256", "uint256", "uint256"], [old, new, at]))

    def _cancelled(self, value: int, at: int) -> None:
        self.emit([topic("MultiplierUpdateCancelled(uint256,uint256)")], abi.encode(["uint256", "uint256"], [value, at]))

    def setUIMultiplier(self, value: int, at: int) -> bytes:
        now = self.host.timestamp
        self._require_operator()
        if value == 0 or value > U128:
            raise error("InvalidMultiplier()")
        if at <= now:
            raise error("EffectiveAtInPast(uint256)", at)
        if at > U64:
            raise error("EffectiveAtTooFar(uint256)", at)
        pending_at = self._pending_at()
        if pending_at > now:
            raise error("ScheduleOverlap(uint256)", pending_at)
        if pending_at:  # a matured schedule is folded into the stored multiplier first
            self.store(store.MULTIPLIER, self._pending_multiplier())
        old = self._stored_multiplier()
        self._set_pending(value, at)
        self._ui_updated(old, value, at)
        return b""

    def cancelScheduledMultiplier(self) -> bytes:
        now = self.host.timestamp
        self._require_operator()
        value, at = self._pending_multiplier(), self._pending_at()
        if at <= now:  # none, or one that matured exactly now
            raise error("NoScheduledMultiplier()")
        self._clear_pending()
        self._cancelled(value, at)
        return b""

    def updateMultiplier(self, value: int) -> bytes:
        now = self.host.timestamp
        self._require_operator()
        if value == 0 or value > U128:
            raise error("InvalidMultiplier()")
        pending_value, pending_at = self._pending_multiplier(), self._pending_at()
        old = self._multiplier()
        self.store(store.MULTIPLIER, value)
        if pending_at:
            self._clear_pending()
        if pending_at > now:
            self._cancelled(pending_value, pending_at)
        self._ui_updated(old, value, now)
        return b""
