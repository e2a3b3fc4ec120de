"""The operand stack of the fast interpreter: py-evm's `Stack` holding Python ints only.

py-evm's stack keeps each item in the form it was pushed in (int or bytes) and converts on pop.
The fast loop (loop.py) works on the underlying list directly and wants ints without a type check
per operation, so here every push converts to int at once and a pop "as bytes" converts back.

Why this is equivalent: every py-evm operation that pops bytes either pads them (`rjust`,
`force_bytes_to_address`) or hands them to transient storage, whose values come back only through
TLOAD's push and so as the same int. An item pushed as bytes and popped as bytes therefore means
the same 256-bit word whichever form it had on the stack. The limits (1024 items, InsufficientStack
on underflow) and the uint256 validation of pushes are py-evm's.
"""

from __future__ import annotations

from eth.exceptions import FullStack
from eth.validation import validate_stack_bytes, validate_stack_int
from eth.vm.stack import Stack

STACK_LIMIT = 1024


def int_to_word_bytes(value: int) -> bytes:
    """py-evm's `int_to_big_endian`: the shortest big-endian form, b'\\x00' for zero."""
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


class IntStack(Stack):
    """A py-evm Stack whose `values` are all ints."""

    def push_int(self, value: int) -> None:
        if len(self.values) >= STACK_LIMIT:
            raise FullStack("Stack limit reached")
        validate_stack_int(value)
        self._append(value)

    def push_bytes(self, value: bytes) -> None:
        if len(self.values) >= STACK_LIMIT:
            raise FullStack("Stack limit reached")
        validate_stack_bytes(value)
        self._append(int.from_bytes(value, "big"))

    def pop1_int(self) -> int:
        return self.pop1_any()

    def pop1_bytes(self) -> bytes:
        return int_to_word_bytes(self.pop1_any())

    def pop_ints(self, num_items: int) -> tuple[int, ...]:
        return self.pop_any(num_items)

    def pop_bytes(self, num_items: int) -> tuple[bytes, ...]:
        return tuple(int_to_word_bytes(v) for v in self.pop_any(num_items))
