"""A seeded fuzzer of every input shape: bytes, hex strings, JSON types, RLP lengths, header
fields, transactions, witness nodes (dropped, corrupted, and re-hashed up to a re-committed
parent root so a mutation reaches the engine's deepest code with a witness that authenticates),
and authenticated nodes of every RLP shape (node-shape).

For each mutant: no exception escapes, no internal error (exit 5), each run within 30 s, and
never VALID unless the block is the original (or differs only in header fields whose rules are
bounds, so it is another valid block) and every node and code the original verification read is
still in the witness. The one documented tolerance, a read-only account the witness does not
prove absent (README "Trust"), may give VALID only while naming that account, and --strict must
refuse it. `WV_FUZZ_INPUTS=5000` runs 5,000 mutants (CI: 120);
the summary per mutation class is printed (`pytest -s`).
"""

from __future__ import annotations

import collections
import json
import os
import random
import resource
import time

import rlp
from eth_hash.auto import keccak

from witnessverify import sources
from witnessverify.bundle import Bundle
from witnessverify.errors import InputError
from witnessverify.inputs import load_bundles
from witnessverify.pipeline import verify_bundle
from witnessverify.witness import state as state_module

from tests.helpers.fixtures import BUNDLES, KEEPER_HOODI, SBV_MAINNET, SHARED, recommit

COUNT = int(os.environ.get("WV_FUZZ_INPUTS", "120"))
SEED = int(os.environ.get("WV_FUZZ_SEED", "0"))


def _read_set(bundle: Bundle) -> set[bytes]:
    """Every node and code hash the verification of `bundle` found in its witness."""
    seen: set[bytes] = set()
    original = state_module.WitnessStore.__getitem__

    def recording(self, key):
        value = original(self, key)  # a miss raises: only what the witness had is recorded
        seen.add(bytes(key))
        return value

    state_module.WitnessStore.__getitem__ = recording
    try:
        verify_bundle(bundle)
    finally:
        state_module.WitnessStore.__getitem__ = original
    return seen & {keccak(x) for x in bundle.state + bundle.codes}  # not the nodes execution wrote


def _json_paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield prefix + (k,), v
            yield from _json_paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:50]):
            yield prefix + (i,), v
            yield from _json_paths(v, prefix + (i,))


def _set(doc, path, value):
    target = doc
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value


# -- mutation classes: (rng, original file bytes, original bundle) -> (file name, new bytes) or a Bundle
def m_bytes(rng, raw, _):
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(("flip", "cut", "insert"))
        i = rng.randrange(max(len(data), 1))
        if op == "flip" and data:
            data[i] ^= 1 << rng.randrange(8)
        elif op == "cut":
            del data[i: i + rng.randint(1, 64)]
        else:
            data[i:i] = rng.randbytes(rng.randint(1, 16))
    return bytes(data)


def m_hex(rng, raw, _):
    doc = json.loads(raw)
    paths = [(p, v) for p, v in _json_paths(doc) if isinstance(v, str) and v.startswith("0x") and len(v) > 2]
    path, value = rng.choice(paths)
    op = rng.choice(("char", "odd", "nonhex", "empty", "grow"))
    if op == "char":
        i = rng.randrange(2, len(value))
        value = value[:i] + rng.choice("0123456789abcdef") + value[i + 1:]
    elif op == "odd":
        value = value[:-1]
    elif op == "nonhex":
        value = value[:2] + "zz" + value[4:]
    elif op == "empty":
        value = "0x"
    else:
        value = value + "00" * rng.randint(1, 40)
    _set(doc, path, value)
    return json.dumps(doc).encode()


def m_json_type(rng, raw, _):
    doc = json.loads(raw)
    path, _value = rng.choice(list(_json_paths(doc)))
    _set(doc, path, rng.choice([None, 5, -1, 2**300, True, [], {}, "x", [1, 2], {"a": 1}, "0x" + "ff" * 33]))
    return json.dumps(doc).encode()


