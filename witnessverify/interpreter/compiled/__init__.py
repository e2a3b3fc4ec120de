"""The interpreter loop compiled: Cython builds loop.py, opcodes.py, analysis.py and memory.py of
the package above into extension modules of this package (setup.py), and the .pxd files here give
the C types they are compiled under. The Python source stays the one definition: the compiled
modules run the same statements, and tests/integration/test_interpreter.py runs both builds (and
py-evm's loop) on every bundled block and on seeded random programs.

What the types change, and why each is safe:
  pc, op, kind, cost  C integers: pc only ever holds a position inside the padded code (a jump
                      target is checked against the jump destinations while still a Python
                      int, so a target of any size is an invalid jump, never an overflow)
  gas                 a C long long: a frame's gas never exceeds the block gas limit, which fits;
                      a larger value would raise OverflowError, never wrap
  code, kinds         bytes: indexing gives a C int
  costs, tables       tuples; the stack and the PUSH immediates lists; jump destinations a frozenset
  stack functions     take a list: an underflow is still the IndexError the loop turns into
                      InsufficientStack (bounds checking stays on; nothing indexes unchecked)
"""
