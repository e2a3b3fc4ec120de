"""The witness state's own trie lookup (witness/tries.py `lookup`) against py-trie's
HexaryTrie.get, the reference, as Python and as its Cython build: on every key of every trie in the bundled witnesses, on keys
beside them, on random keys, with nodes taken away (the same MissingTrieNode, with the same
missing hash and prefix) and on malformed shapes (the same error)."""

from __future__ import annotations

import random

import pytest
import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie
from trie.constants import BLANK_NODE_HASH
from trie.exceptions import MissingTrieNode

from witnessverify import sources
from witnessverify.witness.missing import MissingLog
from witnessverify.witness.post_root import updated_root
from witnessverify.witness.store import WitnessStore
from tests.helpers.fixtures import BUNDLES
from tests.helpers.tries_builds import BUILDS

BUNDLE_FILES = sorted(p.name for p in BUNDLES.glob("*.json"))


def _result(fn):
    try:
        return ("value", fn())
    except Exception as exc:  # noqa: BLE001 - the same error is the point
        return ("error", type(exc).__name__, getattr(exc, "missing_node_hash", None),
                tuple(getattr(exc, "prefix", None) or ()))


def _keys_under(nodes: dict, ref, prefix: str, out: list) -> None:
    """Every key (as 64 hex nibbles) stored under `ref`."""
    try:
        node = ref if isinstance(ref, list) else rlp.decode(nodes[ref]) if isinstance(ref, bytes) and ref in nodes else None
    except rlp.exceptions.DecodingError:  # a preimage that is no trie node (a code, say)
        return
    if not isinstance(node, list) or len(node) not in (2, 17):
        return
    if len(node) == 17:
        for i, child in enumerate(node[:16]):
            if child:
                _keys_under(nodes, child, prefix + "0123456789abcdef"[i], out)
        return
    path = node[0].hex()
    rest = path[1:] if path[0] in "13" else path[2:]
    if path[0] in "23":
        out.append(prefix + rest)
    else:
        _keys_under(nodes, node[1], prefix + rest, out)


def _roots(nodes: dict) -> list[bytes]:
    """Nodes no node points to as a child: the state root and the storage roots."""
    children = set()
    for raw in nodes.values():
        try:
            node = rlp.decode(raw)
        except rlp.exceptions.DecodingError:
            continue
        if not isinstance(node, list):
            continue
        refs = node[:16] if len(node) == 17 else [node[1]] if len(node) == 2 and node[0][:1].hex()[:1] in "01" else []
        children.update(r for r in refs if isinstance(r, bytes) and len(r) == 32)
    return [h for h in nodes if h not in children]


@pytest.fixture(params=sorted(BUILDS))
def lookup(request):
    return BUILDS[request.param].lookup


def _compare(lookup, nodes: dict, root: bytes, key: bytes) -> None:
    ours = _result(lambda: lookup(WitnessStore(dict(nodes), MissingLog()), root, key))
    theirs = _result(lambda: HexaryTrie(dict(nodes), root).get(key))
    assert ours == theirs, (root.hex(), key.hex())


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_lookup_is_py_trie_on_every_key_of_the_witness(name, lookup):
    (bundle,) = sources.load(BUNDLES / name)
    nodes = {keccak(x): x for x in bundle.state}
    store = WitnessStore(nodes, MissingLog())
    reference = HexaryTrie(nodes)
    rng = random.Random(name)
    checked = 0
    for root in _roots(nodes):
        keys: list[str] = []
        _keys_under(nodes, root, "", keys)
        reference.root_hash = root
        for k in keys[:400]:
            for key in (bytes.fromhex(k) if len(k) % 2 == 0 else None,
                        bytes.fromhex(k[:-1] + "0123456789abcdef"[(int(k[-1], 16) + 1) % 16]) if len(k) == 64 else None,
                        rng.randbytes(32)):
                if key is None:
                    continue
                assert _result(lambda: lookup(store, root, key)) == _result(lambda: reference.get(key)), (root.hex(), key.hex())
                checked += 1
    assert checked > 20


