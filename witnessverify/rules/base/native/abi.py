"""The ABI codec of the native precompiles: `encode`, and `decode` as alloy-sol-types 1.6.1's
`abi_decode_validate` decodes (the version base/base's Cargo.lock pins), whose error text is
consensus data: base-reth-node reverts with selector ‖ `error.to_string()` (`AbiDecodeFailed`).

alloy decodes first, then type-checks the decoded tuple once (`abi_decode_sequence_validate`):
- decoding: every offset and length word must fit a usize (its top 24 bytes zero), else
  `type check failed for "offset (usize)" with data: <that word>`; reading past the data is
  `ABI decoding failed: buffer overrun while deserializing`. Offsets need not be canonical,
  contents need no padding, trailing bytes are ignored. An array's length reserves its tokens
  before they are read: over isize::MAX bytes is a capacity overflow (a fixed text); a
  reservation whose success depends on the node's allocator is Unsupported.
- type check (data_type.rs `valid_token`): address, uintN and enums with zero high bytes (an
  enum also at most its last member), bool with zero bytes 0..30 (any last byte is true),
  bytesN with zero right padding, string UTF-8; bytes always. A failure anywhere is one text
  for the whole tuple: `type check failed for "<its SOL_NAME>" with data: <hex of
  abi.encode((tuple,))>` (the words as read; a dynamic tuple re-encoded canonically after a
  0x20 offset word).
Types are spelled as in signatures, plus `enumN` for a Solidity enum whose last member is N
(its SOL_NAME is uint8).
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ....errors import Unsupported
from .host import DecodeFailed, UnknownSelector

WORD = 32


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


OVERRUN = "ABI decoding failed: buffer overrun while deserializing"
CAPACITY = "memory allocation failed because the computed capacity exceeded the collection's maximum"
ISIZE_MAX = (1 << 63) - 1
SURE_ALLOCATION = 1 << 26  # bytes any node reserves without fail


class DecodeError(Exception):
    """alloy-sol-types' error, as its Display renders it."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _type_check_fail(name: str, data: bytes) -> DecodeError:
    return DecodeError(f'type check failed for "{name}" with data: {data.hex()}')


def sol_name(kind: str) -> str:
    if kind.startswith("("):
        return "(" + ",".join(sol_name(k) for k in split_tuple(kind)) + ")"
    if kind.endswith("[]"):
        return sol_name(kind[:-2]) + "[]"
    return "uint8" if kind.startswith("enum") else kind


def _token_size(kind: str) -> int:
    """The bytes one decoded token of `kind` takes in alloy's token vector (for reservations)."""
    if kind.startswith("("):
        return sum(_token_size(k) for k in split_tuple(kind))
    if kind.endswith("[]"):
        return 24  # a Vec
    return 16 if kind in ("string", "bytes") else 32  # a slice, or a word


class _Decoder:
    """Over a memoryview: contents are views, as alloy's tokens are slices (many offsets may
    point at one large value)."""

    def __init__(self, buf) -> None:
        self.buf, self.at = memoryview(buf), 0

    def word(self) -> bytes:
        w = bytes(self.buf[self.at:self.at + WORD])
        if len(w) < WORD:
            raise DecodeError(OVERRUN)
        self.at += WORD
        return w

    def offset(self) -> int:
        w = self.word()
        if any(w[:24]):
            raise _type_check_fail("offset (usize)", w)
        return int.from_bytes(w, "big")

    def child(self) -> "_Decoder":
        at = self.offset()
        if at > len(self.buf):
            raise DecodeError(OVERRUN)
        return _Decoder(self.buf[at:])

    def token(self, kind: str):
        """A token: a raw word, raw content bytes, or a list of tokens."""
        if kind.startswith("("):
            types = split_tuple(kind)
            return self.sequence(types) if not is_dynamic(kind) else self.child().sequence(types)
        if kind in ("string", "bytes"):
            inner = self.child()
            n = inner.offset()
            raw = inner.buf[inner.at:inner.at + n]
            if len(raw) < n:
                raise DecodeError(OVERRUN)
            return raw
        if kind.endswith("[]"):
            inner = self.child()
            n = inner.offset()
            size = n * _token_size(kind[:-2])
            if size > ISIZE_MAX:
                raise DecodeError(CAPACITY)
            if size > SURE_ALLOCATION:
                raise Unsupported(f"ABI calldata with an array of {n} elements: whether base-reth-node's allocator "
                                  f"reserves {size} bytes decides its revert text")
            elements = _Decoder(inner.buf[inner.at:])
            return [elements.token(kind[:-2]) for _ in range(n)]
        return self.word()

    def sequence(self, types: list[str]) -> list:
        return [self.token(kind) for kind in types]


def _valid(kind: str, token) -> bool:
    if kind.startswith("("):
        return all(_valid(k, t) for k, t in zip(split_tuple(kind), token))
    if kind.endswith("[]"):
        return all(_valid(kind[:-2], t) for t in token)
    if kind == "bytes":
        return True
    if kind == "string":
        try:
            str(token, "utf-8")
            return True
        except UnicodeDecodeError:
            return False
    if kind == "address":
        return not any(token[:12])
    if kind == "bool":
        return not any(token[:31])
    if kind.startswith("enum"):
        return not any(token[:31]) and token[31] <= int(kind[4:])
    if kind.startswith("bytes"):
        return not any(token[int(kind[5:]):])
    bits = int(kind[4:]) if kind[4:] else 256  # uintN
    return int.from_bytes(token, "big") >> bits == 0


