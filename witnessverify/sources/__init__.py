"""Sources: turn files and folders of witness artefacts into canonical `Bundle`s, one module per
input shape, detected from the content (`--format` forces one):
  bundle    this project's canonical bundle JSON (`witnessverify-bundle/1`)     bundle_json.py
  geth-rlp  geth `ExtWitness` RLP ([headers, codes, state] or [headers, codes, state, keys])
            beside a block RLP file                                            pairs.py
  rpc-json  a `debug_executionWitness` JSON result (geth/op-geth: headers as JSON objects;
            reth: headers as RLP hex; legacy reth: unsorted lists with 0x80 entries; old reth
            and op-geth: maps keyed by hash), raw or in a JSON-RPC envelope, beside a block as
            RLP, `debug_getRawBlock` answer, or `eth_getBlockByNumber(n, true)` JSON  pairs.py
  sbv       scroll stateless-block-verifier JSON                               sbv.py
  (also detected, no --format name: kona executor fixtures, kona build fixtures (kona.py),
  ethrex-replay cache files (ethrex.py))
Reading is detect.py; block JSON is blockjson.py. A build fixture is returned as a
`BuildFixture`: sealing it takes execution, a higher layer (inputs.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from ..bundle import Bundle
from ..errors import InputError
from .bundle_json import bundle_from_json
from .detect import Artefact, check_format, classify, shaped
from .ethrex import ethrex_bundle
from .kona import BuildFixture, kona_bundle
from .pairs import bundle_from_witness_json, closest, pair
from .sbv import sbv_bundle

FORMATS = ("bundle", "geth-rlp", "rpc-json", "sbv")
Loaded = Union[Bundle, BuildFixture]

__all__ = ["FORMATS", "Artefact", "BuildFixture", "bundle_from_json", "bundle_from_witness_json", "classify", "load"]


_SKIP_NAMES = ("README", "PROVENANCE", "LICENSE")


def _candidate_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.upper().startswith(_SKIP_NAMES)
        and p.suffix.lower() not in (".md", ".txt", ".tar", ".gz")
    )


def load(path: str | os.PathLike, fmt: Optional[str] = None) -> list[Loaded]:
    """All bundles found at a file or folder path (a build fixture as a `BuildFixture`)."""
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
            witnesses = closest(art, witnesses, "block", "witness")
            blocks = [art]
        else:
            witnesses = [art]
            blocks = closest(art, blocks, "witness", "block")
        if not witnesses or not blocks:
            missing = "block" if not blocks else "witness"
            raise InputError(f"{p}: no {missing} file beside it to pair with")
        return shaped("witness/block pair", p, lambda: pair(witnesses, blocks, str(p), None))
    return _from_artefacts([art], str(p), fmt)


def _from_artefacts(arts: list[Artefact], where: str, fmt: Optional[str]) -> list[Bundle]:
    bundles: list[Bundle] = []
    witnesses = [a for a in arts if a.kind in ("witness", "witness-rlp")]
    blocks = [a for a in arts if a.kind == "block"]
    builders = {"bundle": lambda a: bundle_from_json(a.data, a.path), "sbv": sbv_bundle, "kona": kona_bundle,
                "kona-build": lambda a: BuildFixture(a.path), "ethrex": ethrex_bundle}
    for a in arts:
        if fmt is not None:
            check_format(a, fmt)
        if a.kind in builders:
            bundles.append(shaped(a.kind, a.path, lambda: builders[a.kind](a)))
    if witnesses or blocks:
        bundles.extend(shaped("witness/block pair", where, lambda: pair(witnesses, blocks, where, None)))
    return bundles
