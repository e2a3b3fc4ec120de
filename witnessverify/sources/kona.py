"""kona's executor fixtures: one preimage map (trie nodes and codes together) with the parent and
expected header RLPs and raw transactions; and the build fixtures that carry payload attributes
instead of a block, which are sealed by the builder above this layer (`BuildFixture`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rlp

from ..bundle import Bundle
from ..errors import InputError
from ..hexjson import hex_bytes, hex_list, quantity
from .detect import Artefact


def kona_bundle(art: Artefact) -> Bundle:
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


@dataclass(frozen=True)
class BuildFixture:
    """A kona / celo-kona fixture that carries payload attributes, not a block: the block is built
    from them (build.py, through inputs.py) and becomes a bundle only if its hash is the one the
    fixture says the chain gave it."""

    path: Path