def test_a_node_taken_away_gives_the_same_missing_node_and_prefix(lookup):
    (bundle,) = sources.load(BUNDLES / "1-23587691.json")
    nodes = {keccak(x): x for x in bundle.state}
    rng = random.Random(7)
    roots = _roots(nodes)
    state_root = max(roots, key=lambda r: len(nodes[r]))  # a full branch at the top
    taken = 0
    for victim in rng.sample(sorted(nodes), 60):
        fewer = {h: x for h, x in nodes.items() if h != victim}
        for _ in range(20):
            _compare(lookup, fewer, state_root, rng.randbytes(32))
        keys: list[str] = []
        _keys_under(nodes, state_root, "", keys)
        for k in keys[:: max(1, len(keys) // 30)]:
            if len(k) == 64:
                _compare(lookup, fewer, state_root, bytes.fromhex(k))
        taken += 1
    _compare(lookup, {}, state_root, b"\x11" * 32)  # the root itself missing: prefix ()
    assert taken == 60


@pytest.mark.parametrize("node", [
    [b"\x00" + b"\x12" * 30, [b"\x20", b"v"]],  # an extension past the key's end below it: py-trie's own error
    [b"\x3a" + b"\x12" * 31, b"value"],  # a leaf with the whole key
    [b"\x20" + b"\x12" * 32, b"value"],  # a leaf with a key one nibble too long... and short keys
    [b"\x11", [b"\x32", b"v"]],  # an embedded leaf below a one-nibble extension
    [b"\x11", [b"\x20" + b"\x21" * 20, b"v"]],  # ... with a longer path
    [b"\x01" * 32] * 16 + [b"value"],
])
def test_odd_shapes_answer_as_py_trie(node, lookup):
    """(Shapes py-trie accepts but a witness may not hold, such as an embedded node of 32 bytes
    or more, are MalformedNode in both the old and the new lookup: tests/unit/witness.)"""
    raw = rlp.encode(node)
    nodes = {keccak(raw): raw}
    for key in (b"\x12" * 32, b"\xa1" + b"\x21" * 31, b"\x12" * 31 + b"\x13", b"\x00" * 32, b"\x12" * 16):
        _compare(lookup, nodes, keccak(raw), key)


# -- the post-state root in one pass (witness/post_root.py) against py-trie's per-key writes ------

def _py_trie_writes(nodes: dict, root: bytes, changes: dict):
    """py-trie as the engine used it: every update, then every deletion, one key at a time; the
    root and the missing nodes met, in order."""
    t = HexaryTrie(dict(nodes), root)
    missing = []
    for key, value in sorted(changes.items(), key=lambda kv: kv[1] == b""):
        try:
            if value:
                t[key] = value
            else:
                del t[key]
        except MissingTrieNode as exc:
            missing.append(exc.missing_node_hash)
    return t.root_hash, missing


def _changes(rng: random.Random, keys: list, n: int) -> dict:
    """Writes of every kind: new values for keys there, deletions of keys there (branches
    collapse), new keys (leaves and extensions split), deletions of keys never there."""
    out = {}
    for k in rng.sample(keys, min(n, len(keys))):
        out[bytes.fromhex(k)] = rng.choice([b"", rng.randbytes(rng.choice([1, 5, 40]))])
    for _ in range(n):
        out[rng.randbytes(32)] = rng.choice([b"", rng.randbytes(rng.choice([1, 33]))])
    for k in rng.sample(keys, min(3, len(keys))):  # a neighbour: the paths part late
        out[bytes.fromhex(k[:-2] + "%02x" % (int(k[-2:], 16) ^ 1))] = b"\x01"
    return out


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_one_pass_root_is_py_tries_on_random_writes(name):
    (bundle,) = sources.load(BUNDLES / name)
    nodes = {keccak(x): x for x in bundle.state}
    rng = random.Random(name)
    tries = 0
    for root in _roots(nodes):
        keys: list[str] = []
        _keys_under(nodes, root, "", keys)
        keys = [k for k in keys if len(k) == 64]
        if not keys:
            continue
        for n in (1, 3, 12, len(keys)):
            changes = _changes(rng, keys, n)
            expected, missing = _py_trie_writes(nodes, root, changes)
            got, gaps = updated_root(WitnessStore(dict(nodes), MissingLog()), root, changes)
            assert bool(gaps) == bool(missing), (root.hex(), missing, gaps)
            if not missing:
                assert got == expected, (root.hex(), n)
            else:
                assert missing[0] in {g.node for g in gaps}
            tries += 1
    assert tries >= 4


def test_one_pass_root_reports_each_gap_py_trie_meets():
    (bundle,) = sources.load(BUNDLES / "1-24628607.json")
    nodes = {keccak(x): x for x in bundle.state}
    rng = random.Random(3)
    root = max(_roots(nodes), key=lambda r: len(nodes[r]))
    keys: list[str] = []
    _keys_under(nodes, root, "", keys)
    keys = [k for k in keys if len(k) == 64]
    met = 0
    for victim in rng.sample(sorted(nodes), 40):
        fewer = {h: x for h, x in nodes.items() if h != victim}
        changes = _changes(rng, keys, 25)
        _, missing = _py_trie_writes(fewer, root, changes)
        _, gaps = updated_root(WitnessStore(dict(fewer), MissingLog()), root, changes)
        assert bool(gaps) == bool(missing) and set(missing) <= {g.node for g in gaps}, (victim.hex(), missing, gaps)
        for g in gaps:  # each gap's path leads from the root to the node it names
            assert _follow(nodes, root, g.path) == g.node, (g.path, g.node.hex())
        met += bool(missing)
    assert met >= 3


def _follow(nodes: dict, root: bytes, path: tuple):
    """The reference reached from `root` along the nibble `path` (in the whole witness)."""
    ref, at = root, 0
    while at < len(path):
        node = ref if isinstance(ref, list) else rlp.decode(nodes[ref])
        if len(node) == 17:
            ref, at = node[path[at]], at + 1
            continue
        h = node[0].hex()
        rest = [int(c, 16) for c in (h[1:] if h[0] in "13" else h[2:])]
        assert list(path[at:at + len(rest)]) == rest
        ref, at = node[1], at + len(rest)
    return ref


def test_writes_into_an_empty_trie_and_deleting_everything():
    rng = random.Random(5)
    keys = [rng.randbytes(32) for _ in range(300)]
    store = WitnessStore({}, MissingLog())
    root, gaps = updated_root(store, BLANK_NODE_HASH, {k: rng.randbytes(rng.choice([1, 3, 40])) for k in keys})
    reference = HexaryTrie({})
    for k in keys:
        reference[k] = HexaryTrie(store.nodes, root).get(k)
    assert not gaps and root == reference.root_hash
    gone, gaps = updated_root(store, root, {k: b"" for k in keys})
    assert not gaps and gone == BLANK_NODE_HASH
