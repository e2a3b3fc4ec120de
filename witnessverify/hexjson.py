"""Strict readers for the hex strings and numbers found in JSON inputs.

Each raises InputError naming the field, so a bad input is reported in one line.
"""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .limits import check_bytes, check_items


def hex_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise InputError(f"{what}: expected a 0x-hex string, got {type(value).__name__}")
    s = value[2:] if value[:2] in ("0x", "0X") else value
    if len(s) % 2:
        raise InputError(f"{what}: odd-length hex string")
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise InputError(f"{what}: not a hex string: {value[:40]!r}") from None


def hex_fixed(value: Any, size: int, what: str) -> bytes:
    b = hex_bytes(value, what)
    if len(b) != size:
        raise InputError(f"{what}: expected {size} bytes, got {len(b)}")
    return b


def quantity(value: Any, what: str) -> int:
    """A JSON-RPC quantity ("0x1a"), a decimal string, or a plain JSON integer."""
    if isinstance(value, bool):
        raise InputError(f"{what}: expected a number, got a boolean")
    if isinstance(value, int):
        if value < 0:
            raise InputError(f"{what}: negative number {value}")
        return value
    if isinstance(value, str):
        try:
            n = int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
        except ValueError:
            raise InputError(f"{what}: not a number: {value[:40]!r}") from None
        if n < 0:
            raise InputError(f"{what}: negative number {value}")
        return n
    raise InputError(f"{what}: expected a number, got {type(value).__name__}")


def hex_list(values: Any, what: str) -> list[bytes]:
    """A list of hex strings, a map whose values are hex strings, or null (empty); within the
    witness bounds (limits.py), checked before anything is decoded."""
    if values is None:
        return []
    if isinstance(values, dict):
        values = list(values.values())
    if not isinstance(values, list):
        raise InputError(f"{what}: expected a list or map of hex strings")
    check_items(len(values), what)
    check_bytes(sum((len(v) - 2 if v[:2] in ("0x", "0X") else len(v)) // 2 for v in values if isinstance(v, str)),
                what)
    return [hex_bytes(v, f"{what}[{i}]") for i, v in enumerate(values)]
