"""The fast interpreter (witnessverify/interpreter/), compiled and as Python, against py-evm's own
loop, and the trie node codec against pyrlp, on the same inputs.

  - every bundled real block, verified with WV_INTERPRETER=compiled, =fast and =py-evm: the same
    verdict and the same computed header (state root, receipts root, logs bloom, gas, ...);
  - seeded random programs (valid and broken: underflow, overflow, bad jumps, jumps into PUSH
    data, truncated PUSHes, memory far away, calls, reverts, logs) run as one message on every
    L1 fork and on OP, Base and Celo computations: the same gas left, refund, output, logs,
    error and post-state root, on both builds of the loop. WV_FUZZ_COUNT scales the number of
    programs (default 25 per fork);
  - every opcode byte on stacks too short for it, and jumps to targets of every size (2^63 and
    beyond among them), on both builds: py-evm's outcome each time;
  - the trie node codec (witness/tries.py) against pyrlp on every node of the real witnesses.

The native backends are compared with the original ones in tests/test_native_backends.py.
"""

from __future__ import annotations

import os
import random

import pytest
import rlp
from eth.exceptions import FullStack, InvalidInstruction, InvalidJumpDestination
from eth.vm.execution_context import ExecutionContext
from eth.vm.message import Message
from eth.vm.opcode import as_opcode

from witnessverify import sources
from witnessverify.chains import resolve_chain
from witnessverify.engine import AncestorHashes
from witnessverify.interpreter import COMPILED, FAST, PY_EVM, compiled_available, interpreter
from witnessverify.interpreter import opcodes as python_opcodes
from witnessverify.interpreter.analysis import CodeAnalysis
from witnessverify.interpreter.opcodes import _STACK_OPS, SLOW, STACK_OP, opcode_table
from witnessverify.pipeline import verify_bundle
from witnessverify.rules.l1.vm import PY_EVM_VMS, witness_vm_class
from witnessverify.chains import fork as fork_value
from witnessverify.rules.registry import rule_set
from witnessverify.witness.missing import MissingLog
from witnessverify.witness.state import WitnessStore
from witnessverify.native import PURE_PYTHON
from witnessverify.witness import tries

from tests.helpers.fixtures import BUNDLES
from tests.helpers.evm_asm import asm
from tests.helpers.spec_diff import Acct, witness_from_alloc
from tests.helpers.tries_builds import BUILDS as TRIES_BUILDS

COUNT = int(os.environ.get("WV_FUZZ_COUNT", "25"))
BUNDLE_FILES = sorted(p.name for p in BUNDLES.glob("*.json"))
# this project's loop as built: Cython's compilation and the Python source it is compiled from
LOOPS = [COMPILED, FAST] if compiled_available() else [FAST]


# -- real blocks -----------------------------------------------------------------------------------
def _verify(name: str, which: str):
    (bundle,) = sources.load(BUNDLES / name)
    with interpreter(which):
        return verify_bundle(bundle)


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_real_block_same_on_every_interpreter(name):
    original = _verify(name, PY_EVM)
    assert original.verdict == "VALID", original.reason
    for loop in LOOPS:
        fast = _verify(name, loop)
        assert fast.verdict == "VALID", (loop, fast.reason)
        assert fast.computed == original.computed, loop
        assert fast.gas_used == original.gas_used, loop


# -- random programs, one message on each fork's computation ---------------------------------------
CONTRACT = bytes.fromhex("c0de000000000000000000000000000000000001")
OTHER = bytes.fromhex("c0de000000000000000000000000000000000002")
SENDER = bytes.fromhex("5e4d000000000000000000000000000000000001")
L1_FORKS = [f for f in PY_EVM_VMS if f not in ("bpo1", "bpo3", "bpo4", "bpo5")]
L2 = [(10, "isthmus"), (10, "karst"), (8453, "azul"), (42220, "jovian")]

EDGE = [0, 1, 2, 31, 32, 33, 255, 256, 2**64, 2**255, 2**255 - 1, 2**256 - 1, 2**256 - 2]
UNARY = ["ISZERO", "NOT", "CLZ"]
BINARY = ["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "LT", "GT", "SLT", "SGT",
          "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR"]
TERNARY = ["ADDMOD", "MULMOD"]
NULLARY = ["ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE", "MSIZE", "GAS",
           "PC", "RETURNDATASIZE", "SELFBALANCE", "PUSH0", "NUMBER", "TIMESTAMP", "COINBASE", "CHAINID"]
