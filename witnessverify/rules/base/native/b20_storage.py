"""Where a B20 token keeps its state (base/base `precompiles/src/common/core_storage.rs`,
`b20_asset/storage.rs`, `b20_stablecoin/storage.rs`; strings as precompile-storage
`types/bytes_like.rs` stores them), and what the factory writes when it creates one.

Three ERC-7201 namespaces: "base.b20" (the core every token has: name +0, symbol +1,
contract URI +2, total supply +3, balances +4, allowances +5, roles +6, role admins +7, admin
count +8, transfer policy ids +9, mint receiver policy +10, paused +11, supply cap +12,
nonces +13, seize policy ids +14), "base.b20.asset" (decimals +0, multiplier +1, ...) and
"base.b20.stablecoin" (currency +0; its decimals are the constant 6).
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ....errors import Unsupported
from .host import Host, StaticViolation
from .slots import erc7201, mapping, nested

__all__ = ["mapping", "nested"]

B20_ROOT = erc7201("base.b20")
ASSET_ROOT = erc7201("base.b20.asset")
STABLECOIN_ROOT = erc7201("base.b20.stablecoin")

NAME, SYMBOL, CONTRACT_URI, TOTAL_SUPPLY = B20_ROOT, B20_ROOT + 1, B20_ROOT + 2, B20_ROOT + 3
BALANCES, ALLOWANCES, ROLES, ROLE_ADMINS = B20_ROOT + 4, B20_ROOT + 5, B20_ROOT + 6, B20_ROOT + 7
ADMIN_COUNT, PAUSED, SUPPLY_CAP, NONCES = B20_ROOT + 8, B20_ROOT + 11, B20_ROOT + 12, B20_ROOT + 13
DECIMALS, MULTIPLIER, ANNOUNCEMENT_IDS, EXTRA_METADATA = ASSET_ROOT, ASSET_ROOT + 1, ASSET_ROOT + 2, ASSET_ROOT + 3
CURRENCY = STABLECOIN_ROOT

DEFAULT_ADMIN_ROLE = bytes(32)
MAX_SUPPLY_CAP = (1 << 128) - 1
INITIAL_MULTIPLIER = 0  # stored as 0; reads take 0 as 1e18 (WAD)
STABLECOIN_DECIMALS = 6


def store_string(host: Host, slot: int, text: str, token: bytes) -> None:
    """Solidity's layout: up to 31 bytes in the slot itself (low byte 2·len), longer ones as
    2·len+1 with the data from keccak(slot) on. With Cobalt's storage feature the write first
    refuses a static frame, reads the old head (always: an SLOAD charged) and zeroes the data
    slots a shorter value leaves behind (precompile-storage types/bytes_like.rs
    `clear_stale_long_tail`)."""
    raw = text.encode()
    if host.cobalt_storage:
        _clear_stale_tail(host, slot, 0 if len(raw) <= 31 else (len(raw) + 31) // 32, token)
    if len(raw) <= 31:
        host.sstore(slot, int.from_bytes(raw.ljust(31, b"\0") + bytes([2 * len(raw)]), "big"), token)
        return
    host.sstore(slot, 2 * len(raw) + 1, token)
    data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
    for i in range(0, len(raw), 32):
        host.sstore(data + i // 32, int.from_bytes(raw[i:i + 32].ljust(32, b"\0"), "big"), token)


def _clear_stale_tail(host: Host, slot: int, new_chunks: int, token: bytes) -> None:
    if host.is_static:
        raise StaticViolation()
    head = host.sload(slot, token)
    if head & 1:
        data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
        for i in range(new_chunks, ((head - 1) // 2 + 31) // 32):
            host.sstore(data + i, 0, token)


def delete_string(host: Host, slot: int, token: bytes) -> None:
    """An empty value deletes the entry: the head, and a long string's data slots, zeroed."""
    head = host.sload(slot, token)
    if head & 1:
        data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
        for i in range(((head - 1) // 2 + 31) // 32):
            host.sstore(data + i, 0, token)
    host.sstore(slot, 0, token)


def load_string(host: Host, slot: int, token: bytes) -> str:
    """A string stored as store_string stores it (one SLOAD, and one per 32 bytes when long)."""
    head = host.sload(slot, token)
    if head & 1 == 0:
        n = (head & 0xFF) // 2
        raw = head.to_bytes(32, "big")[:n]
    else:
        n = (head - 1) // 2
        data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
        raw = b"".join(host.sload(data + i, token).to_bytes(32, "big") for i in range((n + 31) // 32))[:n]
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise Unsupported("a B20 string in storage that is not UTF-8 (base-reth-node: a fatal error)") from None


def keyed_slot(base: int, key: str) -> int:
    """A string-keyed mapping's slot: keccak256(bytes(key) ‖ base) (packed, not padded)."""
    return int.from_bytes(keccak(key.encode() + base.to_bytes(32, "big")), "big")


def role_slot(role: bytes, account: bytes) -> int:
    return nested(ROLES, role, account)
