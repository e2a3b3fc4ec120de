"""The witness's preimages: keccak(x) -> x for every trie node and code it carries, and the
nodes the block writes (the mapping py-trie reads and writes), with gaps recorded."""

from __future__ import annotations

from .missing import MissingLog


class WitnessStore:
    """keccak(x) -> x for every trie node and code the witness carries, plus nodes we write."""

    def __init__(self, preimages: dict[bytes, bytes], missing: MissingLog) -> None:
        self.nodes = preimages
        self.missing = missing
        # trie nodes as decoded, by hash (tries.py)
        self.decoded: dict[bytes, object] = {}

    # The mapping interface HexaryTrie needs.
    def __getitem__(self, key: bytes) -> bytes:
        return self.nodes[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.nodes[key] = value

    def __delitem__(self, key: bytes) -> None:  # nodes are never pruned
        pass

    def __contains__(self, key: bytes) -> bool:
        return key in self.nodes
