"""Execute one block on a witness-backed state and return what its header should commit to.

The API is small (after geth's `core/stateless`): a decoded block, its rule set and an
`ExecutionContext` (the pre-state root, the witness preimages, the ancestor hashes) go in; roots,
receipts, gas and the list of witness gaps come out. Every caller (the pipeline, the builder,
blocktest and audit through the pipeline) calls it the same way. Nothing here compares or reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

from eth.abc import BlockAPI, ReceiptAPI
from eth.constants import BLANK_ROOT_HASH
from eth.db.trie import make_trie_root_and_nodes
from eth_utils import ValidationError

from .. import pyevm_adapter
from ..chains.recorded import CHAIN_ID, exception_for
from ..errors import InvalidBlock
from ..rules.context import BlockEnv
from ..witness.missing import Missing, MissingLog
from ..witness.state import WitnessStore


@dataclass(frozen=True)
class ExecutionContext:
    """What one block's execution needs besides the block and its rules."""

    pre_state_root: bytes
    preimages: dict
    ancestor_hashes: list  # parent first
    block_rlp_size: Optional[int] = None  # for a per-block size limit (EIP-7934)
    intermediate_roots: bool = False  # compute the state root after each transaction (diagnosis)


@dataclass
class ExecutionResult:
    fork: str
    state_root: bytes
    receipts_root: bytes
    transactions_root: bytes
    withdrawals_root: Optional[bytes]
    logs_bloom: int
    gas_used: int
    blob_gas_used: Optional[int]
    requests_hash: Optional[bytes]
    receipts: list[ReceiptAPI]
    # (transaction index, reason) when the block holds a transaction that is invalid
    invalid_transaction: Optional[tuple[int, str]] = None
    # why the block as a whole is invalid (blob gas over the fork's maximum, RLP size), if it is
    invalid_block: Optional[str] = None
    # why its EIP-7685 requests are invalid (a system call failed, a deposit event malformed):
    # found by execution, so a witness gap may be the cause
    invalid_requests: Optional[str] = None
    missing: list[Missing] = field(default_factory=list)
    root_unknown: bool = False
    written_accounts: set = field(default_factory=set)
    post_accounts: dict = field(default_factory=dict)
    post_storage: dict = field(default_factory=dict)
    # with intermediate_roots: the state root after each transaction (None where the witness
    # lacked a node an intermediate trie update needed)
    intermediate_roots: list = field(default_factory=list)
    seconds: float = 0.0
    # every node known after execution (the witness's and those the block wrote), by hash
    nodes: dict = field(default_factory=dict)


class AncestorHashes:
    """BLOCKHASH source: hashes of hash-linked ancestors, parent first.

    py-evm walks this lazily; asking past the known ancestors (within the 256-block window)
    records a missing header instead of answering with an empty hash.
    """

    def __init__(self, block_number: int, hashes: list[bytes], missing: MissingLog) -> None:
        self.block_number = block_number
        self.hashes = hashes
        self.missing = missing

    def __iter__(self):
        for depth in range(256):
            number = self.block_number - 1 - depth
            if number < 0:
                return
            if depth < len(self.hashes):
                yield self.hashes[depth]
            else:
                self.missing.add(Missing("header", None, block_number=number))
                yield b"\x00" * 32


