"""Sources: turn files and folders of witness artefacts into canonical `Bundle`s.

Shapes understood (detected from content; `--format` forces one):
  bundle    this project's canonical bundle JSON (`witnessverify-bundle/1`)
  geth-rlp  geth `ExtWitness` RLP ([headers, codes, state] or [headers, codes, state, keys])
            beside a block RLP file
  rpc-json  a `debug_executionWitness` JSON result (geth/op-geth: headers as JSON objects;
            reth: headers as RLP hex; legacy reth: unsorted lists with 0x80 entries; old reth
            and op-geth: maps keyed by hash), raw or in a JSON-RPC envelope, beside a block as
            RLP, `debug_getRawBlock` answer, or `eth_getBlockByNumber(n, true)` JSON
  sbv       scroll stateless-block-verifier JSON (header, transactions, states, codes,
            prev_state_root, block_hashes)
  (also detected, no --format name: kona executor fixtures, ethrex-replay cache files)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import rlp

from ..bundle import BUNDLE_FORMAT, Bundle
from ..errors import InputError
from ..hexjson import hex_bytes, hex_fixed, hex_list, quantity
from ..safeparse import decode_rlp, load_json, sniff_text
from .blockjson import block_rlp_from_json, camel_header, header_fields, sbv_transaction

FORMATS = ("bundle", "geth-rlp", "rpc-json", "sbv")


# -- reading and classifying one file ----------------------------------------------------------
class Artefact:
    """One file's content, classified: kind is bundle|sbv|witness|block|unknown."""

    def __init__(self, path: Path, kind: str, data: Any, claimed_hash: Optional[bytes] = None):
        self.path, self.kind, self.data, self.claimed_hash = path, kind, data, claimed_hash


