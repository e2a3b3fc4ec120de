"""Execution speed of three engines on the same real blocks (pytest-benchmark).

Run: .venv/bin/python -m pytest benchmarks/test_engines.py --benchmark-only -s
  (WV_BENCH_ROUNDS=N for more rounds; the Ethereum execution specs get one round on the big block)

For each block:
  before   witnessverify as it was before its own interpreter and native backends: py-evm's loop
           and py-evm's pure-Python backends (WV_INTERPRETER=py-evm WV_PURE_PYTHON=1; backends are
           chosen at import, so this one runs in a child process, `witnessverify bench`, which
           times the same verification call the same way)
  py-evm   witnessverify's whole verification with py-evm's own interpreter loop (WV_INTERPRETER=py-evm)
  fast     the same with this project's interpreter loop (witnessverify/interpreter/) run as Python
  compiled the same loop compiled by Cython at install (the default where built)
  specs    the Ethereum execution specs (`ethereum-execution`, the test dependency) executing the
           block body (`apply_body`) on a pre-state holding exactly what witnessverify read from
           the witness; checked to reach the header's gas used and receipts root. The specs build
           no state root here (a partial state has none), so they do a little less work.

Rounds are interleaved (py-evm, fast, compiled, specs, py-evm, ...) and the best of each is
reported, in CPU seconds (process time) and wall seconds, with Mgas/s on CPU time. pytest-benchmark
itself times the default loop; the comparison (each loop against py-evm's loop and against the
specs) is in each case's extra_info and printed.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from witnessverify import sources
from witnessverify.chains import resolve_chain
from witnessverify.interpreter import COMPILED, FAST, PY_EVM, compiled_available, interpreter, selected
from witnessverify.pipeline import prepare, verify_bundle
from witnessverify.witness.state import WitnessAccountDB

BUNDLES = Path(__file__).resolve().parent.parent / "witnesses"
BLOCKS = ["560048-51632.json", "1-24628607.json", "1-25229957.json"]
ROUNDS = int(os.environ.get("WV_BENCH_ROUNDS", "3"))
SPEC_ROUNDS_BIG = 1  # the specs take minutes on the 36 Mgas block


class _RecordingDB(WitnessAccountDB):
    """Notes every account and slot read from the witness (the pre-state the block needs)."""

    reads: set
    slot_reads: set

    def _base_account(self, address, during="read"):
        self.reads.add(address)
        return super()._base_account(address, during)

    def _base_slot(self, address, slot):
        self.slot_reads.add((address, slot))
        return super()._base_slot(address, slot)


def _pre_state(bundle, chain):
    """(prepared block, accounts, storage) the block reads, with their pre-state values."""
    import copy

    from witnessverify.engine import execute_block

    prepared = prepare(bundle, chain)
    rules, witness = prepared.rules, prepared.witness
    reads, slot_reads = set(), set()
    recording = type("RecordingDB", (_RecordingDB,), {"reads": reads, "slot_reads": slot_reads})
    state_class = type("Recording", (rules.vm_class.get_state_class(),), {"account_db_class": recording})
    recording_rules = copy.copy(rules)  # the same rules, run on a VM that notes what it reads
    recording_rules._vm_class = type("RecordingVM", (rules.vm_class,), {"_state_class": state_class})
    execute_block(prepared.block, recording_rules, prepared.execution_context(len(bundle.block_rlp)))
    from witnessverify.witness.missing import MissingLog
    from witnessverify.witness.state import WitnessStore

    pre = WitnessAccountDB(WitnessStore(dict(witness.preimages), MissingLog()), witness.pre_state_root)
    accounts = {a: (pre.get_nonce(a), pre.get_balance(a), pre.get_code(a)) for a in reads if pre.account_exists(a)}
    storage = {(a, s): pre.get_storage(a, s) for a, s in slot_reads}
    return prepared, accounts, storage


class SpecBlock:
    """The block and its pre-state, ready for the execution specs' `apply_body`."""

    def __init__(self, bundle, chain):
        prepared, self.accounts, self.storage = _pre_state(bundle, chain)
        self.fork = prepared.rules.evm_fork
        self.header = prepared.block.header
        self.chain_id = chain.chain_id
        self.ancestors = list(reversed(prepared.witness.ancestor_hashes))
        self.block_rlp = bundle.block_rlp

    def _module(self, name):
        return importlib.import_module(f"ethereum.forks.{self.fork}.{name}")

    def run(self):
        from ethereum_rlp import rlp as spec_rlp
        from ethereum_types.bytes import Bytes, Bytes32
        from ethereum_types.numeric import U64, U256, Uint

        state_mod, types, vm = self._module("state"), self._module("fork_types"), self._module("vm")
        state = state_mod.State()
        for address, (nonce, balance, code) in self.accounts.items():
            state_mod.set_account(state, address, types.Account(nonce=Uint(nonce), balance=U256(balance),
                                                                code=Bytes(code)))
        for (address, slot), value in self.storage.items():
            if address in self.accounts and value:
                state_mod.set_storage(state, address, Bytes32(slot.to_bytes(32, "big")), U256(value))
        block = spec_rlp.decode_to(self._module("blocks").Block, self.block_rlp)
        h = self.header
        env = vm.BlockEnvironment(
            chain_id=U64(self.chain_id), state=state, block_gas_limit=Uint(h.gas_limit),
            block_hashes=[Bytes32(x) for x in self.ancestors], coinbase=h.coinbase, number=Uint(h.block_number),
            base_fee_per_gas=Uint(h.base_fee_per_gas), time=U256(h.timestamp), prev_randao=Bytes32(h.mix_hash),
            excess_blob_gas=U64(h.excess_blob_gas), parent_beacon_block_root=Bytes32(h.parent_beacon_block_root),
        )
        output = self._module("fork").apply_body(block_env=env, transactions=block.transactions,
                                                 withdrawals=block.withdrawals)
        return int(output.block_gas_used), bytes(self._module("trie").root(output.receipts_trie))


