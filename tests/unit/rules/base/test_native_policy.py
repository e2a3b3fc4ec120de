"""Base's PolicyRegistry, V1 (Beryl) and V2 (Cobalt), against base/base's own golden tests
(tests/vectors/base/b20_policy_v{1,2}_golden.json, provenance in tests/vectors/PROVENANCE.md):
every call's revert flag and bytes as the test asserts them, the (SLOAD, SSTORE, keccak)
footprints it pins, and its pinned storage hashes, reproduced from its `hash_state`."""

from __future__ import annotations

import json

import pytest

from witnessverify.rules.base.native import abi, activation, policy, policy_dispatch
from witnessverify.rules.base.native.errors import selector
from witnessverify.rules.base.native.policy_v2 import SURFACE_V2
from witnessverify.rules.base.native.host import Revert

from tests.helpers.fixtures import VECTORS
from tests.helpers.native_host import MemoryState

GOLDEN = json.loads((VECTORS / "base" / "b20_policy_v1_golden.json").read_text())
GOLDEN_V2 = json.loads((VECTORS / "base" / "b20_policy_v2_golden.json").read_text())
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
        # the goldens' HashMapStorageProvider runs the Legacy storage feature at Cobalt too
        out = policy_dispatch.dispatch(host, bytes.fromhex(step["calldata"][2:]), FORKS[step["upgrade"]],
                                       cobalt_storage=False)
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
        if "id_type" in step:
            assert int.from_bytes(out[24:25], "big") == step["id_type"], where
    if "storage_hash" in case:
        assert "0x" + state.storage_hash(policy.ADDRESS).hex() == case["storage_hash"], \
            (case["name"], case["storage_hash_const"])
    return state


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_the_golden_case(case):
    run_case(case)


@pytest.mark.parametrize("case", GOLDEN_V2["cases"], ids=[c["name"] for c in GOLDEN_V2["cases"]])
def test_the_v2_golden_case(case):
    run_case(case)


def test_every_v2_case_and_hash_is_here():
    assert len(GOLDEN_V2["cases"]) == 41 and sum(len(c["steps"]) for c in GOLDEN_V2["cases"]) == 121
    assert sum("storage_hash" in c for c in GOLDEN_V2["cases"]) == 11


def test_at_cobalt_a_vector_write_reads_the_old_length_first():
    """The Cobalt storage feature (precompile-storage vec.rs): one SLOAD more per children write,
    which the goldens (Legacy) do not see."""
    from witnessverify.rules.base.native.policy_v2 import PolicyRegistryV2

    counts = []
    for cobalt in (False, True):
        host = MemoryState().host(policy.ADDRESS, bytes(20))
        registry = PolicyRegistryV2(host)
        registry.cobalt_storage = cobalt
        registry._write_children(5, [2, 3])
        counts.append(host.sloads)
    assert counts == [0, 1]


def test_every_golden_case_and_hash_is_here():
    assert len(GOLDEN["cases"]) == 37 and sum(len(c["steps"]) for c in GOLDEN["cases"]) == 81
    assert sum("storage_hash" in c for c in GOLDEN["cases"]) == 9


def test_the_registry_is_marked_initialised_on_its_first_create():
    case = next(c for c in GOLDEN["cases"] if c["name"] == "golden_create_allowlist")
    state = run_case(dict(case, steps=case["steps"][:1]))
    assert state.code[policy.ADDRESS] == b"\xef"


def test_the_interfaces_minimum_lengths_are_base_base_s():
    """policy/versions.rs `surfaces_share_a_minimum_calldata_length` (@84ef08be): V1 32, V2 0."""
    assert (policy.SURFACE.min_length, SURFACE_V2.min_length) == (32, 0)
    assert policy.SURFACE.name == SURFACE_V2.name == "IPolicyRegistryCalls"  # `surface_interface_names_are_frozen`


def _revert(calldata: bytes, fork: str) -> bytes:
    with pytest.raises(Revert) as exc:
        policy_dispatch.dispatch(MemoryState().host(policy.ADDRESS, bytes(20)), calldata, fork)
    return exc.value.data


