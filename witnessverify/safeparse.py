"""Parsing untrusted bytes without crashing or hanging: JSON and RLP with bounded nesting, and a
cheap look at the bytes before any parser runs.

py-evm raises the interpreter's recursion limit to 12,288 on import (the EVM's 1024-deep calls
need it); a parser recursing that deep on `[[[[…` overflows the C stack (a SIGSEGV, not an
exception) or spends seconds. Input is parsed with the limit lowered to PARSE_RECURSION_LIMIT:
nesting deeper than any block, witness or bundle has is refused in one line.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any

import rlp

from .errors import InputError

PARSE_RECURSION_LIMIT = 1000


@contextmanager
def bounded_recursion(limit: int = PARSE_RECURSION_LIMIT):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(min(old, max(limit, _depth() + 100)))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def sniff_text(raw: bytes, what: str) -> None:
    """Refuse encodings witnessverify does not read before a parser spends time on them."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 3 and raw[1:4:2] == b"\x00\x00" and raw[0:1] != b"\x00"):
        raise InputError(f"{what}: UTF-16 text; save it as UTF-8 (JSON) or give binary/hex RLP")
    if raw[:3] == b"\xef\xbb\xbf":
        return  # a UTF-8 BOM: json.loads is given the text without it


def load_json(raw: bytes | str, what: str) -> Any:
    if isinstance(raw, bytes):
        sniff_text(raw[:4], what)
        if raw[:3] == b"\xef\xbb\xbf":
            raw = raw[3:]
    try:
        with bounded_recursion():
            return json.loads(raw)
    except RecursionError:
        raise InputError(f"{what}: JSON nested too deeply (over {PARSE_RECURSION_LIMIT} levels)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{what}: not valid JSON ({str(exc).splitlines()[0][:120]})") from None


def rlp_length_ok(raw: bytes) -> bool:
    """Whether the first item's declared length covers exactly `raw` (an O(1) check that refuses
    a megabyte of junk before pyrlp walks it)."""
    if not raw:
        return False
    b = raw[0]
    if b < 0x80:
        return len(raw) == 1
    if b <= 0xB7:
        return len(raw) == 1 + b - 0x80
    if b <= 0xBF or (0xF8 <= b):
        n = b - (0xB7 if b <= 0xBF else 0xF7)
        if len(raw) < 1 + n or (n and raw[1] == 0):
            return False
        return len(raw) == 1 + n + int.from_bytes(raw[1:1 + n], "big")
    return len(raw) == 1 + b - 0xC0


def decode_rlp(raw: bytes, what: str, **kwargs) -> Any:
    """rlp.decode with bounded nesting and a length check first; every failure an InputError."""
    if not rlp_length_ok(raw):
        raise InputError(f"{what}: not valid RLP (its length prefix does not match its {len(raw)} bytes)")
    try:
        with bounded_recursion():
            return rlp.decode(raw, **kwargs)
    except RecursionError:
        raise InputError(f"{what}: RLP nested too deeply (over {PARSE_RECURSION_LIMIT} levels)") from None
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError, ValueError, TypeError) as exc:
        raise InputError(f"{what}: not valid RLP ({str(exc).splitlines()[0][:120]})") from None


def read_json_file(path, what: str = "") -> Any:
    """A JSON file: unreadable, undecodable or too deep is an InputError naming the file."""
    from pathlib import Path

    what = what or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{what}: cannot read: {exc.strerror or exc}") from None
    return load_json(raw, what)