def m_rlp_length(rng, _raw, bundle):
    block = bytearray(bundle.block_rlp)
    i = rng.choice([0, 1, 2, 3] + [rng.randrange(len(block)) for _ in range(3)])
    block[i] = rng.choice([0x80, 0xB7, 0xB8, 0xBF, 0xC0, 0xF7, 0xF8, 0xFF, block[i] ^ 0x01])
    b = _copy(bundle)
    b.block_rlp = bytes(block)
    return b


def m_header_field(rng, _raw, bundle):
    items = rlp.decode(bundle.block_rlp)
    i = rng.randrange(len(items[0]))
    v = items[0][i]
    n = int.from_bytes(v, "big")
    items[0][i] = rng.choice([(n + 1).to_bytes(max(len(v), 1), "big"), b"", rng.randbytes(len(v) or 1),
                              (2**256 - 1).to_bytes(32, "big"), v + b"\x00"])
    b = _copy(bundle)
    b.block_rlp = rlp.encode(items)
    return b


def m_transaction(rng, _raw, bundle):
    items = rlp.decode(bundle.block_rlp)
    if not items[1]:
        return m_header_field(rng, _raw, bundle)
    i = rng.randrange(len(items[1]))
    tx = items[1][i]
    raw_tx = bytearray(rlp.encode(tx) if isinstance(tx, list) else tx)
    j = rng.randrange(len(raw_tx))
    raw_tx[j] ^= 1 << rng.randrange(8)
    items[1][i] = bytes(raw_tx) if not isinstance(tx, list) else _maybe_list(bytes(raw_tx))
    b = _copy(bundle)
    b.block_rlp = rlp.encode(items)
    return b


def _maybe_list(raw: bytes):
    try:
        decoded = rlp.decode(raw)
        return decoded if isinstance(decoded, list) else raw
    except Exception:  # noqa: BLE001
        return raw


def m_witness_node(rng, _raw, bundle):
    b = _copy(bundle)
    if not b.state:
        return b
    i = rng.randrange(len(b.state))
    op = rng.choice(("drop", "corrupt", "recommit", "recommit_garbage"))
    node = b.state[i]
    b.touched = keccak(node)
    if op == "drop":
        b.state = b.state[:i] + b.state[i + 1:]
    elif op == "corrupt":
        data = bytearray(node)
        data[rng.randrange(len(data))] ^= 0xFF
        b.state = b.state[:i] + [bytes(data)] + b.state[i + 1:]
    elif b.headers:
        data = bytearray(node)
        if op == "recommit_garbage":
            data = bytearray(rlp.encode([rng.randbytes(rng.randint(0, 40)) for _ in range(rng.choice((1, 3, 5)))]))
        else:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        out = recommit(b, keccak(node), bytes(data))
        out.touched = keccak(node)
        return out
    return b


def _shape(rng, depth: int = 0):
    """A random RLP item of any shape: byte strings of the lengths trie nodes care about, lists
    of the lengths they care about, nested up to four deep."""
    if depth >= 4 or rng.random() < 0.45:
        return rng.randbytes(rng.choice((0, 1, 1, 2, 20, 31, 32, 32, 33)))
    return [_shape(rng, depth + 1) for _ in range(rng.choice((0, 1, 2, 2, 3, 16, 17, 17, 18)))]


def _near_node(rng, node: bytes):
    """The real node with one part changed in shape: an item made a list or another length, the
    path's flag nibble changed, an item added or removed."""
    try:
        items = rlp.decode(node)
    except Exception:  # noqa: BLE001
        return _shape(rng)
    if not isinstance(items, list) or not items:
        return _shape(rng)
    i = rng.randrange(len(items))
    how = rng.choice(("list", "length", "flag", "add", "drop"))
    if how == "list":
        items[i] = [items[i]] if rng.random() < 0.5 else [_shape(rng, 2), _shape(rng, 2)]
    elif how == "length":
        items[i] = rng.randbytes(rng.choice((0, 1, 31, 33)))
    elif how == "flag" and isinstance(items[0], bytes) and items[0]:
        items[0] = bytes([(rng.randrange(16) << 4) | (items[0][0] & 15)]) + items[0][1:]
    elif how == "add":
        items.append(_shape(rng, 2))
    else:
        items.pop(i)
    return items


