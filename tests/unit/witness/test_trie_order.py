"""Minimal witnesses: insertions are applied before deletions, so a branch that keeps two
children after the block's insertions never asks for the sibling a deletion would otherwise
collapse into; a deletion that really collapses a branch asks for it and names it.

Expected roots are computed independently, by a full trie holding every key.
"""

from __future__ import annotations

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from trie import HexaryTrie

from witnessverify.witness.missing import MissingLog
from witnessverify.witness.state import WitnessAccountDB, WitnessStore


def _address_with_nibble(nibble: int, skip: set) -> bytes:
    for i in range(1, 10_000):
        a = i.to_bytes(20, "big")
        if keccak(a)[0] >> 4 == nibble and a not in skip:
            return a
    raise AssertionError


def _slot_with_nibble(nibble: int) -> int:
    for i in range(10_000):
        if keccak(i.to_bytes(32, "big"))[0] >> 4 == nibble:
            return i
    raise AssertionError


def _full_trie(items: dict[bytes, bytes]) -> HexaryTrie:
    t = HexaryTrie({})
    for k, v in items.items():
        t[k] = v
    return t


def _minimal(full: HexaryTrie, keys: list[bytes]) -> dict[bytes, bytes]:
    """Only the nodes on the paths to `keys` (a proof of each), as a stateless client needs."""
    nodes = {}
    for key in keys:
        for node in full.get_proof(key):
            raw = rlp.encode(node)
            if len(raw) >= 32 or not nodes:
                nodes[keccak(raw)] = raw
    return nodes


ACCT = rlp.encode(Account(nonce=1, balance=10**18), sedes=Account)


def _accounts():
    a = _address_with_nibble(1, set())
    b = _address_with_nibble(2, {a})
    c = _address_with_nibble(3, {a, b})
    return a, b, c


def test_account_deleted_and_another_inserted_needs_no_sibling():
    a, b, c = _accounts()
    pre = _full_trie({keccak(a): ACCT, keccak(b): ACCT})
    nodes = _minimal(pre, [keccak(a), keccak(c)])  # B's leaf is not in the witness
    assert keccak(rlp.encode(pre.get_proof(keccak(b))[-1])) not in nodes

    missing = MissingLog()
    db = WitnessAccountDB(WitnessStore(nodes, missing), pre.root_hash)
    db.delete_account(a)
    db.set_balance(c, 5)
    root = db.make_state_root()

    expected = _full_trie({keccak(b): ACCT, keccak(c): rlp.encode(Account(balance=5), sedes=Account)})
    assert not missing, [m.describe() for m in missing.items]
    assert root == expected.root_hash


def test_deletion_that_collapses_a_branch_names_the_sibling():
    a, b, _ = _accounts()
    pre = _full_trie({keccak(a): ACCT, keccak(b): ACCT})
    sibling = keccak(rlp.encode(pre.get_proof(keccak(b))[-1]))
    nodes = _minimal(pre, [keccak(a)])

    missing = MissingLog()
    db = WitnessAccountDB(WitnessStore(nodes, missing), pre.root_hash)
    db.delete_account(a)
    db.make_state_root()

    assert db.root_unknown
    (gap,) = missing.items
    assert gap.hash == sibling and gap.during == "write" and gap.account == a


def test_same_collapse_with_the_sibling_present_gives_the_true_root():
    a, b, _ = _accounts()
    pre = _full_trie({keccak(a): ACCT, keccak(b): ACCT})
    nodes = _minimal(pre, [keccak(a), keccak(b)])
    missing = MissingLog()
    db = WitnessAccountDB(WitnessStore(nodes, missing), pre.root_hash)
    db.delete_account(a)
    assert db.make_state_root() == _full_trie({keccak(b): ACCT}).root_hash
    assert not missing


def test_storage_slot_cleared_and_another_set_needs_no_sibling():
    owner = b"\x42" * 20
    s1, s2, s3 = _slot_with_nibble(1), _slot_with_nibble(2), _slot_with_nibble(3)
    big = 2**255 + 7  # values long enough that leaves are stored by hash
    storage = _full_trie({keccak(s.to_bytes(32, "big")): rlp.encode(big) for s in (s1, s2)})
    account = Account(nonce=1, storage_root=storage.root_hash)
    state = _full_trie({keccak(owner): rlp.encode(account, sedes=Account)})

    nodes = _minimal(state, [keccak(owner)])
    nodes.update(_minimal(storage, [keccak(s1.to_bytes(32, "big")), keccak(s3.to_bytes(32, "big"))]))
    missing = MissingLog()
    db = WitnessAccountDB(WitnessStore(nodes, missing), state.root_hash)
    assert db.get_storage(owner, s1) == big
    db.set_storage(owner, s1, 0)
    db.set_storage(owner, s3, 9)
    root = db.make_state_root()

    post_storage = _full_trie({keccak(s2.to_bytes(32, "big")): rlp.encode(big), keccak(s3.to_bytes(32, "big")): rlp.encode(9)})
    post = _full_trie({keccak(owner): rlp.encode(account.copy(storage_root=post_storage.root_hash), sedes=Account)})
    assert not missing, [m.describe() for m in missing.items]
    assert root == post.root_hash


def test_reading_past_the_witness_is_a_gap_not_an_empty_value():
    a, b, _ = _accounts()
    pre = _full_trie({keccak(a): ACCT, keccak(b): ACCT})
    nodes = _minimal(pre, [keccak(a)])
    missing = MissingLog()
    db = WitnessAccountDB(WitnessStore(nodes, missing), pre.root_hash)
    db.get_balance(b)
    (gap,) = missing.items
    assert gap.account == b and gap.during == "read"
    assert BLANK_ROOT_HASH != pre.root_hash
