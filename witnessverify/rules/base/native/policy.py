"""The PolicyRegistry (0x8453000000000000000000000000000000000002, Beryl on): allowlist and
blocklist policies that B20 tokens consult (base/base `precompiles/src/policy/`, logic
`v1.rs`, dispatch `dispatch.rs`, wire surface `abi/v1.rs`).

A policy id is (type << 56) | counter; 0 is ALWAYS_ALLOW (a blocklist), (1 << 56) | 1 is
ALWAYS_BLOCK (an allowlist); the first custom policy has counter 2. Storage (ERC-7201
"base.policy_registry"): policies: mapping(uint64 => word: bit 255 exists, low 160 bits the
admin) at +0, members: mapping(uint64 => mapping(address => bool)) at +1, pending admins at +2,
the next counter at +3. The built-ins and the counter are written by the first create
(`bootstrap`), together with the registry's 0xEF code.

V1 (Beryl) here; V2 (Cobalt) in policy_v2.py; the dispatcher of both in policy_dispatch.py.
"""

from __future__ import annotations

from . import abi
from .errors import error, topic
from .host import NATIVE_CODE, Host, Panic
from .slots import erc7201, mapping, nested

ADDRESS = bytes.fromhex("8453000000000000000000000000000000000002")
ROOT = erc7201("base.policy_registry")
POLICIES, MEMBERS, PENDING, NEXT_COUNTER = ROOT, ROOT + 1, ROOT + 2, ROOT + 3

BLOCKLIST, ALLOWLIST = 0, 1
ALWAYS_ALLOW = 0
ALWAYS_BLOCK = (1 << 56) | 1
BUILTIN_POLICY_COUNT = 2
COUNTER_MASK = (1 << 56) - 1
MAX_ACCOUNTS_PER_BATCH = 64
EXISTS = 1 << 255
ADMIN_MASK = (1 << 160) - 1

# the V1 wire surface
SURFACE = abi.surface("IPolicyRegistryCalls", """
    createPolicy(address,uint8) createPolicyWithAccounts(address,uint8,address[]) stageUpdateAdmin(uint64,address)
    finalizeUpdateAdmin(uint64) renounceAdmin(uint64) updateAllowlist(uint64,bool,address[])
    updateBlocklist(uint64,bool,address[]) isAuthorized(uint64,address) policyExists(uint64) policyAdmin(uint64)
    pendingPolicyAdmin(uint64)
""")
VIEWS = {"isAuthorized", "policyExists", "policyAdmin", "pendingPolicyAdmin"}
ENUM_ARG = {"createPolicy": 1, "createPolicyWithAccounts": 1}  # the PolicyType argument's index

POLICY_CREATED = topic("PolicyCreated(uint64,address,uint8)")
ADMIN_STAGED = topic("PolicyAdminStaged(uint64,address,address)")
ADMIN_UPDATED = topic("PolicyAdminUpdated(uint64,address,address)")
ALLOWLIST_UPDATED = topic("AllowlistUpdated(uint64,address,bool,address[])")
BLOCKLIST_UPDATED = topic("BlocklistUpdated(uint64,address,bool,address[])")


def kind_of(policy_id: int) -> int:
    return policy_id >> 56


def _w(value) -> bytes:
    return abi.address_word(value) if isinstance(value, bytes) else abi.word(value)


