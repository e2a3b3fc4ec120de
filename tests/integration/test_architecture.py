"""The shape of the code, checked: no import circles (function-local imports included), no module
over ~400 lines, py-evm's private fields touched only by the adapter (and the fast interpreter,
which replaces py-evm's loop inside its computation), no family branches outside rules/ and
chains/, lower layers never importing higher ones, and a new fork as one data entry plus one
rules file."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import types

import pytest

from tests.helpers.fixtures import REPO

PACKAGE = REPO / "witnessverify"
sys.path.insert(0, str(REPO / "scripts"))
import import_graph  # noqa: E402  - the repository's own script

MAX_LINES = 410


def _modules():
    return {name: path for name, path in import_graph.modules(REPO).items()}


def test_no_import_circle_counting_local_imports():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "import_graph.py")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and not r.stdout, r.stdout
    assert len(import_graph.edges(REPO)) > 300  # the graph is not vacuous


def test_the_checker_finds_a_circle(tmp_path):
    (tmp_path / "witnessverify" / "a").mkdir(parents=True)
    (tmp_path / "witnessverify" / "__init__.py").write_text("")
    (tmp_path / "witnessverify" / "a" / "__init__.py").write_text("")
    (tmp_path / "witnessverify" / "a" / "x.py").write_text("from . import y\n")
    (tmp_path / "witnessverify" / "a" / "y.py").write_text("def f():\n    from .x import g\n")
    assert import_graph.circles(tmp_path) == [["witnessverify.a.x", "witnessverify.a.y"]]


def test_no_module_is_much_longer_than_400_lines():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long


PRIVATE = re.compile(r"\._(state|block|account_db|precompiles|state_class|assign_block_rewards|inner|gas_meter|memory|"
                     r"stack|chaindb)\b|[\"'](_precompiles|_state_class)[\"']")


def test_only_the_adapter_touches_pyevm_private_fields():
    allowed = {"witnessverify.pyevm_adapter"}
    offenders = {}
    for name, path in _modules().items():
        if name in allowed or name.startswith("witnessverify.interpreter"):
            continue
        hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if PRIVATE.search(line)]
        if hits:
            offenders[name] = hits
    assert not offenders, offenders


FAMILY_BRANCH = re.compile(r"\.is_op\b|\bfamily\s*==|\.family\b|op_forks\b")


def test_callers_never_branch_on_the_family():
    offenders = {}
    for name, path in _modules().items():
        if name.startswith(("witnessverify.rules", "witnessverify.chains")):
            continue
        hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if FAMILY_BRANCH.search(line)]
        if hits:
            offenders[name] = hits
    assert not offenders, offenders


# each layer and what it must never import (counting local imports)
LOWER = {
    "witnessverify.chains": ("rules", "engine", "verdict", "pipeline", "report", "tiebreak", "watch", "cli", "sources",
                             "witness", "build", "inputs"),
    "witnessverify.witness": ("rules", "engine", "verdict", "pipeline", "report", "tiebreak", "watch", "cli", "build",
                              "inputs"),
    "witnessverify.sources": ("rules", "engine", "verdict", "pipeline", "build", "inputs", "tiebreak", "watch", "cli"),
    "witnessverify.rules": ("engine", "verdict", "pipeline", "report", "tiebreak", "watch", "cli", "build", "inputs"),
    "witnessverify.engine": ("verdict", "pipeline", "report", "tiebreak", "watch", "cli", "build", "inputs"),
}


@pytest.mark.parametrize("layer", sorted(LOWER))
def test_a_lower_layer_never_imports_a_higher_one(layer):
    forbidden = tuple(f"witnessverify.{m}" for m in LOWER[layer])
    bad = [(a, b, line) for a, b, line in import_graph.edges(REPO)
           if (a == layer or a.startswith(layer + ".")) and any(b == f or b.startswith(f + ".") for f in forbidden)]
    assert not bad, bad


def test_a_new_base_fork_is_one_data_entry_and_one_rules_file(monkeypatch):
    """Base's next fork, made up here: its entry on the Base line (with its activation on the
    chain) and a rules module of its own, with a precompile of its own. Blocks from its
    activation on run its rules; blocks before it do not."""
    from witnessverify import pyevm_adapter
    from witnessverify.chains import BASE, spec
    from witnessverify.rules import registry
    from witnessverify.rules.base import rules as base_rules

    from tests.helpers.evm_asm import prober
    from tests.helpers.spec_diff import Acct, Case, base_alloc, differential, tx

    dune = BASE.op_forks["cobalt"] + 10 * 86_400
    # the data entry
    monkeypatch.setitem(spec.FORK_SPECS, "base", spec.BASE_FORKS + (spec.ForkSpec("dune", "osaka"),))
    chain = dataclasses.replace(BASE, chain_id=1, op_forks={**BASE.op_forks, "dune": dune})

    # the rules file: a precompile at 0x0dd0 answering 42
    address = (0x0DD0).to_bytes(20, "big")

    def answer(computation):
        computation.consume_gas(100, reason="dune")
        computation.output = (42).to_bytes(32, "big")
        return computation

    def layer(vm, fork, chain):
        state = vm.get_state_class()
        precompiles = pyevm_adapter.precompiles_of(state.computation_class)
        precompiles[address] = answer
        computation = pyevm_adapter.computation_class("DuneComputation", (state.computation_class,), precompiles)
        return pyevm_adapter.vm_class("DuneVM", (vm,), type("DuneState", (state,), {"computation_class": computation}),
                                      fork=fork.label)

    monkeypatch.setattr(base_rules, "FORK_RULES", base_rules.FORK_RULES + (("dune", types.SimpleNamespace(layer=layer)),))
    monkeypatch.setattr(registry, "_CACHE", type(registry._CACHE)())

    prober_address = b"\x50" * 19 + b"\x01"
    outcomes = {}
    for when in (dune - 60, dune + 60):
        alloc = base_alloc({prober_address: Acct(code=prober(50_000))})
        case = Case(fork="osaka", alloc=alloc, time=when, parent_base_fee=0,
                    txs=[tx("osaka", 0, 0, prober_address, address.rjust(32, b"\0"), gas=1_000_000)])
        spec_result, outcomes[when] = differential(case, chain)
        outcomes[when].spec_root = "0x" + spec_result.state_root.hex()
    before, after = outcomes[dune - 60], outcomes[dune + 60]
    assert before.fork == "base-cobalt" and after.fork == "base-dune"
    assert before.computed["stateRoot"] == before.spec_root  # an empty account there, as on L1
    assert after.computed["stateRoot"] != after.spec_root  # the fork's own precompile answered