def _timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.process_time() - cpu, time.perf_counter() - wall


BEFORE = "before"


def _before(path: Path) -> tuple[float, float]:
    """(cpu, wall) seconds of one verification on the pre-issue-14 path, in a child process."""
    env = dict(os.environ, WV_INTERPRETER=PY_EVM, WV_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-m", "witnessverify", "bench", str(path), "--rounds", "1", "--json"],
                         env=env, capture_output=True, text=True, check=True).stdout
    row = json.loads(out.splitlines()[-1])
    assert row["verdict"] == "VALID", row
    return row["cpuSeconds"], row["wallSeconds"]


def _verify(bundle, which):
    with interpreter(which):
        outcome = verify_bundle(bundle)
    assert outcome.verdict == "VALID", outcome.reason
    return outcome


@pytest.mark.parametrize("name", BLOCKS)
def test_engines(benchmark, name):
    (bundle,) = sources.load(BUNDLES / name)
    chain = resolve_chain(None, bundle.chain_id, name)
    spec = SpecBlock(bundle, chain)
    header = spec.header
    best: dict[str, list[float]] = {}

    def note(engine, cpu, wall):
        old = best.get(engine, [float("inf"), float("inf")])
        best[engine] = [min(old[0], cpu), min(old[1], wall)]

    loops = [FAST, COMPILED] if compiled_available() else [FAST]
    benchmark.pedantic(lambda: _verify(bundle, selected()), rounds=1, iterations=1)  # the default loop
    spec_rounds = SPEC_ROUNDS_BIG if header.gas_used > 20_000_000 else ROUNDS
    for round_ in range(ROUNDS):
        note(BEFORE, *_before(BUNDLES / name))
        for engine in (PY_EVM, *loops):
            _, cpu, wall = _timed(lambda: _verify(bundle, engine))
            note(engine, cpu, wall)
        if round_ < spec_rounds:
            (gas, receipts_root), cpu, wall = _timed(spec.run)
            assert gas == header.gas_used and receipts_root == header.receipt_root, "the specs ran another block"
            note("specs", cpu, wall)

    mgas = header.gas_used / 1e6
    for engine, (cpu, wall) in best.items():
        benchmark.extra_info[engine] = {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
                                        "mgas_per_cpu_s": round(mgas / cpu, 2)}
    ratios = {}
    for loop in loops:
        for other in (PY_EVM, BEFORE, "specs"):
            ratios[f"speedup_cpu_{loop}_vs_{other}"] = round(best[other][0] / best[loop][0], 2)
    benchmark.extra_info.update(ratios)
    print(f"\n{name} ({mgas:.1f} Mgas, {len(spec.accounts)} accounts read): "
          + "; ".join(f"{engine} {cpu:.2f} s CPU {wall:.2f} s wall {mgas / cpu:.1f} Mgas/s"
                      for engine, (cpu, wall) in best.items())
          + "".join(f"; {key.removeprefix('speedup_cpu_')} x{value}" for key, value in ratios.items()))
