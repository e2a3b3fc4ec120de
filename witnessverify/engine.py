"""Execute one block on a witness-backed state and return what its header should commit to.

The API is deliberately small (after geth's `core/stateless`): a decoded block, the fork's VM class,
the pre-state root, the witness preimages and the ancestor hashes go in; roots, receipts, gas and
the list of witness gaps come out. Nothing here compares or reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

from eth.abc import BlockAPI, ReceiptAPI
from eth.constants import BLANK_ROOT_HASH
from eth.db.trie import make_trie_root_and_nodes
from eth.vm.forks.homestead.headers import dao_drain_list, dao_refund_contract
from eth_utils import ValidationError

from .rules.l1.blobs import max_blob_gas_per_block
from .chains import FORK_ORDER, BlobParams
from .rules.l1.forks import BLOCK_SIZE_LIMIT_FORKS
from .errors import InvalidBlock
from .chains.recorded import CHAIN_ID, exception_for
from .witness.missing import Missing, MissingLog
from .rules.l1.osaka import MAX_RLP_BLOCK_SIZE
from .witness.state import WitnessStore


@dataclass(frozen=True)
class ChainContext:
    chain_id: int


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


def execute_block(
    block: BlockAPI,
    vm_class: type,
    chain_id: int,
    fork: str,
    pre_state_root: bytes,
    preimages: dict[bytes, bytes],
    ancestor_hashes: list[bytes],
    deposit_contract: Optional[bytes] = None,
    dao_fork_block: Optional[int] = None,
    blob_params: Optional[BlobParams] = None,
    block_rlp_size: Optional[int] = None,
    canyon_time: Optional[int] = None,
    intermediate_roots: bool = False,
    requires_request_contracts: bool = True,
) -> ExecutionResult:
    started = time.perf_counter()
    missing = MissingLog()
    store = WitnessStore(dict(preimages), missing)
    header = block.header

    base_header = header.copy(gas_used=0, bloom=0, state_root=pre_state_root)
    if hasattr(header, "blob_gas_used"):
        base_header = base_header.copy(blob_gas_used=0)

    vm = vm_class(
        header=base_header, chaindb=None, chain_context=ChainContext(chain_id), consensus_context=None
    )
    vm.deposit_contract = deposit_contract
    vm.requires_request_contracts = requires_request_contracts
    vm.canyon_time = canyon_time
    vm._block = vm.get_block_class()(header=base_header, transactions=[], uncles=block.uncles)
    prev = AncestorHashes(header.block_number, ancestor_hashes, missing)
    context = vm.create_execution_context(header, prev, vm.chain_context)
    vm._state = vm.get_state_class()(store, context, pre_state_root)
    state = vm._state

    if dao_fork_block is not None and header.block_number == dao_fork_block:
        for hex_account in dao_drain_list:
            address = bytes.fromhex(hex_account[2:])
            state.delta_balance(dao_refund_contract, state.get_balance(address))
            state.set_balance(address, 0)

    vm.block_preprocessing(block)

    receipts: list[ReceiptAPI] = []
    roots: list[Optional[bytes]] = []
    running = base_header
    invalid = None
    for index, transaction in enumerate(block.transactions):
        try:
            transaction.sender  # noqa: B018 - recovering it is the check
        except Exception as exc:  # eth-keys raises several kinds for signatures that recover nothing
            invalid = (index, f"its signature recovers no sender ({type(exc).__name__})")
            break
        signed_for = getattr(transaction, "chain_id", None)  # None: pre-EIP-155 legacy, deposits
        if signed_for is not None and signed_for != chain_id and \
                exception_for(CHAIN_ID, chain_id, header.block_number, transaction.hash) is None:
            invalid = (index, f"signed for chain id {signed_for}, not this chain's {chain_id}")
            break
        try:
            receipt, _computation = vm.apply_transaction(running, transaction)
        except ValidationError as exc:
            invalid = (index, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            break
        running = vm.add_receipt_to_header(running, receipt)
        running = vm.increment_blob_gas_used(running, transaction)
        receipts.append(receipt)
        if intermediate_roots:  # diagnosis only: the state root after each transaction
            root = state.make_state_root()
            roots.append(None if state._account_db.root_unknown else root)

    withdrawals = getattr(block, "withdrawals", None)
    if invalid is None and withdrawals is not None:
        vm.apply_all_withdrawals(withdrawals)

    requests_hash = None
    invalid_requests = None
    if invalid is None:
        vm.block_receipts = receipts
        filled = vm.get_block().copy(header=running)
        if hasattr(header, "requests_hash"):
            try:
                processed = vm.block_postprocessing(filled)
                requests_hash = processed.header.requests_hash
            except InvalidBlock as exc:  # a request system call failed, a deposit event malformed
                invalid_requests = exc.reason
        if header.block_number > 0 and FORK_ORDER.index(fork) < FORK_ORDER.index("paris"):
            # proof-of-work rewards; from the merge on, clients pay none and do not touch the
            # coinbase (py-evm would credit it zero, reading an account no witness needs to hold)
            vm._assign_block_rewards(block)

    invalid_block = None
    blob_gas = getattr(running, "blob_gas_used", None)
    if blob_params is not None and blob_gas is not None and blob_gas > max_blob_gas_per_block(blob_params):
        invalid_block = f"blob gas {blob_gas} exceeds the {fork} maximum {max_blob_gas_per_block(blob_params)}"
    if fork in BLOCK_SIZE_LIMIT_FORKS and block_rlp_size is not None and block_rlp_size > MAX_RLP_BLOCK_SIZE:
        invalid_block = f"block RLP is {block_rlp_size} bytes, over the EIP-7934 limit {MAX_RLP_BLOCK_SIZE}"

    state_root = state.make_state_root()
    receipts_root, _ = make_trie_root_and_nodes(tuple(receipts))
    transactions_root, _ = make_trie_root_and_nodes(tuple(block.transactions))
    withdrawals_root = None
    if withdrawals is not None:
        withdrawals_root, _ = make_trie_root_and_nodes(tuple(withdrawals)) if withdrawals else (BLANK_ROOT_HASH, None)
    hook = getattr(vm, "post_state_withdrawals_root", None)  # OP Isthmus: a storage root
    if hook is not None and hook() is not None:
        withdrawals_root = hook()

    return ExecutionResult(
        fork=fork,  # the EVM fork the rules came from
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
        root_unknown=state._account_db.root_unknown,
        written_accounts=set(state._account_db.written_accounts),
        post_accounts=dict(state._account_db.post_accounts),
        post_storage=dict(state._account_db.post_storage),
        intermediate_roots=roots,
        seconds=time.perf_counter() - started,
        nodes=store.nodes,
    )
