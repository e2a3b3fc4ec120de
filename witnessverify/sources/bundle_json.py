"""This project's canonical bundle JSON (`witnessverify-bundle/1`, bundle.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..bundle import Bundle
from ..errors import InputError
from ..hexjson import hex_bytes, hex_fixed, hex_list, quantity


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
