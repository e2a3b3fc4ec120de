"""Base's B20 factory (Beryl, V1) against base/base's own golden test
(tests/vectors/base/b20_factory_v1_golden.json, provenance in tests/vectors/PROVENANCE.md):
return bytes, typed reverts, the (SLOAD, SSTORE, keccak) footprints and the pinned storage
hashes of the factory's and the new token's events and storage. Cases whose outcome needs
what is not implemented (init calls run token logic; alloy's decoder text) must be refused by
name, never answered. Init calls run the token logic (b20_asset.py)."""

from __future__ import annotations

import json

import pytest
from eth_hash.auto import keccak

from witnessverify.rules.base.native import activation, factory
from witnessverify.rules.base.native import b20_storage as store
from witnessverify.rules.base.native.host import Revert, StaticViolation

from tests.helpers.fixtures import VECTORS
from tests.helpers.native_host import MemoryState

GOLDEN = json.loads((VECTORS / "base" / "b20_factory_v1_golden.json").read_text())
ACTIVATION_ADMIN = bytes.fromhex("cb00000000000000000000000000000000000000")
# what the tool cannot answer yet, and the words it must say instead
def fresh(activated: bool) -> MemoryState:
    """The goldens' fresh(): both B20 features activated by the static activation admin."""
    state = MemoryState()
    if activated:
        registry = activation.Registry(state.host(activation.ADDRESS, ACTIVATION_ADMIN), ACTIVATION_ADMIN, False)
        registry.activate(activation.FEATURE_B20_STABLECOIN)
        registry.activate(activation.FEATURE_B20_ASSET)
    return state


def call(state: MemoryState, caller: str, value: str, calldata: str, fork: str):
    host = state.host(factory.ADDRESS, bytes.fromhex(caller[2:]), int(value, 16))
    saved = state.checkpoint()
    try:
        return False, factory.dispatch(host, bytes.fromhex(calldata[2:]), fork), host
    except Revert as exc:
        state.restore(saved)  # the CheckpointGuard: a failed create leaves nothing behind
        return True, exc.data, host


def run_case(case: dict) -> MemoryState:
    state = fresh(case["activated"])
    fork = case["upgrade"].lower()
    for prior in case["prior"]:
        assert call(state, prior["caller"], prior["value"], prior["calldata"], fork)[0] is False
    reverted, out, host = call(state, case["caller"], case["value"], case["calldata"], fork)
    where = f"{case['name']} (golden lines {case['lines']})"
    assert reverted == case["reverted"], (where, out.hex())
    if "output" in case:
        assert "0x" + out.hex() == case["output"], where
    if "revert" in case:
        assert "0x" + out.hex() == case["revert"], where
    if "revert_prefix" in case:  # AbiDecodeFailed: the selector, then alloy's text (not pinned)
        assert "0x" + out[:4].hex() == case["revert_prefix"], where
    if "footprint" in case:
        assert [host.sloads, host.sstores, host.keccaks] == case["footprint"], where
    if "storage_hash" in case:
        scope = [bytes.fromhex(a[2:]) for a in case["storage_hash_scope"]]
        assert "0x" + state.storage_hash_of(scope).hex() == case["storage_hash"], (where, case["storage_hash_const"])
        assert state.code[scope[1]] == b"\xef"
    return state


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_the_golden_case(case):
    run_case(case)


def test_malformed_params_revert_with_alloy_s_text():
    """golden_create_reverts_malformed_params pins the selector only; the rest is alloy's text
    (alloy-sol-types 1.6.1, read in its source): the params offset points past the data."""
    case = next(c for c in GOLDEN["cases"] if c["name"] == "golden_create_reverts_malformed_params")
    reverted, out, _ = call(fresh(True), case["caller"], case["value"], case["calldata"], "beryl")
    assert reverted and out == factory.CREATE + b"ABI decoding failed: buffer overrun while deserializing"


def test_all_golden_cases_and_hashes_are_here():
    assert len(GOLDEN["cases"]) == 27 and sum("storage_hash" in c for c in GOLDEN["cases"]) == 5



def test_cobalt_strings_read_the_old_head_and_clear_a_stale_tail():
    """Cobalt's storage feature (precompile-storage types/bytes_like.rs `store_bytes_like`,
    `clear_stale_long_tail`): every string write reads the old head first (one SLOAD more), and
    a value shorter than the old one zeroes the data slots it no longer uses; Legacy (Beryl)
    leaves them. A static frame is refused before the read."""
    token, slot = b"\xb2" + bytes(9) + b"\x00" + b"\x01" * 9, 5
    data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
    tails = {}
    for cobalt in (False, True):
        state = MemoryState()
        host = state.host(token, bytes(20), cobalt_storage=cobalt)
        store.store_string(host, slot, "x" * 70, token)  # three data slots
        before = host.sloads
        store.store_string(host, slot, "y" * 40, token)  # two
        assert host.sloads - before == (1 if cobalt else 0)
        assert store.load_string(host, slot, token) == "y" * 40
        tails[cobalt] = state.storage.get((token, data + 2), 0)
    assert tails[False] != 0 and tails[True] == 0
    with pytest.raises(StaticViolation):
        store.store_string(MemoryState().host(token, bytes(20), cobalt_storage=True, is_static=True), slot, "z", token)


@pytest.mark.parametrize("mutant,case_name", [
    ("no_admin_grant", "golden_create_asset"),
    ("variant_hashed", "golden_get_b20_address#1_asset"),
    ("no_currency_check", "golden_create_reverts_invalid_currency"),
    ("long_string_layout", "golden_create_stablecoin"),
    ("init_calls_unprivileged", "golden_create_with_init_calls"),
])
def test_a_rule_disabled_fails_a_golden_case(monkeypatch, mutant, case_name):
    from witnessverify.rules.base.native import b20_storage

    if mutant == "no_admin_grant":
        from witnessverify.rules.base.native.b20_admin import TokenAdminV1

        monkeypatch.setattr(TokenAdminV1, "grant_unchecked", lambda self, role, account, sender: None)
    elif mutant == "variant_hashed":
        monkeypatch.setattr(factory, "token_address", lambda v, h: b"\xb2" + bytes(9) + bytes([v]) + h[1:10])
    elif mutant == "no_currency_check":
        real = factory._initialize
        monkeypatch.setattr(factory, "_initialize",
                            lambda host, token, variant, params: real(host, token, factory.ASSET, params[:4] + (6,)))
    elif mutant == "init_calls_unprivileged":  # the factory's init calls must skip the role checks
        from witnessverify.rules.base.native import b20_token

        monkeypatch.setattr(b20_token.TokenV1, "mint", lambda self, to, amount: self.mint_to(to, amount, False) or b"")
    else:  # strings stored with their length in the high byte instead of 2·len in the low byte
        monkeypatch.setattr(b20_storage, "store_string",
                            lambda host, slot, text, token: host.sstore(slot, len(text) << 248, token))
    case = next(c for c in GOLDEN["cases"] if c["name"] == case_name)
    with pytest.raises(AssertionError):
        run_case(case)
