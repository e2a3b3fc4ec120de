"""The witness check: link the parent header to the block by hash and prove the pre-state root.

After `link` the ancestor headers form one hash chain ending at the block's parent; after
`prove` the pre-state root is the keccak of a witness node (or was given explicitly for formats
that carry no parent header, which the report then says). A witness that fails either is
WITNESS_INVALID, naming the header or root; the block's own fields against its parent are rules
of the block, checked by its rule set (rules/), never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from eth.abc import BlockHeaderAPI
from eth.constants import BLANK_ROOT_HASH
from eth_hash.auto import keccak

from ..bundle import Bundle
from ..errors import InputError, WitnessInvalid
from .headers import decode_header

NO_PARENT_CHECKS = ("header checks against the parent (no parent header): number, baseFeePerGas, gasLimit, "
                    "timestamp, excessBlobGas")
NO_PARENT_ROOT = "pre-state root taken from the input, not from a parent header linked by hash"
ANCESTORS_FROM_INPUT = "ancestor hashes beyond the parent taken from the input, not linked by headers"


@dataclass
class Linked:
    """The block's place among the witness's headers."""

    parent: Optional[BlockHeaderAPI]
    ancestor_hashes: list[bytes]  # parent first
    skipped: list[str] = field(default_factory=list)


@dataclass
class ProvenWitness:
    parent: Optional[BlockHeaderAPI]
    pre_state_root: bytes
    ancestor_hashes: list[bytes]  # parent first
    preimages: dict[bytes, bytes]
    skipped: list[str] = field(default_factory=list)


def link(bundle: Bundle, header) -> Linked:
    """The ancestor headers as one hash chain ending at the block's parent."""
    where = bundle.origin or "bundle"
    by_hash: dict[bytes, BlockHeaderAPI] = {}
    for i, raw in enumerate(bundle.headers):
        by_hash[keccak(raw)] = decode_header(raw, f"{where}: witness header {i}")
    if by_hash:
        parent = by_hash.get(header.parent_hash)
        if parent is None:
            raise WitnessInvalid(
                f"parent header not linked: no witness header hashes to the block's parentHash "
                f"0x{header.parent_hash.hex()}", node=header.parent_hash)
        # The block's own number against its parent's is a rule of the block; from the parent
        # on, the headers are the witness's and must number one chain.
        linked = [header.parent_hash]
        child, current_hash = parent, parent.parent_hash
        current = by_hash.get(current_hash)
        while current is not None:
            if current.block_number != child.block_number - 1:
                raise WitnessInvalid(
                    f"headers not a hash chain: header 0x{current_hash.hex()} is #{current.block_number}, "
                    f"but its child is #{child.block_number}", node=current_hash)
            linked.append(current_hash)
            child, current_hash = current, current.parent_hash
            current = by_hash.get(current_hash)
        stray = set(by_hash) - set(linked)
        if stray:
            h = sorted(stray)[0]
            raise WitnessInvalid(
                f"headers not a hash chain: witness header #{by_hash[h].block_number} 0x{h.hex()} "
                f"is not an ancestor of the block", node=h)
        # every linked header also vouches for its own parent's hash
        return Linked(parent, linked + [child.parent_hash])
    if bundle.ancestor_hashes:
        if bundle.ancestor_hashes[0] != header.parent_hash:
            raise WitnessInvalid(
                f"parent not linked: the input's first ancestor hash 0x{bundle.ancestor_hashes[0].hex()} "
                f"is not the block's parentHash 0x{header.parent_hash.hex()}", node=bundle.ancestor_hashes[0])
        return Linked(None, list(bundle.ancestor_hashes), [ANCESTORS_FROM_INPUT])
    return Linked(None, [])


def prove(bundle: Bundle, linked: Linked, header, parent_state_root: Optional[bytes] = None) -> ProvenWitness:
    """The pre-state root, proven by a witness node (or given), and every node by hash."""
    where = bundle.origin or "bundle"
    skipped = list(linked.skipped)
    ancestors = linked.ancestor_hashes
    if linked.parent is not None:
        if parent_state_root is not None and parent_state_root != linked.parent.state_root:
            raise InputError(
                f"{where}: --parent-state-root 0x{parent_state_root.hex()} contradicts the parent "
                f"header's stateRoot 0x{linked.parent.state_root.hex()}"
            )
        pre_root = linked.parent.state_root
    else:
        pre_root = parent_state_root if parent_state_root is not None else bundle.parent_state_root
        if pre_root is None:
            raise InputError(f"{where}: the input has no parent header; pass --parent-state-root HEX")
        skipped += [NO_PARENT_CHECKS, NO_PARENT_ROOT]
        if not ancestors:
            ancestors = [header.parent_hash]
    if bundle.preimages is not None:
        preimages = bundle.preimages
    else:
        preimages = {keccak(x): x for x in bundle.state}
        for code in bundle.codes:
            preimages[keccak(code)] = code
    if pre_root != BLANK_ROOT_HASH and pre_root not in preimages:
        raise WitnessInvalid(f"pre-state root 0x{pre_root.hex()} not proven: no witness node hashes to it", node=pre_root)
    return ProvenWitness(linked.parent, pre_root, ancestors, preimages, skipped)