BROKEN = [asm("ADD"), asm(1, "JUMP"), asm(2**256 - 1, "MLOAD"), asm(2**40, 1, "MSTORE"), asm("INVALID"),
          bytes([0x0C]), bytes([0xEF]), asm(0, 0, "REVERT"), asm(32, 0, "RETURN"), asm("POP"),
          b"".join(asm(i) for i in range(1030))]


def _value(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.45:
        return rng.choice(EDGE)
    if r < 0.75:
        return rng.randrange(0, 300)
    return rng.getrandbits(rng.choice([8, 16, 64, 160, 256]))


def random_program(seed: int) -> bytes:
    """Snippets whose results are stored in fresh slots (so a wrong value, or a gas difference
    read by GAS, shows in the state root): arithmetic on edge values, DUPn/SWAPn, memory at near
    and far offsets, calldata, forward jumps over bytes that look like JUMPDESTs, calls, hashes,
    logs, transient storage. Now and then a snippet that breaks the frame: an underflow, a bad
    jump, a stack overflow, an undefined opcode, REVERT or RETURN half-way."""
    rng = random.Random(seed)
    code, slot = b"", 0
    for _ in range(rng.randint(10, 60)):
        r = rng.random()
        if r < 0.25:
            kind = rng.random()
            if kind < 0.2:
                code += asm(_value(rng), rng.choice(UNARY))
            elif kind < 0.85:
                a = _value(rng)
                b = a if rng.random() < 0.15 else _value(rng)
                code += asm(b, a, rng.choice(BINARY))
            else:
                code += asm(_value(rng), _value(rng), _value(rng), rng.choice(TERNARY))
        elif r < 0.37:
            depth = rng.randint(1, 16)
            code += asm(*[_value(rng) for _ in range(depth + 1)])
            code += bytes([rng.choice([0x80, 0x90]) + depth - 1])  # DUPn or SWAPn
            code += asm(slot, "SSTORE") + asm(*["POP"] * depth)
            slot += 1
            continue
        elif r < 0.5:
            offset = rng.choice([0, 1, 31, 32, 100, 1000, 5000, rng.randrange(2000)])
            code += asm(_value(rng), offset, rng.choice(["MSTORE", "MSTORE8"]))
            code += asm(rng.choice([0, offset, offset + 1, rng.randrange(6000)]), "MLOAD")
        elif r < 0.6:
            code += asm(rng.choice(NULLARY))
        elif r < 0.65:
            code += asm(rng.choice([0, 1, 4, 31, 32, 64, 2**64, 2**256 - 1]), "CALLDATALOAD")
        elif r < 0.72:  # a forward jump over junk that contains 0x5b bytes (some inside PUSH data)
            junk = bytes(rng.choice([0x5B, 0x60, 0x61, 0x01, 0x7F]) for _ in range(rng.randint(0, 6)))
            conditional = rng.random() < 0.5
            target = len(code) + 4 + (2 if conditional else 0) + len(junk)
            condition = asm(rng.choice([0, 1])) if conditional else b""
            code += condition + bytes([0x61]) + target.to_bytes(2, "big")
            code += asm("JUMPI" if conditional else "JUMP") + junk + asm("JUMPDEST")
            code += asm("GAS")
        elif r < 0.77:
            target = rng.choice([4, int.from_bytes(CONTRACT, "big"), int.from_bytes(OTHER, "big")])
            code += asm(32, 0, 64, 0, rng.choice([0, 1]), target, rng.choice([0, 5000, 100_000]), "CALL")
            code += asm("RETURNDATASIZE", "ADD")
        elif r < 0.85:
            kind = rng.random()
            if kind < 0.3:
                code += asm(rng.randrange(100), rng.randrange(64), "KECCAK256")
            elif kind < 0.5:
                code += asm(_value(rng), rng.randrange(4), "TSTORE", rng.randrange(4), "TLOAD")
            elif kind < 0.7:
                code += asm(_value(rng), rng.randrange(40), rng.randrange(40), "LOG1", "MSIZE")
            else:
                code += asm(rng.randrange(64), rng.randrange(64), rng.randrange(64), "MCOPY", "MSIZE")
        elif r < 0.92:
            code += asm("GAS")
        else:
            code += rng.choice(BROKEN) if rng.random() < 0.5 else asm("GAS")
        code += asm(slot, "SSTORE")
        slot += 1
    code += asm("GAS", slot, "SSTORE")
    if rng.random() < 0.15:
        code += bytes([0x7F]) + bytes(rng.randrange(1, 20))  # a PUSH32 cut off by the end
    return code


def _context(fork_vm) -> ExecutionContext:
    return ExecutionContext(
        coinbase=b"\x0c" * 20, timestamp=2_000_000_000, block_number=1000, difficulty=0, mix_hash=b"\x44" * 32,
        gas_limit=30_000_000, prev_hashes=AncestorHashes(1000, [b"\x11" * 32], MissingLog()), chain_id=1,
        base_fee_per_gas=7, excess_blob_gas=0,
    )


def _run_message(vm_class, code: bytes, calldata: bytes, which: str):
    alloc = {SENDER: Acct(balance=10**20), CONTRACT: Acct(balance=10**18, code=code, storage={1: 2, 3: 4}),
             OTHER: Acct(balance=5)}
    root, nodes, codes = witness_from_alloc(alloc)
    from eth_hash.auto import keccak

    preimages = {keccak(n): n for n in nodes + codes}
    state = vm_class.get_state_class()(WitnessStore(preimages, MissingLog()), _context(vm_class), root)
    message = Message(gas=3_000_000, to=CONTRACT, sender=SENDER, value=3, data=calldata, code=code)
    context = state.get_transaction_context_class()(gas_price=7, origin=SENDER)
    with interpreter(which):
        computation = state.computation_class.apply_message(state, message, context)
    error = None
    if computation.is_error:
        error = type(computation.error)
        if error in (InvalidJumpDestination, InvalidInstruction):
            # py-evm names a jump into PUSH data InvalidInstruction, the fast loop
            # InvalidJumpDestination: both are exceptional halts with the same effects
            error = "bad jump or instruction"
    return {
        "error": error,
        "burns": computation.should_burn_gas,
        "gas": computation.get_gas_remaining(),
        "refund": computation.get_gas_refund(),
        "output": computation.output,
        "logs": computation.get_log_entries(),
        "root": state.make_state_root(),
    }


def _vm(which_fork):
    if isinstance(which_fork, tuple):
        chain_id, fork = which_fork
        chain = resolve_chain(None, chain_id, "test")
        return rule_set(chain, fork_value(chain.family, fork)).vm_class
    return witness_vm_class(which_fork)


MACHINES = L1_FORKS + L2


@pytest.mark.parametrize("seed", range(COUNT))
@pytest.mark.parametrize("machine", MACHINES, ids=[m if isinstance(m, str) else f"{m[0]}-{m[1]}" for m in MACHINES])
def test_random_program_same_on_every_interpreter(machine, seed):
    vm_class = _vm(machine)
    code = random_program(seed * 104_729 + MACHINES.index(machine))
    calldata = random.Random(seed).randbytes(random.Random(seed).randrange(0, 70))
    original = _run_message(vm_class, code, calldata, PY_EVM)
    for loop in LOOPS:
        assert _run_message(vm_class, code, calldata, loop) == original, (loop, code.hex())


@pytest.mark.parametrize("height", [0, 1, 2, 16])
def test_every_opcode_byte_on_a_short_stack(height):
    """Each of the 256 bytes as the one instruction after `height` pushes: underflow, a halt, an
    invalid opcode or success, with the gas, output and state py-evm's loop gives."""
    vm = witness_vm_class("osaka")
    for byte in range(256):
        code = asm(*([2] * height)) + bytes([byte]) + bytes(33)
        original = _run_message(vm, code, b"\x01" * 8, PY_EVM)
        for loop in LOOPS:
            assert _run_message(vm, code, b"\x01" * 8, loop) == original, (loop, height, hex(byte))


TARGETS = [0, 3, 5, 6, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**255, 2**256 - 1]


@pytest.mark.parametrize("op", ["JUMP", "JUMPI"])
def test_jumps_to_targets_of_every_size(op):
    """A target beyond the code, into PUSH data, past a C integer (2^63, 2^64) or at 2^256 - 1
    is an invalid jump on every loop; a JUMPDEST target is taken."""
    vm = witness_vm_class("prague")
    for target in TARGETS:
        code = (asm(1, target) if op == "JUMPI" else asm(target)) + asm(op, "JUMPDEST", 1, 0, "SSTORE")
        original = _run_message(vm, code, b"", PY_EVM)
        for loop in LOOPS:
            assert _run_message(vm, code, b"", loop) == original, (loop, op, target)


def test_the_compiled_loop_is_built_where_a_compiler_exists():
    """The Cython build is optional at install; where the machine has a C compiler (CI does)
    its absence is a broken build, not a quiet fall-back to the loop as Python."""
    import shutil
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if not shutil.which(compiler):
        pytest.skip(f"no C compiler ({compiler}): frames run on the loop as Python here")
    assert compiled_available(), "the compiled loop did not build (or is older than its source): pip install -e ."
    assert tries.BUILD == "compiled" or PURE_PYTHON, "witness/tries.py did not build (or is older): pip install -e ."
    assert type(tries.lookup).__name__ == "cython_function_or_method" or PURE_PYTHON
    with interpreter(COMPILED):
        from witnessverify.interpreter.choice import runner

        assert type(runner()).__name__ in ("cython_function_or_method", "builtin_function_or_method")


def test_random_programs_reach_the_interesting_paths():
    """The generator is not vacuous: over the default seeds, programs succeed, revert, run out
    of gas and hit bad jumps and stack errors."""
    vm = witness_vm_class("prague")
    errors = set()
    for seed in range(60):
        out = _run_message(vm, random_program(seed), b"\x01" * 40, FAST)
        errors.add(out["error"] if out["error"] is None or isinstance(out["error"], str) else out["error"].__name__)
    assert None in errors and "bad jump or instruction" in errors
    assert {"InsufficientStack", "OutOfGas", "Revert"} & errors


@pytest.mark.parametrize("op", ["PUSH0", "PUSH1", "DUP1", "GAS", "PC", "MSIZE", "CALLDATASIZE", "CALLVALUE",
                                "CALLER", "ADDRESS", "ORIGIN"])
@pytest.mark.parametrize("depth", [1023, 1024])
def test_every_pushing_operation_at_the_stack_limit(op, depth):
    """Each way the fast loop grows the stack (a PUSH, DUP, an inline or a frame value, py-evm's
    object) stops at 1,024 items exactly as py-evm's loop does: the 1,024th push succeeds, the
    1,025th is a FullStack halt."""
    vm = witness_vm_class("prague")
    code = asm(*(["PUSH0"] * depth)) + (asm(7) if op == "PUSH1" else asm(op)) + asm("STOP")
    original = _run_message(vm, code, b"\x01" * 8, PY_EVM)
    assert original["error"] == (FullStack if depth == 1024 else None)
    for loop in LOOPS:
        assert _run_message(vm, code, b"\x01" * 8, loop) == original, loop


# -- the pieces --------------------------------------------------------------------------------------
class _Frame:
    """What py-evm's stack logic functions use of a computation."""

    def __init__(self, values):
        from eth.vm.stack import Stack

        self._stack = Stack()
        for v in values:
            self._stack.push_int(v)
        for name in ("pop_ints", "pop1_int", "pop1_any", "push_int", "swap", "dup"):
            setattr(self, f"stack_{name}", getattr(self._stack, name))

    @property
    def values(self):
        return [v if isinstance(v, int) else int.from_bytes(v, "big") for v in self._stack.values]


def _builds():
    yield python_opcodes
    if compiled_available():
        from witnessverify.interpreter.compiled import opcodes as compiled_opcodes

        yield compiled_opcodes


@pytest.mark.parametrize("build", list(_builds()), ids=lambda m: m.__name__.split(".")[-2])
@pytest.mark.parametrize("logic", sorted(_STACK_OPS, key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_each_stack_operation_is_py_evms_on_edge_values(logic, build):
    """Every fast stack operation, compiled and as Python, against py-evm's own function, on all
    pairs (triples for ADDMOD/MULMOD) of edge values and on stacks too short for it."""
    import itertools

    fast = getattr(build, _STACK_OPS[logic].__name__)
    values = EDGE + [3, 7, 2**128 + 1, 2**255 + 5]
    depth = 3 if logic.__name__ in ("addmod", "mulmod") else 17
    combos = itertools.product(values, repeat=3) if depth == 3 else (
        [a, b] + [5] * 15 for a, b in itertools.product(values, repeat=2))
    for combo in combos:
        for height in (len(combo), 1, 0):
            stack = list(combo)[:height]
            expected = _Frame(stack)
            try:
                logic(expected)
                want = expected.values
            except Exception as exc:  # noqa: BLE001
                want = type(exc).__name__
            got = list(stack)
            try:
                fast(got)
            except IndexError:
                got = "InsufficientStack"
            assert got == want, (logic.__name__, combo[:3], height)


def test_analysis_skips_push_data():
    code = asm(0x5B5B, "JUMPDEST", "STOP") + bytes([0x7F]) + b"\x5b" * 3  # PUSH2 0x5b5b; truncated PUSH32
    analysis = CodeAnalysis(code)
    assert analysis.jumpdests == {3}
    assert analysis.pushes[0] == 0x5B5B
    assert analysis.pushes[5] == int.from_bytes(b"\x5b" * 3 + bytes(29), "big")  # zero-padded on the right


def test_a_redefined_opcode_runs_as_the_subclass_says():
    """The table takes the fast path only for py-evm's own opcode objects."""
    base = witness_vm_class("cancun").get_state_class().computation_class

    def add_one_more(computation):
        a, b = computation.stack_pop_ints(2)
        computation.stack_push_int((a + b + 1) % 2**256)

    custom = type("Custom", (base,), {"opcodes": {**base.opcodes, 0x01: as_opcode(add_one_more, "ADD", 3)}})
    assert opcode_table(base).kinds[0x01] == STACK_OP
    assert opcode_table(custom).kinds[0x01] == SLOW
    osaka = witness_vm_class("osaka").get_state_class().computation_class
    assert opcode_table(osaka).kinds[0x1E] == SLOW  # CLZ: the project's own opcode, run as it is


def test_every_computation_class_gets_the_fast_loop():
    from witnessverify.interpreter import FastInterpreter

    for fork in PY_EVM_VMS:
        assert issubclass(witness_vm_class(fork).get_state_class().computation_class, FastInterpreter)
    for chain_id, fork in L2:
        assert issubclass(_vm((chain_id, fork)).get_state_class().computation_class, FastInterpreter)


def _witness_items():
    for name in BUNDLE_FILES:
        (bundle,) = sources.load(BUNDLES / name)
        yield from bundle.state
        yield from bundle.codes


def _outcome(fn, raw):
    try:
        return ("value", fn(raw))
    except Exception as exc:  # noqa: BLE001 - the same error is the point
        return ("error", type(exc), str(exc))


@pytest.fixture(params=sorted(TRIES_BUILDS))
def codec(request):
    """witness/tries.py's node codec as Python and as its Cython build."""
    return TRIES_BUILDS[request.param]


def test_node_codec_is_pyrlp_on_every_witness_node(codec):
    seen = 0
    for raw in _witness_items():
        expected = _outcome(rlp.decode, raw)
        assert _outcome(codec.decode_node, raw) == expected
        if expected[0] == "value":
            assert codec.encode_node(expected[1]) == rlp.encode(expected[1])
            seen += 1
    assert seen > 10_000


def test_node_codec_is_pyrlp_on_mutated_witness_nodes(codec):
    """Nodes cut short or with one byte changed (to a string or list prefix, or at random): the
    decoder's fast paths give pyrlp's value or pyrlp's error."""
    import random

    rng = random.Random(22)
    nodes = [raw for raw in _witness_items() if len(raw) > 2]
    errors = 0
    for raw in rng.sample(nodes, 3000):
        i = rng.randrange(1, len(raw))
        for mutant in (raw[:i], raw[:i] + bytes([rng.choice((0x80, 0xA0, 0x81, 0xB8, 0xC0, rng.randrange(256)))])
                       + raw[i + 1:], raw + b"\x80"):
            expected = _outcome(rlp.decode, mutant)
            assert _outcome(codec.decode_node, mutant) == expected, mutant.hex()
            errors += expected[0] == "error"
    assert errors > 3000


@pytest.mark.parametrize("raw", [
    b"", b"\x80", b"\xc0", b"\xc1\x81\x05", b"\xc2\x81\x80", b"\xf8\x01\x00", b"\xc3\x82\x01", b"\xc2\x01\x02\x03",
    b"\xf9\x00\x38" + b"\x00" * 56, b"\xc3\xc2\x01\x02", b"\xc4\xb8\x01\x00\x00",
])
def test_node_codec_errors_as_pyrlp(raw, codec):
    assert _outcome(codec.decode_node, raw) == _outcome(rlp.decode, raw)


