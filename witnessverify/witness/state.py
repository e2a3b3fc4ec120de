"""State backed only by the witness: py-evm's account database interface over a preimage store.

Reads walk the account and storage tries through nodes looked up by hash; a node or code that is
not in the witness is recorded in the `MissingLog` (with the account and slot that needed it) and
a substitute empty value is returned only so execution can go on to find further gaps.

Writes are journaled in memory and applied to the tries when a root is asked for. In each trie,
updates and insertions are applied before deletions, as geth, reth ("canonical" witnesses) and the
execution specs' witness builder do: a deletion that would collapse a branch node needs the
sibling node only if the branch still has one child after all insertions, and that is the only
case in which those clients put the sibling into the witness.
"""

from __future__ import annotations

from typing import Optional

import rlp
from eth.abc import AccountDatabaseAPI
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.db.journal import get_next_checkpoint
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from eth_typing import Address, Hash32
from trie.exceptions import MissingTrieNode

from .leaves import decode_account, decode_slot_value
from .missing import Missing, MissingLog
from .paths import MALFORMED_NODE_ERRORS, invalid_node, missing_path
from .post_root import updated_root
from .store import WitnessStore
from .tries import MalformedNode, lookup

__all__ = ["MALFORMED_NODE_ERRORS", "WitnessAccountDB", "WitnessStore"]
_EMPTY_ACCOUNT = Account()
_UNSET = object()

def _slot_key(slot: int) -> bytes:
    return keccak(slot.to_bytes(32, "big"))


def _replaced(account: Account, **changes) -> Account:
    """account.copy(**changes) without rlp's generic copy (a deep copy of every field and a
    merge of keyword arguments, 25 us against 5 us): an Account's fields are ints and bytes."""
    get = changes.get
    return Account(get("nonce", account.nonce), get("balance", account.balance),
                   get("storage_root", account.storage_root), get("code_hash", account.code_hash))


