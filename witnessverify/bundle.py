"""The canonical bundle: one block, its execution witness and where they came from.

Every source (RPC answers, client dumps, other tools' fixtures) is turned into a `Bundle`; every
later step reads only this. On disk a bundle is one JSON object:

    {
      "format": "witnessverify-bundle/1",
      "chainId": 560048,                      # null when the source does not say
      "block": "0x<block RLP>",
      "witness": {
        "state":   ["0x<trie node RLP>", ...],
        "codes":   ["0x<contract code>", ...],
        "headers": ["0x<ancestor header RLP>", ...],   # parent first or last: order is free
        "keys":    ["0x<address or slot preimage>", ...]
      },
      "parentStateRoot": "0x..",              # only for sources without a parent header
      "ancestorHashes": ["0x..", ...],        # only for sources that carry hashes, parent first
      "blockHash": "0x..",                    # only where the source claimed a hash of its own
      "provenance": {...}                     # free-form: where the data came from
    }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

BUNDLE_FORMAT = "witnessverify-bundle/1"


@dataclass
class Bundle:
    chain_id: Optional[int]
    block_rlp: bytes
    state: list[bytes]
    codes: list[bytes]
    headers: list[bytes]
    keys: list[bytes] = field(default_factory=list)
    parent_state_root: Optional[bytes] = None
    ancestor_hashes: Optional[list[bytes]] = None
    provenance: dict[str, Any] = field(default_factory=dict)
    # the block hash the source claims (block JSON "hash"), when it differs from the header RLP
    claimed_hash: Optional[bytes] = None
    # where this bundle was read from (file and format), for reports; not stored
    origin: str = ""
    # keccak(node) -> node for `state` and `codes`, when the caller already holds them by hash
    # (the blocktest runner's chained states); not stored
    preimages: Optional[dict] = None

    def witness_bytes(self) -> int:
        """Size of the witness payload in bytes (nodes, codes, headers, keys)."""
        return sum(len(x) for part in (self.state, self.codes, self.headers, self.keys) for x in part)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": BUNDLE_FORMAT,
            "chainId": self.chain_id,
            "block": _hex(self.block_rlp),
            "witness": {
                "state": [_hex(x) for x in self.state],
                "codes": [_hex(x) for x in self.codes],
                "headers": [_hex(x) for x in self.headers],
                "keys": [_hex(x) for x in self.keys],
            },
        }
        if self.parent_state_root is not None:
            out["parentStateRoot"] = _hex(self.parent_state_root)
        if self.ancestor_hashes is not None:
            out["ancestorHashes"] = [_hex(x) for x in self.ancestor_hashes]
        if self.claimed_hash is not None:
            out["blockHash"] = _hex(self.claimed_hash)
        out["provenance"] = self.provenance
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1) + "\n"


def _hex(b: bytes) -> str:
    return "0x" + b.hex()
