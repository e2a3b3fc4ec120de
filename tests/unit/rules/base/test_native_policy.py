"""Base's PolicyRegistry (Beryl, V1) against base/base's own golden test
(tests/vectors/base/b20_policy_v1_golden.json, provenance in tests/vectors/PROVENANCE.md):
every call's revert flag and bytes as the test asserts them, the (SLOAD, SSTORE, keccak)
footprints it pins, and its pinned storage hashes, reproduced from its `hash_state`."""

from __future__ import annotations

import json

import pytest

from witnessverify.errors import Unsupported
from witnessverify.rules.base.native import activation, policy
from witnessverify.rules.base.native.host import Revert

from tests.helpers.fixtures import VECTORS
from tests.helpers.native_host import MemoryState

GOLDEN = json.loads((VECTORS / "base" / "b20_policy_v1_golden.json").read_text())
ACTIVATION_ADMIN = bytes.fromhex(GOLDEN["fixtures"]["ACTIVATION_ADMIN"][2:])
FORKS = {"Azul": "azul", "Beryl": "beryl", "Cobalt": "cobalt"}


def activated_state() -> MemoryState:
    """The goldens' fixture: the policy feature activated by the (static) activation admin."""
    state = MemoryState()
    host = state.host(activation.ADDRESS, ACTIVATION_ADMIN)
    activation.Registry(host, ACTIVATION_ADMIN, state_backed=False).activate(activation.FEATURE_POLICY_REGISTRY)
    return state


def call(state: MemoryState, step: dict):
    """One step through the dispatcher: (reverted, bytes, host)."""
    host = state.host(policy.ADDRESS, bytes.fromhex(step["caller"][2:]), int(step["value"], 16))
    saved = state.checkpoint()
    try:
        out = policy.dispatch(host, bytes.fromhex(step["calldata"][2:]), FORKS[step["upgrade"]])
        return False, out, host
    except Revert as exc:
        state.restore(saved)
        return True, exc.data, host


def run_case(case: dict) -> MemoryState:
    state = activated_state() if case["activated"] else MemoryState()
    for i, step in enumerate(case["steps"]):
        reverted, out, host = call(state, step)
        where = f"{case['name']} step {i} {step['call']} (golden lines {case['lines']})"
        assert reverted == step["reverted"], (where, out)
        if step["bytes"] is not None:
            assert "0x" + out.hex() == step["bytes"], where
        if "footprint" in step:
            assert [host.sloads, host.sstores, host.keccaks] == step["footprint"], where
    if "storage_hash" in case:
        assert "0x" + state.storage_hash(policy.ADDRESS).hex() == case["storage_hash"], \
            (case["name"], case["storage_hash_const"])
    return state


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_the_golden_case(case):
    run_case(case)


def test_every_golden_case_and_hash_is_here():
    assert len(GOLDEN["cases"]) == 37 and sum(len(c["steps"]) for c in GOLDEN["cases"]) == 81
    assert sum("storage_hash" in c for c in GOLDEN["cases"]) == 9


def test_the_registry_is_marked_initialised_on_its_first_create():
    case = next(c for c in GOLDEN["cases"] if c["name"] == "golden_create_allowlist")
    state = run_case(dict(case, steps=case["steps"][:1]))
    assert state.code[policy.ADDRESS] == b"\xef"


def test_what_is_not_implemented_is_named():
    with pytest.raises(Unsupported, match="Cobalt surface"):
        policy.dispatch(MemoryState().host(policy.ADDRESS, bytes(20)), bytes(4), "cobalt")
    dirty = bytes.fromhex("55a1179e") + b"\x01" * 32 + bytes(32)  # uint64 out of range
    with pytest.raises(Unsupported, match="not canonical ABI"):
        policy.dispatch(MemoryState().host(policy.ADDRESS, bytes(20)), dirty, "beryl")


# -- each rule, disabled once, is caught by a golden case ------------------------------------------
MUTATIONS = {
    "bootstrap writes no built-ins": ("_counter", lambda self: max(self.host.sload(policy.NEXT_COUNTER), 2)),
    "membership ignored": ("is_authorized", lambda self, pid, acct: pid != policy.ALWAYS_BLOCK),
    "admin not checked": ("_require_admin", lambda self, word: None),
}


@pytest.mark.parametrize("rule", ["bootstrap writes no built-ins", "membership ignored", "admin not checked"])
def test_a_rule_disabled_fails_a_golden_case(rule, monkeypatch):
    name, replacement = MUTATIONS[rule]
    monkeypatch.setattr(policy.PolicyRegistryV1, name, replacement)
    failed = []
    for case in GOLDEN["cases"]:
        try:
            run_case(case)
        except AssertionError:
            failed.append(case["name"])
    assert failed, f"no golden case notices: {rule}"


@pytest.mark.parametrize("mutant,case_name", [
    ("ensure_activated", "golden_write_reverts_when_not_activated"),
    ("ROOT", "golden_create_blocklist"),  # the namespace root: every slot moves
])
def test_the_activation_gate_and_the_layout_are_caught(monkeypatch, mutant, case_name):
    if mutant == "ensure_activated":
        monkeypatch.setattr(policy, "ensure_activated", lambda host, feature: None)
    else:
        monkeypatch.setattr(policy, "NEXT_COUNTER", policy.NEXT_COUNTER + 1)
    case = next(c for c in GOLDEN["cases"] if c["name"] == case_name)
    with pytest.raises(AssertionError):
        run_case(case)
