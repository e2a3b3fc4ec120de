"""Bounds on what one witness may hold, so that no input (a padded file, a hostile endpoint) can
exhaust the machine before the witness check has a chance to refuse it.

A real witness is far below both: Ethereum mainnet BPO2 #25229957 (60M gas) holds 4,704 trie nodes
(1.7 MB) and 147 codes (1.3 MB). A block reaches a new trie path for no less than 1,900 gas since
Berlin (an access-list storage key), so even a 375M-gas block of nothing but fresh paths about ten
nodes deep stays under 2 million items in all; one part (nodes, codes, headers or keys) over
MAX_WITNESS_ITEMS is refused, as is a witness over MAX_WITNESS_BYTES decoded. Both are checked on
the hex strings before they are decoded, and again on the whole bundle before any node is hashed.
`WV_MAX_WITNESS_ITEMS` and `WV_MAX_WITNESS_BYTES` raise them for an input known to be bigger.
"""

from __future__ import annotations

import os

from .errors import InputError



def _setting(name: str, default: int) -> int:
    """A positive integer from the environment; empty or 0 keeps the default; anything else is
    refused when a witness is read (-1), never replaced by a guess."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    if raw in ("", "0"):
        return default
    return int(raw) if raw.isdigit() else -1


MAX_WITNESS_ITEMS = _setting("WV_MAX_WITNESS_ITEMS", 1_000_000)
MAX_WITNESS_BYTES = _setting("WV_MAX_WITNESS_BYTES", 1 << 30)


def _valid(name: str, value: int) -> None:
    if value < 0:
        raise InputError(f"{name}={os.environ.get(name)!r}: not a positive whole number")


def check_items(count: int, what: str) -> None:
    _valid("WV_MAX_WITNESS_ITEMS", MAX_WITNESS_ITEMS)
    if count > MAX_WITNESS_ITEMS:
        raise InputError(f"{what}: {count} entries, over the bound of {MAX_WITNESS_ITEMS} for one witness part "
                         f"(no real block needs as many; WV_MAX_WITNESS_ITEMS raises it)")


def check_bytes(size: int, what: str) -> None:
    _valid("WV_MAX_WITNESS_BYTES", MAX_WITNESS_BYTES)
    if size > MAX_WITNESS_BYTES:
        raise InputError(f"{what}: {size} bytes decoded, over the bound of {MAX_WITNESS_BYTES} for one witness "
                         f"(WV_MAX_WITNESS_BYTES raises it)")


__all__ = ["MAX_WITNESS_ITEMS", "MAX_WITNESS_BYTES", "check_items", "check_bytes"]
