"""source -> bundle -> witness check -> execution -> verdict, for one bundle or a path of them.

Failures of each step become verdicts here (ERROR, WITNESS_INVALID), never tracebacks.
"""

from __future__ import annotations

import traceback
from typing import Iterator, Optional

from . import sources
from .bundle import Bundle
from .chain_id import infer_chain_id
from .chains import FORK_ORDER, resolve_chain
from .engine import execute_block
import rlp
from eth_hash.auto import keccak

from .errors import InputError, InvalidBlock, Unsupported, WitnessInvalid
from .chains.recorded import in_block
from .verdict import ERROR, MISMATCH, UNSUPPORTED, VALID, WITNESS_INVALID, Outcome, judge
from .witness.check import check, raw_transactions_root

INTERNAL_ERROR = "INTERNAL_ERROR"
PRAGUE_AND_LATER = FORK_ORDER[FORK_ORDER.index("prague"):]


def verify_bundle(
    bundle: Bundle,
    chain_name: Optional[str] = None,
    parent_state_root: Optional[bytes] = None,
    strict: bool = False,
    intermediate_roots: bool = False,
    keep_nodes: bool = False,
) -> Outcome:
    origin = bundle.origin or "bundle"
    notes: list[str] = []
    chain_id = bundle.chain_id
    if chain_name is None and chain_id is None:
        chain_id = infer_chain_id(bundle.block_rlp)
        if chain_id is not None:
            notes.append(f"chain id {chain_id} taken from the transactions' signatures (the input names none)")
    try:
        chain = resolve_chain(chain_name, chain_id, origin)
        checked = check(bundle, chain, parent_state_root)
    except InputError as exc:
        return Outcome(verdict=ERROR, origin=origin, reason=str(exc), notes=notes)
    except Unsupported as exc:
        return _about_block(Outcome(verdict=UNSUPPORTED, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                                    fork=exc.fork, reason=str(exc), notes=notes), bundle)
    except InvalidBlock as exc:
        return _invalid_body(bundle, chain, exc, origin, notes)
    except WitnessInvalid as exc:
        return Outcome(verdict=WITNESS_INVALID, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                       reason=str(exc), notes=notes)
    header = checked.block.header
    try:
        result = execute_block(
            checked.block,
            checked.vm_class,
            chain.chain_id,
            checked.evm_fork,
            checked.pre_state_root,
            checked.preimages,
            checked.ancestor_hashes,
            deposit_contract=chain.deposit_contract,
            dao_fork_block=chain.dao_fork_block,
            blob_params=None if chain.is_op else chain.blob_params(checked.evm_fork),
            # EIP-7934 is an L1 consensus rule: no OP Stack, Base or Celo spec adopts it
            block_rlp_size=None if chain.is_op else len(bundle.block_rlp),
            canyon_time=chain.op_forks.get("canyon") if chain.is_op else None,
            intermediate_roots=intermediate_roots,
            requires_request_contracts=chain.requires_request_contracts,
        )
    except Unsupported as exc:
        return _about_block(Outcome(verdict=UNSUPPORTED, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                                    fork=checked.fork, reason=str(exc), notes=notes), bundle)
    except WitnessInvalid as exc:  # a node that hashes right but is no trie node
        return _about_block(Outcome(verdict=WITNESS_INVALID, origin=origin, chain_id=chain.chain_id,
                                    chain=chain.name, fork=checked.fork, reason=str(exc), notes=notes), bundle)
    except Exception as exc:  # a bug of ours or py-evm's: say so in one line, keep the details
        where = traceback.extract_tb(exc.__traceback__)[-1]
        outcome = Outcome(
            verdict=ERROR,
            origin=origin,
            chain_id=chain.chain_id,
            chain=chain.name,
            fork=checked.fork,
            number=header.block_number,
            block_hash=header.hash,
            reason=f"internal error executing block #{header.block_number}: {type(exc).__name__}: {exc} "
            f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        )
        outcome.internal = True  # type: ignore[attr-defined]
        outcome.notes = notes
        return outcome
    outcome = judge(checked, result, origin, bundle.claimed_hash, strict)
    for entry in in_block(chain.chain_id, header.block_number, (t.hash for t in checked.block.transactions)):
        notes.append(f"the block holds {entry.describe()}")
    outcome.notes = notes + outcome.notes
    if chain.is_op:
        outcome.output = block_output(checked, result, outcome)
    if not chain.requires_request_contracts and checked.evm_fork in PRAGUE_AND_LATER:
        outcome.skipped.append("EIP-7002/7251 system contracts without code taken as no requests "
                               "(a dev chain: Anvil deploys none; on a real chain the block would be invalid)")
    if keep_nodes:  # the post-state's nodes, for a caller that chains blocks (blocktest)
        outcome.nodes = result.nodes
    outcome.intermediate_roots = result.intermediate_roots
    outcome.witness_bytes = bundle.witness_bytes()
    return outcome


def block_output(checked, result, outcome: Outcome):
    """The output root of the block as executed (OP Stack chains), or why it is unknown."""
    from .rules.op.output_root import output_of

    if outcome.verdict not in (VALID, MISMATCH) or outcome.missing:
        return None
    return output_of(result, checked.op_fork, bytes.fromhex(outcome.computed["blockHash"][2:]))


def _about_block(outcome: Outcome, bundle: Bundle) -> Outcome:
    """Fill in the block's number and hash (from its header RLP alone, whatever fork's shape it
    has), where they can be read."""
    try:
        items = rlp.decode(bundle.block_rlp)
        header = items[0]
        number = header[8]
    except (rlp.exceptions.DecodingError, IndexError, TypeError, RecursionError):
        return outcome
    if not isinstance(number, bytes) or not isinstance(header, list):
        return outcome
    outcome.number = int.from_bytes(number, "big")
    outcome.block_hash = bundle.claimed_hash or keccak(rlp.encode(header))
    outcome.transactions = len(items[1]) if isinstance(items[1], list) else 0
    return outcome


def _invalid_body(bundle: Bundle, chain, exc: InvalidBlock, origin: str, notes: list[str]) -> Outcome:
    """MISMATCH for a block whose body breaks a rule before any execution; the transactions root
    is still compared, from the raw transaction bytes, so a body that is not the header's says so."""
    outcome = _about_block(Outcome(verdict=MISMATCH, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                                   reason=f"invalid block: {exc}", notes=notes), bundle)
    outcome.mismatches = [{"field": exc.part, "expected": "valid", "computed": f"invalid: {exc.reason}"}]
    items = rlp.decode(bundle.block_rlp)
    root = raw_transactions_root(items[1])
    claimed = rlp.decode(rlp.encode(items[0]))[4]
    if root != claimed:
        outcome.mismatches.append({"field": "transactionsRoot", "expected": "0x" + claimed.hex(),
                                   "computed": "0x" + root.hex()})
    return outcome


def verify_path(
    path: str,
    fmt: Optional[str] = None,
    chain_name: Optional[str] = None,
    parent_state_root: Optional[bytes] = None,
    strict: bool = False,
) -> Iterator[Outcome]:
    try:
        bundles = sources.load(path, fmt)
    except InputError as exc:
        yield Outcome(verdict=ERROR, origin=str(path), reason=str(exc))
        return
    for bundle in bundles:
        yield verify_bundle(bundle, chain_name, parent_state_root, strict)
