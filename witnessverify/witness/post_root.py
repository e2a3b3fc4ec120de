"""The post-state root in one pass: a trie's new root from its old root and every key written
in the block, each node on the written paths visited once.

py-trie applies writes one key at a time, rebuilding and re-hashing the path from the root for
each, with nibble tuples made per node. Here the changes are sorted by key and split among a
node's children as the walk goes down; each changed node is rebuilt once, and encoded and hashed
once on the way up. A Merkle Patricia trie is the same for the same contents whatever the order
of the writes, so the root is py-trie's (tests/integration/test_tries.py compares the two on
random writes into every bundled trie; every bundled block and the conformance suite check the
roots themselves).

Paths are hex strings, a nibble per character. A node is py-trie's shape: a branch of 17 items
(16 child references and a value), a leaf or an extension of two (a hex-prefix path and the
value or the child reference); a reference is b"" (empty), a 32-byte hash, or an embedded node
(a list) when the node encodes in under 32 bytes. New nodes go into the witness store, encoded
and decoded, so later reads (the next transaction's, with intermediate roots) find them.

What the witness lacks is not guessed: a node needed on a written path, or the one child left
when deletions empty a branch (it decides how the branch collapses), is reported with the key
that needed it and its nibble path, and the walk goes on elsewhere to report every gap at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from eth_hash.auto import keccak
from trie.constants import BLANK_NODE_HASH

from .tries import HEX, NIBBLE, MalformedNode, cached_node, encode_node
BLANK = b""
Node = Union[list, bytes]  # a node, or BLANK


@dataclass
class Gap:
    """A node the write needed and the witness lacks: its hash, the key written, its path."""

    node: bytes
    key: bytes
    path: tuple


class _Missing(Exception):
    def __init__(self, node: bytes, path: str) -> None:
        super().__init__(node.hex())
        self.node, self.path = node, path

    def gap(self, key: bytes) -> Gap:
        """The gap this is, met writing `key`."""
        return Gap(self.node, key, tuple(NIBBLE[x] for x in self.path))


def _compact(nibbles: str, leaf: bool) -> bytes:
    flag = 2 if leaf else 0
    if len(nibbles) % 2:
        return bytes.fromhex(HEX[flag + 1] + nibbles)
    return bytes.fromhex(HEX[flag] + "0" + nibbles)


def _path(node: list) -> tuple[str, bool]:
    """A short node's nibbles and whether it is a leaf."""
    h = node[0].hex()
    return (h[1:] if h[0] in "13" else h[2:]), h[0] in "23"


