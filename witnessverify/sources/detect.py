"""Reading one input file and telling what it holds (bundle, witness, block, sbv, kona, ethrex,
a saved check's claims), from its content, not its name."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from ..bundle import BUNDLE_FORMAT
from ..errors import InputError
from ..hexjson import hex_bytes, hex_fixed
from ..safeparse import decode_rlp, load_json, sniff_text
from .blockjson import block_rlp_from_json


class Artefact:
    """One file's content, classified: kind is bundle|sbv|witness|block|unknown."""

    def __init__(self, path: Path, kind: str, data: Any, claimed_hash: Optional[bytes] = None):
        self.path, self.kind, self.data, self.claimed_hash = path, kind, data, claimed_hash


def read_file(path: Path) -> bytes:
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
    return shaped("input", path, lambda: _classify(path))


def _classify(path: Path) -> Artefact:
    raw = read_file(path)
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


def shaped(shape: str, where, build):
    """Run a shape's reader; a field of the wrong JSON type is an InputError naming the file
    (each reader names the field where it checks one; this catches the rest)."""
    try:
        return build()
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}" if str(exc) else type(exc).__name__
        raise InputError(f"{where}: a malformed {shape} (a field of the wrong type or shape: {detail})") from None


def check_format(a: Artefact, fmt: str) -> None:
    expected = {"bundle": ("bundle",), "sbv": ("sbv",), "geth-rlp": ("witness-rlp", "block"), "rpc-json": ("witness", "block")}
    if a.kind not in expected[fmt]:
        raise InputError(f"{a.path}: is not of format {fmt} (looks like {a.kind})")