def m_node_shape(rng, _raw, bundle):
    """A witness node replaced by an authenticated node of another RLP shape (re-committed up to
    the parent header), so the trie code meets every shape a hostile witness can give it."""
    b = _copy(bundle)
    if not b.state or not b.headers:
        return b
    node = rng.choice(b.state)
    shape = _near_node(rng, node) if rng.random() < 0.6 else _shape(rng)
    out = recommit(b, keccak(node), rlp.encode(shape))
    out.touched = keccak(node)
    return out


# header fields whose rules are bounds, not values: a mutant within the bounds is another valid
# block (coinbase, gasLimit within 1/1024 of the parent's, a later timestamp, extraData within 32
# bytes, prevRandao, the parent beacon root: whatever they change is in the state root)
FREE_FIELDS = {2, 9, 11, 12, 13, 19}
WITHOUT_PARENT = {8, 15, 18}  # number, baseFee, excessBlobGas: in skippedChecks without a parent


def free_header_change(original: Bundle, block: bytes) -> bool:
    """Whether `block` is the original but for header fields whose rules are bounds (FREE_FIELDS)
    and, without a parent header, the fields the report lists as skipped. Such a block is another
    valid block, not a wrong one: every value those fields take is checked by execution or by
    their bound."""
    if block == original.block_rlp:
        return True
    try:
        a, b = rlp.decode(original.block_rlp), rlp.decode(block)
    except Exception:  # noqa: BLE001
        return False
    if a[1:] != b[1:] or len(a[0]) != len(b[0]):
        return False
    free = FREE_FIELDS | (WITHOUT_PARENT if not original.headers else set())
    return all(i in free for i, (x, y) in enumerate(zip(a[0], b[0])) if x != y)


def describe(original: Bundle, block: bytes, lost: set) -> str:
    try:
        a, b = rlp.decode(original.block_rlp), rlp.decode(block)
        fields = [i for i, (x, y) in enumerate(zip(a[0], b[0])) if x != y]
        body = "same body" if a[1:] == b[1:] else "body changed"
        return f"header fields {fields}, {body}, {len(lost)} needed node(s) gone"
    except Exception as exc:  # noqa: BLE001
        return f"undecodable: {exc}"


def _copy(bundle: Bundle) -> Bundle:
    import copy

    b = copy.copy(bundle)
    b.state, b.codes, b.headers = list(bundle.state), list(bundle.codes), list(bundle.headers)
    return b


FILE_CLASSES = {"bytes": m_bytes, "hex": m_hex, "json-type": m_json_type}
BUNDLE_CLASSES = {"rlp-length": m_rlp_length, "header-field": m_header_field, "transaction": m_transaction,
                  "witness-node": m_witness_node, "node-shape": m_node_shape}


def _inputs():
    """(name, file to mutate, whether it is JSON) for every input shape."""
    return [
        ("bundle", BUNDLES / "560048-1151683.json", True),
        ("bundle-op", BUNDLES / "10-120794432.json", True),
        ("bundle-celo", BUNDLES / "11142220-2346038.json", True),
        ("geth-rlp", KEEPER_HOODI / "1192c3_witness.rlp", False),
        ("block-rlp", KEEPER_HOODI / "1192c3_block.rlp", False),
        ("sbv", SBV_MAINNET, True),
        ("kona", SHARED / "kona-op-mainnet" / "op-mainnet-120794432.json", True),
        ("kona-build", SHARED / "celo-kona-celo-sepolia" / "2346038" / "celo-kona-celo-sepolia-2346038.json", True),
    ]


