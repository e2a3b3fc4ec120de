"""Blocks that call Base's native precompiles, for tests: built for the purpose from a pre-state,
run by the Ethereum execution specs' Osaka with the same native logic (spec_native.py), judged
by the engine, and sealed as Base blocks (tests/unit/rules/base/test_native_blocks*.py).

Probing contracts (`caller`) record each call's success, returned bytes and gas; `Nonces` signs
each sender's transactions in order; `judge` runs a block and asserts the engine's execution is
the specs' and the sealed block VALID; `storage`, `code`, `events`, `probed` read the specs'
post-state."""

from __future__ import annotations

import dataclasses
import importlib

import rlp
from eth_hash.auto import keccak

from witnessverify.chains import BASE
from witnessverify.pipeline import verify_bundle
from witnessverify.rules.base.native import abi
from witnessverify.rules.base.native.activation import ADDRESS as ACTIVATION
from witnessverify.rules.base.native.activation import FEATURE_B20_ASSET
from witnessverify.rules.base.native.b20_token import balance_slot
from witnessverify.rules.base.native.errors import selector, topic
from witnessverify.rules.base.native.factory import ADDRESS as FACTORY
from witnessverify.rules.base.native.factory import token_address
from witnessverify.rules.op.holocene import encode_extra_data

from .evm_asm import asm
from .spec_diff import GAS_LIMIT, SENDERS, Acct, Case, assert_l2_executes_like_l1, base_alloc, build_bundle, tx
from .spec_native import native_precompiles

ADMIN, ALICE, BOB = SENDERS[0], SENDERS[1], SENDERS[2]
BASE_1 = dataclasses.replace(BASE, chain_id=1, activation_admin=ADMIN)
BERYL = BASE.op_forks["beryl"] + 120
COBALT = BASE.op_forks["cobalt"] + 120
TIMES = {"beryl": BERYL, "cobalt": COBALT}
SALT = b"\x5a" * 32
TOKEN = token_address(0, keccak(abi.encode(["address", "bytes32"], [ALICE, SALT])))
UNCREATED = token_address(0, b"\x99" * 9)
SUPPLY = 10**24


def caller(op: str = "CALL", call_gas: int = 1_000_000) -> bytes:
    """Calls the address in calldata[0:32] with calldata[32:] by `op`. Storage: 0 = success,
    1 = return data size, 2 = keccak of the return data, 4 = the gas the call cost (GAS before
    the arguments are pushed minus GAS after the call, so a constant overhead is included)."""
    value = [0] if op in ("CALL", "CALLCODE") else []
    return asm(
        32, "CALLDATASIZE", "SUB", "DUP1", 32, 0, "CALLDATACOPY", "POP",
        "GAS",
        0, 0, 32, "CALLDATASIZE", "SUB", 0, *value, 0, "CALLDATALOAD", call_gas, op,
        "SWAP1", "GAS", "SWAP1", "SUB", 4, "SSTORE",
        0, "SSTORE",
        "RETURNDATASIZE", 1, "SSTORE",
        "RETURNDATASIZE", 0, 0, "RETURNDATACOPY",
        "RETURNDATASIZE", 0, "KECCAK256", 2, "SSTORE",
        "STOP",
    )


PROBES = {op: bytes.fromhex(f"50000000000000000000000000000000000000{i:02x}")
          for i, op in enumerate(("CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"), 1)}
SMALL = bytes.fromhex("5000000000000000000000000000000000000010")  # forwards 2,400 gas
PROBE_ALLOC = {**{a: Acct(code=caller(op)) for op, a in PROBES.items()}, SMALL: Acct(code=caller("CALL", 2_400))}


def call(signature: str, *args) -> bytes:
    types = signature[signature.index("(") + 1:-1]
    return selector(signature) + abi.encode([t for t in types.split(",") if t], list(args))


def create(admin=ALICE, init_calls=(), salt=SALT, name="Beryl Gold", symbol="BGLD") -> bytes:
    params = abi.encode(["(uint8,string,string,address,uint8)"], [(1, name, symbol, admin, 18)])
    return call("createB20(uint8,bytes32,bytes,bytes[])", 0, salt, params, list(init_calls))


