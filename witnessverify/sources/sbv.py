"""scroll stateless-block-verifier JSON: header, transactions, states, codes, prev_state_root,
block_hashes (no parent header: the pre-state root and ancestor hashes are taken from the input)."""

from __future__ import annotations

from ..bundle import Bundle
from ..errors import InputError
from ..hexjson import hex_fixed, hex_list, quantity
from .blockjson import block_rlp_from_json, camel_header, sbv_transaction
from .detect import Artefact


def sbv_bundle(art: Artefact) -> Bundle:
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
