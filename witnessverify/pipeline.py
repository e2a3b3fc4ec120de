"""source -> bundle -> fork check -> witness check -> execution -> verdict, for one bundle or a path
of them. Failures of each step become verdicts here (ERROR, UNSUPPORTED, WITNESS_INVALID, a
MISMATCH for a body that breaks a rule), never tracebacks.

The steps, numbered as `prepare` and `verify_bundle` run them:
  1. the chain: `--chain`, a config, the input's chain id, or the chain its signatures name;
  2. the fork check: which fork the header is in; one this tool does not implement is
     UNSUPPORTED before anything else (rules/registry.py);
  3. the block decoded by its fork's rule set (an invalid body is a MISMATCH naming the part);
  4. the witness: ancestor headers linked by hash, the family's refusals, the pre-state root
     proven (witness/check.py);
  5. execution (engine/);
  6. the verdict (verdict.py), the output root, the notes.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Optional

import rlp
from eth_hash.auto import keccak

from .bundle import Bundle
from .chain_id import infer_chain_id
from .chains import ChainConfig, resolve_chain
from .chains.recorded import in_block
from .engine import ExecutionContext, execute_block
from .errors import InputError, InvalidBlock, Unsupported, WitnessInvalid
from .rules.l1.senders import recover_senders
from .limits import check_bytes, check_items
from .outcome import Outcome
from .rules.l1.body import raw_transactions_root
from .rules.l1.header import check_header_ranges
from .rules.registry import block_fork, rule_set
from .rules.ruleset import RuleSet
from .safeparse import decode_rlp
from .verdict import ERROR, MISMATCH, UNSUPPORTED, VALID, WITNESS_INVALID, judge
from .verdicts import Mismatch
from .witness.check import ProvenWitness, link, prove
from .witness.headers import decode_header

INTERNAL_ERROR = "INTERNAL_ERROR"


@dataclass
class Prepared:
    """A block ready to execute: its chain's rule set, the decoded block, the proven witness."""

    chain: ChainConfig
    rules: RuleSet
    block: object
    witness: ProvenWitness

    def execution_context(self, block_rlp_size: Optional[int] = None, intermediate_roots: bool = False):
        w = self.witness
        return ExecutionContext(w.pre_state_root, w.preimages, w.ancestor_hashes, block_rlp_size, intermediate_roots)


def prepare(bundle: Bundle, chain: ChainConfig, parent_state_root: Optional[bytes] = None) -> Prepared:
    """Steps 2–4: raises InputError, Unsupported, InvalidBlock or WitnessInvalid."""
    where = bundle.origin or "bundle"
    items = decode_rlp(bundle.block_rlp, f"{where}: block")
    if not isinstance(items, list) or len(items) < 3 or not isinstance(items[0], list):
        raise InputError(f"{where}: block RLP is not [header, transactions, uncles, ...]")
    header_rlp = rlp.encode(items[0])
    fork = block_fork(chain, header_rlp, where)
    header = decode_header(header_rlp, f"{where}: block header")
    check_header_ranges(header)
    rules = rule_set(chain, fork)
    block = rules.decode_block(bundle.block_rlp, items, header, where)
    recover_senders(block.transactions, items[1])
    for part in ("state", "codes", "headers", "keys"):  # every source, RPC answers included
        check_items(len(getattr(bundle, part)), f"{where}: witness {part}")
    check_bytes(bundle.witness_bytes(), f"{where}: witness")
    linked = link(bundle, block.header)
    rules.refuse(block.header, linked.parent)
    return Prepared(chain, rules, block, prove(bundle, linked, block.header, parent_state_root))


def verify_bundle(
    bundle: Bundle,
    chain_name=None,
    parent_state_root: Optional[bytes] = None,
    strict: bool = False,
    intermediate_roots: bool = False,
    keep_nodes: bool = False,
) -> Outcome:
    """Steps 1–6 for one bundle: its outcome, never an exception."""
    outcome, chain = _verify(bundle, chain_name, parent_state_root, strict, intermediate_roots, keep_nodes)
    if chain is not None:
        outcome.commits_output_roots = chain.has_output_roots
    return outcome


