"""Base Beryl blocks that call the native precompiles, judged by the engine (py-evm with
rules/base/native/evm_host.py) against the Ethereum execution specs' Osaka running the same
native logic on its own state, journal, access sets and refunds (tests/helpers/spec_native.py,
tests/helpers/native_blocks.py). State root, receipts root, gas used and bloom come from the
specs, and each block sealed as a Base block is VALID; the logic itself is proven against
base/base's golden tests (test_native_policy/factory/asset.py).

Each block is built for the purpose from a pre-state: feature activation by the configured
admin, B20 creation with an init-call mint, transfers, a transfer a blocklist policy denies,
role changes, deactivation, a permit and its high-s twin, and the ways a call can end (revert,
out of gas, static write, DELEGATECALL, alloy's decoder texts), directly and from probing
contracts that record every call's success, returned bytes and gas. Cobalt's:
test_native_blocks_cobalt.py."""

from __future__ import annotations

import importlib

import pytest
from eth_hash.auto import keccak

from witnessverify.rules.base.native import abi
from witnessverify.rules.base.native.activation import FEATURE_B20_ASSET, FEATURE_POLICY_REGISTRY
from witnessverify.rules.base.native.b20_storage import ALLOWANCES, NONCES, mapping, nested
from witnessverify.rules.base.native.b20_token import ROLES, SCOPES
from witnessverify.rules.base.native.calls import DELEGATE_CALL_NOT_ALLOWED
from witnessverify.rules.base.native.errors import error, selector, topic
from witnessverify.rules.base.native.factory import token_address
from witnessverify.rules.base.native.policy import ADDRESS as POLICY

from tests.helpers.evm_asm import asm
from tests.helpers.native_blocks import (
    ACTIVATION, ADMIN, ALICE, BASE_1, BERYL, BOB, FACTORY, FEATURE_ACTIVATED, PROBE_ALLOC, PROBES, SALT, SMALL,
    SUPPLY, TOKEN, TRANSFER, UNCREATED, Nonces, call, caller, code, create, events, judge, minted_token, probe, probed,
    storage, token_balance,
)
from tests.helpers.spec_diff import KEYS, Acct, Case, assert_l2_executes_like_l1, base_alloc, tx
from tests.helpers.spec_native import native_precompiles


# -- blocks ----------------------------------------------------------------------------------------
def test_a_token_activated_created_minted_transferred_and_read():
    n = Nonces()
    txs = minted_token(n) + [
        n(1, TOKEN, call("transfer(address,uint256)", BOB, 10**20)),
        n(2, TOKEN, call("transfer(address,uint256)", ALICE, 10**20)),  # BOB's slot cleared: a refund
        probe(3, 0, "CALL", TOKEN, call("balanceOf(address)", ALICE)),
    ]
    spec = judge(txs)
    assert code(spec, TOKEN) == b"\xef" and storage(spec, ACTIVATION, 0) == 0
    assert token_balance(spec, ALICE) == SUPPLY and token_balance(spec, BOB) == 0
    assert (ACTIVATION, FEATURE_ACTIVATED) in events(spec)
    assert (FACTORY, topic("B20Created(address,uint8,string,string,uint8,bytes)")) in events(spec)
    assert events(spec).count((TOKEN, TRANSFER)) == 3  # the mint and two transfers
    assert probed(spec)[:2] == (1, keccak(abi.word(SUPPLY)))


