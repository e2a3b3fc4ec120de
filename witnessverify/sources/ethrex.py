"""ethrex-replay's cache file, read as it is: `{blocks: [{header, body}], witness, network}`."""

from __future__ import annotations

from typing import Any, Optional

from ..bundle import Bundle
from ..chains import CHAINS
from ..errors import InputError
from ..hexjson import hex_list
from .blockjson import block_rlp_from_json
from .detect import Artefact


def ethrex_network(network: Any) -> Optional[int]:
    """ethrex-replay's `network` ({"PublicNetwork": "Hoodi"}) -> a built-in chain id, if it names one."""
    name = network.get("PublicNetwork") if isinstance(network, dict) else network
    chain = CHAINS.get(str(name).lower()) if isinstance(name, str) else None
    return None if chain is None else chain.chain_id


def ethrex_bundle(art: Artefact) -> Bundle:
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
        chain_id=ethrex_network(doc.get("network")),
        block_rlp=block_rlp_from_json(block_json, f"{path}: blocks[0]"),
        state=hex_list(witness.get("state"), f"{path}: witness.state"),
        codes=hex_list(witness.get("codes"), f"{path}: witness.codes"),
        headers=hex_list(witness.get("headers"), f"{path}: witness.headers"),
        keys=hex_list(witness.get("keys"), f"{path}: witness.keys"),
        provenance={"source": str(path), "shape": "ethrex-replay cache", "network": doc.get("network")},
        origin=str(path),
    )
