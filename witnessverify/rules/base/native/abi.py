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


def _static(kind: str, value) -> bytes:
    if kind == "address":
        return address_word(value)
    if kind == "bool":
        return word(1 if value else 0)
    if kind == "bytes32":
        return value
    return word(value)  # uintN


def encode(types: list[str], values: list) -> bytes:
    """abi.encode(values) for static types and T[] of static T."""
    heads, tails = [], b""
    offset = WORD * len(types)
    for kind, value in zip(types, values):
        if kind.endswith("[]"):
            heads.append(word(offset + len(tails)))
            tails += word(len(value)) + b"".join(_static(kind[:-2], v) for v in value)
        else:
            heads.append(_static(kind, value))
    return b"".join(heads) + tails


def _read_static(kind: str, w: bytes):
    n = int.from_bytes(w, "big")
    if kind == "address":
        return w[12:]
    if kind == "bool":
        return n == 1 if n in (0, 1) else n
    if kind == "bytes32":
        return w
    return n


def decode(types: list[str], data: bytes) -> list:
    """The values of `types` in `data`; NonCanonical unless re-encoding gives `data` exactly
    (so padding, offsets and lengths are the canonical ones). Range checks of small integers
    and enums are the caller's (`out_of_range`)."""
    out = []
    try:
        for i, kind in enumerate(types):
            w = data[i * WORD:(i + 1) * WORD]
            if len(w) < WORD:
                raise NonCanonical("short data")
            if kind.endswith("[]"):
                at = int.from_bytes(w, "big")
                n = int.from_bytes(data[at:at + WORD], "big")
                if n > len(data) // WORD:
                    raise NonCanonical("array longer than the data")
                out.append([_read_static(kind[:-2], data[at + WORD * (j + 1): at + WORD * (j + 2)])
                            for j in range(n)])
            else:
                out.append(_read_static(kind, w))
    except (ValueError, OverflowError) as exc:
        raise NonCanonical(str(exc)) from None
    if any(isinstance(v, int) and not isinstance(v, bool) and k == "bool" for k, v in zip(types, out)):
        raise NonCanonical("bool not 0 or 1")
    if any(k == "address" and w[:12] != bytes(12)
           for k, w in ((k, data[i * WORD:(i + 1) * WORD]) for i, k in enumerate(types))):
        raise NonCanonical("dirty address padding")
    for kind, v in zip(types, out):
        bits = int(kind[4:]) if kind.startswith("uint") and kind[4:].isdigit() else None
        if bits is not None and v >= 1 << bits:
            raise NonCanonical(f"{kind} out of range")
    if encode(types, out) != data:
        raise NonCanonical("not the canonical encoding")
    return out


def tuple_signature(types: list[str]) -> str:
    return "(" + ",".join(types) + ")"
