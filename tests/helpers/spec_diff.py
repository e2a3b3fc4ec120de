"""Differential harness: run a block on the Ethereum execution specs and on witnessverify.

A case is a pre-state (accounts with code and storage), a list of signed transactions and a few
block parameters. The execution specs (`ethereum-execution`, a test dependency only) execute the
block body; the header is then built from *their* results and a parent header consistent with
it. witnessverify gets the block plus a witness made from the pre-state and must answer VALID,
or, when the specs reject the block, name the invalid transaction or block.

The system contracts the specs call (EIP-4788, -2935, -7002, -7251) get their real code, read
from the mainnet #23587691 witness in `witnesses/`.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from eth_keys import keys
from trie import HexaryTrie

from witnessverify import sources
from witnessverify.bundle import Bundle
from witnessverify.chains import MAINNET
from witnessverify.rules.l1.vm import witness_vm_class
from witnessverify.witness.missing import MissingLog
from witnessverify.pipeline import verify_bundle
from witnessverify.witness.state import WitnessAccountDB, WitnessStore

from .fixtures import BUNDLES

SYSTEM_CONTRACTS = {
    "beacon_roots": bytes.fromhex("000F3df6D732807Ef1319fB7B8bB8522d0Beac02"),
    "history": bytes.fromhex("0000F90827F1C53a10cb7A02335B175320002935"),
    "withdrawals": bytes.fromhex("00000961Ef480Eb55e80D19ad83579A64c007002"),
    "consolidations": bytes.fromhex("0000BBdDc7CE488642fb579F8B00f3a590007251"),
}
COINBASE = bytes.fromhex("c0ffee0000000000000000000000000000000000")
GAS_LIMIT = 60_000_000
# first second of each fork on mainnet, and a block in it
FORK_TIME = {f: MAINNET.time_forks[f] + 120 for f in ("prague", "osaka", "bpo1", "bpo2")}
SPEC_MODULE = {"prague": "prague", "osaka": "osaka", "bpo1": "bpo1", "bpo2": "bpo2"}

KEYS = [keys.PrivateKey((i + 1).to_bytes(32, "big")) for i in range(8)]
SENDERS = [k.public_key.to_canonical_address() for k in KEYS]


@lru_cache(maxsize=1)
def system_contract_codes() -> dict[bytes, bytes]:
    """Real code of the system contracts, read through the mainnet witness."""
    (b,) = sources.load(BUNDLES / "1-23587691.json")
    pre = {keccak(x): x for x in b.state + b.codes}
    db = WitnessAccountDB(WitnessStore(pre, MissingLog()), b.parent_state_root)
    return {addr: db.get_code(addr) for addr in SYSTEM_CONTRACTS.values()}


@dataclass
class Acct:
    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)


@dataclass
class Case:
    fork: str
    alloc: dict[bytes, Acct]
    txs: list  # py-evm signed transactions
    time: Optional[int] = None
    parent_gas_used: int = GAS_LIMIT // 2
    parent_base_fee: int = 7
    parent_excess_blob_gas: int = 0
    parent_blob_gas_used: int = 0
    number: int = 1000
    gas_limit: int = GAS_LIMIT
    coinbase: bytes = COINBASE


def base_alloc(extra: Optional[dict] = None) -> dict[bytes, Acct]:
    alloc = {addr: Acct(balance=10**24) for addr in SENDERS}
    for addr, code in system_contract_codes().items():
        alloc[addr] = Acct(nonce=1, code=code)
    alloc.update(extra or {})
    return alloc


# -- transactions ------------------------------------------------------------------------------
def _builder(fork: str):
    return witness_vm_class(fork).get_transaction_builder()


def tx(fork: str, sender: int, nonce: int, to: bytes, data: bytes = b"", gas: int = 1_000_000, value: int = 0,
       max_fee: int = 10**10, tip: int = 1):
    unsigned = _builder(fork).new_unsigned_dynamic_fee_transaction(
        chain_id=1, nonce=nonce, max_priority_fee_per_gas=tip, max_fee_per_gas=max_fee, gas=gas,
        to=to, value=value, data=data, access_list=[],
    )
    return unsigned.as_signed_transaction(KEYS[sender])


def blob_tx(fork: str, sender: int, nonce: int, to: bytes, blobs: int, max_fee_per_blob_gas: int = 10**12):
    hashes = [b"\x01" + keccak(bytes([sender, nonce, i]))[1:] for i in range(blobs)]
    unsigned = _builder(fork).new_unsigned_blob_transaction(
        chain_id=1, nonce=nonce, max_priority_fee_per_gas=1, max_fee_per_gas=10**10, gas=100_000,
        to=to, value=0, data=b"", access_list=[], max_fee_per_blob_gas=max_fee_per_blob_gas,
        blob_versioned_hashes=hashes,
    )
    return unsigned.as_signed_transaction(KEYS[sender])


def encoded(t) -> bytes:
    return t.encode()


# -- the specs' side ---------------------------------------------------------------------------
@dataclass
class SpecResult:
    valid: bool
    error: str = ""
    state_root: bytes = b""
    transactions_root: bytes = b""
    receipts_root: bytes = b""
    bloom: bytes = b""
    gas_used: int = 0
    withdrawals_root: bytes = b""
    blob_gas_used: int = 0
    requests_hash: bytes = b""
    pre_state_root: bytes = b""
    excess_blob_gas: int = 0
    base_fee: int = 0
    parent_header: object = None
    logs: tuple = ()  # the block's logs, in order (the specs' Log objects)
    state: object = None  # the specs' post-state


def _spec(fork: str, name: str):
    return importlib.import_module(f"ethereum.forks.{SPEC_MODULE[fork]}.{name}")


def spec_parent_header(case: Case, pre_root: bytes, time: int):
    from ethereum_types.bytes import Bytes, Bytes8, Bytes32
    from ethereum_types.numeric import U64, U256, Uint

    blocks = _spec(case.fork, "blocks")
    return blocks.Header(
        parent_hash=Bytes32(b"\x11" * 32),
        ommers_hash=Bytes32(keccak(rlp.encode([]))),
        coinbase=case.coinbase,
        state_root=Bytes32(pre_root),
        transactions_root=Bytes32(BLANK_ROOT_HASH),
        receipt_root=Bytes32(BLANK_ROOT_HASH),
        bloom=bytes(256),
        difficulty=Uint(0),
        number=Uint(case.number - 1),
        gas_limit=Uint(case.gas_limit),
        gas_used=Uint(case.parent_gas_used),
        timestamp=U256(time - 12),
        extra_data=Bytes(b""),
        prev_randao=Bytes32(b"\x22" * 32),
        nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(case.parent_base_fee),
        withdrawals_root=Bytes32(BLANK_ROOT_HASH),
        blob_gas_used=U64(case.parent_blob_gas_used),
        excess_blob_gas=U64(case.parent_excess_blob_gas),
        parent_beacon_block_root=Bytes32(b"\x33" * 32),
        requests_hash=Bytes32(bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
    )


def run_spec(case: Case, time: int) -> SpecResult:
    from ethereum.exceptions import EthereumException
    from ethereum_rlp import rlp as spec_rlp
    from ethereum_types.bytes import Bytes, Bytes32
    from ethereum_types.numeric import U64, U256, Uint

    fork_mod = _spec(case.fork, "fork")
    state_mod = _spec(case.fork, "state")
    types = _spec(case.fork, "fork_types")
    vm = _spec(case.fork, "vm")
    trie = _spec(case.fork, "trie")
    bloom = _spec(case.fork, "bloom")
    requests = _spec(case.fork, "requests")
    transactions = _spec(case.fork, "transactions")
    gas = _spec(case.fork, "vm.gas")

    state = state_mod.State()
    for addr, a in case.alloc.items():
        state_mod.set_account(state, addr, types.Account(nonce=Uint(a.nonce), balance=U256(a.balance), code=Bytes(a.code)))
        for slot, value in a.storage.items():
            state_mod.set_storage(state, addr, Bytes32(slot.to_bytes(32, "big")), U256(value))
    pre_root = bytes(state_mod.state_root(state))

    parent = spec_parent_header(case, pre_root, time)
    parent_hash = bytes(keccak(spec_rlp.encode(parent)))
    base_fee = int(fork_mod.calculate_base_fee_per_gas(Uint(case.gas_limit), parent.gas_limit, parent.gas_used, parent.base_fee_per_gas))
    excess = int(gas.calculate_excess_blob_gas(parent))
    env = vm.BlockEnvironment(
        chain_id=U64(1), state=state, block_gas_limit=Uint(case.gas_limit),
        block_hashes=[Bytes32(b"\x11" * 32), Bytes32(parent_hash)], coinbase=case.coinbase,
        number=Uint(case.number), base_fee_per_gas=Uint(base_fee), time=U256(time),
        prev_randao=Bytes32(b"\x44" * 32), excess_blob_gas=U64(excess),
        parent_beacon_block_root=Bytes32(b"\x55" * 32),
    )
    body = tuple(
        t.encode() if t.type_id is not None else spec_rlp.decode_to(transactions.LegacyTransaction, rlp.encode(t))
        for t in case.txs
    )
    out = SpecResult(valid=True, pre_state_root=pre_root, excess_blob_gas=excess, base_fee=base_fee, parent_header=parent)
    try:
        output = fork_mod.apply_body(block_env=env, transactions=body, withdrawals=())
    except EthereumException as exc:
        out.valid, out.error = False, f"{type(exc).__name__}: {exc}"
        return out
    except (OverflowError, ValueError) as exc:  # the reference itself cannot run this case
        raise SpecCannotJudge(f"the execution specs crashed: {type(exc).__name__}") from exc
    out.state_root = bytes(state_mod.state_root(state))
    out.transactions_root = bytes(trie.root(output.transactions_trie))
    out.receipts_root = bytes(trie.root(output.receipts_trie))
    out.bloom = bytes(bloom.logs_bloom(output.block_logs))
    out.gas_used = int(output.block_gas_used)
    out.withdrawals_root = bytes(trie.root(output.withdrawals_trie))
    out.blob_gas_used = int(output.blob_gas_used)
    out.requests_hash = bytes(requests.compute_requests_hash(output.requests))
    out.logs, out.state = tuple(output.block_logs), state
    return out


# -- our side ----------------------------------------------------------------------------------
def witness_from_alloc(alloc: dict[bytes, Acct]) -> tuple[bytes, list[bytes], list[bytes]]:
    """Every trie node of the pre-state (a maximal witness) and every code."""
    db: dict[bytes, bytes] = {}
    accounts = HexaryTrie(db)
    for addr, a in alloc.items():
        storage = HexaryTrie(db)
        for slot, value in a.storage.items():
            if value:
                storage[keccak(slot.to_bytes(32, "big"))] = rlp.encode(value)
        account = Account(nonce=a.nonce, balance=a.balance, storage_root=storage.root_hash,
                          code_hash=keccak(a.code) if a.code else EMPTY_SHA3)
        accounts[keccak(addr)] = rlp.encode(account, sedes=Account)
    codes = sorted({a.code for a in alloc.values() if a.code})
    return accounts.root_hash, list(db.values()), codes


def header_rlp_fields(h) -> list:
    """A spec Header as the list of consensus fields (for pyrlp)."""
    def i(v):
        return int(v)

    return [
        bytes(h.parent_hash), bytes(h.ommers_hash), bytes(h.coinbase), bytes(h.state_root),
        bytes(h.transactions_root), bytes(h.receipt_root), bytes(h.bloom), i(h.difficulty), i(h.number),
        i(h.gas_limit), i(h.gas_used), i(h.timestamp), bytes(h.extra_data), bytes(h.prev_randao),
        bytes(h.nonce), i(h.base_fee_per_gas), bytes(h.withdrawals_root), i(h.blob_gas_used),
        i(h.excess_blob_gas), bytes(h.parent_beacon_block_root), bytes(h.requests_hash),
    ]


def build_bundle(case: Case, spec: SpecResult, time: int) -> Bundle:
    root, nodes, codes = witness_from_alloc(case.alloc)
    assert root == spec.pre_state_root, "the witness builder and the specs disagree on the pre-state"
    parent_fields = header_rlp_fields(spec.parent_header)
    parent_rlp = rlp.encode(parent_fields)
    if spec.valid:
        roots = (spec.state_root, spec.transactions_root, spec.receipts_root, spec.bloom, spec.gas_used,
                 spec.withdrawals_root, spec.blob_gas_used, spec.requests_hash)
    else:  # the specs reject the block: claim what a client that accepted it might (unchanged roots)
        txs_trie = HexaryTrie({})
        for n, t in enumerate(case.txs):
            txs_trie[rlp.encode(n)] = t.encode()
        blob_gas = sum(131072 * len(t.blob_versioned_hashes) for t in case.txs if t.type_id == 3)
        roots = (spec.pre_state_root, txs_trie.root_hash, BLANK_ROOT_HASH, bytes(256), 0, BLANK_ROOT_HASH,
                 blob_gas, parent_fields[20])
    state_root, tx_root, receipts_root, bloom, gas_used, withdrawals_root, blob_gas_used, requests_hash = roots
    header = [
        keccak(parent_rlp), parent_fields[1], case.coinbase, state_root, tx_root, receipts_root, bloom, 0,
        case.number, case.gas_limit, gas_used, time, b"", b"\x44" * 32, b"\x00" * 8, spec.base_fee,
        withdrawals_root, blob_gas_used, spec.excess_blob_gas, b"\x55" * 32, requests_hash,
    ]
    body = [t.encode() if t.type_id is not None else rlp.decode(rlp.encode(t)) for t in case.txs]
    block = rlp.encode([header, body, [], []])
    return Bundle(chain_id=1, block_rlp=block, state=nodes, codes=codes, headers=[parent_rlp], origin=f"spec-diff:{case.fork}")


def differential(case: Case, chain=None):
    """Run both; return (spec result, our outcome). `chain`: judge the block as a block of this
    chain (an L2 running the same EVM) instead of mainnet."""
    if chain is not None and chain.fee_recipient is not None:
        # an OP Stack chain's blocks pay their fees to the coinbase derivation fixes
        case = dataclasses.replace(case, coinbase=chain.fee_recipient)
    if chain is not None and case.number < chain.first_l2_block:
        # and are numbered after its legacy blocks (OP Mainnet's pre-Bedrock chain)
        case = dataclasses.replace(case, number=chain.first_l2_block + case.number)
    time = case.time if case.time is not None else FORK_TIME[case.fork]
    spec = run_spec(case, time)
    bundle = build_bundle(case, spec, time)
    # EIP-7934 is checked by the specs' state_transition, around apply_body: the same bytes
    limit = getattr(importlib.import_module(f"ethereum.forks.{SPEC_MODULE[case.fork]}.fork"), "MAX_RLP_BLOCK_SIZE", None)
    if spec.valid and limit is not None and len(bundle.block_rlp) > limit:
        spec.valid, spec.error = False, f"block RLP size {len(bundle.block_rlp)} > MAX_RLP_BLOCK_SIZE {limit}"
    if chain is not None:
        bundle.chain_id = chain.chain_id
    outcome = verify_bundle(bundle, chain)
    return spec, outcome


class SpecCannotJudge(Exception):
    """The execution specs raised a Python error (not an Ethereum rule) on this case."""


def assert_agree(case: Case):
    import pytest

    try:
        spec, outcome = differential(case)
    except SpecCannotJudge as exc:
        pytest.skip(str(exc))
    if spec.valid:
        assert outcome.verdict == "VALID", (outcome.reason, outcome.mismatches, outcome.missing)
        assert outcome.fork == case.fork
        assert outcome.computed["stateRoot"] == "0x" + spec.state_root.hex()
        assert outcome.computed["receiptsRoot"] == "0x" + spec.receipts_root.hex()
        assert outcome.computed["gasUsed"] == spec.gas_used
    else:
        assert outcome.verdict == "MISMATCH", (spec.error, outcome.verdict, outcome.reason)
        fields = [m["field"] for m in outcome.mismatches]
        assert any(f.startswith("transactions[") or f == "block" for f in fields), (spec.error, fields)
    return spec, outcome


# header fields an L2 block computes by its own rules (extraData, DA footprint, base fee from the
# parent's extraData), which an L1 block built by the specs cannot carry
L2_HEADER_FIELDS = {"extraData", "blobGasUsed", "baseFeePerGas", "blockHash"}


def assert_l2_executes_like_l1(case: Case, chain):
    """The block on an L2 chain running the same EVM: execution (state, receipts, gas, bloom, the
    validity of each transaction) must be the specs'. The case's base fee must be 0 so no fee
    goes to an OP vault; the L1Block predeploy is empty, so the L1 data fee and operator fee are 0."""
    import pytest

    assert case.parent_base_fee == 0, "an L2 credits the base fee to a vault: use base fee 0"
    try:
        spec, outcome = differential(case, chain)
    except SpecCannotJudge as exc:
        pytest.skip(str(exc))
    fields = {m["field"] for m in outcome.mismatches}
    if spec.valid:
        assert fields <= L2_HEADER_FIELDS, (outcome.verdict, outcome.reason, outcome.mismatches, outcome.missing)
        assert not outcome.missing
        assert outcome.computed["stateRoot"] == "0x" + spec.state_root.hex()
        assert outcome.computed["receiptsRoot"] == "0x" + spec.receipts_root.hex()
        assert outcome.computed["gasUsed"] == spec.gas_used
    else:
        assert outcome.verdict == "MISMATCH", (spec.error, outcome.verdict, outcome.reason)
        assert any(f.startswith("transactions[") or f == "block" for f in fields), (spec.error, fields)
    return spec, outcome
