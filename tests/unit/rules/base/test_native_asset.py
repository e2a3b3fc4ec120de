"""The B20 tokens, Asset and Stablecoin V1 (Beryl), against base/base's own golden tests
(tests/vectors/base/b20_{asset,stablecoin}_v1_golden.json, provenance in
tests/vectors/PROVENANCE.md):
every step the test makes — logic calls (privileged or not), the dispatch envelope, reads,
event checks, storage seeds — with what it asserts, the (SLOAD, SSTORE, keccak) footprints
and every pinned `hash_token_state` root (42 and 34). The goldens' FakePolicyAccounting is the
PolicyRegistry's own logic over a separate in-memory state (as there: not in the token's
hash or counts). A step whose revert text is alloy's decoder message, which the test does not
pin, must be refused by name."""

from __future__ import annotations

import json

import pytest

from witnessverify.errors import Unsupported
from witnessverify.rules.base.native import b20_asset, b20_dispatch, b20_v2, policy as registry
from witnessverify.rules.base.native.policy_v2 import PolicyRegistryV2
from witnessverify.rules.base.native.host import DecodeFailed, Revert
from witnessverify.rules.base.native.slots import mapping, nested

from tests.helpers.fixtures import VECTORS
from tests.helpers.native_host import MemoryState

GOLDEN = json.loads((VECTORS / "base" / "b20_asset_v1_golden.json").read_text())
STABLE = json.loads((VECTORS / "base" / "b20_stablecoin_v1_golden.json").read_text())
ASSET_V2 = json.loads((VECTORS / "base" / "b20_asset_v2_golden.json").read_text())
LOGIC = {id(GOLDEN): b20_asset.AssetV1, id(STABLE): b20_asset.StablecoinV1, id(ASSET_V2): b20_v2.AssetV2}
TOKEN = bytes.fromhex(GOLDEN["harness"]["token_address"][2:])
CHAIN_ID = GOLDEN["harness"]["chain_id"]
FORKS = {"Azul": "azul", "Beryl": "beryl", "Cobalt": "cobalt", None: "beryl"}


def h(x: str) -> bytes:
    return bytes.fromhex(x[2:])


def fake_policy(spec, v2: bool = False) -> registry.PolicyRegistryV1:
    """FakePolicyAccounting: existing policies (word: exists, admin 0) and members."""
    state = MemoryState()
    for pid in (spec or {}).get("existing", []):
        state.storage[(registry.ADDRESS, mapping(registry.POLICIES, int(pid, 16)))] = registry.EXISTS
    for pid, account in (spec or {}).get("members", []):
        state.storage[(registry.ADDRESS, nested(registry.MEMBERS, int(pid, 16), h(account)))] = 1
    return (PolicyRegistryV2 if v2 else registry.PolicyRegistryV1)(state.host(registry.ADDRESS, bytes(20)))


def seed(state: MemoryState, writes) -> None:
    for address, slot, value in writes:
        state.storage[(h(address), int(slot, 16))] = int(value, 16)


