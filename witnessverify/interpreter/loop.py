"""The fast interpreter loop: `run` executes one frame.

py-evm runs each opcode through several layers: a generator over the code stream, a dict lookup,
`_FastOpcode.__call__`, `consume_gas` on the computation and again on the GasMeter (with a debug
check), then the logic function, which pops and pushes through more method calls that check the
type of every item. Here one loop keeps the program counter, the gas left and the stack list in
local variables; static gas comes from a per-class table (opcodes.py); PUSH immediates and jump
destinations come from a per-code analysis (analysis.py); the common operations are short
functions on the stack list or are written inline.

Whatever the table does not run fast is run by py-evm's own opcode object, exactly as py-evm's
loop would: the GasMeter and the code stream's program counter are brought up to date first and
read back after, so py-evm's logic (calls, creates, storage, logs, precompile dispatch, a fork's or
a chain's own opcodes) sees the same computation it always sees.

Gas is charged before an operation runs, as py-evm's `_FastOpcode` does. Every error raised in the
loop itself (out of gas, stack underflow or overflow, a bad jump) is an exceptional halt that
burns all the frame's gas, so the gas counter need not be written back for it; a Halt (STOP,
RETURN, REVERT, SELFDESTRUCT) or a non-burning error (REVERT) only ever comes from py-evm's
objects, after the meter is up to date.

This one source is both loops: run as Python it is the reference (WV_INTERPRETER=fast,
WV_PURE_PYTHON=1), and Cython compiles it at install, with the C types that `compiled/loop.pxd`
declares, into the default loop (choice.py chooses, computation.py calls).
"""

from __future__ import annotations

from eth.exceptions import FullStack, Halt, InsufficientStack, InvalidJumpDestination, OutOfGas

from .analysis import analyse
from .opcodes import (DUP, FRAME_OP, GAS, JUMP, JUMPDEST, JUMPI, LIMIT, PC, PUSH, STACK_OP, STOP, SWAP, VALUE,
                      opcode_table)


def run(computation) -> None:
    """Execute the computation's code to its end (a STOP, a Halt or an error)."""
    table = opcode_table(type(computation))
    kinds, costs, functions, pyevm = table.kinds, table.costs, table.functions, table.pyevm
    analysis = analyse(computation.msg.code)
    code, pushes, jumpdests = analysis.code, analysis.pushes, analysis.jumpdests
    s = computation._stack.values
    meter = computation._gas_meter
    gas = meter.gas_remaining
    pc = 0
    while True:
        try:
            while True:
                op = code[pc]
                cost = costs[op]
                if cost > gas:
                    raise OutOfGas(f"Out of gas: Needed {cost} - Remaining {gas} - Reason: opcode 0x{op:02x}")
                gas -= cost
                kind = kinds[op]
                if kind == STACK_OP:
                    functions[op](s)
                    pc += 1
                elif kind == PUSH:
                    if len(s) >= LIMIT:
                        raise FullStack("Stack limit reached")
                    s.append(pushes[pc])
                    pc += op - 0x5E
                elif kind == JUMPDEST:
                    pc += 1
                elif kind == DUP:  # DUPn at 0x7F + n: the n-th item from the top
                    if len(s) >= LIMIT:
                        raise FullStack("Stack limit reached")
                    s.append(s[0x7F - op])
                    pc += 1
                elif kind == SWAP:  # SWAPn at 0x8F + n: the top and the (n+1)-th item
                    index = 0x8E - op
                    s[-1], s[index] = s[index], s[-1]
                    pc += 1
                elif kind == JUMP:  # the target is checked before it becomes the counter: a
                    dest = s.pop()  # target of any size is an invalid jump, never an overflow
                    if dest not in jumpdests:
                        raise InvalidJumpDestination("Invalid Jump Destination")
                    pc = dest
                elif kind == JUMPI:
                    dest = s.pop()
                    if s.pop():
                        if dest not in jumpdests:
                            raise InvalidJumpDestination("Invalid Jump Destination")
                        pc = dest
                    else:
                        pc += 1
                elif kind == FRAME_OP:
                    gas = functions[op](computation, s, gas)
                    pc += 1
                elif kind == VALUE:
                    if len(s) >= LIMIT:
                        raise FullStack("Stack limit reached")
                    s.append(functions[op](computation))
                    pc += 1
                elif kind == GAS:
                    if len(s) >= LIMIT:
                        raise FullStack("Stack limit reached")
                    s.append(gas)
                    pc += 1
                elif kind == PC:
                    if len(s) >= LIMIT:
                        raise FullStack("Stack limit reached")
                    s.append(pc)
                    pc += 1
                elif kind == STOP:
                    meter.gas_remaining = gas
                    return
                else:
                    break  # py-evm's opcode object, below
        except IndexError:
            raise InsufficientStack(f"Insufficient stack items for opcode 0x{op:02x}") from None
        meter.gas_remaining = gas
        computation.code.program_counter = pc + 1
        try:
            pyevm[op](computation=computation)
        except Halt:
            return
        gas = meter.gas_remaining
        pc = computation.code.program_counter
