"""FastLZ compressed length, as the Fjord L1 cost function uses it.

The length solady's `LibZip.flzCompress` (FastLZ level 1) would produce, computed without
building the output; the same algorithm as op-geth `FlzCompressLen` and op-revm
`flz_compress_len`, with their 32-bit wrapping arithmetic: a 8192-entry hash table of 24-bit
sequences, matches within 8191 bytes, literal runs of up to 32 bytes (1 + n bytes each), match
records of 2 or 3 bytes per 262 bytes of match.
"""

from __future__ import annotations

_MASK32 = 0xFFFFFFFF


def _hash(v: int) -> int:
    return (((2654435769 * v) & _MASK32) >> 19) & 0x1FFF


def flz_compress_len(data: bytes) -> int:
    ib = data
    size = len(ib)
    n = 0
    table = [0] * 8192

    def u24(i: int) -> int:
        return ib[i] | (ib[i + 1] << 8) | (ib[i + 2] << 16)

    def literals(r: int) -> int:
        extra = 0x21 * (r // 0x20)
        r %= 0x20
        return extra + (r + 1 if r else 0)

    def match_len(p: int, q: int, end: int) -> int:
        # counts equal bytes from p and q up to `end`; the first unequal byte is counted too
        length, limit = 0, end - q
        while length < limit:
            if ib[p + length] != ib[q + length]:
                return length + 1
            length += 1
        return length

    def match_cost(length: int) -> int:
        length -= 1
        return 3 * (length // 262) + (3 if length % 262 >= 6 else 2)

    anchor = 0
    ip_limit = size - 13 if size >= 13 else 0
    ip = anchor + 2
    while ip < ip_limit:
        while True:
            s = u24(ip)
            h = _hash(s)
            ref = table[h]
            table[h] = ip
            distance = ip - ref
            if ip >= ip_limit:
                break
            ip += 1
            if distance <= 0x1FFF and s == u24(ref):
                break
        if ip >= ip_limit:
            break
        ip -= 1
        if ip > anchor:
            n += literals(ip - anchor)
        length = match_len(ref + 3, ip + 3, ip_limit + 9)
        n += match_cost(length)
        ip += length
        table[_hash(u24(ip))] = ip
        ip += 1
        table[_hash(u24(ip))] = ip
        ip += 1
        anchor = ip
    n += literals(size - anchor)
    return n