def _read(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not raw.strip():
        raise InputError(f"{path}: empty file")
    return raw


def _unwrap_envelope(doc: Any, path: Path) -> Any:
    if isinstance(doc, dict) and "jsonrpc" in doc:
        if doc.get("error") is not None:
            err = doc["error"]
            msg = err.get("message") if isinstance(err, dict) else err
            raise InputError(f"{path}: the JSON-RPC answer is an error: {msg}")
        if "result" not in doc:
            raise InputError(f"{path}: JSON-RPC envelope without a result")
        return doc["result"]
    return doc


def classify(path: Path) -> Artefact:
    return _shaped("input", path, lambda: _classify(path))


def _classify(path: Path) -> Artefact:
    raw = _read(path)
    sniff_text(raw[:4], str(path))
    head = raw.lstrip()[:1]
    if head in (b"{", b"[", b'"', b"n", b"t", b"f"):
        doc = load_json(raw, str(path))
        doc = _unwrap_envelope(doc, path)
        if isinstance(doc, str):  # debug_getRawBlock answer
            return Artefact(path, "block", hex_bytes(doc, f"{path}: result"))
        if isinstance(doc, dict):
            if doc.get("format") == BUNDLE_FORMAT:
                return Artefact(path, "bundle", doc)
            if str(doc.get("format", "")).startswith("witnessverify-claims/"):
                return Artefact(path, "claims", doc)  # a saved check's claims: `verify DIR` replays them
            if "states" in doc and "header" in doc:
                return Artefact(path, "sbv", doc)
            if "blocks" in doc and "witness" in doc:
                return Artefact(path, "ethrex", doc)
            if "preimages" in doc and "expected_header_rlp" in doc:
                return Artefact(path, "kona", doc)
            if "preimages" in doc and "executing_payload" in doc:
                return Artefact(path, "kona-build", doc)
            if "state" in doc and ("codes" in doc or "keys" in doc):
                return Artefact(path, "witness", doc)
            if "parentHash" in doc and "transactions" in doc:
                claimed = hex_fixed(doc["hash"], 32, f"{path}: hash") if doc.get("hash") else None
                return Artefact(path, "block", block_rlp_from_json(doc, str(path)), claimed)
        raise InputError(f"{path}: JSON of an unknown shape (not a witness, block or bundle)")
    # binary RLP, or RLP as a hex text file
    text = raw.strip()
    if text[:2] in (b"0x", b"0X"):
        try:
            raw = bytes.fromhex(text[2:].decode())
        except ValueError:
            raise InputError(f"{path}: neither JSON nor RLP nor hex") from None
    item = decode_rlp(raw, str(path))
    if isinstance(item, list) and len(item) in (3, 4) and all(isinstance(x, list) for x in item):
        first = item[0]
        if first and isinstance(first[0], list):
            if len(first[0]) >= 15 and all(isinstance(x, bytes) for x in first[0]):
                if len(item) in (3, 4) and isinstance(item[1], list) and all(isinstance(x, list) for x in item[1:]):
                    if _looks_like_block(item):
                        return Artefact(path, "block", raw)
                    return Artefact(path, "witness-rlp", item)
        elif _looks_like_block(item):
            return Artefact(path, "block", raw)
    if isinstance(item, list) and item and isinstance(item[0], list) and len(item[0]) >= 15:
        return Artefact(path, "block", raw)
    raise InputError(f"{path}: RLP of an unknown shape (not a block or geth ExtWitness)")


def _looks_like_block(item: list) -> bool:
    """A block is [header(15+ byte strings), txs, uncles(, withdrawals)]."""
    header = item[0]
    return (
        isinstance(header, list)
        and len(header) >= 15
        and all(isinstance(x, bytes) for x in header)
    )


# -- building bundles --------------------------------------------------------------------------
def _witness_bundle(witness: Artefact, block: Artefact, chain_id: Optional[int]) -> Bundle:
    origin = f"{witness.path} + {block.path}"
    if witness.kind == "witness-rlp":
        parts = witness.data
        headers = [rlp.encode(h) for h in parts[0]]
        codes, state = list(parts[1]), list(parts[2])
        keys = list(parts[3]) if len(parts) > 3 else []
        for group, name in ((codes, "codes"), (state, "state"), (keys, "keys")):
            if not all(isinstance(x, bytes) for x in group):
                raise InputError(f"{witness.path}: ExtWitness {name} must be byte strings")
        fmt = "geth-rlp"
    else:
        doc = witness.data
        state = hex_list(doc.get("state"), f"{witness.path}: state")
        codes = hex_list(doc.get("codes"), f"{witness.path}: codes")
        keys = hex_list(doc.get("keys"), f"{witness.path}: keys")
        headers = []
        for i, h in enumerate(doc.get("headers") or []):
            if isinstance(h, dict):  # geth / op-geth: header JSON objects
                headers.append(rlp.encode(header_fields(h, f"{witness.path}: headers[{i}]")))
            else:  # reth: header RLP hex
                headers.append(hex_bytes(h, f"{witness.path}: headers[{i}]"))
        fmt = "rpc-json"
    return Bundle(
        chain_id=chain_id,
        block_rlp=block.data,
        state=state,
        codes=codes,
        headers=headers,
        keys=keys,
        provenance={"source": origin, "shape": fmt},
        origin=origin,
        claimed_hash=block.claimed_hash,
    )


def bundle_from_witness_json(doc: dict, block_rlp: bytes, origin: str, chain_id: Optional[int] = None) -> Bundle:
    """A bundle from a `debug_executionWitness` result (any client's shape) and a block RLP."""
    if not isinstance(doc, dict) or "state" not in doc:
        raise InputError(f"{origin}: the witness answer is not an execution witness object")
    return _witness_bundle(Artefact(Path(origin), "witness", doc), Artefact(Path(origin), "block", block_rlp), chain_id)


def _sbv_bundle(art: Artefact) -> Bundle:
    doc, path = art.data, art.path
    try:
        header = camel_header(doc["header"])
        txs = [sbv_transaction(t, f"{path}: transactions[{i}]") for i, t in enumerate(doc["transactions"])]
        block_json = dict(header, transactions=txs, withdrawals=doc.get("withdrawals"))
        block_rlp = block_rlp_from_json(block_json, str(path))
        return Bundle(
            chain_id=quantity(doc["chain_id"], f"{path}: chain_id") if "chain_id" in doc else None,
            block_rlp=block_rlp,
            state=hex_list(doc["states"], f"{path}: states"),
            codes=hex_list(doc.get("codes"), f"{path}: codes"),
            headers=[],
            parent_state_root=hex_fixed(doc["prev_state_root"], 32, f"{path}: prev_state_root"),
            ancestor_hashes=[hex_fixed(h, 32, f"{path}: block_hashes") for h in doc.get("block_hashes", [])],
            provenance={"source": str(path), "shape": "sbv"},
            origin=str(path),
        )
    except KeyError as exc:
        raise InputError(f"{path}: sbv JSON lacks field {exc.args[0]}") from None


def _kona_bundle(art: Artefact) -> Bundle:
    """kona executor fixture: one preimage map (trie nodes and codes together), the parent and
    expected header RLPs and the raw transactions; the block is [expected header, txs, [], []]."""
    doc, path = art.data, art.path
    try:
        header = hex_bytes(doc["expected_header_rlp"], f"{path}: expected_header_rlp")
        parent = hex_bytes(doc["parent_header_rlp"], f"{path}: parent_header_rlp")
        txs = [hex_bytes(t, f"{path}: transactions[{i}]") for i, t in enumerate(doc["transactions"])]
        header_items = rlp.decode(header)
    except KeyError as exc:
        raise InputError(f"{path}: kona fixture lacks field {exc.args[0]}") from None
    except rlp.exceptions.DecodingError:
        raise InputError(f"{path}: expected_header_rlp is not valid RLP") from None
    body: list = [header_items, [], []]
    if len(header_items) >= 17:  # a withdrawals root: the body carries a (here empty) list
        body.append([])
    # legacy transactions are RLP lists inside a block; typed ones are byte strings
    body[1] = [rlp.decode(t) if t[:1] >= b"\xc0" else t for t in txs]
    return Bundle(
        chain_id=quantity(doc["chain_id"], f"{path}: chain_id") if "chain_id" in doc else None,
        block_rlp=rlp.encode(body),
        state=hex_list(doc["preimages"], f"{path}: preimages"),
        codes=[],
        headers=[parent],
        provenance={"source": str(path), "shape": "kona", "upstream": doc.get("_provenance")},
        origin=str(path),
    )


def _kona_build_bundle(art: Artefact) -> Bundle:
    """A kona executor fixture that carries payload attributes, not a block: the block is built
    from them (build.py) and becomes a bundle only if its hash is the one the fixture says the
    chain gave it; that hash check is what makes the sealed header the chain's."""
    from ..build import build_from_file

    from ..errors import InvalidBlock, Unsupported

    try:
        built = build_from_file(str(art.path))
    except (InvalidBlock, Unsupported) as exc:
        raise InputError(f"{art.path}: cannot build the block from its payload attributes ({exc}); "
                         f"`witnessverify build` says more") from None
    if built.expected_hash is None or built.block_hash != built.expected_hash:
        want = "no expected_block_hash" if built.expected_hash is None else f"0x{built.expected_hash.hex()}"
        raise InputError(f"{art.path}: the block built from its payload attributes hashes to "
                         f"0x{built.block_hash.hex()}, not the fixture's {want}; `witnessverify build` "
                         f"shows the built header")
    return Bundle(
        chain_id=built.chain_id,
        block_rlp=built.block_rlp,
        state=list(built.preimages),
        codes=[],
        headers=[built.parent_rlp],
        provenance={"source": str(art.path), "shape": "kona build fixture",
                    "blockHashCheckedAgainst": "expected_block_hash", "upstream": art.data.get("_provenance")},
        origin=str(art.path),
    )


def _ethrex_network(network: Any) -> Optional[int]:
    """ethrex-replay's `network` ({"PublicNetwork": "Hoodi"}) -> a built-in chain id, if it names one."""
    from ..chains import CHAINS

    name = network.get("PublicNetwork") if isinstance(network, dict) else network
    chain = CHAINS.get(str(name).lower()) if isinstance(name, str) else None
    return None if chain is None else chain.chain_id


def _ethrex_bundle(art: Artefact) -> Bundle:
    """ethrex-replay's cache file: `{blocks: [{header, body: {transactions, uncles, withdrawals}}],
    witness: {state, keys, codes, headers (RLP hex)}, network}`, read as it is."""
    doc, path = art.data, art.path
    blocks, witness = doc["blocks"], doc["witness"]
    if not isinstance(blocks, list) or not blocks:
        raise InputError(f"{path}: ethrex cache without blocks")
    if len(blocks) > 1:
        raise InputError(f"{path}: an ethrex cache of {len(blocks)} blocks (one witness for a range) is not "
                         f"supported; only single-block caches are")
    if not isinstance(witness, dict):
        raise InputError(f"{path}: ethrex cache witness is not an object")
    block = blocks[0]
    if not isinstance(block, dict) or not isinstance(block.get("header"), dict) or not isinstance(block.get("body"), dict):
        raise InputError(f"{path}: blocks[0] is not {{header, body}}")
    body = block["body"]
    if body.get("uncles"):
        raise InputError(f"{path}: blocks[0] has uncles, which this cache shape cannot carry faithfully")
    block_json = dict(block["header"], transactions=body.get("transactions") or [], withdrawals=body.get("withdrawals"))
    return Bundle(
        chain_id=_ethrex_network(doc.get("network")),
        block_rlp=block_rlp_from_json(block_json, f"{path}: blocks[0]"),
        state=hex_list(witness.get("state"), f"{path}: witness.state"),
        codes=hex_list(witness.get("codes"), f"{path}: witness.codes"),
        headers=hex_list(witness.get("headers"), f"{path}: witness.headers"),
        keys=hex_list(witness.get("keys"), f"{path}: witness.keys"),
        provenance={"source": str(path), "shape": "ethrex-replay cache", "network": doc.get("network")},
        origin=str(path),
    )


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise InputError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def bundle_from_json(doc: dict, path: Path) -> Bundle:
    w = doc.get("witness")
    if not isinstance(w, dict):
        raise InputError(f"{path}: bundle lacks its witness object")
    psr = doc.get("parentStateRoot")
    anc = doc.get("ancestorHashes")
    chain_id = doc.get("chainId")
    if chain_id is not None:
        chain_id = quantity(chain_id, f"{path}: chainId")
        if chain_id >= 2**64:
            raise InputError(f"{path}: chainId is out of range (a chain id is below 2^64)")
    return Bundle(
        chain_id=chain_id,
        block_rlp=hex_bytes(doc.get("block"), f"{path}: block"),
        state=hex_list(w.get("state"), f"{path}: witness.state"),
        codes=hex_list(w.get("codes"), f"{path}: witness.codes"),
        headers=hex_list(w.get("headers"), f"{path}: witness.headers"),
        keys=hex_list(w.get("keys"), f"{path}: witness.keys"),
        parent_state_root=hex_fixed(psr, 32, f"{path}: parentStateRoot") if psr else None,
        ancestor_hashes=[hex_fixed(h, 32, f"{path}: ancestorHashes") for h in _list(anc, f"{path}: ancestorHashes")]
        if anc is not None else None,
        provenance=doc.get("provenance") or {},
        origin=str(path),
        claimed_hash=hex_fixed(doc["blockHash"], 32, f"{path}: blockHash") if doc.get("blockHash") else None,
    )


_SKIP_NAMES = ("README", "PROVENANCE", "LICENSE")


def _candidate_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.upper().startswith(_SKIP_NAMES)
        and p.suffix.lower() not in (".md", ".txt", ".tar", ".gz")
    )


