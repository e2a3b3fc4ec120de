"""A B20 token's administration, V1 (Beryl; base/base `b20_asset/logic/v1.rs` :383-599):
supply cap, name, symbol, contract URI, policy scopes, and OpenZeppelin-style roles with an
admin count that keeps the last DEFAULT_ADMIN from leaving by accident. Reads of the common
surface are here too."""

from __future__ import annotations

from . import abi, b20_storage as store
from .b20_token import ADMIN, U64, TokenV1, aw, balance_slot
from .errors import error, topic

E_ROLE_GRANTED = topic("RoleGranted(bytes32,address,address)")
E_ROLE_REVOKED = topic("RoleRevoked(bytes32,address,address)")


class TokenAdminV1(TokenV1):
    # -- supply cap and metadata -----------------------------------------------------------
    def _require_admin_role(self) -> None:
        if not self.privileged:
            self.require_role(ADMIN, self.host.caller)

    def _require_metadata_role(self) -> None:
        if not self.privileged:
            from .b20_token import ROLES

            self.require_role(ROLES["METADATA_ROLE"], self.host.caller)

    def updateSupplyCap(self, cap: int) -> bytes:
        self._require_admin_role()
        supply = self.load(store.TOTAL_SUPPLY)
        if cap < supply or cap > store.MAX_SUPPLY_CAP:
            raise error("InvalidSupplyCap(uint256,uint256)", supply, cap)
        old = self.load(store.SUPPLY_CAP)
        self.store(store.SUPPLY_CAP, cap)
        self.emit([topic("SupplyCapUpdated(address,uint256,uint256)"), aw(self.host.caller)],
                  abi.encode(["uint256", "uint256"], [old, cap]))
        return b""

    def updateName(self, name: str) -> bytes:
        self._require_metadata_role()
        store.store_string(self.host, store.NAME, name, self.token)
        self.emit([topic("NameUpdated(address,string)"), aw(self.host.caller)], abi.encode(["string"], [name]))
        self.emit([topic("EIP712DomainChanged()")])
        return b""

    def updateSymbol(self, symbol: str) -> bytes:
        self._require_metadata_role()
        store.store_string(self.host, store.SYMBOL, symbol, self.token)
        self.emit([topic("SymbolUpdated(address,string)"), aw(self.host.caller)], abi.encode(["string"], [symbol]))
        return b""

    def updateContractURI(self, uri: str) -> bytes:
        self._require_metadata_role()
        store.store_string(self.host, store.CONTRACT_URI, uri, self.token)
        self.emit([topic("ContractURIUpdated()")])
        return b""

    def updatePolicy(self, scope: bytes, policy_id: int) -> bytes:
        self._require_admin_role()
        if scope not in self.lanes:
            raise error("UnsupportedPolicyType(bytes32)", scope)
        if not self.policy.policy_exists(policy_id):
            raise error("PolicyNotFound(uint64)", policy_id)
        slot, shift = self.lanes[scope]
        old = self.policy_id(scope)
        word = self.load(slot)  # the packed write reads its slot again
        self.store(slot, word & ~(U64 << shift) | policy_id << shift)
        self.emit([topic("PolicyUpdated(bytes32,uint64,uint64)"), scope], abi.encode(["uint64", "uint64"], [old, policy_id]))
        return b""

    # -- roles ---------------------------------------------------------------------------------
    def role_admin(self, role: bytes) -> bytes:
        return self.load(store.mapping(store.ROLE_ADMINS, role)).to_bytes(32, "big")

    def _admins_available(self) -> None:
        if self.load(store.ADMIN_COUNT) == 0:
            raise error("AccessControlUnauthorizedAccount(address,bytes32)", self.host.caller, ADMIN)

    def grant_unchecked(self, role: bytes, account: bytes, sender: bytes) -> None:
        slot = store.role_slot(role, account)
        if self.load(slot):
            return
        self.store(slot, 1)
        if role == ADMIN:
            self.store(store.ADMIN_COUNT, self.load(store.ADMIN_COUNT) + 1)
        self.emit([E_ROLE_GRANTED, role, aw(account), aw(sender)])

    def _revoke_unchecked(self, role: bytes, account: bytes, sender: bytes) -> None:
        slot = store.role_slot(role, account)
        if not self.load(slot):
            return
        self.store(slot, 0)
        if role == ADMIN:
            self.store(store.ADMIN_COUNT, self.load(store.ADMIN_COUNT) - 1)
        self.emit([E_ROLE_REVOKED, role, aw(account), aw(sender)])

    def _not_last_admin(self, role: bytes, account: bytes) -> None:
        if role == ADMIN and self.has_role(ADMIN, account) and self.load(store.ADMIN_COUNT) == 1:
            raise error("LastAdminCannotRenounce()")

    def grantRole(self, role: bytes, account: bytes) -> bytes:
        if role == ADMIN or not self.privileged:
            self._admins_available()
        if not self.privileged:
            self.require_role(self.role_admin(role), self.host.caller)
        self.grant_unchecked(role, account, self.host.caller)
        return b""

    def revokeRole(self, role: bytes, account: bytes) -> bytes:
        if not self.privileged:
            self._admins_available()
            self.require_role(self.role_admin(role), self.host.caller)
        self._not_last_admin(role, account)
        self._revoke_unchecked(role, account, self.host.caller)
        return b""

    def renounceRole(self, role: bytes, confirmation: bytes) -> bytes:
        if confirmation != self.host.caller:
            raise error("AccessControlBadConfirmation()")
        self._not_last_admin(role, confirmation)
        self._revoke_unchecked(role, confirmation, self.host.caller)
        return b""

    def renounceLastAdmin(self) -> bytes:
        caller = self.host.caller
        self.require_role(ADMIN, caller)
        if self.load(store.ADMIN_COUNT) != 1:
            raise error("NotSoleAdmin()")
        self._revoke_unchecked(ADMIN, caller, caller)
        self.emit([topic("LastAdminRenounced(address)"), aw(caller)])
        return b""

    def setRoleAdmin(self, role: bytes, new_admin: bytes) -> bytes:
        previous = self.role_admin(role)
        if not self.privileged:
            self._admins_available()
            self.require_role(previous, self.host.caller)
        self.store(store.mapping(store.ROLE_ADMINS, role), int.from_bytes(new_admin, "big"))
        self.emit([topic("RoleAdminChanged(bytes32,bytes32,bytes32)"), role, previous, new_admin])
        return b""

    # -- reads ---------------------------------------------------------------------------------
    def name(self) -> bytes:
        return abi.encode(["string"], [self.read_string(store.NAME)])

    def symbol(self) -> bytes:
        return abi.encode(["string"], [self.read_string(store.SYMBOL)])

    def contractURI(self) -> bytes:
        return abi.encode(["string"], [self.read_string(store.CONTRACT_URI)])

    def totalSupply(self) -> bytes:
        return abi.word(self.load(store.TOTAL_SUPPLY))

    def balanceOf(self, account: bytes) -> bytes:
        return abi.word(self.load(balance_slot(account)))

    def allowance(self, owner: bytes, spender: bytes) -> bytes:
        return abi.word(self.load(store.nested(store.ALLOWANCES, owner, spender)))

    def supplyCap(self) -> bytes:
        return abi.word(self.load(store.SUPPLY_CAP))

    def nonces(self, owner: bytes) -> bytes:
        return abi.word(self.load(store.mapping(store.NONCES, owner)))

    def hasRole(self, role: bytes, account: bytes) -> bytes:
        return abi.word(1 if self.has_role(role, account) else 0)

    def getRoleAdmin(self, role: bytes) -> bytes:
        return self.role_admin(role)

    def pausedFeatures(self) -> bytes:
        paused = self.load(store.PAUSED)
        return abi.encode(["uint8[]"], [[f for f in self.features if paused >> f & 1]])

    def isPaused(self, feature: int) -> bytes:
        return abi.word(self.load(store.PAUSED) >> feature & 1)

    def policyId(self, scope: bytes) -> bytes:
        return abi.word(self.policy_id(scope))

    def DOMAIN_SEPARATOR(self) -> bytes:
        return self.domain_separator()

    def eip712Domain(self) -> bytes:
        return abi.encode(["bytes32", "string", "string", "uint256", "address", "bytes32", "uint256[]"],
                          [b"\x0f" + bytes(31), self.read_string(store.NAME), "1", self.host.chain_id, self.token,
                           bytes(32), []])
