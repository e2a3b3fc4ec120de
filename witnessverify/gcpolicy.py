"""The garbage collector's policy in a witnessverify process: the command line applies it at start
(a program that imports witnessverify as a library keeps its own).

Execution allocates many short-lived containers (py-evm's messages, computations, trie nodes as
lists) and almost no reference cycles, so CPython's default first-generation threshold of 700
runs the collector often for nothing it frees. Measured with `benchmarks/test_gc_policy.py` (time
inside the collector by gc.callbacks, three rounds of the Hoodi #51632 and BPO2 mainnet blocks,
one process): the default spent 1.6% of verification time in 150 collections, a threshold of
10,000 spent 0.9% in 6 (an earlier run: 2.9% against 0.9%). Freezing the imported objects
(gc.freeze) did not help; 50,000 saved the rest, but cyclic garbage then lives longer in a
long-running watch. The collector is a small cost here, not the 11% once charged to allocation:
that figure was py-evm's own loop, whose stack and code stream allocate per opcode.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 10_000


def apply() -> None:
    """Raise the first generation's threshold to GEN0_THRESHOLD (never lower it)."""
    gen0, gen1, gen2 = gc.get_threshold()
    if 0 < gen0 < GEN0_THRESHOLD:
        gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
