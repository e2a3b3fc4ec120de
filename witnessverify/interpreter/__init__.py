"""A faster EVM interpreter loop for py-evm computations (a mixin every fork's computation gets).

  loop.py         the loop: `run` executes one frame
  computation.py  the `FastInterpreter` computation mixin that calls it
  choice.py       which loop runs: compiled (the default where built), fast (loop.py as Python,
                  the reference) or py-evm's own; WV_INTERPRETER selects it
  opcodes.py      the per-class opcode table: fast implementations of py-evm's standard opcodes,
                  py-evm's own objects for everything else
  stack.py        the int-only operand stack
  memory.py       memory expansion and its gas
  analysis.py     per-code PUSH immediates and jump destinations, cached
  compiled/       the C types under which Cython compiles loop, opcodes, analysis and memory

What it speeds: the per-opcode work (dispatch, gas accounting, stack access, jump checks) that
dominates execution of real blocks. What it keeps: every opcode's semantics, each fork's gas, and
py-evm's own code for all operations that touch state, call, create, log or halt. Each module says
why its part is equivalent. `WV_INTERPRETER=py-evm` runs py-evm's original loop instead (the
tests compare the three on real blocks and on random programs).
"""

from .choice import COMPILED, FAST, PY_EVM, compiled_available, environment_problem, interpreter, selected
from .computation import FastInterpreter

__all__ = ["COMPILED", "FAST", "PY_EVM", "FastInterpreter", "compiled_available", "environment_problem",
           "interpreter", "selected"]
