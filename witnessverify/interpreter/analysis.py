"""Per-code analysis, computed once per distinct code and cached: PUSH immediates and the valid
jump destinations.

py-evm reads each PUSH immediate from the code stream at run time and decides whether a jump
target is a JUMPDEST by looking back up to 32 bytes for a PUSH that would cover it (with per-frame
caches). Here one forward scan of the code finds every instruction boundary: a byte is an
instruction unless it lies in the immediate of an earlier PUSH1..PUSH32, exactly the definition
both py-evm and the execution specs (`get_valid_jump_destinations`) use. The scan hops from one
byte in 0x5B..0x7F (JUMPDEST, PUSH*) to the next with a regular expression, so the bytes in
between, which can only be single-byte instructions, cost nothing in Python.
"""

from __future__ import annotations

import re
from typing import Optional

JUMPDEST = 0x5B
PUSH0 = 0x5F
PUSH32 = 0x7F
# bytes at and after which a scan must stop: JUMPDEST and the PUSH opcodes (and 0x5C..0x5E,
# which the scan steps over like any single-byte instruction)
_NEXT_OF_INTEREST = re.compile(rb"[\x5b-\x7f]")
# past-the-end reads (the immediate of a PUSH cut off by the end of the code, and the implicit
# STOP after the last byte) see zeros, as py-evm's right-padded `read` and its trailing STOP do
_PAD = bytes(33)

_CACHE: dict[bytes, "CodeAnalysis"] = {}
_CACHE_LIMIT = 4096


class CodeAnalysis:
    __slots__ = ("code", "jumpdests", "pushes")

    def __init__(self, code: bytes) -> None:
        self.code = code + _PAD  # padded: code[pc] never raises, a byte past the end is STOP
        pushes: list[Optional[int]] = [None] * len(code)
        jumpdests = set()
        padded = self.code
        search = _NEXT_OF_INTEREST.search
        pc = 0
        while True:
            found = search(code, pc)
            if found is None:
                break
            pc = found.start()
            op = code[pc]
            if op == JUMPDEST:
                jumpdests.add(pc)
                pc += 1
            elif op >= PUSH0:
                width = op - PUSH0
                pushes[pc] = int.from_bytes(padded[pc + 1 : pc + 1 + width], "big")
                pc += 1 + width
            else:
                pc += 1
        self.jumpdests = frozenset(jumpdests)
        self.pushes = pushes


def analyse(code: bytes) -> CodeAnalysis:
    """The (cached) analysis of `code`."""
    try:
        return _CACHE[code]
    except KeyError:
        pass
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    analysis = _CACHE[code] = CodeAnalysis(bytes(code))
    return analysis