def _verify(bundle: Bundle, chain_name, parent_state_root, strict, intermediate_roots,
            keep_nodes) -> tuple[Outcome, Optional[ChainConfig]]:
    origin = bundle.origin or "bundle"
    notes: list[str] = []
    chain_id = bundle.chain_id
    if chain_name is None and chain_id is None:
        chain_id = infer_chain_id(bundle.block_rlp)
        if chain_id is not None:
            notes.append(f"chain id {chain_id} taken from the transactions' signatures (the input names none)")
    saved_chain = (bundle.provenance or {}).get("chain")
    if chain_name is None and isinstance(saved_chain, str) and saved_chain.lower().startswith("dev:"):
        chain_name = saved_chain  # a saved check of a dev chain records its fork: the bundle verifies alone
        notes.append(f"chain {saved_chain}, as the bundle's provenance records it")
    chain = None
    try:
        chain = resolve_chain(chain_name, chain_id, origin)
        prepared = prepare(bundle, chain, parent_state_root)
    except InputError as exc:
        return Outcome(verdict=ERROR, origin=origin, reason=str(exc), notes=notes), None
    except Unsupported as exc:
        return _about_block(Outcome(verdict=UNSUPPORTED, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                                    fork=exc.fork, reason=str(exc), notes=notes), bundle), chain
    except InvalidBlock as exc:
        return _invalid_body(bundle, chain, exc, origin, notes), chain
    except WitnessInvalid as exc:
        return Outcome(verdict=WITNESS_INVALID, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                       reason=str(exc), notes=notes), chain
    rules, header = prepared.rules, prepared.block.header
    try:
        result = execute_block(prepared.block, rules, prepared.execution_context(len(bundle.block_rlp),
                                                                               intermediate_roots))
    except Unsupported as exc:
        return _about_block(Outcome(verdict=UNSUPPORTED, origin=origin, chain_id=chain.chain_id, chain=chain.name,
                                    fork=rules.fork.label, reason=str(exc), notes=notes), bundle), chain
    except WitnessInvalid as exc:  # a node that hashes right but is no trie node
        return _about_block(Outcome(verdict=WITNESS_INVALID, origin=origin, chain_id=chain.chain_id,
                                    chain=chain.name, fork=rules.fork.label, reason=str(exc), notes=notes), bundle), chain
    except Exception as exc:  # a bug of ours or py-evm's: say so in one line, keep the details
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(
            verdict=ERROR, origin=origin, chain_id=chain.chain_id, chain=chain.name, fork=rules.fork.label,
            number=header.block_number, block_hash=header.hash, internal=True, notes=notes,
            reason=f"internal error executing block #{header.block_number}: {type(exc).__name__}: {exc} "
            f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        ), chain
    outcome = judge(prepared, result, origin, bundle.claimed_hash, strict)
    for entry in in_block(chain.chain_id, header.block_number, (t.hash for t in prepared.block.transactions)):
        notes.append(f"the block holds {entry.describe()}")
    outcome.notes = notes + outcome.notes
    if outcome.verdict in (VALID, MISMATCH) and not outcome.missing:
        outcome.output = rules.output(result, bytes.fromhex(outcome.computed["blockHash"][2:]))
    outcome.skipped += rules.skipped_checks()
    if keep_nodes:  # the post-state's nodes, for a caller that chains blocks (blocktest)
        outcome.nodes = result.nodes
    outcome.intermediate_roots = result.intermediate_roots
    outcome.witness_bytes = bundle.witness_bytes()
    return outcome, chain


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
    outcome.mismatches = [Mismatch(exc.part, "valid", f"invalid: {exc.reason}")]
    items = rlp.decode(bundle.block_rlp)
    root = raw_transactions_root(items[1])
    claimed = rlp.decode(rlp.encode(items[0]))[4]
    if root != claimed:
        outcome.mismatches.append(Mismatch("transactionsRoot", "0x" + claimed.hex(), "0x" + root.hex()))
    return outcome
