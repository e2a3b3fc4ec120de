"""The witness's trie nodes, read and written cheaply (state.py; writes in post_root.py).

Reading an account or a slot walks from the state root; applying a block's writes re-encodes and
re-hashes every node on each written path. Through py-trie and pyrlp (generic, with ABC type
checks per item, nibble tuples built per node) that was most of the cost of state reads and of
the state root. Here:

  lookup       walks the decoded nodes for a key, each decoded once per witness store and kept
               by hash (the cached decoding is the node; nothing edits one); it compares paths
               as hex strings and answers what py-trie's HexaryTrie.get answers, errors included
  decode_node  rlp.decode for the shapes real trie nodes have (a list of byte strings, in
  encode_node  canonical RLP), handing anything else to pyrlp, so a malformed node raises what
               it always raised; on what they handle they return exactly pyrlp's result
               (tests/integration/test_interpreter.py checks this on every bundled witness node)
  checked_node a witness node decoded and checked to be a canonical trie node (MalformedNode
               names it otherwise)
  cached_node  a witness node by hash, through the store's cache of decodings (lookup and
               post_root.py both read nodes through it)

pip compiles this source with Cython at install where a C compiler exists
(witnessverify.witness.compiled.tries, setup.py); at its end the module rebinds its names to
that build's when it is installed and as new as this file, unless WV_PURE_PYTHON=1. `BUILD`
says which runs. It is the same source either way; tests run both (about 7% of a mainnet
block's instructions are these functions run as Python).
"""

from __future__ import annotations

import rlp
from rlp.codec import encode_raw
from trie.constants import BLANK_NODE_HASH
from trie.exceptions import InvalidNode, MissingTrieNode, ValidationError


class MalformedNode(InvalidNode):
    """A witness node that hashes right but is no trie node: `node` its hash, `problem` why."""

    def __init__(self, node: bytes, problem: str) -> None:
        super().__init__(f"node 0x{node.hex()}: {problem}")
        self.node, self.problem = node, problem


def node_problem(node, embedded: bool = False):
    """Why a decoded node is no canonical trie node (None if it is one): a branch of 16 children,
    each empty, a 32-byte hash or an embedded node, and a byte-string value; a leaf of a
    hex-prefix path and a non-empty byte-string value; an extension of a non-empty path and a hash or an
    embedded node. Embedded nodes are checked the same way, and must encode in under 32 bytes."""
    if type(node) is not list:
        return "not a list"
    if embedded and len(encode_node(node)) >= 32:
        return "an embedded node of 32 bytes or more"
    if len(node) == 17:
        for child in node[:16]:
            if type(child) is bytes:
                if len(child) not in (0, 32):
                    return f"a branch child of {len(child)} bytes, neither a hash nor empty"
            else:
                why = node_problem(child, True) if child else "an empty list"
                if why is not None:
                    return f"a branch child that is no node ({why})"
        return None if type(node[16]) is bytes else "a branch value that is a list"
    if len(node) != 2:
        return f"a list of {len(node)} items, not 2 or 17"
    path, child = node
    if type(path) is not bytes or not path:
        return "a short node without a hex-prefix path"
    flag = path[0] >> 4
    if flag > 3:
        return f"a short node with path flag {flag}"
    if not flag & 1 and path[0] & 15:
        return "a short node with an even path whose padding nibble is not 0"
    if flag & 2:  # a leaf (a trie holds no empty value: deleting a key removes its leaf)
        if type(child) is not bytes:
            return "a leaf whose value is a list"
        return None if child else "a leaf with an empty value"
    if len(path) == 1 and not flag & 1:
        return "an extension with an empty path"
    if type(child) is bytes:
        return None if len(child) == 32 else f"an extension child of {len(child)} bytes, neither a hash nor a node"
    why = node_problem(child, True) if child else "an empty list"
    return None if why is None else f"an extension child that is no node ({why})"


def checked_node(node_hash: bytes, raw: bytes):
    """The witness node `raw` decoded, or MalformedNode naming it."""
    try:
        node = decode_node(raw)
    except (rlp.exceptions.DecodingError, RecursionError):
        raise MalformedNode(node_hash, "not RLP") from None
    problem = node_problem(node)
    if problem is not None:
        raise MalformedNode(node_hash, problem)
    return node


