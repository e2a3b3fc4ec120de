"""Base Cobalt blocks that call the native precompiles (the harness and its proof: see
test_native_blocks.py): the factory's V1 logic with Cobalt's storage feature, the tokens' V2
logic (Asset and Stablecoin), the state-backed activation admin, PR #4808's NonPayable, and the
NonceManager and TransactionContext as ordinary transactions see them."""

from __future__ import annotations

import importlib

import pytest
from eth_hash.auto import keccak

from witnessverify.rules.base.native import abi
from witnessverify.rules.base.native.activation import FEATURE_B20_ASSET, FEATURE_POLICY_REGISTRY, feature_slot
from witnessverify.rules.base.native.b20_storage import NAME
from witnessverify.rules.base.native.b20_token import ROLES, balance_slot
from witnessverify.rules.base.native.calls import DELEGATE_CALL_NOT_ALLOWED
from witnessverify.rules.base.native.errors import error, selector
from witnessverify.rules.base.native.factory import token_address

from tests.helpers.native_blocks import (
    ACTIVATION, ADMIN, ALICE, BASE_1, BOB, COBALT, FACTORY, FEATURE_ACTIVATED, PROBE_ALLOC, SALT, SUPPLY, TOKEN, Nonces, call, caller, code, create, events, judge, probe, probed,
    storage, token_balance,
)
from tests.helpers.spec_diff import SENDERS, Acct, Case, assert_l2_executes_like_l1, base_alloc
from tests.helpers.spec_native import native_precompiles


def test_at_cobalt_a_token_created_with_cobalt_strings_and_moved_by_v2_logic():
    """The factory's V1 logic with Cobalt's storage feature, the tokens' V2 logic, and the
    state-backed activation admin: the configured admin hands over to BOB, who activates."""
    n = Nonces()
    long_name = "Cobalt Asset With A Name Longer Than One Slot"
    txs = [n(0, ACTIVATION, call("activate(bytes32)", FEATURE_B20_ASSET)),
           n(1, FACTORY, create(name=long_name, init_calls=[call("mint(address,uint256)", ALICE, SUPPLY)])),
           n(1, TOKEN, call("transfer(address,uint256)", BOB, 10**20)),
           n(1, TOKEN, call("grantRole(bytes32,address)", ROLES["METADATA_ROLE"], ALICE)),
           n(1, TOKEN, call("updateName(string)", "Short")),  # a long name replaced: its tail cleared
           n(0, ACTIVATION, call("setAdmin(address)", BOB)),
           n(2, ACTIVATION, call("activate(bytes32)", FEATURE_POLICY_REGISTRY)),
           n(0, ACTIVATION, call("deactivate(bytes32)", FEATURE_B20_ASSET)),  # no longer the admin: status 0
           probe(3, 0, "CALL", TOKEN, call("name()"))]
    spec = judge(txs, "cobalt")
    assert token_balance(spec, BOB) == 10**20 and code(spec, TOKEN) == b"\xef"
    assert probed(spec)[:2] == (1, keccak(abi.encode(["string"], ["Short"])))
    assert events(spec).count((ACTIVATION, FEATURE_ACTIVATED)) == 2
    assert storage(spec, ACTIVATION, feature_slot(FEATURE_B20_ASSET)) == 1  # the old admin could not deactivate
    name_data = int.from_bytes(keccak(NAME.to_bytes(32, "big")), "big")
    assert [storage(spec, TOKEN, name_data + i) for i in range(2)] == [0, 0]


def test_at_cobalt_the_activation_registry_refuses_value():
    """base/base PR #4808: from Cobalt, NonPayable() before anything is charged (at Beryl the
    registry keeps it: test_value_sent_to_a_native_precompile)."""
    n = Nonces()
    spec = judge([n(1, ACTIVATION, call("isActivated(bytes32)", FEATURE_B20_ASSET), value=5),
                  probe(3, 0, "CALL", ACTIVATION, call("admin()"))], "cobalt")
    balance = importlib.import_module("ethereum.forks.osaka.state").get_account
    assert int(balance(spec.state, ACTIVATION).balance) == 0
    assert probed(spec)[:2] == (1, keccak(abi.address_word(ADMIN)))