def test_the_fuzzer(tmp_path):
    rng = random.Random(SEED)
    shapes = [s for s in _inputs() if s[1].exists()]
    originals = {name: load_bundles(path)[0] for name, path, _ in shapes if path.suffix != ".rlp"}
    originals["geth-rlp"] = originals["block-rlp"] = sources.load(KEEPER_HOODI)[0]
    reads = {name: _read_set(b) for name, b in originals.items()}
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures, slowest = [], 0.0
    for n in range(COUNT):
        name, path, is_json = shapes[n % len(shapes)]
        raw = path.read_bytes()
        classes = dict(BUNDLE_CLASSES)
        classes.update({k: v for k, v in FILE_CLASSES.items() if is_json or k == "bytes"})
        cls = rng.choice(sorted(classes))
        started = time.monotonic()
        try:
            mutant = classes[cls](rng, raw, originals[name])
            if isinstance(mutant, Bundle):
                outcome = verify_bundle(mutant)
                block = mutant.block_rlp
                nodes = {keccak(x) for x in mutant.state + mutant.codes}
            else:
                target = tmp_path / f"{n}{path.suffix}"
                if path.suffix == ".rlp":  # the pair: mutate one file, keep the other beside it
                    other = KEEPER_HOODI / ("1192c3_block.rlp" if "witness" in path.name else "1192c3_witness.rlp")
                    target = tmp_path / str(n) / path.name
                    target.parent.mkdir()
                    (target.parent / other.name).write_bytes(other.read_bytes())
                target.write_bytes(mutant)
                try:
                    loaded = load_bundles(target.parent if path.suffix == ".rlp" else target)
                except InputError:
                    counts[cls]["ERROR (unreadable)"] += 1
                    continue
                outcome = verify_bundle(loaded[0])
                block = loaded[0].block_rlp
                nodes = {keccak(x) for x in loaded[0].state + loaded[0].codes}
        except Exception as exc:  # noqa: BLE001 - the point of the fuzzer
            if os.environ.get("WV_FUZZ_TRACE"):
                import traceback

                traceback.print_exc()
            failures.append(f"#{n} {name}/{cls}: escaped {type(exc).__name__}: {exc}")
            continue
        seconds = time.monotonic() - started
        slowest = max(slowest, seconds)
        counts[cls][outcome.verdict] += 1
        if outcome.internal:
            failures.append(f"#{n} {name}/{cls}: internal error: {outcome.reason}")
        if seconds > 30:
            failures.append(f"#{n} {name}/{cls}: {seconds:.1f} s")
        if outcome.verdict == "VALID":
            original = originals[name]
            touched = getattr(mutant, "touched", None) if isinstance(mutant, Bundle) else None
            if touched is not None:  # a witness node changed: fine only if the block never needed it
                legit = touched not in reads[name] or touched in nodes  # (or another copy of it is there)
            else:
                legit = free_header_change(original, block) and reads[name] <= nodes
            if not legit and outcome.assumed_absent:
                # the documented tolerance (README "Trust"): VALID only while naming the account
                # it assumes absent; --strict (and so a check that must not assume) refuses it
                counts[cls]["VALID assuming an absent account"] += 1
                again = verify_bundle(mutant if isinstance(mutant, Bundle) else loaded[0], strict=True)
                legit = again.verdict != "VALID"
            if not legit:
                failures.append(f"#{n} {name}/{cls}: VALID after a mutation of the block or a needed node "
                                f"({describe(original, block, reads[name] - nodes)})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\nfuzzer: {COUNT} mutants (seed {SEED}), slowest {slowest:.1f} s, peak RSS {peak} MB")
    for cls in sorted(counts):
        print(f"  {cls:<14} " + ", ".join(f"{k} {v}" for k, v in sorted(counts[cls].items())))
    assert not failures, "\n".join(failures[:20])
    assert peak < 1024