def _first_invalid(vm, rules, block, running, roots, state, intermediate: bool):
    """Apply the transactions in order; (header so far, receipts, (index, why) of the first
    invalid transaction or None)."""
    chain_id = rules.chain.chain_id
    receipts: list[ReceiptAPI] = []
    for index, transaction in enumerate(block.transactions):
        try:
            transaction.sender  # noqa: B018 - recovering it is the check
        except Exception as exc:  # eth-keys raises several kinds for signatures that recover nothing
            return running, receipts, (index, f"its signature recovers no sender ({type(exc).__name__})")
        signed_for = getattr(transaction, "chain_id", None)  # None: pre-EIP-155 legacy, deposits
        if signed_for is not None and signed_for != chain_id and \
                exception_for(CHAIN_ID, chain_id, block.header.block_number, transaction.hash) is None:
            return running, receipts, (index, f"signed for chain id {signed_for}, not this chain's {chain_id}")
        try:
            receipt, _computation = vm.apply_transaction(running, transaction)
        except ValidationError as exc:
            return running, receipts, (index, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        running = vm.add_receipt_to_header(running, receipt)
        running = vm.increment_blob_gas_used(running, transaction)
        receipts.append(receipt)
        if intermediate:  # diagnosis only: the state root after each transaction
            root = state.make_state_root()
            roots.append(None if pyevm_adapter.account_db(state).root_unknown else root)
    return running, receipts, None


def execute_block(block: BlockAPI, rules, ctx: ExecutionContext) -> ExecutionResult:
    started = time.perf_counter()
    missing = MissingLog()
    store = WitnessStore(dict(ctx.preimages), missing)
    header = block.header

    base_header = header.copy(gas_used=0, bloom=0, state_root=ctx.pre_state_root)
    if hasattr(header, "blob_gas_used"):
        base_header = base_header.copy(blob_gas_used=0)
    env = BlockEnv(rules)
    vm = pyevm_adapter.start_block(rules.vm_class, base_header, rules.chain.chain_id, store, ctx.pre_state_root,
                                   AncestorHashes(header.block_number, ctx.ancestor_hashes, missing), block.uncles, env)
    state = vm.state
    vm.block_preprocessing(block)

    roots: list[Optional[bytes]] = []
    running, receipts, invalid = _first_invalid(vm, rules, block, base_header, roots, state, ctx.intermediate_roots)
    withdrawals = getattr(block, "withdrawals", None)
    if invalid is None and withdrawals is not None:
        vm.apply_all_withdrawals(withdrawals)

    requests_hash = None
    invalid_requests = None
    if invalid is None:
        env.receipts = receipts
        filled = vm.get_block().copy(header=running)
        if hasattr(header, "requests_hash"):
            try:
                processed = vm.block_postprocessing(filled)
                requests_hash = processed.header.requests_hash
            except InvalidBlock as exc:  # a request system call failed, a deposit event malformed
                invalid_requests = exc.reason
        if header.block_number > 0 and rules.pays_block_rewards:
            # proof-of-work rewards; from the merge on, clients pay none and do not touch the
            # coinbase (py-evm would credit it zero, reading an account no witness needs to hold)
            pyevm_adapter.assign_block_rewards(vm, block)

    invalid_block = rules.block_validity(ctx.block_rlp_size, getattr(running, "blob_gas_used", None))
    state_root = state.make_state_root()
    account_db = pyevm_adapter.account_db(state)
    receipts_root, _ = make_trie_root_and_nodes(tuple(receipts))
    transactions_root, _ = make_trie_root_and_nodes(tuple(block.transactions))
    withdrawals_root = None
    if withdrawals is not None:
        withdrawals_root, _ = make_trie_root_and_nodes(tuple(withdrawals)) if withdrawals else (BLANK_ROOT_HASH, None)
    storage_root = rules.withdrawals_root(account_db)  # OP Isthmus: a storage root
    if storage_root is not None:
        withdrawals_root = storage_root

    return ExecutionResult(
        fork=rules.evm_fork,  # the EVM fork the rules came from
        state_root=state_root,
        receipts_root=receipts_root,
        transactions_root=transactions_root,
        withdrawals_root=withdrawals_root,
        logs_bloom=running.bloom,
        gas_used=running.gas_used,
        blob_gas_used=getattr(running, "blob_gas_used", None),
        requests_hash=requests_hash,
        receipts=receipts,
        invalid_transaction=invalid,
        invalid_block=invalid_block,
        invalid_requests=invalid_requests,
        missing=list(missing.items),
        root_unknown=account_db.root_unknown,
        written_accounts=set(account_db.written_accounts),
        post_accounts=dict(account_db.post_accounts),
        post_storage=dict(account_db.post_storage),
        intermediate_roots=roots,
        seconds=time.perf_counter() - started,
        nodes=store.nodes,
    )