class _Writer:
    def __init__(self, store) -> None:
        self.store, self.decoded = store, store.decoded
        self.gaps: list[Gap] = []

    # -- nodes in and out of the store --------------------------------------------------------
    def resolve(self, ref, path: str) -> Node:
        if type(ref) is list:
            return ref
        if not ref or ref == BLANK_NODE_HASH:
            return BLANK
        try:
            return cached_node(self.store, ref)
        except KeyError:
            raise _Missing(ref, path) from None

    def ref(self, node: Node):
        """The reference to `node` from its parent, storing it when it is hashed."""
        if node == BLANK:
            return BLANK
        encoded = encode_node(node)
        if len(encoded) < 32:
            return node
        h = keccak(encoded)
        self.store[h] = encoded
        self.decoded.setdefault(h, node)
        return h

    # -- building and updating -----------------------------------------------------------------
    def build(self, entries: list[tuple[str, bytes]]) -> Node:
        """The subtrie holding exactly `entries` (sorted suffixes, non-empty values)."""
        if not entries:
            return BLANK
        if len(entries) == 1:
            return [_compact(entries[0][0], True), entries[0][1]]
        first, last = entries[0][0], entries[-1][0]
        n = 0
        while n < len(first) and n < len(last) and first[n] == last[n]:
            n += 1
        if n:
            return self.prefixed(first[:n], self.build([(k[n:], v) for k, v in entries]))
        branch: list = [BLANK] * 17
        groups: dict[str, list] = {}
        for k, v in entries:
            if k:
                groups.setdefault(k[0], []).append((k[1:], v))
            else:
                branch[16] = v
        for c, group in groups.items():
            branch[NIBBLE[c]] = self.ref(self.build(group))
        return branch

    def prefixed(self, nibbles: str, node: Node) -> Node:
        """`node` moved `nibbles` further down: the path joins a short node's, or an extension
        comes above a branch."""
        if not nibbles or node == BLANK:
            return node
        if len(node) == 17:
            return [_compact(nibbles, False), self.ref(node)]
        rest, leaf = _path(node)
        return [_compact(nibbles + rest, leaf), node[1]]

    def update(self, ref, items: list[tuple[str, bytes, bytes]], path: str) -> Node:
        """The subtrie at `ref` after `items` (suffix, value or b"" to delete, whole key)."""
        node = self.resolve(ref, path)
        if node == BLANK:
            return self.build([(k, v) for k, v, _ in items if v])
        if len(node) == 17:
            return self.branch(node, items, path)
        rest, leaf = _path(node)
        if leaf:
            contents = {rest: node[1]}
            for k, v, _ in items:
                if v:
                    contents[k] = v
                else:
                    contents.pop(k, None)
            return self.build(sorted(contents.items()))
        # an extension: a deletion off its path deletes nothing; a write off it splits it
        items = [it for it in items if it[1] or it[0].startswith(rest)]
        if not items:
            return node
        n = len(rest)
        for k, _, _ in items:
            m = 0
            while m < n and m < len(k) and k[m] == rest[m]:
                m += 1
            n = min(n, m)
        if n == len(rest):
            below = self.update(node[1], [(k[n:], v, key) for k, v, key in items], path + rest)
            return self.prefixed(rest, below)
        split: list = [BLANK] * 17  # the branch where a write leaves the extension's path
        split[NIBBLE[rest[n]]] = node[1] if n + 1 == len(rest) else self.ref([_compact(rest[n + 1:], False), node[1]])
        return self.prefixed(rest[:n], self.branch(split, [(k[n:], v, key) for k, v, key in items], path + rest[:n]))

    def branch(self, node: list, items, path: str) -> Node:
        new = list(node)
        groups: dict[str, list] = {}
        for k, v, key in items:
            if k:
                groups.setdefault(k[0], []).append((k[1:], v, key))
            else:
                new[16] = v
        for c, group in groups.items():
            i = NIBBLE[c]
            try:
                new[i] = self.ref(self.update(node[i], group, path + c))
            except _Missing as gap:  # keep the old child; the root is unknown now
                self.gaps.append(gap.gap(group[0][2]))
            except MalformedNode as exc:  # which write met it (the report names its account)
                exc.key = getattr(exc, "key", None) or group[0][2]
                raise
        children = [i for i in range(16) if new[i]]
        if len(children) > 1 or (children and new[16]):
            return new
        if not children:
            return [_compact("", True), new[16]] if new[16] else BLANK
        i = children[0]  # one child left: the branch becomes it, one nibble further up
        try:
            only = self.resolve(new[i], path + HEX[i])
        except _Missing as gap:
            self.gaps.append(gap.gap(items[0][2]))
            return new
        if len(only) == 17:
            return [_compact(HEX[i], False), new[i]]
        return self.prefixed(HEX[i], only)


def updated_root(store, root: bytes, changes: dict[bytes, bytes]) -> tuple[bytes, list[Gap]]:
    """The root after `changes` (key -> new value, b"" to delete) and the gaps met (the root
    is unknown when there are any). Raises MalformedNode for a witness node that is no trie
    node."""
    writer = _Writer(store)
    items = sorted((key.hex(), value, key) for key, value in changes.items())
    if not items:
        return root, []
    try:
        node = writer.update(root, items, "")
    except _Missing as gap:  # the root itself, or a node under a root that is no branch
        return root, [gap.gap(items[0][2])]
    except MalformedNode as exc:
        exc.key = getattr(exc, "key", None) or items[0][2]
        raise
    encoded = encode_node(node) if node != BLANK else b"\x80"
    new_root = keccak(encoded)
    if node != BLANK:
        store[new_root] = encoded
        writer.decoded.setdefault(new_root, node)
    return new_root, writer.gaps
