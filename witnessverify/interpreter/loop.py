"""The fast interpreter loop, and the computation mixin that runs it.

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
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional

from eth.exceptions import FullStack, Halt, InsufficientStack, InvalidJumpDestination, OutOfGas
from eth.vm.computation import NO_RESULT

from .analysis import analyse
from .opcodes import FRAME_OP, GAS, JUMP, JUMPDEST, JUMPI, LIMIT, PC, PUSH, STACK_OP, STOP, VALUE, opcode_table
from .stack import IntStack

FAST = "fast"
PY_EVM = "py-evm"
_requested = os.environ.get("WV_INTERPRETER", FAST)
_selected = _requested if _requested in (FAST, PY_EVM) else FAST


def environment_problem() -> Optional[str]:
    """What is wrong with WV_INTERPRETER, if anything (the CLI refuses to run with it, exit 2)."""
    if _requested in (FAST, PY_EVM):
        return None
    return f"WV_INTERPRETER must be {FAST!r} or {PY_EVM!r}, not {_requested!r}"


def selected() -> str:
    """The interpreter in use: "fast" (default) or "py-evm" (WV_INTERPRETER=py-evm)."""
    return _selected


@contextmanager
def interpreter(name: str) -> Iterator[None]:
    """Run with interpreter `name` for the duration (tests and benchmarks compare the two)."""
    global _selected
    if name not in (FAST, PY_EVM):
        raise ValueError(name)
    before, _selected = _selected, name
    try:
        yield
    finally:
        _selected = before


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
                elif kind == JUMP:
                    pc = s.pop()
                    if pc not in jumpdests:
                        raise InvalidJumpDestination("Invalid Jump Destination")
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


class FastInterpreter:
    """Computation-class mixin: frames run in `run` instead of py-evm's loop (unless
    WV_INTERPRETER=py-evm, or py-evm's debug2 tracing is on, which only its own loop prints).

    Everything around the loop is py-evm's `BaseComputation.apply_computation`, unchanged:
    the origin's created-contract list and initcode gas, precompile dispatch, the context
    manager that turns a VMError into the frame's error and burns its gas."""

    def __init__(self, state, message, transaction_context) -> None:
        super().__init__(state, message, transaction_context)
        if _selected == FAST:
            self._stack = IntStack()

    @classmethod
    def apply_computation(cls, state, message, transaction_context, parent_computation: Optional[object] = None):
        if _selected != FAST or cls.logger.show_debug2:
            return super().apply_computation(state, message, transaction_context, parent_computation)
        with cls(state, message, transaction_context) as computation:
            if computation.is_origin_computation:
                computation.contracts_created = []
                if message.is_create:
                    cls.consume_initcode_gas_cost(computation)
            if parent_computation is not None:
                computation.contracts_created = parent_computation.contracts_created
            if message.is_create:
                computation.contracts_created.append(message.storage_address)
            precompile = computation.precompiles.get(message.code_address, NO_RESULT)
            if precompile is not NO_RESULT:
                if not message.is_delegation:
                    precompile(computation)
                return computation
            run(computation)
        return computation