def probe(sender: int, nonce: int, op: str, target: bytes, data: bytes, probe_at=None):
    return tx("osaka", sender, nonce, probe_at or PROBES[op], target.rjust(32, b"\0") + data, gas=2_000_000)


class Nonces:
    def __init__(self):
        self.n = {}

    def __call__(self, sender: int, to: bytes, data: bytes = b"", gas: int = 2_000_000, value: int = 0):
        nonce = self.n.get(sender, 0)
        self.n[sender] = nonce + 1
        return tx("osaka", sender, nonce, to, data, gas=gas, value=value)


def judge(txs, fork="beryl", alloc=None):
    """The block of `txs`: its execution (state root, receipts root, gas used, bloom, each
    transaction's validity) must be the specs' running the same native logic; sealed with the
    fields only an L2 header has, it is VALID."""
    case = Case(fork="osaka", alloc=base_alloc({**PROBE_ALLOC, **(alloc or {})}), txs=txs, time=TIMES[fork],
                parent_base_fee=0, parent_gas_used=GAS_LIMIT // 6)
    with native_precompiles(fork, ADMIN):
        spec, outcome = assert_l2_executes_like_l1(case, BASE_1)
    assert spec.valid and outcome.verdict != "UNSUPPORTED", (outcome.verdict, outcome.reason)
    assert outcome.fork == f"base-{fork}"
    assert_valid_when_sealed(case, spec, outcome)
    return spec


def assert_valid_when_sealed(case, spec, outcome) -> None:
    """The specs' block with what only an L2 header carries: Jovian's v1 extraData (Base's
    EIP-1559 parameters, no minimum base fee) and the DA footprint in blobGasUsed (a rule
    proven on real Base blocks, test_base.py). Its parent used Base's gas target exactly, so
    L1's and Base's EIP-1559 both keep the base fee at 0 and every fee goes to the coinbase,
    the SequencerFeeVault, on both sides."""
    assert spec.base_fee == 0 and "baseFeePerGas" not in {m.field for m in outcome.mismatches}
    sealed = dataclasses.replace(case, coinbase=BASE_1.fee_recipient)
    bundle = build_bundle(sealed, spec, sealed.time)
    block = rlp.decode(bundle.block_rlp)
    block[0][12] = encode_extra_data(bytes(8), BASE_1.eip1559_denominator_canyon, BASE_1.eip1559_elasticity, 0)
    block[0][17] = outcome.computed["blobGasUsed"]
    bundle.block_rlp, bundle.chain_id = rlp.encode(block), BASE_1.chain_id
    judged = verify_bundle(bundle, BASE_1)
    assert judged.verdict == "VALID", (judged.reason, judged.mismatches)
    assert judged.computed["stateRoot"] == "0x" + spec.state_root.hex()


def storage(spec, address: bytes, slot: int) -> int:
    from ethereum_types.bytes import Bytes32
    state = importlib.import_module("ethereum.forks.osaka.state")
    return int(state.get_storage(spec.state, address, Bytes32(slot.to_bytes(32, "big"))))


def code(spec, address: bytes) -> bytes:
    state = importlib.import_module("ethereum.forks.osaka.state")
    return bytes(state.get_account(spec.state, address).code)


def events(spec) -> list[tuple[bytes, bytes]]:
    return [(bytes(log.address), bytes(log.topics[0])) for log in spec.logs]


def probed(spec, op: str = "CALL", at=None) -> tuple[int, bytes, int]:
    """(success, keccak of the returned data, the call's gas) a probe recorded."""
    at = at or PROBES[op]
    return storage(spec, at, 0), storage(spec, at, 2).to_bytes(32, "big"), storage(spec, at, 4)


def token_balance(spec, account: bytes) -> int:
    return storage(spec, TOKEN, balance_slot(account))


FEATURE_ACTIVATED = topic("FeatureActivated(bytes32,address)")
TRANSFER = topic("Transfer(address,address,uint256)")


def minted_token(n: Nonces, to=ALICE, features=(FEATURE_B20_ASSET,)) -> list:
    return [n(0, ACTIVATION, call("activate(bytes32)", f)) for f in features] + [
        n(1, FACTORY, create(init_calls=[call("mint(address,uint256)", to, SUPPLY)]))]
