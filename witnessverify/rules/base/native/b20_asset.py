"""The B20 Asset and Stablecoin tokens, V1 (Beryl): their wire surfaces, the Asset's own
functions (multiplier, scaled balances, batch mint, extra metadata, announcements), and how a
call is routed and dispatched (base/base `b20_asset/dispatch.rs`, `b20_stablecoin/dispatch.rs`).

`route_with` is the logic's entry (the goldens' `op`; the factory's init calls, privileged);
b20_dispatch.py adds the envelope a real call passes and picks V1 or V2 by fork.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from . import abi, b20_storage as store
from .b20_admin import TokenAdminV1
from .b20_token import FEATURES, ROLES, SCOPES, aw, balance_slot
from .errors import error, selector, topic
from .host import Panic, Revert

WAD = 10**18
OPERATOR_ROLE = keccak(b"OPERATOR_ROLE")
MIN_DECIMALS = 6


COMMON = abi.surface("IB20Calls", """
    name() symbol() decimals() totalSupply() balanceOf(address) allowance(address,address) supplyCap()
    nonces(address) contractURI() hasRole(bytes32,address) getRoleAdmin(bytes32) pausedFeatures() isPaused(uint8)
    policyId(bytes32) DOMAIN_SEPARATOR() eip712Domain()
    DEFAULT_ADMIN_ROLE() MINT_ROLE() BURN_ROLE() BURN_BLOCKED_ROLE() PAUSE_ROLE() UNPAUSE_ROLE() METADATA_ROLE()
    TRANSFER_SENDER_POLICY() TRANSFER_RECEIVER_POLICY() TRANSFER_EXECUTOR_POLICY() MINT_RECEIVER_POLICY()
    transfer(address,uint256) transferFrom(address,address,uint256) approve(address,uint256)
    transferWithMemo(address,uint256,bytes32) transferFromWithMemo(address,address,uint256,bytes32)
    mint(address,uint256) mintWithMemo(address,uint256,bytes32) burn(uint256) burnWithMemo(uint256,bytes32)
    burnBlocked(address,uint256) pause(uint8[]) unpause(uint8[]) updateSupplyCap(uint256) updateName(string)
    updateSymbol(string) updateContractURI(string) updatePolicy(bytes32,uint64) grantRole(bytes32,address)
    revokeRole(bytes32,address) renounceRole(bytes32,address) renounceLastAdmin() setRoleAdmin(bytes32,bytes32)
    permit(address,address,uint256,uint256,uint8,bytes32,bytes32)
""")
ASSET = abi.surface("IB20AssetCalls", """
    OPERATOR_ROLE() WAD_PRECISION() multiplier() toScaledBalance(uint256) toRawBalance(uint256)
    scaledBalanceOf(address) isAnnouncementIdUsed(string) extraMetadata(string) updateMultiplier(uint256)
    batchMint(address[],uint256[]) updateExtraMetadata(string,string) announce(bytes[],string,string,string)
