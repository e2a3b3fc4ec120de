"""OP Stack output roots: what proposals and the fault-proof game commit to for an L2 block.

    outputRoot = keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)

with version = bytes32(0) (ethereum-optimism/specs `protocol/proposals.md`, "L2 Output Commitment
Construction"), where messagePasserStorageRoot is the storage root of the L2ToL1MessagePasser
predeploy (0x4200…0016) after the block. From Isthmus on the header's withdrawalsRoot carries that
root; before it, the root comes from the post-state trie, which a witness reaches only if the
block touched the predeploy or shares its path — otherwise a proof of the account is needed.

Pure functions over plain data: hashes, dicts of trie nodes, lists of proof nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from trie import HexaryTrie
from trie.exceptions import MissingTrieNode

from ...chains import l2_at_least
from ...witness.state import MALFORMED_NODE_ERRORS

OUTPUT_VERSION_V0 = bytes(32)
L2_TO_L1_MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")

# the parts of an output root, by the names optimism_outputAtBlock answers with
PARTS = ("version", "stateRoot", "withdrawalStorageRoot", "blockHash")


def output_root(state_root: bytes, message_passer_storage_root: bytes, block_hash: bytes,
                version: bytes = OUTPUT_VERSION_V0) -> bytes:
    return keccak(version + state_root + message_passer_storage_root + block_hash)


class ProofInvalid(Exception):
    """An account proof that does not prove the account against the given state root."""


def account_storage_root(nodes, state_root: bytes, address: bytes = L2_TO_L1_MESSAGE_PASSER) -> bytes:
    """The storage root of `address` in the state trie under `state_root`, walking `nodes`
    (hash -> node). An account the trie proves absent has the empty root. Raises MissingTrieNode
    when a node on the path is not among `nodes`, ProofInvalid when a node is not a trie node or
    the leaf is not an account."""
    try:
        raw = HexaryTrie(nodes, state_root).get(keccak(address))
    except MissingTrieNode:
        raise
    except MALFORMED_NODE_ERRORS as exc:
        raise ProofInvalid(f"a node on the path of 0x{address.hex()} is not a trie node ({type(exc).__name__})") from None
    if not raw:
        return BLANK_ROOT_HASH
    try:
        return rlp.decode(raw, sedes=Account).storage_root
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError) as exc:
        raise ProofInvalid(f"the leaf of 0x{address.hex()} is not an account ({type(exc).__name__})") from None


def proven_storage_root(proof: list[bytes], state_root: bytes, address: bytes = L2_TO_L1_MESSAGE_PASSER) -> bytes:
    """The storage root an eth_getProof account proof proves against `state_root`."""
    nodes = {keccak(node): node for node in proof}
    try:
        return account_storage_root(nodes, state_root, address)
    except MissingTrieNode:
        raise ProofInvalid(f"the proof of 0x{address.hex()} does not reach its leaf from state root "
                           f"0x{state_root.hex()}") from None


@dataclass
class Output:
    """A block's output root and its parts; `root` is None when a part is unknown (`unknown` says
    which and why). `source` says where the storage root came from."""

    state_root: bytes
    block_hash: bytes
    storage_root: Optional[bytes]
    source: str
    unknown: str = ""

    @property
    def root(self) -> Optional[bytes]:
        if self.storage_root is None:
            return None
        return output_root(self.state_root, self.storage_root, self.block_hash)

    def parts(self) -> dict[str, Optional[bytes]]:
        return {"version": OUTPUT_VERSION_V0, "stateRoot": self.state_root,
                "withdrawalStorageRoot": self.storage_root, "blockHash": self.block_hash}

    def to_json(self) -> dict[str, Any]:
        def h(b):
            return None if b is None else "0x" + b.hex()

        return {"outputRoot": h(self.root), "version": h(OUTPUT_VERSION_V0), "stateRoot": h(self.state_root),
                "messagePasserStorageRoot": h(self.storage_root), "blockHash": h(self.block_hash),
                "storageRootFrom": self.source, "unknown": self.unknown or None}


def from_post_state(nodes, state_root: bytes, block_hash: bytes, withdrawals_root: Optional[bytes]) -> Output:
    """The output of an executed block: the storage root is the computed withdrawalsRoot from
    Isthmus on, else read from the post-state trie (unknown when the witness does not reach it)."""
    if withdrawals_root is not None:
        return Output(state_root, block_hash, withdrawals_root, "withdrawalsRoot (Isthmus)")
    try:
        root = account_storage_root(nodes, state_root)
    except MissingTrieNode as exc:
        return Output(state_root, block_hash, None, "",
                      f"the witness does not reach the L2ToL1MessagePasser (0x{L2_TO_L1_MESSAGE_PASSER.hex()}) in the "
                      f"post-state: trie node 0x{exc.missing_node_hash.hex()} is missing (a proof of that account "
                      "at this block settles it: `check` fetches one)")
    except ProofInvalid as exc:
        return Output(state_root, block_hash, None, "", str(exc))
    return Output(state_root, block_hash, root, "post-state")


def output_of(result, op_fork: str, block_hash: bytes) -> Output:
    """The output of a block executed by the engine (an ExecutionResult), sealed as `block_hash`."""
    if result.invalid_transaction or result.invalid_block or result.invalid_requests:
        return Output(result.state_root, block_hash, None, "", "the block is invalid: it has no output root")
    isthmus = l2_at_least(op_fork, "isthmus")
    return from_post_state(result.nodes, result.state_root, block_hash, result.withdrawals_root if isthmus else None)


def differing_parts(claim: dict[str, Optional[bytes]], ours: Output) -> list[str]:
    """The parts of a claimed output (by PARTS name) that are not ours; a part we do not know
    is not counted."""
    mine = ours.parts()
    return [p for p in PARTS if claim.get(p) is not None and mine[p] is not None and claim[p] != mine[p]]