CREATE = bytes.fromhex("ca5d55f6")  # createPolicy(address,uint8)
ADMIN = bytes(12) + b"\xad" * 20
# alloy-sol-types 1.6.1 (the version base/base's Cargo.lock pins), read in its source: the texts
# of types/interface/mod.rs `abi_decode_validate`, ty.rs `abi_decode_sequence_validate`,
# data_type.rs `valid_token`, utils.rs `as_offset`, errors.rs `Display`.
TEXTS = [
    ("a PolicyType over the V2 enum", CREATE + ADMIN + (4).to_bytes(32, "big"), "cobalt",
     'type check failed for "(address,uint8)" with data: ' + (ADMIN + (4).to_bytes(32, "big")).hex()),
    ("dirty padding of a uint64 (base's decode_precompile_call_rejects_dirty_padding_bytes)",
     bytes.fromhex("330f5637") + b"\xff" + bytes(31), "beryl",  # policyExists(uint64)
     'type check failed for "(uint64)" with data: ff' + "00" * 31),
    ("a bare known selector on V1 (MIN_DATA_LENGTH 32)", CREATE, "beryl",
     'type check failed for "IPolicyRegistryCalls" with data: ' + CREATE.hex()),
    ("a bare known selector on V2 (MIN_DATA_LENGTH 0)", CREATE, "cobalt",
     "ABI decoding failed: buffer overrun while deserializing"),
    ("an offset with high bytes", bytes.fromhex("a2d3044f") + ADMIN + (1).to_bytes(32, "big") + b"\x01" + bytes(31), "beryl",
     'type check failed for "offset (usize)" with data: 01' + "00" * 31),
]


@pytest.mark.parametrize("what,calldata,fork,text", TEXTS, ids=[t[0] for t in TEXTS])
def test_alloy_s_decoder_texts(what, calldata, fork, text):
    assert _revert(calldata, fork) == calldata[:4] + text.encode()


def test_what_alloy_accepts_is_accepted():
    """Trailing bytes and a bool word with any last byte pass alloy's decoder (no re-encoding
    check; `valid_token` of bool looks at bytes 0..30 only)."""
    state = MemoryState()
    host = state.host(policy.ADDRESS, bytes(20))
    exists = bytes.fromhex("330f5637") + bytes(32)  # policyExists(0): ALWAYS_ALLOW, a built-in
    assert policy_dispatch.dispatch(host, exists + b"builder-code-suffix", "beryl") == \
        policy_dispatch.dispatch(host, exists, "beryl")
    from witnessverify.rules.base.native import abi

    assert abi.decode(["bool", "bool"], (2).to_bytes(32, "big") + (255).to_bytes(32, "big")) == [True, True]
    with pytest.raises(abi.DecodeError, match='"\\(bool\\)"'):
        abi.decode(["bool"], (256).to_bytes(32, "big"))


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
        monkeypatch.setattr(policy_dispatch, "ensure_activated", lambda host, feature: None)
    else:
        monkeypatch.setattr(policy, "NEXT_COUNTER", policy.NEXT_COUNTER + 1)
    case = next(c for c in GOLDEN["cases"] if c["name"] == case_name)
    with pytest.raises(AssertionError):
        run_case(case)


@pytest.mark.parametrize("mutant", ["children unchecked", "union as intersect", "V1 create order"])
def test_a_v2_rule_disabled_fails_a_golden_case(monkeypatch, mutant):
    from witnessverify.rules.base.native.policy_v2 import PolicyRegistryV2

    if mutant == "children unchecked":
        monkeypatch.setattr(PolicyRegistryV2, "_validate_children", lambda self, children: None)
    elif mutant == "union as intersect":
        real = PolicyRegistryV2.is_authorized
        monkeypatch.setattr(PolicyRegistryV2, "is_authorized", lambda self, pid, acct: real(
            self, pid ^ (1 << 56) if pid >> 56 == 2 else pid, acct))
    else:
        monkeypatch.setattr(PolicyRegistryV2, "_validate_create", policy.PolicyRegistryV1._validate_create)
    failed = []
    for case in GOLDEN_V2["cases"]:
        try:
            run_case(case)
        except (AssertionError, TypeError):
            failed.append(case["name"])
    assert failed, mutant


def test_a_static_composite_update_is_refused_before_the_old_length_is_read():
    """Cobalt's storage feature reads a vector's old length on every write, after
    `ensure_writable` (precompile-storage vec.rs `store`): in a static frame the write reverts
    with no more reads than under Legacy, which reads no length."""
    from witnessverify.rules.base.native import policy_v2

    state = MemoryState()
    admin = b"\xad" * 20
    activation.Registry(state.host(activation.ADDRESS, admin), admin, False).activate(activation.FEATURE_POLICY_REGISTRY)
    registry = policy_v2.PolicyRegistryV2(state.host(policy.ADDRESS, admin))
    a, b = (int.from_bytes(registry.createPolicy(admin, policy.BLOCKLIST), "big") for _ in range(2))
    composite = int.from_bytes(registry.createCompositePolicy(admin, policy_v2.UNION, [a, b]), "big")
    update = selector("updateComposite(uint64,uint64[])") + abi.encode(["uint64", "uint64[]"], [composite, [b, a]])
    reads = {}
    for cobalt in (False, True):
        host = state.host(policy.ADDRESS, admin, is_static=True)
        with pytest.raises(Revert) as exc:
            policy_dispatch.dispatch(host, update, "cobalt", cobalt_storage=cobalt)
        assert exc.value.data == b""
        reads[cobalt] = host.sloads
    assert reads[True] == reads[False]