""")
STABLECOIN = abi.surface("IB20StablecoinCalls", "currency()")
CONSTANTS = {"DEFAULT_ADMIN_ROLE": store.DEFAULT_ADMIN_ROLE, **ROLES, **SCOPES, "OPERATOR_ROLE": OPERATOR_ROLE}
ANNOUNCE = selector("announce(bytes[],string,string,string)")


class AssetV1(TokenAdminV1):
    own_surface, common_surface = None, None  # set below, once the surfaces exist
    def decimals(self) -> bytes:
        return abi.word(self.load(store.DECIMALS) & 0xFF or MIN_DECIMALS)

    def _multiplier(self) -> int:
        return self.load(store.MULTIPLIER) or WAD

    def WAD_PRECISION(self) -> bytes:
        return abi.word(WAD)

    def multiplier(self) -> bytes:
        return abi.word(self._multiplier())

    def _scaled(self, raw: int) -> int:
        product = raw * self._multiplier()
        if product >> 256:
            raise Panic(0x11)
        return product // WAD

    def toScaledBalance(self, raw: int) -> bytes:
        return abi.word(self._scaled(raw))

    def toRawBalance(self, scaled: int) -> bytes:
        if (scaled * WAD) >> 256:
            raise Panic(0x11)
        return abi.word(scaled * WAD // self._multiplier())

    def scaledBalanceOf(self, account: bytes) -> bytes:
        return abi.word(self._scaled(self.load(balance_slot(account))))

    def isAnnouncementIdUsed(self, announcement: str) -> bytes:
        return abi.word(self.load(store.keyed_slot(store.ANNOUNCEMENT_IDS, announcement)))

    def extraMetadata(self, key: str) -> bytes:
        return abi.encode(["string"], [self.read_string(store.keyed_slot(store.EXTRA_METADATA, key))])

    def _require_operator(self) -> None:
        if not self.privileged:
            self.require_role(OPERATOR_ROLE, self.host.caller)

    def updateMultiplier(self, value: int) -> bytes:
        self._require_operator()
        if value == 0:
            raise error("InvalidMultiplier()")
        self.store(store.MULTIPLIER, value)
        self.emit([topic("MultiplierUpdated(uint256)")], abi.word(value))
        return b""

    def batchMint(self, recipients: list[bytes], amounts: list[int]) -> bytes:
        self.require_unpaused(FEATURES[1])
        if not self.privileged:
            self.require_role(ROLES["MINT_ROLE"], self.host.caller)
        if len(recipients) != len(amounts):
            raise error("LengthMismatch(uint256,uint256)", len(recipients), len(amounts))
        if not recipients:
            raise error("EmptyBatch()")
        for to, amount in zip(recipients, amounts):
            self.mint_to(to, amount, privileged=True)
        return b""

    def updateExtraMetadata(self, key: str, value: str) -> bytes:
        if not self.privileged:
            self.require_role(ROLES["METADATA_ROLE"], self.host.caller)
        if not key:
            raise error("InvalidMetadataKey()")
        slot = store.keyed_slot(store.EXTRA_METADATA, key)
        if value:
            store.store_string(self.host, slot, value, self.token)
        else:
            store.delete_string(self.host, slot, self.token)
        self.emit([topic("ExtraMetadataUpdated(string,string)")], abi.encode(["string", "string"], [key, value]))
        return b""

    def announce(self, calls: list[bytes], announcement: str, description: str, uri: str) -> bytes:
        self._require_operator()
        slot = store.keyed_slot(store.ANNOUNCEMENT_IDS, announcement)
        if self.load(slot):
            raise error("AnnouncementIdAlreadyUsed(string)", announcement)
        self.store(slot, 1)
        self.emit([topic("Announcement(address,string,string,string)"), aw(self.host.caller)],
                  abi.encode(["string", "string", "string"], [announcement, description, uri]))
        for call in calls:
            if len(call) < 4:
                raise error("InternalCallMalformed(bytes)", call)
            if call[:4] == ANNOUNCE:
                raise error("AnnouncementInProgress()")
            try:
                route_with(self, call)
            except Panic:
                raise  # a system error passes unwrapped
            except Revert:
                raise error("InternalCallFailed(bytes)", call) from None
        self.emit([topic("EndAnnouncement(string)")], abi.encode(["string"], [announcement]))
        return b""


class StablecoinV1(TokenAdminV1):
    own_surface, common_surface = None, None
    def decimals(self) -> bytes:
        return abi.word(store.STABLECOIN_DECIMALS)

    def currency(self) -> bytes:
        return abi.encode(["string"], [self.read_string(store.CURRENCY)])


AssetV1.own_surface, AssetV1.common_surface = ASSET, COMMON
StablecoinV1.own_surface, StablecoinV1.common_surface = STABLECOIN, COMMON
ENUMS = {"isPaused": 0, "pause": 0, "unpause": 0}  # PausableFeature arguments (the token's `features`)


def route_with(token: TokenAdminV1, calldata: bytes) -> bytes:
    """One call of the token's logic: the variant's own surface first, then the common one
    (`AssetAbiPair::decode`), each decoding as alloy does (abi.decode_call)."""
    surface = token.own_surface if calldata[:4] in token.own_surface else token.common_surface
    last = max(token.features)
    name, args = abi.decode_call(surface, calldata, {name: (at, last) for name, at in ENUMS.items()})
    constants = getattr(token, "constants", CONSTANTS)
    if name in constants:
        return constants[name]
    return getattr(token, name)(*args)


def token_class(token: bytes):
    """The V1 logic of the variant a B20 address names (its byte 10), or None."""
    return {0: AssetV1, 1: StablecoinV1}.get(token[10]) if token[:10] == b"\xb2" + bytes(9) else None
