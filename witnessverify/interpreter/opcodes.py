"""The fast interpreter's opcode table: for each opcode of a computation class, either a fast
implementation or py-evm's own opcode object.

An opcode gets a fast implementation only when the class's `opcodes` entry is py-evm's standard
one for it: a `_FastOpcode` whose `logic_fn` is the very py-evm function reimplemented here (see
`_STACK_OPS`, `_FRAME_OPS`, `_INLINE`, `_INLINE_AT`). Its static gas is taken from that entry, so each fork's
price stays its own. Anything else (an opcode a fork or this project redefines, a fork's new
opcode, CALL, CREATE, SLOAD, LOG, EXP, KECCAK256, ...) runs as py-evm's opcode object, called the
way py-evm's loop calls it. Custom opcodes of a subclass are therefore dispatched exactly as before.

Each fast implementation below computes what the py-evm function it replaces computes (same
formula, same operand order: the first value popped is py-evm's `left`), on the int-only stack of
stack.py. A stack underflow surfaces as IndexError, which the loop turns into InsufficientStack;
an operation that grows the stack checks the 1024 limit first, as py-evm's push does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional
from weakref import WeakKeyDictionary

from eth.vm.logic import arithmetic, comparison, context, duplication, flow, memory, stack, swap
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode import _FastOpcode

from .memory import expand

MASK = 2**256 - 1
SIGN = 2**255
CEILING = 2**256
LIMIT = 1024


# -- pure stack operations: f(s) on the int list ------------------------------------------------
def add(s):
    a = s.pop()
    s[-1] = (a + s[-1]) & MASK


def mul(s):
    a = s.pop()
    s[-1] = (a * s[-1]) & MASK


def sub(s):
    a = s.pop()
    s[-1] = (a - s[-1]) & MASK


def div(s):
    a = s.pop()
    b = s[-1]
    s[-1] = 0 if b == 0 else a // b


def sdiv(s):
    a = s.pop()
    b = s[-1]
    a = a - CEILING if a >= SIGN else a
    b = b - CEILING if b >= SIGN else b
    if b == 0:
        s[-1] = 0
    else:
        sign = -1 if a * b < 0 else 1
        s[-1] = (sign * (abs(a) // abs(b))) & MASK


def mod(s):
    a = s.pop()
    b = s[-1]
    s[-1] = 0 if b == 0 else a % b


def smod(s):
    a = s.pop()
    b = s[-1]
    a = a - CEILING if a >= SIGN else a
    b = b - CEILING if b >= SIGN else b
    if b == 0:
        s[-1] = 0
    else:
        sign = -1 if a < 0 else 1
        s[-1] = (abs(a) % abs(b) * sign) & MASK


def addmod(s):
    a = s.pop()
    b = s.pop()
    m = s[-1]
    s[-1] = 0 if m == 0 else (a + b) % m


def mulmod(s):
    a = s.pop()
    b = s.pop()
    m = s[-1]
    s[-1] = 0 if m == 0 else (a * b) % m


def signextend(s):
    bits = s.pop()
    value = s[-1]
    if bits <= 31:
        sign_bit = 1 << (bits * 8 + 7)
        if value & sign_bit:
            s[-1] = value | (CEILING - sign_bit)
        else:
            s[-1] = value & (sign_bit - 1)


def lt(s):
    a = s.pop()
    s[-1] = 1 if a < s[-1] else 0


def gt(s):
    a = s.pop()
    s[-1] = 1 if a > s[-1] else 0


def slt(s):
    a = s.pop()
    b = s[-1]
    a = a - CEILING if a >= SIGN else a
    b = b - CEILING if b >= SIGN else b
    s[-1] = 1 if a < b else 0


def sgt(s):
    a = s.pop()
    b = s[-1]
    a = a - CEILING if a >= SIGN else a
    b = b - CEILING if b >= SIGN else b
    s[-1] = 1 if a > b else 0


def eq(s):
    a = s.pop()
    s[-1] = 1 if a == s[-1] else 0


def iszero(s):
    s[-1] = 1 if s[-1] == 0 else 0


def and_op(s):
    a = s.pop()
    s[-1] &= a


def or_op(s):
    a = s.pop()
    s[-1] |= a


def xor(s):
    a = s.pop()
    s[-1] ^= a


def not_op(s):
    s[-1] = MASK - s[-1]


def byte_op(s):
    position = s.pop()
    s[-1] = 0 if position >= 32 else (s[-1] >> (8 * (31 - position))) & 0xFF


def shl(s):
    shift = s.pop()
    s[-1] = 0 if shift >= 256 else (s[-1] << shift) & MASK


def shr(s):
    shift = s.pop()
    s[-1] = 0 if shift >= 256 else s[-1] >> shift


def sar(s):
    shift = s.pop()
    value = s[-1]
    if value >= SIGN:
        value -= CEILING
    if shift >= 256:
        s[-1] = 0 if value >= 0 else MASK
    else:
        s[-1] = (value >> shift) & MASK


def pop(s):
    s.pop()


# py-evm function -> fast equivalent
_STACK_OPS: dict[Callable, Callable] = {
    arithmetic.add: add, arithmetic.mul: mul, arithmetic.sub: sub, arithmetic.div: div,
    arithmetic.sdiv: sdiv, arithmetic.mod: mod, arithmetic.smod: smod, arithmetic.addmod: addmod,
    arithmetic.mulmod: mulmod, arithmetic.signextend: signextend, arithmetic.shl: shl,
    arithmetic.shr: shr, arithmetic.sar: sar,
    comparison.lt: lt, comparison.gt: gt, comparison.slt: slt, comparison.sgt: sgt, comparison.eq: eq,
    comparison.iszero: iszero, comparison.and_op: and_op, comparison.or_op: or_op, comparison.xor: xor,
    comparison.not_op: not_op, comparison.byte_op: byte_op,
    stack.pop: pop,
}


# -- operations on the frame: f(computation, s, gas) -> gas ---------------------------------------
def mload(c, s, gas):
    start = s[-1]
    mem = c._memory
    gas = expand(mem, start, 32, gas)
    s[-1] = int.from_bytes(mem._bytes[start : start + 32], "big")
    return gas


def mstore(c, s, gas):
    start = s.pop()
    value = s.pop()
    mem = c._memory
    gas = expand(mem, start, 32, gas)
    mem._bytes[start : start + 32] = value.to_bytes(32, "big")
    return gas


def mstore8(c, s, gas):
    start = s.pop()
    value = s.pop()
    mem = c._memory
    gas = expand(mem, start, 1, gas)
    mem._bytes[start] = value & 0xFF
    return gas


def calldataload(c, s, gas):
    start = s[-1]
    data = c.msg.data
    s[-1] = int.from_bytes(bytes(data[start : start + 32]).ljust(32, b"\x00"), "big") if start < len(data) else 0
    return gas


_FRAME_OPS: dict[Callable, Callable] = {
    memory.mload: mload, memory.mstore: mstore, memory.mstore8: mstore8, context.calldataload: calldataload,
}


# -- values of the frame the loop pushes: f(computation) -> int ------------------------------------
def msize(c):
    return len(c._memory._bytes)


def calldatasize(c):
    return len(c.msg.data)


def callvalue(c):
    return c.msg.value


def caller(c):
    return int.from_bytes(c.msg.sender, "big")


def address(c):
    return int.from_bytes(c.msg.storage_address, "big")


_VALUES: dict[Callable, Callable] = {
    memory.msize: msize, context.calldatasize: calldatasize, context.callvalue: callvalue,
    context.caller: caller, context.address: address,
}


# -- operations the loop runs inline: their kind -----------------------------------------------
SLOW, STACK_OP, FRAME_OP, VALUE, PUSH, JUMPDEST, JUMP, JUMPI, GAS, PC, STOP, DUP, SWAP = range(13)
_INLINE: dict[Callable, int] = {
    flow.jumpdest: JUMPDEST, flow.jump: JUMP, flow.jumpi: JUMPI, flow.gas: GAS, flow.program_counter: PC,
    flow.stop: STOP, stack.push0: PUSH,
}
for _n in range(1, 33):
    _INLINE[getattr(stack, f"push{_n}")] = PUSH
# DUPn and SWAPn run inline too, but only at their own byte (0x7F + n, 0x8F + n): the loop derives
# n from the opcode byte, so py-evm's dupN function found at any other byte stays py-evm's object
_INLINE_AT: dict[Callable, int] = {}
for _n in range(1, 17):
    _INLINE_AT[getattr(duplication, f"dup{_n}")] = 0x7F + _n
    _INLINE_AT[getattr(swap, f"swap{_n}")] = 0x8F + _n


@dataclass(frozen=True)
class OpcodeTable:
    """Per opcode byte: its kind (a bytes object: one small int per byte, read as such by the
    loop), its static gas when run fast (0 when py-evm's object charges it), the fast function
    (stack or frame operation, or the frame value the loop pushes) and py-evm's opcode object."""

    kinds: bytes
    costs: tuple
    functions: tuple
    pyevm: tuple


def _fast_kind(byte: int, opcode) -> tuple[int, Optional[Callable]]:
    if type(opcode) is not _FastOpcode:
        return SLOW, None
    fn = opcode.logic_fn
    try:
        if _INLINE_AT.get(fn) == byte:
            return (DUP if byte < 0x90 else SWAP), None
        if fn in _STACK_OPS:
            return STACK_OP, _STACK_OPS[fn]
        if fn in _FRAME_OPS:
            return FRAME_OP, _FRAME_OPS[fn]
        if fn in _VALUES:
            return VALUE, _VALUES[fn]
        if fn in _INLINE:
            return _INLINE[fn], None
    except TypeError:  # an unhashable logic function: not one of py-evm's
        pass
    return SLOW, None


# by class, weakly: the OP, Base and Celo classes are made afresh for each block
_TABLES: "WeakKeyDictionary[type, OpcodeTable]" = WeakKeyDictionary()


def opcode_table(computation_class: type) -> OpcodeTable:
    """The table for a computation class (built once per class from its `opcodes`)."""
    try:
        return _TABLES[computation_class]
    except KeyError:
        pass
    opcodes = computation_class.opcodes
    kinds, costs, functions, pyevm = [], [], [], []
    for byte in range(256):
        opcode = opcodes.get(byte)
        if opcode is None:
            opcode = InvalidOpcode(byte)
        kind, fn = _fast_kind(byte, opcode)
        kinds.append(kind)
        costs.append(0 if kind == SLOW else opcode.gas_cost)
        functions.append(fn)
        pyevm.append(opcode)
    table = _TABLES[computation_class] = OpcodeTable(bytes(kinds), tuple(costs), tuple(functions), tuple(pyevm))
    return table