def run_step(state: MemoryState, step: dict, where: str, cls=b20_asset.AssetV1) -> None:
    path, kind = step["path"], step.get("kind")
    if path == "seed":
        return seed(state, step["storage_writes"])
    if kind == "resolver":  # the fork -> version table: the dispatch tests below exercise it
        return
    if kind == "events":
        token_events = [(t, d) for a, t, d in state.logs if a == TOKEN]
        for e in step["expect_events"]:
            topics, data = token_events[e["index"]]
            if "topic0" in e:
                assert "0x" + topics[0].hex() == e["topic0"], where
            if "topics" in e:
                assert ["0x" + t.hex() for t in topics] == e["topics"], where
            if "data" in e:
                assert "0x" + data.hex() == e["data"], where
        return
    if step.get("timestamp") is not None:  # warp: the block time from here on
        state.timestamp = int(step["timestamp"], 16) if isinstance(step["timestamp"], str) else step["timestamp"]
    host = state.host(TOKEN, h(step["caller"]) if step.get("caller") else bytes(20), int(step.get("value") or "0x0", 16),
                      chain_id=CHAIN_ID, timestamp=getattr(state, "timestamp", 0))
    policy = fake_policy(step.get("policy"), v2=issubclass(cls, b20_v2.TokenV2))
    logic = cls(host, policy, TOKEN, bool(step.get("privileged")))
    if kind == "grant_role_unchecked":
        args = step["direct_args"]
        return logic.grant_unchecked(h(args["role"]), h(args["account"]), host.caller)
    if kind == "domain_separator":
        assert "0x" + logic.domain_separator().hex() == step["computed_value"], where
        return
    if kind == "read" and not step.get("calldata"):
        address, slot = step["storage_slot"]
        value = state.storage.get((h(address), int(slot, 16)), 0)
        if step.get("storage_lane"):
            lane = step["storage_lane"]
            value = value >> lane["shift_bits"] & ((1 << lane["width_bits"]) - 1)
        assert value == int(step["expect"], 16), where
        return
    calldata = h(step["calldata"])
    saved = state.checkpoint()
    try:
        if path in ("dispatch", "dispatch_with_observer") or kind == "resolver_gate":
            out = b20_dispatch.dispatch(host, TOKEN, policy, calldata, FORKS[step.get("upgrade")],
                                        variant=0 if issubclass(cls, b20_asset.AssetV1) else 1)
        else:
            out = b20_dispatch.route(host, TOKEN, policy, calldata, bool(step.get("privileged")), cls=cls)
        reverted = False
    except Revert as exc:
        state.restore(saved)
        out, reverted = exc.data, True
        if "AbiDecodeFailed" in (step.get("error") or ""):  # selector ‖ alloy's text (not pinned)
            assert isinstance(exc, DecodeFailed) and step["error"].startswith(f"AbiDecodeFailed{{selector: 0x{out[:4].hex()}"), where
    if step["reverted"] is not None:
        assert reverted == step["reverted"], (where, out.hex())
    if step["bytes"] is not None:
        assert "0x" + out.hex() == step["bytes"], where
    if "footprint" in step:
        assert [host.sloads, host.sstores, host.keccaks] == step["footprint"], where


def run_case(case: dict, golden: dict = GOLDEN) -> MemoryState:
    state = MemoryState()
    if case["fresh"]:
        seed(state, golden["harness"]["fresh"]["initial_storage"])
    seed(state, case["setup_storage"])
    for i, step in enumerate(case["steps"]):
        run_step(state, step, f"{case['name']} step {i} {step.get('call')} (golden lines {case['lines']})",
                 LOGIC[id(golden)])
    if "storage_hash" in case:
        assert "0x" + state.storage_hash_of([TOKEN]).hex() == case["storage_hash"], \
            (case["name"], case["storage_hash_const"])
    return state


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_the_golden_case(case):
    run_case(case)


@pytest.mark.parametrize("case", STABLE["cases"], ids=[c["name"] for c in STABLE["cases"]])
def test_the_stablecoin_golden_case(case):
    run_case(case, STABLE)


def test_every_stablecoin_case_and_root_is_here():
    assert len(STABLE["cases"]) == 103 and sum(len(c["steps"]) for c in STABLE["cases"]) == 197
    assert sum("storage_hash" in c for c in STABLE["cases"]) == 34


@pytest.mark.parametrize("case", ASSET_V2["cases"], ids=[c["name"] for c in ASSET_V2["cases"]])
def test_the_asset_v2_golden_case(case):
    run_case(case, ASSET_V2)


def test_every_asset_v2_case_and_root_is_here():
    assert len(ASSET_V2["cases"]) == 147 and sum(len(c["steps"]) for c in ASSET_V2["cases"]) == 294
    assert sum("storage_hash" in c for c in ASSET_V2["cases"]) == 47


def test_every_golden_case_and_root_is_here():
    assert len(GOLDEN["cases"]) == 129 and sum(len(c["steps"]) for c in GOLDEN["cases"]) == 252
    assert sum("storage_hash" in c for c in GOLDEN["cases"]) == 42


