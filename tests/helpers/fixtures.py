"""Shared test helpers: paths to the real witnesses and vectors, loading them, and small helpers to take
tries apart."""

from __future__ import annotations

from pathlib import Path

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify import sources

REPO = Path(__file__).resolve().parent.parent.parent
VECTORS = REPO / "tests" / "vectors"
SHARED = REPO.parent / "shared" / "witnesses"
BUNDLES = REPO / "witnesses"

# original fixtures, with what the chain says about them (from the fixtures' own headers / JSON)
KEEPER_HOODI = SHARED / "geth-keeper-hoodi"
ZEVM_HOODI = SHARED / "zevm-zisk-hoodi"
SBV_MAINNET = SHARED / "sbv-eth-mainnet" / "1-23587691.json"
HOLESKY_MAP = SHARED / "sbv-holesky-reth-legacy-map" / "0x2ba60c"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"fixture {path} is missing: ../shared must lie beside the checkout")
    return path


def load_one(path: Path, **kw):
    (bundle,) = sources.load(require(path), **kw)
    return bundle


def trie_path(nodes: dict[bytes, bytes], root: bytes, key: bytes) -> list[bytes]:
    """Hashes of the stored nodes walked from `root` towards `key` (stops where the path leaves the witness)."""
    nibbles = []
    for b in key:
        nibbles += [b >> 4, b & 15]
    out, ref, i = [], root, 0
    while isinstance(ref, bytes) and len(ref) == 32 and ref in nodes:
        out.append(ref)
        node = rlp.decode(nodes[ref])
        if len(node) == 17:
            if i == len(nibbles):
                break
            ref = node[nibbles[i]]
            i += 1
        else:
            # leaf or extension: compact-encoded path
            path = node[0]
            flag = path[0] >> 4
            pn = ([path[0] & 15] if flag & 1 else []) + [n for b in path[1:] for n in (b >> 4, b & 15)]
            if flag & 2 or nibbles[i : i + len(pn)] != pn:
                break
            i += len(pn)
            ref = node[1]
    return out


def node_map(bundle) -> dict[bytes, bytes]:
    return {keccak(x): x for x in bundle.state}


def recommit(bundle, old_hash: bytes, new_node: bytes):
    """The bundle with node `old_hash` replaced by `new_node`, every node above it re-hashed up to a
    new state root, the parent header re-made with that root and the block re-linked to it: a
    witness that authenticates, so a mutation reaches the engine's deepest code. (A reference to
    a node is its 32-byte hash inside the referring node's bytes, an account leaf's storage root
    included.)"""
    nodes = {keccak(x): x for x in bundle.state}
    replacements = {old_hash: keccak(new_node)}
    nodes[old_hash] = new_node
    frontier = [old_hash]
    while frontier:
        child = frontier.pop()
        for h, raw in list(nodes.items()):
            if child in raw and h != child and h in nodes:
                updated = raw.replace(child if child not in replacements else child, replacements[child])
                if updated != raw:
                    new_h = keccak(updated)
                    replacements[h] = new_h
                    nodes[h] = updated
                    frontier.append(h)
    state = []
    for h, raw in nodes.items():
        state.append(raw)
    import copy

    out = copy.copy(bundle)
    out.state = state
    old_parent = bundle.headers[0]
    parent = rlp.decode(old_parent)
    if parent[3] in replacements:
        parent[3] = replacements[parent[3]]
    new_parent = rlp.encode(parent)
    out.headers = [new_parent] + list(bundle.headers[1:])
    block = rlp.decode(bundle.block_rlp)
    block[0][0] = keccak(new_parent)
    out.block_rlp = rlp.encode(block)
    return out