def test_a_transfer_a_blocklist_policy_denies():
    n = Nonces()
    probe_account = PROBES["CALL"]
    sender_scope = SCOPES["TRANSFER_SENDER_POLICY"]
    txs = minted_token(n, features=(FEATURE_B20_ASSET, FEATURE_POLICY_REGISTRY)) + [
        n(1, TOKEN, call("transfer(address,uint256)", probe_account, 10**20)),
        n(1, POLICY, call("createPolicyWithAccounts(address,uint8,address[])", ALICE, 0, [BOB, probe_account])),
        n(1, TOKEN, call("updatePolicy(bytes32,uint64)", sender_scope, 2)),  # the first policy: id 2
        n(1, TOKEN, call("transfer(address,uint256)", BOB, 10**18)),  # ALICE may still send
        n(2, TOKEN, call("transfer(address,uint256)", ALICE, 10**18)),  # BOB may not: status 0
        probe(3, 0, "CALL", TOKEN, call("transfer(address,uint256)", ALICE, 1)),
    ]
    spec = judge(txs)
    assert token_balance(spec, BOB) == 10**18 and token_balance(spec, probe_account) == 10**20
    assert probed(spec)[:2] == (0, keccak(error("PolicyForbids(bytes32,uint64)", sender_scope, 2).data))


def test_roles_granted_used_and_revoked():
    n = Nonces()
    mint_role = ROLES["MINT_ROLE"]
    txs = minted_token(n) + [
        n(1, TOKEN, call("grantRole(bytes32,address)", mint_role, BOB)),
        n(2, TOKEN, call("mint(address,uint256)", BOB, 5)),
        n(1, TOKEN, call("revokeRole(bytes32,address)", mint_role, BOB)),
        n(2, TOKEN, call("mint(address,uint256)", BOB, 7)),  # no longer a minter: status 0
        probe(3, 0, "CALL", TOKEN, call("hasRole(bytes32,address)", mint_role, BOB)),
    ]
    spec = judge(txs)
    assert token_balance(spec, BOB) == 5
    assert probed(spec)[:2] == (1, keccak(abi.word(0)))
    roles = [e for e in events(spec) if e[0] == TOKEN and e[1] in (topic("RoleGranted(bytes32,address,address)"),
                                                                  topic("RoleRevoked(bytes32,address,address)"))]
    assert len(roles) == 3  # the initial admin, BOB's grant and its revocation


def test_a_deactivated_feature_stops_creation():
    n = Nonces()
    txs = [n(0, ACTIVATION, call("activate(bytes32)", FEATURE_B20_ASSET)),
           n(0, ACTIVATION, call("deactivate(bytes32)", FEATURE_B20_ASSET)),
           n(1, FACTORY, create()),  # status 0
           probe(3, 0, "CALL", FACTORY, create(salt=b"\x01" * 32))]
    spec = judge(txs)
    assert code(spec, TOKEN) == b"" and code(spec, ACTIVATION) == b"\xef"
    assert probed(spec)[:2] == (0, keccak(error("FeatureNotActivated(bytes32)", FEATURE_B20_ASSET).data))


ENDINGS = {
    # op, target, calldata, (success, returned data)
    "delegatecall": ("DELEGATECALL", POLICY, call("policyExists(uint64)", 0), (0, DELEGATE_CALL_NOT_ALLOWED)),
    "callcode": ("CALLCODE", POLICY, call("policyExists(uint64)", 0), (0, DELEGATE_CALL_NOT_ALLOWED)),
    "static write": ("STATICCALL", TOKEN, call("transfer(address,uint256)", BOB, 0), (0, b"")),
    "static read": ("STATICCALL", TOKEN, call("totalSupply()"), (1, abi.word(SUPPLY))),
    "uncreated token": ("CALL", UNCREATED, call("name()"), (0, b"")),
    "unknown selector": ("CALL", FACTORY, b"\x12\x34\x56\x78", (0, b"\x12\x34\x56\x78")),
    "short calldata": ("CALL", POLICY, b"\x01\x02", (0, bytes(4))),
    # alloy ignores trailing bytes: an ERC-8021 attribution suffix is no error
    "suffixed": ("CALL", TOKEN, call("totalSupply()") + b"\x07builder" + b"\x80" * 16, (1, abi.word(SUPPLY))),
    "dirty address": ("CALL", TOKEN, selector("transfer(address,uint256)") + b"\x01" + bytes(11) + BOB + abi.word(5),
                      (0, selector("transfer(address,uint256)") + b'type check failed for "(address,uint256)" with data: ' +
                       (b"\x01" + bytes(11) + BOB + abi.word(5)).hex().encode())),
}


