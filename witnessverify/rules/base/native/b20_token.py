"""The B20 token's common V1 surface (Beryl), shared by the Asset and Stablecoin variants
(base/base `precompiles/src/b20_asset/logic/v1.rs`; the stablecoin's logic is line for line the
same for these): ERC-20 reads and transfers, memos, mint and burn, pause, supply cap and
metadata, policy scopes, roles, EIP-2612 permit. Storage is in b20_storage.py.

`privileged` is the factory's init-call path: it skips role and transfer-policy checks, never
pause, zero-address, balance, cap, the mint-receiver policy or last-admin protection. Policies
are asked of a `policy` object (`is_authorized(id, account)`, `policy_exists(id)`): the
PolicyRegistry's logic in the engine, the goldens' FakePolicyAccounting in their tests.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from . import abi, b20_storage as store
from .errors import error, topic
from .host import Host, Panic

MAX = (1 << 256) - 1
U64 = (1 << 64) - 1

ROLES = {name: keccak(name.encode()) for name in ("MINT_ROLE", "BURN_ROLE", "BURN_BLOCKED_ROLE", "PAUSE_ROLE",
                                                   "UNPAUSE_ROLE", "METADATA_ROLE")}
ADMIN = store.DEFAULT_ADMIN_ROLE
SCOPES = {name: keccak(name.encode()) for name in ("TRANSFER_SENDER_POLICY", "TRANSFER_RECEIVER_POLICY",
                                                    "TRANSFER_EXECUTOR_POLICY", "MINT_RECEIVER_POLICY")}
# scope -> (slot, bit offset) of its uint64 lane
LANES = {SCOPES["TRANSFER_SENDER_POLICY"]: (store.B20_ROOT + 9, 0),
         SCOPES["TRANSFER_RECEIVER_POLICY"]: (store.B20_ROOT + 9, 64),
         SCOPES["TRANSFER_EXECUTOR_POLICY"]: (store.B20_ROOT + 9, 128),
         SCOPES["MINT_RECEIVER_POLICY"]: (store.B20_ROOT + 10, 0)}
FEATURES = (0, 1, 2)  # TRANSFER, MINT, BURN
TRANSFER, MINT, BURN = FEATURES
DOMAIN_TYPEHASH = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
PERMIT_TYPEHASH = keccak(b"Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

E_TRANSFER = topic("Transfer(address,address,uint256)")
E_APPROVAL = topic("Approval(address,address,uint256)")
E_MEMO = topic("Memo(address,bytes32)")


def aw(a: bytes) -> bytes:
    return abi.address_word(a)


def balance_slot(account: bytes) -> int:
    return store.mapping(store.BALANCES, account)


class TokenV1:
    lanes = LANES
    features = FEATURES

    def __init__(self, host: Host, policy, token: bytes, privileged: bool = False) -> None:
        self.host, self.policy, self.token, self.privileged = host, policy, token, privileged

    # -- storage -----------------------------------------------------------------------------
    def load(self, slot: int) -> int:
        return self.host.sload(slot, self.token)

    def store(self, slot: int, value: int) -> None:
        self.host.sstore(slot, value, self.token)

    def emit(self, topics: list[bytes], data: bytes = b"") -> None:
        self.host.emit(topics, data, self.token)

    def read_string(self, slot: int) -> str:
        return store.load_string(self.host, slot, self.token)

    # -- guards --------------------------------------------------------------------------------
    def has_role(self, role: bytes, account: bytes) -> bool:
        return self.load(store.role_slot(role, account)) != 0

    def require_role(self, role: bytes, account: bytes) -> None:
        if not self.has_role(role, account):
            raise error("AccessControlUnauthorizedAccount(address,bytes32)", account, role)

    def require_unpaused(self, feature: int) -> None:
        if self.load(store.PAUSED) >> feature & 1:
            raise error("ContractPaused(uint8)", feature)

    def policy_id(self, scope: bytes) -> int:
        if scope not in self.lanes:
            raise error("UnsupportedPolicyType(bytes32)", scope)
        slot, shift = self.lanes[scope]
        return self.load(slot) >> shift & U64

    def require_policy(self, name: str, account: bytes) -> None:
        scope = SCOPES[name]
        pid = self.policy_id(scope)
        if not self.policy.is_authorized(pid, account):
            raise error("PolicyForbids(bytes32,uint64)", scope, pid)

    # -- balances ------------------------------------------------------------------------------
    def _move(self, sender: bytes, to: bytes, amount: int) -> None:
        bal = self.load(balance_slot(sender))
        if bal < amount:
            raise error("InsufficientBalance(address,uint256,uint256)", sender, bal, amount)
        self.store(balance_slot(sender), bal - amount)
        received = self.load(balance_slot(to)) + amount
        if received > MAX:
            raise Panic(0x11)
        self.store(balance_slot(to), received)
        self.emit([E_TRANSFER, aw(sender), aw(to)], abi.word(amount))

    def _transfer_policies(self, sender: bytes, to: bytes, executor=None) -> None:
        """Executor (a spender moving another's tokens), sender, receiver, in that order; V1 reads
        the lanes once per check."""
        if executor is not None:
            self.require_policy("TRANSFER_EXECUTOR_POLICY", executor)
        self.require_policy("TRANSFER_SENDER_POLICY", sender)
        self.require_policy("TRANSFER_RECEIVER_POLICY", to)

    def _transfer(self, sender: bytes, to: bytes, amount: int, executor=None) -> None:
        if to == bytes(20):
            raise error("InvalidReceiver(address)", to)
        if sender == bytes(20):
            raise error("InvalidSender(address)", sender)
        if not self.privileged:
            self._transfer_policies(sender, to, executor)
        self._move(sender, to, amount)

    def transfer(self, to: bytes, amount: int) -> bytes:
        self.require_unpaused(TRANSFER)
        self._transfer(self.host.caller, to, amount)
        return abi.word(1)

    def transferFrom(self, sender: bytes, to: bytes, amount: int) -> bytes:
        self.require_unpaused(TRANSFER)
        if to == bytes(20):
            raise error("InvalidReceiver(address)", to)
        if sender == bytes(20):
            raise error("InvalidSender(address)", sender)
        spender = self.host.caller
        slot = store.nested(store.ALLOWANCES, sender, spender)
        allowance = self.load(slot)
        if allowance != MAX and allowance < amount:
            raise error("InsufficientAllowance(address,uint256,uint256)", spender, allowance, amount)
        self._transfer(sender, to, amount, None if spender == sender else spender)
        if allowance != MAX:
            self.store(slot, allowance - amount)
        return abi.word(1)

    def _approve(self, owner: bytes, spender: bytes, amount: int) -> None:
        if owner == bytes(20):
            raise error("InvalidApprover(address)", owner)
        if spender == bytes(20):
            raise error("InvalidSpender(address)", spender)
        self.store(store.nested(store.ALLOWANCES, owner, spender), amount)
        self.emit([E_APPROVAL, aw(owner), aw(spender)], abi.word(amount))

    def approve(self, spender: bytes, amount: int) -> bytes:
        self._approve(self.host.caller, spender, amount)
        return abi.word(1)

    def _memo(self, memo: bytes) -> None:
        self.emit([E_MEMO, aw(self.host.caller), memo])

    def transferWithMemo(self, to: bytes, amount: int, memo: bytes) -> bytes:
        out = self.transfer(to, amount)
        self._memo(memo)
        return out

    def transferFromWithMemo(self, sender: bytes, to: bytes, amount: int, memo: bytes) -> bytes:
        out = self.transferFrom(sender, to, amount)
        self._memo(memo)
        return out

    # -- mint / burn ----------------------------------------------------------------------------
    def mint_to(self, to: bytes, amount: int, privileged: bool) -> None:
        self.require_unpaused(MINT)
        if not privileged:
            self.require_role(ROLES["MINT_ROLE"], self.host.caller)
        if to == bytes(20):
            raise error("InvalidReceiver(address)", to)
        self.require_policy("MINT_RECEIVER_POLICY", to)  # even privileged
        supply = self.load(store.TOTAL_SUPPLY) + amount
        if supply > MAX:
            raise Panic(0x11)
        cap = self.load(store.SUPPLY_CAP)
        if supply > cap:
            raise error("SupplyCapExceeded(uint256,uint256)", cap, supply)
        self.store(store.TOTAL_SUPPLY, supply)
        self.store(balance_slot(to), self.load(balance_slot(to)) + amount)
        self.emit([E_TRANSFER, aw(bytes(20)), aw(to)], abi.word(amount))

    def mint(self, to: bytes, amount: int) -> bytes:
        self.mint_to(to, amount, self.privileged)
        return b""

    def mintWithMemo(self, to: bytes, amount: int, memo: bytes) -> bytes:
        self.mint(to, amount)
        self._memo(memo)
        return b""

    def _burn(self, account: bytes, amount: int) -> None:
        bal = self.load(balance_slot(account))
        if bal < amount:
            raise error("InsufficientBalance(address,uint256,uint256)", account, bal, amount)
        self.store(balance_slot(account), bal - amount)
        self.store(store.TOTAL_SUPPLY, self.load(store.TOTAL_SUPPLY) - amount)
        self.emit([E_TRANSFER, aw(account), aw(bytes(20))], abi.word(amount))

    def burn(self, amount: int) -> bytes:
        self.require_unpaused(BURN)
        self.require_role(ROLES["BURN_ROLE"], self.host.caller)
        self._burn(self.host.caller, amount)
        return b""

    def burnWithMemo(self, amount: int, memo: bytes) -> bytes:
        self.burn(amount)
        self._memo(memo)
        return b""

    def burnBlocked(self, account: bytes, amount: int) -> bytes:
        self.require_unpaused(BURN)
        if not self.privileged:
            self.require_role(ROLES["BURN_BLOCKED_ROLE"], self.host.caller)
        if self.policy.is_authorized(self.policy_id(SCOPES["TRANSFER_SENDER_POLICY"]), account):
            raise error("AccountNotBlocked(address)", account)
        self._burn(account, amount)
        self.emit([topic("BurnedBlocked(address,address,uint256)"), aw(self.host.caller), aw(account)],
                  abi.word(amount))
        return b""

    # -- pause ------------------------------------------------------------------------------------
    def _pause(self, features: list[int], role: str, event: str, on: bool) -> bytes:
        if not self.privileged:
            self.require_role(ROLES[role], self.host.caller)
        if not features:
            raise error("EmptyFeatureSet()")
        mask = 0
        for f in features:
            mask |= 1 << f
        paused = self.load(store.PAUSED)
        self.store(store.PAUSED, paused | mask if on else paused & ~mask & 0xFF)
        self.emit([topic(f"{event}(address,uint8[])"), aw(self.host.caller)], abi.encode(["uint8[]"], [features]))
        return b""

    def pause(self, features: list[int]) -> bytes:
        return self._pause(features, "PAUSE_ROLE", "Paused", True)

    def unpause(self, features: list[int]) -> bytes:
        return self._pause(features, "UNPAUSE_ROLE", "Unpaused", False)

    # -- permit -----------------------------------------------------------------------------------
    def domain_separator(self) -> bytes:
        name = self.read_string(store.NAME)
        return keccak(abi.encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                                 [DOMAIN_TYPEHASH, keccak(name.encode()), keccak(b"1"), self.host.chain_id,
                                  self.token]))

    def permit(self, owner: bytes, spender: bytes, value: int, deadline: int, v: int, r: bytes, s: bytes) -> bytes:
        if self.host.timestamp > deadline:
            raise error("ExpiredSignature(uint256)", deadline)
        separator = self.domain_separator()
        nonce_slot = store.mapping(store.NONCES, owner)
        nonce = self.load(nonce_slot)
        struct = keccak(abi.encode(["bytes32", "address", "address", "uint256", "uint256", "uint256"],
                                   [PERMIT_TYPEHASH, owner, spender, value, nonce, deadline]))
        signer = recover(keccak(b"\x19\x01" + separator + struct), v, r, s)
        if signer != owner or signer == bytes(20):
            raise error("InvalidSigner(address,address)", signer, owner)
        self.store(nonce_slot, nonce + 1)
        self._approve(owner, spender, value)
        return b""


def recover(digest: bytes, v: int, r: bytes, s: bytes) -> bytes:
    """The signer of `digest`, or the zero address when v is not 27/28 or recovery fails
    (permit.rs `recover_signer`). A high s is accepted: alloy-primitives'
    `recover_address_from_prehash` makes it low with the parity flipped (`normalized_s`, sig.rs
    @1.6.1) before libsecp256k1 recovers, so k256's high-S refusal is never reached; as
    (r, n−s, v^1) recovers what (r, s, v) does, plain recovery gives the same signer."""
    ri, si = int.from_bytes(r, "big"), int.from_bytes(s, "big")
    if v not in (27, 28) or not 0 < ri < SECP256K1_N or not 0 < si < SECP256K1_N:
        return bytes(20)
    from eth_keys import keys
    from eth_keys.exceptions import BadSignature

    try:
        public = keys.Signature(vrs=(v - 27, ri, si)).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValueError):
        return bytes(20)
    return public.to_canonical_address()
