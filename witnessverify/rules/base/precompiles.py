"""Base's native precompiles from Beryl and Cobalt: which addresses base-reth-node routes to code
that exists only in its Rust sources (base/base `crates/common/precompiles/`).

Addresses and the routing rule (notes with sources in ../shared/chains/base-forks.md):
  B20Factory          0xB20F000000000000000000000000000000000000   Beryl  (b20_factory/storage.rs)
  ActivationRegistry  0x8453000000000000000000000000000000000001   Beryl  (activation/storage.rs)
  PolicyRegistry      0x8453000000000000000000000000000000000002   Beryl  (policy/storage.rs)
  NonceManager        0x813000000000000000000000000000000000aa01   Cobalt (nonce/storage.rs)
  TransactionContext  0x813000000000000000000000000000000000aa02   Cobalt (PR #3121)
  B20 tokens          0xb2 ‖ 00×9 ‖ variant (00 Asset, 01 Stablecoin) ‖ 9 bytes   Beryl
                      (b20_factory/variant.rs `from_address`; routing by address, not by code:
                      lookup.rs `BerylLookup`)
"""

from __future__ import annotations

from typing import Optional


B20_FACTORY = bytes.fromhex("b20f000000000000000000000000000000000000")
ACTIVATION_REGISTRY = bytes.fromhex("8453000000000000000000000000000000000001")
POLICY_REGISTRY = bytes.fromhex("8453000000000000000000000000000000000002")
NONCE_MANAGER = bytes.fromhex("813000000000000000000000000000000000aa01")
TX_CONTEXT = bytes.fromhex("813000000000000000000000000000000000aa02")

# address -> the fork that installs it (names in the table above)
FIXED = {B20_FACTORY: "beryl", ACTIVATION_REGISTRY: "beryl", POLICY_REGISTRY: "beryl",
         NONCE_MANAGER: "cobalt", TX_CONTEXT: "cobalt"}
B20_PREFIX = 0xB2
B20_VARIANTS = {0: "Asset", 1: "Stablecoin"}
_NINE_ZEROS = bytes(9)


def b20_variant(address: bytes) -> Optional[str]:
    """The B20 token variant base-reth-node routes `address` to, if any: 0xb2, nine zero bytes,
    then a known variant byte."""
    if len(address) == 20 and address[0] == B20_PREFIX and address[1:10] == _NINE_ZEROS:
        return B20_VARIANTS.get(address[10])
    return None
