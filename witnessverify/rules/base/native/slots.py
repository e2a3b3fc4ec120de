"""Storage slots as base-reth-node derives them (precompile-storage `provider.rs`,
`types/mapping.rs`; precompile-macros `utils.rs`): ERC-7201 namespace roots, Solidity-style
mappings. The keccaks here are not metered (only the factory's address hash is)."""

from __future__ import annotations

from eth_hash.auto import keccak

MASK_LOW_BYTE = ~0xFF & ((1 << 256) - 1)


def erc7201(namespace: str) -> int:
    """keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff."""
    inner = int.from_bytes(keccak(namespace.encode()), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & MASK_LOW_BYTE


def key_word(key) -> bytes:
    """A mapping key as a 32-byte word: an address or a uint left-padded, a bytes32 as is."""
    if isinstance(key, bytes):
        return key if len(key) == 32 else bytes(32 - len(key)) + key
    return key.to_bytes(32, "big")


def mapping(base: int, key) -> int:
    """The slot of `key` in a mapping at slot `base`: keccak256(pad32(key) ‖ base)."""
    return int.from_bytes(keccak(key_word(key) + base.to_bytes(32, "big")), "big")


def nested(base: int, outer, inner) -> int:
    """mapping[outer][inner]."""
    return mapping(mapping(base, outer), inner)
