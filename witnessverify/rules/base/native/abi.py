"""A strict ABI codec for the argument types the native precompiles take. base-reth-node
decodes with alloy's `abi_decode_validate`, whose error text is consensus data (it is the
revert payload); only the texts the golden tests pin are produced here. Anything else that is
not canonical ABI (dirty padding, short data, trailing bytes) raises `NonCanonical`, which the
dispatchers turn into Unsupported: never a guessed revert text."""

from __future__ import annotations

WORD = 32


class NonCanonical(Exception):
    """The input is not the canonical encoding of the signature's types."""


def word(value: int) -> bytes:
    return value.to_bytes(WORD, "big")


def address_word(address: bytes) -> bytes:
    return bytes(12) + address


def split_tuple(kind: str) -> list[str]:
    """The component types of "(a,b,(c,d)[])"."""
    inner, parts, depth, start = kind[1:-1], [], 0, 0
    for i, ch in enumerate(inner):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    if inner:
        parts.append(inner[start:])
    return parts


def is_dynamic(kind: str) -> bool:
    if kind in ("string", "bytes") or kind.endswith("[]"):
        return True
    return kind.startswith("(") and any(is_dynamic(k) for k in split_tuple(kind))


def _pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % WORD)


def _one(kind: str, value) -> bytes:
    if kind == "address":
        return address_word(value)
    if kind == "bool":
        return word(1 if value else 0)
    if kind.startswith("bytes") and kind[5:].isdigit():  # bytesN: left-aligned
        return bytes(value).ljust(WORD, b"\0")
    if kind in ("string", "bytes"):
        raw = value.encode() if isinstance(value, str) else value
        return word(len(raw)) + _pad(raw)
    if kind.endswith("[]"):
        return word(len(value)) + encode([kind[:-2]] * len(value), list(value))
    if kind.startswith("("):
        return encode(split_tuple(kind), list(value))
    return word(value)  # uintN


def encode(types: list[str], values: list) -> bytes:
    """abi.encode(values): heads, then the tails of the dynamic ones."""
    heads, tails = [], b""
    offset = WORD * len(types)
    for kind, value in zip(types, values):
        if is_dynamic(kind):
            heads.append(word(offset + len(tails)))
            tails += _one(kind, value)
        else:
            heads.append(_one(kind, value))
    return b"".join(heads) + tails


def _word_at(data: bytes, at: int) -> int:
    w = data[at:at + WORD]
    if len(w) < WORD:
        raise NonCanonical("short data")
    return int.from_bytes(w, "big")


def _read(kind: str, data: bytes, at: int):
    """The value of `kind` whose encoding starts at `at` (a dynamic one: its tail)."""
    if kind.startswith("("):
        return tuple(_read_tuple(split_tuple(kind), data, at))
    if kind in ("string", "bytes") or kind.endswith("[]"):
        n = _word_at(data, at)
        if n > len(data):
            raise NonCanonical("length beyond the data")
        if kind.endswith("[]"):
            return _read_tuple([kind[:-2]] * n, data, at + WORD)
        raw = data[at + WORD: at + WORD + n]
        if len(raw) < n:
            raise NonCanonical("short data")
        if kind == "string":
            try:
                return raw.decode()
            except UnicodeDecodeError:
                raise NonCanonical("string not UTF-8") from None
        return raw
    n = _word_at(data, at)
    if kind == "address":
        if n >> 160:
            raise NonCanonical("dirty address padding")
        return n.to_bytes(20, "big")
    if kind == "bool":
        if n > 1:
            raise NonCanonical("bool not 0 or 1")
        return n == 1
    if kind.startswith("bytes") and kind[5:].isdigit():
        size, w = int(kind[5:]), data[at:at + WORD]
        if any(w[size:]):
            raise NonCanonical(f"{kind} with dirty padding")
        return w[:size]
    bits = int(kind[4:]) if kind.startswith("uint") and kind[4:].isdigit() else 256
    if n >= 1 << bits:
        raise NonCanonical(f"{kind} out of range")
    return n


def _read_tuple(types: list[str], data: bytes, base: int) -> list:
    out = []
    for i, kind in enumerate(types):
        head = base + i * WORD
        out.append(_read(kind, data, base + _word_at(data, head)) if is_dynamic(kind) else _read(kind, data, head))
    return out


def decode(types: list[str], data: bytes) -> list:
    """The values of `types` in `data`; NonCanonical unless re-encoding gives `data` exactly
    (padding, offsets and lengths the canonical ones, nothing trailing)."""
    try:
        out = _read_tuple(types, data, 0)
    except (ValueError, OverflowError, IndexError) as exc:
        raise NonCanonical(str(exc)) from None
    if encode(types, out) != data:
        raise NonCanonical("not the canonical encoding")
    return out


def tuple_signature(types: list[str]) -> str:
    return "(" + ",".join(types) + ")"