class PolicyRegistryV1:
    top = ALLOWLIST  # the highest type byte a well-formed id has (V2: INTERSECT)

    def __init__(self, host: Host) -> None:
        self.host = host

    # -- storage (the registry's own, also when a token asks) ------------------------------
    def _emit(self, topics: list[bytes], data: bytes = b"") -> None:
        self.host.emit(topics, data, ADDRESS)

    def _policy(self, policy_id: int) -> int:
        return self.host.sload(mapping(POLICIES, policy_id), ADDRESS)

    def _existing(self, policy_id: int) -> int:
        word = self._policy(policy_id)
        if not word & EXISTS:
            raise error("PolicyNotFound()")
        return word

    def _require_admin(self, word: int) -> None:
        if (word & ADMIN_MASK).to_bytes(20, "big") != self.host.caller:
            raise error("Unauthorized()")

    def _counter(self) -> int:
        """`ensure_initialized_and_get_counter`: the first create writes the built-ins."""
        counter = self.host.sload(NEXT_COUNTER, ADDRESS)
        if counter >= BUILTIN_POLICY_COUNT:
            return counter
        self.host.set_code(NATIVE_CODE, ADDRESS)
        self.host.sstore(mapping(POLICIES, ALWAYS_ALLOW), EXISTS, ADDRESS)
        self.host.sstore(mapping(POLICIES, ALWAYS_BLOCK), EXISTS, ADDRESS)
        self.host.sstore(NEXT_COUNTER, BUILTIN_POLICY_COUNT, ADDRESS)
        return BUILTIN_POLICY_COUNT

    # -- writes ----------------------------------------------------------------------------
    def _validate_create(self, admin: bytes, kind: int) -> None:
        if kind not in (BLOCKLIST, ALLOWLIST):
            raise Panic(0x21)  # enum conversion
        if admin == bytes(20):
            raise error("ZeroAddress()")

    def _create(self, admin: bytes, kind: int) -> int:
        counter = self._counter()
        if counter >= COUNTER_MASK:
            raise Panic(0x11)  # overflow
        self.host.sstore(NEXT_COUNTER, counter + 1, ADDRESS)
        policy_id = (kind << 56) | counter
        self.host.sstore(mapping(POLICIES, policy_id), EXISTS | int.from_bytes(admin, "big"), ADDRESS)
        self._emit([POLICY_CREATED, _w(policy_id), _w(self.host.caller)], abi.word(kind))
        self._emit([ADMIN_UPDATED, _w(policy_id), _w(0), _w(admin)])
        return policy_id

    def createPolicy(self, admin: bytes, kind: int) -> bytes:
        self._validate_create(admin, kind)
        return abi.word(self._create(admin, kind))

    def createPolicyWithAccounts(self, admin: bytes, kind: int, accounts: list[bytes]) -> bytes:
        self._validate_create(admin, kind)
        if len(accounts) > MAX_ACCOUNTS_PER_BATCH:
            raise error("BatchSizeTooLarge(uint256)", MAX_ACCOUNTS_PER_BATCH)
        policy_id = self._create(admin, kind)
        for account in accounts:
            self.host.sstore(nested(MEMBERS, policy_id, account), 1, ADDRESS)
        self._membership_event(policy_id, kind, True, accounts)
        return abi.word(policy_id)

    def _membership_event(self, policy_id: int, kind: int, flag: bool, accounts: list[bytes]) -> None:
        event = ALLOWLIST_UPDATED if kind == ALLOWLIST else BLOCKLIST_UPDATED
        self._emit([event, _w(policy_id), _w(self.host.caller)], abi.encode(["bool", "address[]"], [flag, accounts]))

    def _update(self, policy_id: int, expected: int, flag: bool, accounts: list[bytes]) -> bytes:
        word = self._existing(policy_id)
        if kind_of(policy_id) != expected:
            raise error("IncompatiblePolicyType()")
        self._require_admin(word)
        if len(accounts) > MAX_ACCOUNTS_PER_BATCH:
            raise error("BatchSizeTooLarge(uint256)", MAX_ACCOUNTS_PER_BATCH)
        for account in accounts:
            self.host.sstore(nested(MEMBERS, policy_id, account), 1 if flag else 0, ADDRESS)
        self._membership_event(policy_id, expected, flag, accounts)
        return b""

    def updateAllowlist(self, policy_id: int, allowed: bool, accounts: list[bytes]) -> bytes:
        return self._update(policy_id, ALLOWLIST, allowed, accounts)

    def updateBlocklist(self, policy_id: int, blocked: bool, accounts: list[bytes]) -> bytes:
        return self._update(policy_id, BLOCKLIST, blocked, accounts)

    def stageUpdateAdmin(self, policy_id: int, new_admin: bytes) -> bytes:
        self._require_admin(self._existing(policy_id))
        self.host.sstore(mapping(PENDING, policy_id), int.from_bytes(new_admin, "big"), ADDRESS)
        self._emit([ADMIN_STAGED, _w(policy_id), _w(self.host.caller), _w(new_admin)])
        return b""

    def finalizeUpdateAdmin(self, policy_id: int) -> bytes:
        word = self._existing(policy_id)
        pending = self.host.sload(mapping(PENDING, policy_id), ADDRESS) & ADMIN_MASK
        if pending == 0:
            raise error("NoPendingAdmin()")
        if pending.to_bytes(20, "big") != self.host.caller:
            raise error("Unauthorized()")
        self.host.sstore(mapping(POLICIES, policy_id), EXISTS | pending, ADDRESS)
        self.host.sstore(mapping(PENDING, policy_id), 0, ADDRESS)
        self._emit([ADMIN_UPDATED, _w(policy_id), _w(word & ADMIN_MASK), _w(self.host.caller)])
        return b""

    def renounceAdmin(self, policy_id: int) -> bytes:
        self._require_admin(self._existing(policy_id))
        self.host.sstore(mapping(POLICIES, policy_id), EXISTS, ADDRESS)
        self.host.sstore(mapping(PENDING, policy_id), 0, ADDRESS)
        self._emit([ADMIN_UPDATED, _w(policy_id), _w(self.host.caller), _w(0)])
        return b""

    # -- views -----------------------------------------------------------------------------
    def is_authorized(self, policy_id: int, account: bytes) -> bool:
        """What tokens ask (they call the logic, not the precompile). The policy word is never
        read: an uncreated blocklist id authorises everyone, an uncreated allowlist no one."""
        if kind_of(policy_id) > ALLOWLIST:
            return False
        if policy_id == ALWAYS_ALLOW:
            return True
        if policy_id == ALWAYS_BLOCK:
            return False
        member = self.host.sload(nested(MEMBERS, policy_id, account), ADDRESS) != 0
        return member if kind_of(policy_id) == ALLOWLIST else not member

    def policy_exists(self, policy_id: int) -> bool:
        return self.policyExists(policy_id) == abi.word(1)

    def isAuthorized(self, policy_id: int, account: bytes) -> bytes:
        return abi.encode(["bool"], [self.is_authorized(policy_id, account)])

    def policyExists(self, policy_id: int) -> bytes:
        if kind_of(policy_id) > self.top:
            return abi.word(0)
        if policy_id in (ALWAYS_ALLOW, ALWAYS_BLOCK):
            return abi.word(1)
        return abi.word(1 if self._policy(policy_id) & EXISTS else 0)

    def policyAdmin(self, policy_id: int) -> bytes:
        if kind_of(policy_id) > self.top:
            return abi.word(0)
        word = self._policy(policy_id)
        return abi.word(word & ADMIN_MASK if word & EXISTS else 0)

    def pendingPolicyAdmin(self, policy_id: int) -> bytes:
        if kind_of(policy_id) > self.top or policy_id in (ALWAYS_ALLOW, ALWAYS_BLOCK):
            return abi.word(0)
        return abi.word(self.host.sload(mapping(PENDING, policy_id), ADDRESS) & ADMIN_MASK)