class WitnessAccountDB(AccountDatabaseAPI):
    """py-evm AccountDatabaseAPI whose only source of pre-state is a witness."""

    def __init__(self, db: WitnessStore, state_root: Hash32 = BLANK_ROOT_HASH) -> None:
        self._store = db
        self._missing: MissingLog = db.missing
        self._root = state_root
        # pre-state caches (valid for self._root)
        self._base_accounts: dict[Address, Optional[Account]] = {}
        self._base_storage: dict[tuple[Address, int], int] = {}
        # pending changes since the last root was made
        self._accounts: dict[Address, Optional[Account]] = {}
        self._storage: dict[Address, dict[int, int]] = {}
        self._wiped: set[Address] = set()
        self._codes: dict[bytes, bytes] = {}
        # values at the start of the current transaction (EIP-2200 "original value")
        self._orig_storage: dict[Address, dict[int, int]] = {}
        self._orig_wiped: set[Address] = set()
        # EIP-2929 access sets
        self._warm_accounts: set[Address] = set()
        self._warm_slots: set[tuple[Address, int]] = set()
        # undo journal: list of (kind, key, previous value)
        self._journal: list[tuple] = []
        self._checkpoints: dict[int, int] = {}
        # set when a root could not be computed because a node was missing
        self.root_unknown = False
        # every account whose trie entry was written (for classifying read-only gaps)
        self.written_accounts: set[Address] = set()
        # the post-state changes: account -> Account (None: deleted), (account, slot) -> value
        self.post_accounts: dict[Address, Optional[Account]] = {}
        self.post_storage: dict[tuple[Address, int], int] = {}

    # -- roots --------------------------------------------------------------------------------
    @property
    def state_root(self) -> Hash32:
        return self._root

    @state_root.setter
    def state_root(self, value: Hash32) -> None:
        if value != self._root:
            raise ValueError("the witness state cannot be rewound past a computed root")

    def has_root(self, state_root: bytes) -> bool:
        return state_root == self._root

    # -- reads of the pre-state ----------------------------------------------------------------
    def _base_account(self, address: Address, during: str = "read") -> Optional[Account]:
        try:
            return self._base_accounts[address]
        except KeyError:
            pass
        try:
            raw = lookup(self._store, self._root, keccak(address))
            account = decode_account(raw) if raw else None
        except MissingTrieNode as exc:
            self._missing.add(Missing("node", exc.missing_node_hash, account=address, path=missing_path(exc), during=during))
            account = None
        except MALFORMED_NODE_ERRORS as exc:
            raise invalid_node(self._store.nodes, self._root, keccak(address),
                                f"account 0x{bytes(address).hex()}", exc) from None
        self._base_accounts[address] = account
        return account

    def _base_slot(self, address: Address, slot: int) -> int:
        key = (address, slot)
        try:
            return self._base_storage[key]
        except KeyError:
            pass
        account = self._base_account(address)
        value = 0
        if account is not None and account.storage_root != BLANK_ROOT_HASH:
            try:
                raw = lookup(self._store, account.storage_root, _slot_key(slot))
                value = decode_slot_value(raw) if raw else 0
            except MissingTrieNode as exc:
                self._missing.add(Missing("node", exc.missing_node_hash, address, slot, path=missing_path(exc)))
                value = 0
            except MALFORMED_NODE_ERRORS as exc:
                raise invalid_node(self._store.nodes, account.storage_root, _slot_key(slot),
                                    f"account 0x{bytes(address).hex()} slot {hex(slot)}", exc) from None
        self._base_storage[key] = value
        return value

    # -- journaled writes ------------------------------------------------------------------------
    def _get_account(self, address: Address) -> Optional[Account]:
        if address in self._accounts:
            return self._accounts[address]
        return self._base_account(address)

    def _account_or_empty(self, address: Address) -> Account:
        account = self._get_account(address)
        return _EMPTY_ACCOUNT if account is None else account

    def _set_account(self, address: Address, account: Optional[Account]) -> None:
        self._journal.append(("acct", address, self._accounts.get(address, _UNSET)))
        self._accounts[address] = account

    def _set_slot(self, address: Address, slot: int, value: int) -> None:
        slots = self._storage.setdefault(address, {})
        self._journal.append(("slot", (address, slot), slots.get(slot, _UNSET)))
        slots[slot] = value

    def _wipe(self, address: Address) -> None:
        self._journal.append(("wipe", address, (address in self._wiped, self._storage.get(address))))
        self._wiped.add(address)
        self._storage[address] = {}

    # -- storage ---------------------------------------------------------------------------------
    def get_storage(self, address: Address, slot: int, from_journal: bool = True) -> int:
        if from_journal:
            slots, wiped = self._storage.get(address), address in self._wiped
        else:
            slots, wiped = self._orig_storage.get(address), address in self._orig_wiped
        if slots is not None and slot in slots:
            return slots[slot]
        if wiped:
            return 0
        return self._base_slot(address, slot)

    def set_storage(self, address: Address, slot: int, value: int) -> None:
        self._set_slot(address, slot, value)

    def delete_storage(self, address: Address) -> None:
        self._wipe(address)

    def is_storage_warm(self, address: Address, slot: int) -> bool:
        return (address, slot) in self._warm_slots

    def mark_storage_warm(self, address: Address, slot: int) -> None:
        key = (address, slot)
        if key not in self._warm_slots:
            self._warm_slots.add(key)
            self._journal.append(("warm_slot", key, None))

    # -- balance, nonce, code --------------------------------------------------------------------
    def get_balance(self, address: Address) -> int:
        return self._account_or_empty(address).balance

    def set_balance(self, address: Address, balance: int) -> None:
        self._set_account(address, _replaced(self._account_or_empty(address), balance=balance))

    def get_nonce(self, address: Address) -> int:
        return self._account_or_empty(address).nonce

    def set_nonce(self, address: Address, nonce: int) -> None:
        self._set_account(address, _replaced(self._account_or_empty(address), nonce=nonce))

    def increment_nonce(self, address: Address) -> None:
        self.set_nonce(address, self.get_nonce(address) + 1)

    def get_code(self, address: Address) -> bytes:
        code_hash = self.get_code_hash(address)
        if code_hash == EMPTY_SHA3:
            return b""
        code = self._codes.get(code_hash)
        if code is None:
            code = self._store.nodes.get(code_hash)
        if code is None:
            self._missing.add(Missing("code", code_hash, account=address))
            return b""
        return code

    def set_code(self, address: Address, code: bytes) -> None:
        code_hash = keccak(code)
        self._codes[code_hash] = code
        self._store[code_hash] = code  # by hash, like every node: known to what follows
        self._set_account(address, _replaced(self._account_or_empty(address), code_hash=code_hash))

    def get_code_hash(self, address: Address) -> Hash32:
        return self._account_or_empty(address).code_hash

    def delete_code(self, address: Address) -> None:
        self._set_account(address, _replaced(self._account_or_empty(address), code_hash=EMPTY_SHA3))

    # -- accounts --------------------------------------------------------------------------------
    def account_has_code_or_nonce(self, address: Address) -> bool:
        """py-evm's collision test for a contract creation; EIP-7610 adds non-empty storage (a
        creation onto an address whose storage is not empty fails like one onto code or nonce)."""
        account = self._account_or_empty(address)
        return account.nonce != 0 or account.code_hash != EMPTY_SHA3 or self._has_storage(address)

    def _has_storage(self, address: Address) -> bool:
        if any(self._storage.get(address, {}).values()):
            return True
        if address in self._wiped:
            return False
        account = self._base_account(address)
        return account is not None and account.storage_root != BLANK_ROOT_HASH

    def delete_account(self, address: Address) -> None:
        self._wipe(address)
        self._set_account(address, None)

    def account_exists(self, address: Address) -> bool:
        return self._get_account(address) is not None

    def touch_account(self, address: Address) -> None:
        self._set_account(address, self._account_or_empty(address))

    def account_is_empty(self, address: Address) -> bool:
        account = self._account_or_empty(address)
        return account.nonce == 0 and account.balance == 0 and account.code_hash == EMPTY_SHA3

    def is_address_warm(self, address: Address) -> bool:
        return address in self._warm_accounts

    def mark_address_warm(self, address: Address) -> None:
        if address not in self._warm_accounts:
            self._warm_accounts.add(address)
            self._journal.append(("warm_acct", address, None))

    # -- checkpoints -----------------------------------------------------------------------------
    def record(self) -> int:
        # Checkpoint ids must be unique process-wide: py-evm's transient storage keeps its own
        # journal keyed by the same ids and takes its root id from py-evm's global counter.
        checkpoint = get_next_checkpoint()
        self._checkpoints[checkpoint] = len(self._journal)
        return checkpoint

    def discard(self, checkpoint: int) -> None:
        journal = self._journal
        length = self._checkpoints.pop(checkpoint, 0)
        while len(journal) > length:
            kind, key, old = journal.pop()
            if kind == "acct":
                if old is _UNSET:
                    del self._accounts[key]
                else:
                    self._accounts[key] = old
            elif kind == "slot":
                address, slot = key
                if old is _UNSET:
                    del self._storage[address][slot]
                else:
                    self._storage[address][slot] = old
            elif kind == "wipe":
                was_wiped, old_slots = old
                if not was_wiped:
                    self._wiped.discard(key)
                if old_slots is None:
                    del self._storage[key]
                else:
                    self._storage[key] = old_slots
            elif kind == "warm_acct":
                self._warm_accounts.discard(key)
            elif kind == "warm_slot":
                self._warm_slots.discard(key)

    def commit(self, checkpoint: int) -> None:
        # Changes since the checkpoint stay; an outer checkpoint can still undo them.
        self._checkpoints.pop(checkpoint, None)

    def lock_changes(self) -> None:
        """A transaction starts: its changes can no longer be undone by earlier checkpoints."""
        self._journal.clear()
        self._checkpoints.clear()
        self._warm_accounts.clear()
        self._warm_slots.clear()
        self._orig_storage = {a: dict(s) for a, s in self._storage.items()}
        self._orig_wiped = set(self._wiped)

    # -- roots -----------------------------------------------------------------------------------
    def make_state_root(self) -> Hash32:
        """Apply pending changes to the tries (updates before deletions) and return the root."""
        dirty = set(self._accounts) | set(self._storage)
        final: dict[Address, Optional[Account]] = {}
        for address in dirty:
            account = self._get_account(address)
            if address in self._storage or address in self._wiped:
                base = None if address in self._wiped else self._base_account(address)
                base_root = BLANK_ROOT_HASH if base is None else base.storage_root
                new_root = self._apply_storage(address, base_root, self._storage.get(address, {}))
                if account is None and new_root != BLANK_ROOT_HASH:
                    account = _EMPTY_ACCOUNT
                if account is not None:
                    account = _replaced(account, storage_root=new_root)
            if account != self._base_account(address):
                final[address] = account

        self.written_accounts.update(final)
        self.post_accounts.update(final)
        for address, slots in self._storage.items():
            for slot, value in slots.items():
                self.post_storage[(address, slot)] = value
        # one pass over the written keys (post_root.py), straight into the store
        keys = {keccak(address): address for address in final}
        try:
            self._root, gaps = updated_root(self._store, self._root, {
                key: b"" if final[a] is None else rlp.encode(final[a], sedes=Account) for key, a in keys.items()})
        except MalformedNode as exc:
            address = keys[exc.key]
            raise invalid_node(self._store.nodes, self._root, exc.key, f"account 0x{bytes(address).hex()}",
                               exc) from None
        for gap in gaps:
            self._missing.add(Missing("node", gap.node, account=keys[gap.key], during="write", path=gap.path))
            self.root_unknown = True

        # the new pre-state for what follows
        self._base_accounts.update(final)
        for address in dirty:
            if address in self._wiped or final.get(address, _EMPTY_ACCOUNT) is None:
                for key in [k for k in self._base_storage if k[0] == address]:
                    del self._base_storage[key]
            for slot, value in self._storage.get(address, {}).items():
                self._base_storage[(address, slot)] = value
        self._accounts.clear()
        self._storage.clear()
        self._wiped.clear()
        self._orig_storage = {}
        self._orig_wiped = set()
        self._journal.clear()
        return self._root

    def _apply_storage(self, address: Address, root: Hash32, slots: dict[int, int]) -> Hash32:
        keys = {_slot_key(slot): slot for slot in slots}
        try:
            new_root, gaps = updated_root(self._store, root, {
                key: rlp.encode(slots[slot]) if slots[slot] else b"" for key, slot in keys.items()})
        except MalformedNode as exc:
            raise invalid_node(self._store.nodes, root, exc.key,
                               f"account 0x{bytes(address).hex()} slot {hex(keys[exc.key])}", exc) from None
        for gap in gaps:
            self._missing.add(Missing("node", gap.node, address, keys[gap.key], during="write", path=gap.path))
            self.root_unknown = True
        return new_root

    def persist(self):  # py-evm returns a MetaWitness; nothing here uses it
        self.make_state_root()
        return None

    def storage_root_of(self, address: Address) -> bytes:
        """Storage root of an account as of the last computed root (call after make_state_root)."""
        # a header commitment: a gap here is never taken for an absent account
        account = self._base_account(address, during="commitment")
        return BLANK_ROOT_HASH if account is None else account.storage_root

    # -- post-state, for diagnosis -------------------------------------------------------------
    def pending_accounts(self) -> dict[Address, Optional[Account]]:
        return dict(self._accounts)
