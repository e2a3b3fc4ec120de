"""Finding a node along a key's trie path: where a missing node sits (a branch collapse names the
sibling it needs), and which node of a path hashes right but is no trie node (WITNESS_INVALID,
naming it)."""

from __future__ import annotations

from typing import Optional

import rlp
from trie.exceptions import InvalidNibbles, InvalidNode, MissingTrieNode
from trie.exceptions import ValidationError as TrieValidationError

from ..errors import WitnessInvalid
from .tries import MalformedNode, node_problem


def missing_path(exc: MissingTrieNode) -> Optional[tuple]:
    prefix = getattr(exc, "prefix", None)
    return None if prefix is None else tuple(prefix)


def _nibbles(key: bytes) -> tuple:
    return tuple(n for b in key for n in (b >> 4, b & 15))


MALFORMED_NODE_ERRORS = (InvalidNode, InvalidNibbles, TrieValidationError, rlp.exceptions.DecodingError,
                         rlp.exceptions.DeserializationError, ValueError, TypeError, IndexError, RecursionError)


def _node_problem(raw: bytes) -> Optional[str]:
    """Why `raw` is not a trie node (None if it is one)."""
    try:
        node = rlp.decode(raw)
    except (rlp.exceptions.DecodingError, RecursionError):
        return "not RLP"
    return node_problem(node)


def malformed_node(nodes, root: bytes, key: bytes) -> Optional[bytes]:
    """The first node on `key`'s path from `root` that is not a valid trie node (its hash)."""
    want = _nibbles(key)
    depth = 0
    ref = root
    while isinstance(ref, bytes) and len(ref) == 32 and ref in nodes:
        problem = _node_problem(nodes[ref])
        if problem is not None:
            return ref
        node = rlp.decode(nodes[ref])
        if len(node) == 17:
            if depth >= len(want):
                return None
            ref, depth = node[want[depth]], depth + 1
        else:
            encoded = node[0]
            path = ((encoded[0] & 15,) if encoded[0] >> 4 & 1 else ()) + _nibbles(encoded[1:])
            if encoded[0] >> 4 & 2 or want[depth: depth + len(path)] != path:
                return None
            ref, depth = node[1], depth + len(path)
    return None


def invalid_node(nodes, root: bytes, key: bytes, what: str, exc: BaseException) -> WitnessInvalid:
    if isinstance(exc, MalformedNode):
        return WitnessInvalid(f"witness node 0x{exc.node.hex()} on the path of {what} hashes right but is not a "
                              f"valid trie node: {exc.problem}", node=exc.node)
    bad = malformed_node(nodes, root, key)
    name = f"node 0x{bad.hex()}" if bad is not None else "a node"
    return WitnessInvalid(f"witness {name} on the path of {what} hashes right but is not a valid trie node "
                          f"({type(exc).__name__})", node=bad)
