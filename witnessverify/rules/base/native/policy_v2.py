"""The PolicyRegistry's V2 (Cobalt; base/base `precompiles/src/policy/logic/v2.rs`,
`abi/v2.rs`): composite policies. A UNION (type 2) authorises an account any of its 2 to 4
children authorises, an INTERSECT (type 3) one all of them do; children are simple policies
(not built-ins, not composites), kept in order, duplicates allowed, packed as uint64s into
one slot of a `children` vector (mapping(uint64 => uint64[]) at +4).

Also changed from V1: createPolicy checks the admin before the type (types 2 and 3 now
decode, and are IncompatiblePolicyType there), and the views take types up to 3 as well formed.
From Cobalt every vector write first reads the old length (the Cobalt storage feature; the
goldens run the Legacy one, `cobalt_storage=False`).
"""

from __future__ import annotations

from eth_hash.auto import keccak

from . import abi
from .errors import error, topic
from .policy import (ADDRESS, ALLOWLIST, ALWAYS_ALLOW, ALWAYS_BLOCK, BLOCKLIST, ROOT, SURFACE,
                     PolicyRegistryV1, kind_of)
from .host import StaticViolation
from .slots import mapping

UNION, INTERSECT = 2, 3
CHILDREN = ROOT + 4
MIN_CHILDREN, MAX_CHILDREN = 2, 4
U64 = (1 << 64) - 1
COMPOSITE_UPDATED = topic("CompositePolicyUpdated(uint64,address,uint64[])")

SURFACE_V2 = abi.surface("IPolicyRegistryCalls", "createCompositePolicy(address,uint8,uint64[]) "
                         "updateComposite(uint64,uint64[]) MIN_COMPOSITE_CHILD_POLICIES() "
                         "MAX_COMPOSITE_CHILD_POLICIES() compositePolicyChildIds(uint64)", SURFACE)
VIEWS_V2 = {"isAuthorized", "policyExists", "policyAdmin", "pendingPolicyAdmin", "MIN_COMPOSITE_CHILD_POLICIES",
            "MAX_COMPOSITE_CHILD_POLICIES", "compositePolicyChildIds"}


class PolicyRegistryV2(PolicyRegistryV1):
    top = INTERSECT  # policyExists, policyAdmin, pendingPolicyAdmin take types up to 3
    cobalt_storage = True

    def _validate_create(self, admin: bytes, kind: int) -> None:
        if admin == bytes(20):
            raise error("ZeroAddress()")
        if kind not in (BLOCKLIST, ALLOWLIST):
            raise error("IncompatiblePolicyType()")

    # -- children ------------------------------------------------------------------------------
    def _length_slot(self, policy_id: int) -> int:
        return mapping(CHILDREN, policy_id)

    def read_children(self, policy_id: int) -> list[int]:
        length_slot = self._length_slot(policy_id)
        n = self.host.sload(length_slot, ADDRESS)
        if n == 0:
            return []
        data = self.host.sload(int.from_bytes(keccak(length_slot.to_bytes(32, "big")), "big"), ADDRESS)
        return [data >> (64 * i) & U64 for i in range(n)]

    def _write_children(self, policy_id: int, children: list[int]) -> None:
        length_slot = self._length_slot(policy_id)
        if self.cobalt_storage:  # vec.rs `store`: ensure_writable, then the old length is read
            if self.host.is_static:
                raise StaticViolation()
            self.host.sload(length_slot, ADDRESS)
        self.host.sstore(length_slot, len(children), ADDRESS)
        packed = 0
        for i, child in enumerate(children):
            packed |= child << (64 * i)
        self.host.sstore(int.from_bytes(keccak(length_slot.to_bytes(32, "big")), "big"), packed, ADDRESS)

    def _validate_children(self, children: list[int]) -> None:
        if not MIN_CHILDREN <= len(children) <= MAX_CHILDREN:
            raise error("ChildPoliciesOutsideOfRange()")
        for child in children:  # PolicyNotFound over the whole set before InvalidChildPolicy
            self._existing(child)
        for child in children:
            if child in (ALWAYS_ALLOW, ALWAYS_BLOCK) or kind_of(child) in (UNION, INTERSECT):
                raise error("InvalidChildPolicy(uint64)", child)

    def _composite_event(self, policy_id: int, children: list[int]) -> None:
        self._emit([COMPOSITE_UPDATED, abi.word(policy_id), abi.address_word(self.host.caller)],
                   abi.encode(["uint64[]"], [children]))

    def createCompositePolicy(self, admin: bytes, kind: int, children: list[int]) -> bytes:
        if admin == bytes(20):
            raise error("ZeroAddress()")
        if kind not in (UNION, INTERSECT):
            raise error("IncompatiblePolicyType()")
        self._validate_children(children)
        policy_id = self._create(admin, kind)
        self._write_children(policy_id, children)
        self._composite_event(policy_id, children)
        return abi.word(policy_id)

    def updateComposite(self, policy_id: int, children: list[int]) -> bytes:
        word = self._existing(policy_id)
        if kind_of(policy_id) not in (UNION, INTERSECT):
            raise error("IncompatiblePolicyType()")
        self._require_admin(word)
        self._validate_children(children)
        self._write_children(policy_id, children)
        self._composite_event(policy_id, children)
        return b""

    # -- views -----------------------------------------------------------------------------
    def is_authorized(self, policy_id: int, account: bytes) -> bool:
        if policy_id == ALWAYS_ALLOW:
            return True
        if policy_id == ALWAYS_BLOCK:
            return False
        kind = kind_of(policy_id)
        if kind > INTERSECT:
            return False
        if kind == UNION:
            return any(self.is_authorized(c, account) for c in self.read_children(policy_id))
        if kind == INTERSECT:
            return all(self.is_authorized(c, account) for c in self.read_children(policy_id))
        return PolicyRegistryV1.is_authorized(self, policy_id, account)

    def MIN_COMPOSITE_CHILD_POLICIES(self) -> bytes:
        return abi.word(MIN_CHILDREN)

    def MAX_COMPOSITE_CHILD_POLICIES(self) -> bytes:
        return abi.word(MAX_CHILDREN)

    def compositePolicyChildIds(self, policy_id: int) -> bytes:
        children = self.read_children(policy_id) if kind_of(policy_id) in (UNION, INTERSECT) else []
        return abi.encode(["uint64[]"], [children])
