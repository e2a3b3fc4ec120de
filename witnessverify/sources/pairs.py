"""A witness file and a block file read as a pair (geth ExtWitness RLP, any client's
`debug_executionWitness` JSON beside a block as RLP, `debug_getRawBlock` or block JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import rlp

from ..bundle import Bundle
from ..errors import InputError
from ..hexjson import hex_bytes, hex_list
from ..limits import check_items
from .blockjson import header_fields
from .detect import Artefact


def witness_bundle(witness: Artefact, block: Artefact, chain_id: Optional[int]) -> Bundle:
    origin = str(witness.path) if witness.path == block.path else f"{witness.path} + {block.path}"  # one RPC answer: once
    if witness.kind == "witness-rlp":
        parts = witness.data
        headers = [rlp.encode(h) for h in parts[0]]
        codes, state = list(parts[1]), list(parts[2])
        keys = list(parts[3]) if len(parts) > 3 else []
        for group, name in ((codes, "codes"), (state, "state"), (keys, "keys")):
            check_items(len(group), f"{witness.path}: ExtWitness {name}")
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
    return witness_bundle(Artefact(Path(origin), "witness", doc), Artefact(Path(origin), "block", block_rlp), chain_id)


def pair(witnesses: list[Artefact], blocks: list[Artefact], where: str, chain_id) -> list[Bundle]:
    if len(witnesses) != len(blocks):
        raise InputError(
            f"{where}: cannot pair {len(witnesses)} witness file(s) with {len(blocks)} block file(s)"
        )
    if len(witnesses) == 1:
        return [witness_bundle(witnesses[0], blocks[0], chain_id)]
    # several pairs in one folder: pair by file-name prefix (geth keeper: <n>_witness / <n>_block)
    out = []
    for w in witnesses:
        stem = w.path.name.split("witness")[0]
        match = [b for b in blocks if b.path.name.split("block")[0] == stem]
        if len(match) != 1:
            raise InputError(f"{w.path}: no block file with the same name prefix")
        out.append(witness_bundle(w, match[0], chain_id))
    return out


def closest(art: Artefact, others: list[Artefact], own: str, other: str) -> list[Artefact]:
    """Of several candidate partners, the one whose name shares the prefix before own/other."""
    if len(others) <= 1:
        return others
    stem = art.path.name.split(own)[0]
    match = [o for o in others if o.path.name.split(other)[0] == stem]
    return match[:1] if match else others