def _failing_cases() -> list[str]:
    failed = []
    for case in GOLDEN["cases"]:
        try:
            run_case(case)
        except (AssertionError, Unsupported, TypeError, IndexError):
            failed.append(case["name"])
    return failed


MUTANTS = {
    "transfer policies not asked": ("b20_token.TokenV1.require_policy", lambda self, name, account: None),
    "pause ignored": ("b20_token.TokenV1.require_unpaused", lambda self, feature: None),
    "roles not checked": ("b20_token.TokenV1.require_role", lambda self, role, account: None),
    "last admin may leave": ("b20_admin.TokenAdminV1._not_last_admin", lambda self, role, account: None),
    "no memo event": ("b20_token.TokenV1._memo", lambda self, memo: None),
    "announcement ids reusable": ("b20_storage.keyed_slot", lambda base, key: base),
    "multiplier unscaled": ("b20_asset.AssetV1._multiplier", lambda self: 10**18),
}


@pytest.mark.parametrize("rule", sorted(MUTANTS))
def test_a_rule_disabled_fails_a_golden_case(rule, monkeypatch):
    import importlib

    target, replacement = MUTANTS[rule]
    module, cls, *attr = target.split(".")
    owner = importlib.import_module(f"witnessverify.rules.base.native.{module}")
    if attr:
        owner = getattr(owner, cls)
        cls = attr[0]
    monkeypatch.setattr(owner, cls, replacement)
    assert _failing_cases(), f"no golden case notices: {rule}"


@pytest.mark.parametrize("mutant", ["seize ignores the holder policy", "multiplier never flips"])
def test_a_v2_rule_disabled_fails_a_golden_case(mutant, monkeypatch):
    if mutant == "seize ignores the holder policy":
        real = b20_v2.TokenV2.seizeWithMemo

        def seize(self, sender, to, amount, memo):
            monkeypatch.setattr(self.policy, "is_authorized", lambda pid, acct: True)  # every holder protected
            return real(self, sender, to, amount, memo)
        monkeypatch.setattr(b20_v2.TokenV2, "seizeWithMemo", seize)
    else:  # the multiplier never flips at maturity
        monkeypatch.setattr(b20_v2.AssetV2, "_multiplier", lambda self: self._stored_multiplier())
    failed = []
    for case in ASSET_V2["cases"]:
        try:
            run_case(case, ASSET_V2)
        except (AssertionError, Unsupported, TypeError, IndexError):
            failed.append(case["name"])
    assert failed, mutant


@pytest.mark.parametrize("cls,reads", [(b20_asset.AssetV1, 3), (b20_v2.AssetV2, 1)])
def test_transfer_from_reads_the_transfer_lanes_as_its_version_does(cls, reads):
    """V1 reads base.b20 +9 once per policy check (executor, sender, receiver), V2 once for all
    (logic/v2.rs :227-288). No golden pins this: their footprints run privileged transfers,
    which skip the policies, so this test is the only one that can fail on it."""
    from witnessverify.rules.base.native import b20_storage as store

    state = MemoryState()
    seed(state, GOLDEN["harness"]["fresh"]["initial_storage"])
    alice, bob, carol = b"\xa1" * 20, b"\xb0" * 20, b"\xca" * 20
    state.storage[(TOKEN, b20_asset.balance_slot(alice))] = 100
    state.storage[(TOKEN, store.nested(store.ALLOWANCES, alice, carol))] = 50
    lane_reads = []
    host = state.host(TOKEN, carol, chain_id=CHAIN_ID)
    load = host._load
    host._load = lambda address, slot: (lane_reads.append(slot) if slot == store.B20_ROOT + 9 else None) or load(address, slot)
    cls(host, fake_policy(None, v2=issubclass(cls, b20_v2.TokenV2)), TOKEN).transferFrom(alice, bob, 10)
    assert len(lane_reads) == reads