def _pair(witnesses: list[Artefact], blocks: list[Artefact], where: str, chain_id) -> list[Bundle]:
    if len(witnesses) != len(blocks):
        raise InputError(
            f"{where}: cannot pair {len(witnesses)} witness file(s) with {len(blocks)} block file(s)"
        )
    if len(witnesses) == 1:
        return [_witness_bundle(witnesses[0], blocks[0], chain_id)]
    # several pairs in one folder: pair by file-name prefix (geth keeper: <n>_witness / <n>_block)
    out = []
    for w in witnesses:
        stem = w.path.name.split("witness")[0]
        match = [b for b in blocks if b.path.name.split("block")[0] == stem]
        if len(match) != 1:
            raise InputError(f"{w.path}: no block file with the same name prefix")
        out.append(_witness_bundle(w, match[0], chain_id))
    return out


def load(path: str | os.PathLike, fmt: Optional[str] = None) -> list[Bundle]:
    """All bundles found at a file or folder path."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if p.is_dir():
        files = _candidate_files(p)
        arts = [classify(f) for f in files]
        bundles = _from_artefacts(arts, str(p), fmt)
        if bundles:  # a folder that holds its own inputs is one case: its subfolders are its extras
            return bundles
        for sub in sorted(x for x in p.iterdir() if x.is_dir() and not x.name.startswith(".")):
            bundles.extend(load(sub, fmt))
        if not bundles and not any(x.is_dir() for x in p.iterdir()):
            raise InputError(f"{p}: no witness or bundle files in this folder")
        return bundles
    art = classify(p)
    if art.kind in ("witness", "witness-rlp", "block"):
        # the other half of the pair lies beside it
        arts = [art]
        for f in _candidate_files(p.parent):
            if f != p:
                try:
                    arts.append(classify(f))
                except InputError:
                    continue  # an unrelated file beside it
        witnesses = [a for a in arts if a.kind in ("witness", "witness-rlp")]
        blocks = [a for a in arts if a.kind == "block"]
        if art.kind == "block":
            witnesses = _closest(art, witnesses, "block", "witness")
            blocks = [art]
        else:
            witnesses = [art]
            blocks = _closest(art, blocks, "witness", "block")
        if not witnesses or not blocks:
            missing = "block" if not blocks else "witness"
            raise InputError(f"{p}: no {missing} file beside it to pair with")
        return _shaped("witness/block pair", p, lambda: _pair(witnesses, blocks, str(p), None))
    return _from_artefacts([art], str(p), fmt)


def _closest(art: Artefact, others: list[Artefact], own: str, other: str) -> list[Artefact]:
    """Of several candidate partners, the one whose name shares the prefix before own/other."""
    if len(others) <= 1:
        return others
    stem = art.path.name.split(own)[0]
    match = [o for o in others if o.path.name.split(other)[0] == stem]
    return match[:1] if match else others


def _from_artefacts(arts: list[Artefact], where: str, fmt: Optional[str]) -> list[Bundle]:
    bundles: list[Bundle] = []
    witnesses = [a for a in arts if a.kind in ("witness", "witness-rlp")]
    blocks = [a for a in arts if a.kind == "block"]
    builders = {"bundle": lambda a: bundle_from_json(a.data, a.path), "sbv": _sbv_bundle, "kona": _kona_bundle,
                "kona-build": _kona_build_bundle, "ethrex": _ethrex_bundle}
    for a in arts:
        if fmt is not None:
            _check_format(a, fmt)
        if a.kind in builders:
            bundles.append(_shaped(a.kind, a.path, lambda: builders[a.kind](a)))
    if witnesses or blocks:
        bundles.extend(_shaped("witness/block pair", where, lambda: _pair(witnesses, blocks, where, None)))
    return bundles


def _shaped(shape: str, where, build):
    """Run a shape's reader; a field of the wrong JSON type is an InputError naming the file
    (each reader names the field where it checks one; this catches the rest)."""
    try:
        return build()
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}" if str(exc) else type(exc).__name__
        raise InputError(f"{where}: a malformed {shape} (a field of the wrong type or shape: {detail})") from None


def _check_format(a: Artefact, fmt: str) -> None:
    expected = {"bundle": ("bundle",), "sbv": ("sbv",), "geth-rlp": ("witness-rlp", "block"), "rpc-json": ("witness", "block")}
    if a.kind not in expected[fmt]:
        raise InputError(f"{a.path}: is not of format {fmt} (looks like {a.kind})")
