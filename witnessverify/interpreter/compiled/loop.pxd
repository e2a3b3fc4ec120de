# C types for interpreter/loop.py when Cython compiles it (see __init__.py of this package)
import cython

cdef int DUP, FRAME_OP, GAS, JUMP, JUMPDEST, JUMPI, LIMIT, PC, PUSH, STACK_OP, STOP, SWAP, VALUE

@cython.locals(pc=cython.Py_ssize_t, gas=cython.longlong, op=cython.int, cost=cython.longlong,
               kind=cython.int, index=cython.Py_ssize_t, code=bytes, kinds=bytes, costs=tuple,
               functions=tuple, pyevm=tuple, pushes=list, jumpdests=frozenset, s=list)
cpdef run(computation)