@pytest.mark.parametrize("name", ENDINGS)
def test_how_a_native_call_ends(name):
    op, target, data, (success, returned) = ENDINGS[name]
    n = Nonces()
    spec = judge(minted_token(n) + [probe(3, 0, op, target, data)])
    assert probed(spec, op)[:2] == (success, keccak(returned))


def test_out_of_gas_in_a_native_call_spends_all_it_was_given():
    n = Nonces()
    spec = judge(minted_token(n) + [probe(3, 0, "CALL", TOKEN, call("transfer(address,uint256)", BOB, 0), SMALL)])
    success, returned, cost = probed(spec, at=SMALL)
    assert (success, returned) == (0, keccak(b"")) and cost > 2_400


def test_value_sent_to_a_native_precompile():
    """The factory refuses value (the transfer is undone with the revert); at Beryl the
    ActivationRegistry keeps it."""
    n = Nonces()
    spec = judge([n(1, FACTORY, create(), value=7), n(1, ACTIVATION, call("isActivated(bytes32)", FEATURE_B20_ASSET),
                                                      value=5)])
    balance = importlib.import_module("ethereum.forks.osaka.state").get_account
    assert int(balance(spec.state, FACTORY).balance) == 0 and int(balance(spec.state, ACTIVATION).balance) == 5


def test_a_caller_that_reverts_takes_back_the_native_calls_effects():
    """A contract creates a token through the factory, then reverts: no token, no event."""
    reverter = bytes.fromhex("5000000000000000000000000000000000000020")
    body = asm(32, "CALLDATASIZE", "SUB", "DUP1", 32, 0, "CALLDATACOPY", "POP",
               0, 0, 32, "CALLDATASIZE", "SUB", 0, 0, 0, "CALLDATALOAD", "GAS", "CALL", 0, "SSTORE",
               0, 0, "REVERT")
    n = Nonces()
    case_txs = [n(0, ACTIVATION, call("activate(bytes32)", FEATURE_B20_ASSET)),
                tx("osaka", 3, 0, reverter, FACTORY.rjust(32, b"\0") + create(admin=BOB))]
    case = Case(fork="osaka", alloc=base_alloc({**PROBE_ALLOC, reverter: Acct(code=body)}), txs=case_txs, time=BERYL,
                parent_base_fee=0)
    with native_precompiles("beryl", ADMIN):
        spec, outcome = assert_l2_executes_like_l1(case, BASE_1)
    created = token_address(0, keccak(abi.encode(["address", "bytes32"], [reverter, SALT])))
    assert code(spec, created) == b"" and len(spec.logs) == 1  # the activation's event alone


def test_the_gas_of_a_native_call_by_hand():
    """Two figures derived from base-reth-node's metering (precompile-storage evm.rs) and
    revm's CALL, not from either implementation under test:
    - a direct `isActivated` costs the intrinsic gas, 6 per calldata word and one cold SLOAD;
    - calling an uncreated token costs 2,600 more than calling the ActivationRegistry with the
      same calldata size: the token is cold (+2,500: found by a lookup, never warm at a
      transaction's start, unlike a fixed-address precompile) and its dispatcher reads its
      code hash (+100, warm by then)."""
    data = call("isActivated(bytes32)", FEATURE_B20_ASSET)
    spec = judge([tx("osaka", 1, 0, ACTIVATION, data, gas=100_000)])
    tokens = sum(4 if b else 1 for b in data)  # EIP-7623: a nonzero byte is 4 tokens
    assert spec.gas_used == max(21_000 + 4 * tokens + 6 * 2 + 2_100, 21_000 + 10 * tokens)
    second = bytes.fromhex("5000000000000000000000000000000000000011")
    case = Case(fork="osaka", alloc=base_alloc({**PROBE_ALLOC, second: Acct(code=caller("CALL"))}),
                txs=[probe(1, 0, "CALL", ACTIVATION, call("admin()")),
                     probe(2, 0, "CALL", UNCREATED, call("admin()"), second)], time=BERYL, parent_base_fee=0)
    with native_precompiles("beryl", ADMIN):
        spec, _ = assert_l2_executes_like_l1(case, BASE_1)
    assert probed(spec, at=second)[2] - probed(spec)[2] == 2_600
    assert probed(spec)[:2] == (1, keccak(abi.address_word(ADMIN)))


