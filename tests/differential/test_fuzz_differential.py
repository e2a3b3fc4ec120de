"""Seeded random programs over opcodes and precompiles, executed on the specs and on witnessverify.

Each seed makes one contract of random snippets; every snippet stores its result (and, now and
then, the gas left) in a fresh storage slot, so any divergence shows in the state root. Seeds
alternate between the compiled interpreter loop and the same loop as Python. CI runs a
bounded number of seeds per fork; `WV_FUZZ_COUNT=500 pytest tests/test_fuzz_differential.py`
runs more. A seed that ever diverged is kept in REGRESSION_SEEDS.
"""

from __future__ import annotations

import os
import random

import pytest

from witnessverify.interpreter import COMPILED, FAST, compiled_available, interpreter

from tests.helpers.evm_asm import asm
from tests.helpers.spec_diff import Acct, Case, assert_agree, base_alloc, blob_tx, tx

CONTRACT = bytes.fromhex("5000000000000000000000000000000000000003")
COUNT = int(os.environ.get("WV_FUZZ_COUNT", "25"))
FORKS = ("prague", "osaka", "bpo1", "bpo2")
# (fork, seed) pairs that once diverged; they stay as regression cases
REGRESSION_SEEDS: list[tuple[str, int]] = []
LOOPS = [COMPILED, FAST] if compiled_available() else [FAST]

EDGE = [0, 1, 2, 31, 32, 255, 256, 2**64 - 1, 2**128, 2**255, 2**255 - 1, 2**256 - 1, 2**256 - 2]
UNARY = ["ISZERO", "NOT", "CLZ"]
BINARY = ["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "LT", "GT", "SLT", "SGT",
          "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR"]
TERNARY = ["ADDMOD", "MULMOD"]
NULLARY = ["ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE", "COINBASE",
           "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID", "SELFBALANCE", "BASEFEE", "BLOBBASEFEE",
           "MSIZE", "GAS", "PC"]
PRECOMPILES = list(range(1, 0x12)) + [0x100]


def _value(rng: random.Random) -> int:
    if rng.random() < 0.5:
        return rng.choice(EDGE)
    return rng.getrandbits(rng.choice([8, 16, 64, 160, 256]))


def _precompile_call(rng: random.Random, fork: str) -> bytes:
    target = rng.choice(PRECOMPILES)
    words = rng.randint(0, 8)
    code = b""
    if target == 5 and rng.random() < 0.7:  # MODEXP with plausible lengths
        lengths = [rng.choice([0, 1, 31, 32, 33, 64, 1024, 1025]) for _ in range(3)]
        for i, n in enumerate(lengths):
            code += asm(n, i * 32, "MSTORE")
        words = 3 + rng.randint(0, 6)
        start = 3
    else:
        start = 0
    for i in range(start, words):
        code += asm(_value(rng), i * 32, "MSTORE")
    size = words * 32 - rng.choice([0, 0, 1, 17]) if words else 0
    gas = rng.choice([100, 3000, 6900, 50_000, 400_000])
    code += asm(64, 0x800, max(size, 0), 0, 0, target, gas, "CALL")
    return code


def program(seed: int, fork: str) -> bytes:
    rng = random.Random(seed)
    code, slot = b"", 0
    for _ in range(rng.randint(5, 25)):
        kind = rng.random()
        if kind < 0.25:
            unary = UNARY if fork != "prague" else [op for op in UNARY if op != "CLZ"]
            code += asm(_value(rng), rng.choice(unary))
        elif kind < 0.55:
            code += asm(_value(rng), _value(rng), rng.choice(BINARY))
        elif kind < 0.62:
            code += asm(_value(rng), _value(rng), _value(rng), rng.choice(TERNARY))
        elif kind < 0.72:
            code += asm(rng.choice(NULLARY))
        elif kind < 0.80:
            code += asm(_value(rng), rng.randint(0, 3), "TSTORE", rng.randint(0, 3), "TLOAD")
        elif kind < 0.86:
            code += asm(_value(rng), rng.randint(0, 200), "MSTORE", rng.randint(0, 64), rng.randint(0, 100), "KECCAK256")
        else:
            code += _precompile_call(rng, fork)
            code += asm(0x800, "MLOAD", slot, "SSTORE")  # what came back
            slot += 1
        code += asm(slot, "SSTORE")
        slot += 1
        if rng.random() < 0.2:
            code += asm("GAS", slot, "SSTORE")
            slot += 1
    return code + asm("STOP")


def fuzz_case(fork: str, seed: int) -> Case:
    alloc = base_alloc({CONTRACT: Acct(code=program(seed, fork), storage={1: 5})})
    txs = [tx(fork, 0, 0, CONTRACT, gas=8_000_000, value=seed % 3)]
    if seed % 4 == 0:  # some blocks carry blobs, so BLOBBASEFEE and blob gas vary
        txs.append(blob_tx(fork, 1, 0, CONTRACT, 1 + seed % 6))
    return Case(fork=fork, alloc=alloc, txs=txs, parent_excess_blob_gas=(seed % 7) * 400_000,
                parent_blob_gas_used=(seed % 5) * 131072, parent_base_fee=1 + seed % 50)


@pytest.mark.parametrize("fork", FORKS)
@pytest.mark.parametrize("seed", range(COUNT))
def test_random_program(fork, seed):
    """Odd and even seeds alternate between the two builds of the interpreter loop (compiled,
    and its source as Python), so the specs judge both."""
    with interpreter(LOOPS[seed % len(LOOPS)]):
        assert_agree(fuzz_case(fork, seed * 7919 + 13))


if REGRESSION_SEEDS:

    @pytest.mark.parametrize("fork,seed", REGRESSION_SEEDS)
    def test_regression_seed(fork, seed):
        assert_agree(fuzz_case(fork, seed))