def decode_node(raw: bytes):
    """rlp.decode(raw) for a trie node; a fast path for a list of canonical byte strings."""
    if type(raw) is not bytes or not raw:
        return rlp.decode(raw)
    b0 = raw[0]
    if b0 < 0xC0:
        return rlp.decode(raw)
    if b0 < 0xF8:
        pos, end = 1, 1 + b0 - 0xC0
    else:
        width = b0 - 0xF7
        if len(raw) < 2 or raw[1] == 0:
            return rlp.decode(raw)
        length = int.from_bytes(raw[1 : 1 + width], "big")
        if length < 56:
            return rlp.decode(raw)
        pos = 1 + width
        end = pos + length
    if end != len(raw):
        return rlp.decode(raw)
    items = []
    append = items.append
    while pos < end:
        b = raw[pos]
        if b == 0xA0:  # a 32-byte string (a child's hash) and the empty one come first: most items
            pos += 33
            append(raw[pos - 32 : pos])
        elif b == 0x80:
            pos += 1
            append(b"")
        elif b < 0x80:
            append(raw[pos : pos + 1])
            pos += 1
        elif b < 0xB8:
            length = b - 0x80
            if length == 1 and (pos + 1 >= end or raw[pos + 1] < 0x80):
                return rlp.decode(raw)
            pos += 1
            append(raw[pos : pos + length])
            pos += length
        elif b < 0xC0:
            width = b - 0xB7
            if pos + 1 >= end or raw[pos + 1] == 0:
                return rlp.decode(raw)
            length = int.from_bytes(raw[pos + 1 : pos + 1 + width], "big")
            if length < 56:
                return rlp.decode(raw)
            pos += 1 + width
            append(raw[pos : pos + length])
            pos += length
        else:  # an embedded node: pyrlp's general decoder
            return rlp.decode(raw)
    if pos != end:
        return rlp.decode(raw)
    return items


def _encode_string(item: bytes) -> bytes:
    n = len(item)
    if n == 1 and item[0] < 0x80:
        return item
    if n < 56:
        return bytes((0x80 + n,)) + item
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0xB7 + len(size),)) + size + item


def encode_node(node) -> bytes:
    """rlp.encode(node) (pyrlp's `encode_raw`) for a node of byte strings and nested lists."""
    if type(node) is not list:
        return encode_raw(node)
    parts = []
    for item in node:
        if type(item) is bytes:
            n = len(item)  # a branch's children are hashes or empty: those inline
            parts.append(b"\xa0" + item if n == 32 else b"\x80" if not n else _encode_string(item))
        elif type(item) is list:
            parts.append(encode_node(item))
        else:
            return encode_raw(node)
    payload = b"".join(parts)
    n = len(payload)
    if n < 56:
        return bytes((0xC0 + n,)) + payload
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0xF7 + len(size),)) + size + payload


HEX = "0123456789abcdef"
NIBBLE = {c: i for i, c in enumerate(HEX)}  # a path's hex digit -> its nibble


def cached_node(store, ref: bytes):
    """The witness node `ref`, decoded and checked once per store (the decoding is kept by its
    hash: nothing edits one); KeyError when the store lacks it."""
    node = store.decoded.get(ref)
    if node is None:
        node = store.decoded[ref] = checked_node(ref, store[ref])
    return node


def lookup(store, root: bytes, key: bytes) -> bytes:
    """HexaryTrie(store, root).get(key), walking the cached decoded nodes directly: the value,
    b"" when the key is absent, MissingTrieNode (with the nibbles consumed as its prefix) when
    a node on the path is not in the store, MalformedNode when one is no trie node.

    Paths are compared as hex strings (a nibble per character), so matching a leaf's or an
    extension's path is one string operation, not py-trie's nibble tuples built per node; a
    node's meaning is py-trie's exactly (tests/integration/test_tries.py compares both on every
    key of the bundled witnesses, and on gaps)."""
    if root == BLANK_NODE_HASH:
        return b""
    decoded = store.decoded
    want = key.hex()
    pos, ref = 0, root
    while True:
        if type(ref) is list:
            node = ref
        elif not ref or ref == BLANK_NODE_HASH:
            return b""
        else:
            node = decoded.get(ref)  # the cached node without a call: this is the hot path
            if node is None:
                try:
                    node = cached_node(store, ref)
                except KeyError:
                    raise MissingTrieNode(ref, root, key, tuple(NIBBLE[c] for c in want[:pos])) from None
        if len(node) == 17:
            if pos == len(want):
                return node[16]
            ref = node[NIBBLE[want[pos]]]
            pos += 1
            continue
        path = node[0].hex()
        rest = path[1:] if path[0] in "13" else path[2:]
        if path[0] in "23":  # a leaf: the rest of the key, or nothing here
            return node[1] if want[pos:] == rest else b""
        if not want.startswith(rest, pos):
            if pos < len(want) and rest.startswith(want[pos:]):  # the key ends inside the path
                raise ValidationError(f"the key ends inside an extension's path ({rest})")
            return b""
        pos += len(rest)
        ref = node[1]


__all__ = ["HEX", "NIBBLE", "MalformedNode", "cached_node", "checked_node", "decode_node", "encode_node", "lookup",
           "node_problem"]
BUILD = "python"


def _compiled():
    """This module's Cython build, where it may stand for this file (builds.py), else None."""
    from witnessverify.builds import fresh_build
    from witnessverify.native import PURE_PYTHON

    return None if PURE_PYTHON else fresh_build("witnessverify.witness.compiled.tries", __file__)


if __name__ == "witnessverify.witness.tries":  # not in the build itself, compiled from this file
    _built = _compiled()
    if _built is not None:
        globals().update({name: getattr(_built, name) for name in __all__})
        BUILD = "compiled"