def test_a_later_fork_layer_keeps_the_token_lookup():
    """A fork's rules copy the precompile table to change it (pyevm_adapter.precompiles_of):
    the copy still finds a B20 token by address, and still does not count it warm."""
    from witnessverify import pyevm_adapter
    from witnessverify.chains import Fork
    from witnessverify.rules.registry import rule_set

    vm = rule_set(BASE_1, Fork("base", "cobalt")).vm_class
    table = pyevm_adapter.precompiles_of(vm.get_state_class().computation_class)
    assert table.get(TOKEN) is not None and TOKEN not in table and FACTORY in table


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def permit_digest(owner: bytes, spender: bytes, value: int, nonce: int, deadline: int) -> bytes:
    """EIP-2612's digest for TOKEN (named "Beryl Gold", version "1", chain id 1), written out."""
    domain = keccak(abi.encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [
        keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        keccak(b"Beryl Gold"), keccak(b"1"), 1, TOKEN]))
    struct = keccak(abi.encode(["bytes32", "address", "address", "uint256", "uint256", "uint256"], [
        keccak(b"Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
        owner, spender, value, nonce, deadline]))
    return keccak(b"\x19\x01" + domain + struct)


def test_a_permit_and_its_high_s_twin():
    """alloy-primitives makes a high s low (parity flipped) before recovering: the malleated twin
    of ALICE's signature is her signature too (one nonce, so the second use fails); a high s
    with the same v recovers someone else: InvalidSigner."""
    deadline = BERYL + 3600
    sig = KEYS[1].sign_msg_hash(permit_digest(ALICE, BOB, 777, 0, deadline))
    v, r, s = sig.v + 27, sig.r.to_bytes(32, "big"), sig.s
    twin = (v ^ 0b11, r, (SECP256K1_N - s).to_bytes(32, "big"))
    wrong = (v, r, (SECP256K1_N - s).to_bytes(32, "big"))
    permit = "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"
    n = Nonces()
    spec = judge(minted_token(n) + [
        probe(3, 0, "CALL", TOKEN, call(permit, ALICE, BOB, 777, deadline, *wrong)),
        n(2, TOKEN, call(permit, ALICE, BOB, 777, deadline, *twin)),
        n(2, TOKEN, call(permit, ALICE, BOB, 777, deadline, v, r, s.to_bytes(32, "big"))),  # nonce used: status 0
    ])
    assert storage(spec, TOKEN, nested(ALLOWANCES, ALICE, BOB)) == 777
    assert storage(spec, TOKEN, mapping(NONCES, ALICE)) == 1
    success, returned, _ = probed(spec)
    assert success == 0 and returned != keccak(b"")


@pytest.mark.parametrize("loop", ["py-evm", "fast"])
def test_native_calls_judge_alike_on_every_interpreter_loop(loop):
    """The tests above run the default (compiled) loop; here py-evm's and the loop as Python. The
    native calls go through py-evm's precompile dispatch whichever loop runs the frames around."""
    from witnessverify.interpreter import interpreter

    n = Nonces()
    with interpreter(loop):
        spec = judge(minted_token(n) + [n(1, TOKEN, call("transfer(address,uint256)", BOB, 10**20)),
                                        probe(3, 0, "STATICCALL", TOKEN, call("transfer(address,uint256)", BOB, 0))])
    assert token_balance(spec, BOB) == 10**20 and probed(spec, "STATICCALL")[:2] == (0, keccak(b""))