def _value(kind: str, token):
    if kind.startswith("("):
        return tuple(_value(k, t) for k, t in zip(split_tuple(kind), token))
    if kind.endswith("[]"):
        return [_value(kind[:-2], t) for t in token]
    if kind == "string":
        return str(token, "utf-8")
    if kind == "bytes":
        return bytes(token)
    if kind == "address":
        return token[12:]
    if kind == "bool":
        return token != bytes(WORD)
    if kind.startswith("bytes"):
        return token[:int(kind[5:])]
    return int.from_bytes(token, "big")  # uintN, enums


def _encoded(kind: str, token) -> bytes:
    """abi.encode of a token: words as they were read, offsets and lengths canonical."""
    if kind.startswith("("):
        return _encoded_sequence(split_tuple(kind), token)
    if kind in ("string", "bytes"):
        return word(len(token)) + _pad(bytes(token))
    if kind.endswith("[]"):
        return word(len(token)) + _encoded_sequence([kind[:-2]] * len(token), token)
    return token


def _encoded_sequence(types: list[str], tokens: list) -> bytes:
    heads, tails = [], b""
    for kind, token in zip(types, tokens):
        if is_dynamic(kind):
            heads.append(word(WORD * len(types) + len(tails)))
            tails += _encoded(kind, token)
        else:
            heads.append(_encoded(kind, token))
    return b"".join(heads) + tails


def decode(types: list[str], data: bytes, name: str | None = None) -> list:
    """The values of the tuple `types` in `data`, as `abi_decode_sequence_validate` gives them
    (raises DecodeError). `name`: the tuple's SOL_NAME when it is a struct."""
    tokens = _Decoder(data).sequence(types)
    kind = "(" + ",".join(types) + ")"
    if not _valid(kind, tokens):
        raise _type_check_fail(name or sol_name(kind), (word(WORD) if is_dynamic(kind) else b"") +
                               _encoded_sequence(types, tokens))
    return [_value(k, t) for k, t in zip(types, tokens)]


def decode_single(kind: str, data: bytes, name: str) -> tuple:
    """`SolValue::abi_decode_validate` of one dynamic struct `kind` named `name` (the leading
    offset word, then the struct)."""
    tokens = _Decoder(data).sequence([kind])
    if not _valid(kind, tokens[0]):
        raise _type_check_fail(name, _encoded_sequence([kind], tokens))
    return _value(kind, tokens[0])


def min_data_length(surface) -> int:
    """An interface's MIN_DATA_LENGTH: the smallest head of its functions' parameters (a static
    word 32, a dynamic value 64; sol-types ty.rs `MIN_DATA_LENGTH`)."""
    def head(kind: str) -> int:
        if kind.startswith("(") and not is_dynamic(kind):
            return sum(head(k) for k in split_tuple(kind))
        return 64 if is_dynamic(kind) else 32
    return min((sum(head(k) for k in types) for types in surface), default=0)


def tuple_signature(types: list[str]) -> str:
    return "(" + ",".join(types) + ")"


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def surface(name: str, signatures: str, base: dict | None = None) -> dict:
    """The interface `name` of the whitespace-separated signatures `f(t1,t2) g()`, over `base`'s."""
    own = {selector(sig): (sig[:sig.index("(")], split_tuple(sig[sig.index("("):])) for sig in signatures.split()}
    return interface(name, {**(base or {}), **own})


def interface(name: str, entries: dict) -> dict:
    """A sol! interface's call surface: selector -> (function name, parameter types), with its
    `name` (the Calls enum's NAME, which reaches the wire) and MIN_DATA_LENGTH."""
    surface = _Surface(entries)
    surface.name, surface.min_length = name, min_data_length(types for _, types in entries.values())
    return surface


class _Surface(dict):
    name: str = ""
    min_length: int = 0


def decode_call(surface, calldata: bytes, enums: dict | None = None) -> tuple[str, list]:
    """base-reth-node's `decode_precompile_call!` over alloy's `SolInterface::abi_decode_validate`:
    (function name, arguments), or a revert: calldata under 4 bytes or an unknown selector is
    the selector (UnknownFunctionSelector); a known one that does not decode is selector ‖ the
    decoder's text (AbiDecodeFailed), the interface's length check coming first. `enums`:
    function name -> (argument index, the enum's last member)."""
    if len(calldata) < 4:
        raise UnknownSelector(bytes(4))
    sel = calldata[:4]
    if sel not in surface:
        raise UnknownSelector(sel)
    if len(calldata) < surface.min_length + 4:
        raise DecodeFailed(sel + _type_check_fail(surface.name, calldata).text.encode())
    name, types = surface[sel]
    if enums and name in enums:
        at, last = enums[name]
        types = list(types)
        types[at] = types[at].replace("uint8", f"enum{last}")
    try:
        return name, decode(types, calldata[4:])
    except DecodeError as exc:
        raise DecodeFailed(sel + exc.text.encode()) from None