NONCE_MANAGER = bytes.fromhex("813000000000000000000000000000000000aa01")
TX_CONTEXT = bytes.fromhex("813000000000000000000000000000000000aa02")


@pytest.mark.parametrize("op,target,data,expected", [
    ("CALL", NONCE_MANAGER, call("getNonce(address,uint256)", ALICE, 5), (1, abi.word(0))),
    ("STATICCALL", NONCE_MANAGER, call("getNonce(address,uint256)", ALICE, 0),
     (0, error("ProtocolNonceNotSupported()").data)),
    ("CALL", NONCE_MANAGER, call("getNonce(address,uint256)", ALICE, 5)[:40],
     (0, selector("getNonce(address,uint256)") + b'type check failed for "INonceManagerCalls" with data: ' +
      call("getNonce(address,uint256)", ALICE, 5)[:40].hex().encode())),
    ("CALL", TX_CONTEXT, call("getTransactionSender()"), (1, abi.address_word(SENDERS[3]))),
    ("STATICCALL", TX_CONTEXT, call("getTransactionSenderActorId()"), (1, abi.address_word(SENDERS[3]))),
    ("DELEGATECALL", TX_CONTEXT, call("getTransactionPayer()"), (0, DELEGATE_CALL_NOT_ALLOWED)),
])
def test_the_eip8130_precompiles_at_cobalt_for_an_ordinary_transaction(op, target, data, expected):
    """No EIP-8130 transaction runs at Cobalt: no nonce is ever set, and the context falls back
    on tx.origin (the probe's sender, SENDERS[3])."""
    spec = judge([probe(3, 0, op, target, data)], "cobalt")
    assert probed(spec, op)[:2] == (expected[0], keccak(expected[1]))


def test_the_eip8130_precompiles_gas_by_hand():
    """getNonce: 6 per calldata word (68 bytes: 3) and one cold SLOAD; a context getter: no
    calldata charge, 3 per output word; both fixed addresses, warm. The difference of the two
    probes' call costs is therefore 18 + 2,100 - 3."""
    second = bytes.fromhex("5000000000000000000000000000000000000011")
    case = Case(fork="osaka", alloc=base_alloc({**PROBE_ALLOC, second: Acct(code=caller("CALL"))}),
                txs=[probe(1, 0, "CALL", TX_CONTEXT, call("getTransactionSender()") + bytes(64)),
                     probe(2, 0, "CALL", NONCE_MANAGER, call("getNonce(address,uint256)", ALICE, 9), second)],
                time=COBALT, parent_base_fee=0)
    with native_precompiles("cobalt", ADMIN):
        spec, _ = assert_l2_executes_like_l1(case, BASE_1)
    assert probed(spec, at=second)[2] - probed(spec)[2] == 18 + 2_100 - 3


def test_at_cobalt_a_stablecoin_created_and_moved_by_v2_logic():
    """There is no Stablecoin V2 golden in base/base's tree: its V2 is the Asset's common part
    (b20_v2.py). Here it runs in a block: created with its currency, minted, transferred, read."""
    from witnessverify.rules.base.native.activation import FEATURE_B20_STABLECOIN

    params = abi.encode(["(uint8,string,string,address,string)"], [(1, "Cobalt Dollar", "CUSD", ALICE, "USD")])
    stable = token_address(1, keccak(abi.encode(["address", "bytes32"], [ALICE, SALT])))
    n = Nonces()
    spec = judge([n(0, ACTIVATION, call("activate(bytes32)", FEATURE_B20_STABLECOIN)),
                  n(1, FACTORY, call("createB20(uint8,bytes32,bytes,bytes[])", 1, SALT, params,
                                     [call("mint(address,uint256)", ALICE, 10**12)])),
                  n(1, stable, call("transfer(address,uint256)", BOB, 10**6)),
                  probe(3, 0, "CALL", stable, call("currency()"))], "cobalt")
    assert storage(spec, stable, balance_slot(BOB)) == 10**6 and code(spec, stable) == b"\xef"
    assert probed(spec)[:2] == (1, keccak(abi.encode(["string"], ["USD"])))
