"""The tie-breaker: fetch one block from N live clients, judge it with the independent engine,
and say which client is wrong (claims.py has the verdict words).

Before anything else each client is asked its chain id: a client that answers none, or serves
another chain than the others (or than --chain), is UNAVAILABLE and asked nothing more. The block
is then fixed by hash; each client's witness is read and judged on its own first (a client's
malformed witness cannot block the judgement an honest one allows); witnesses are merged only
when none is complete alone, and only those that authenticate.
"""

from __future__ import annotations

import logging
from typing import Optional

from .. import progress
from ..bundle import Bundle
from ..errors import WitnessInvalid
from ..outcome import Outcome
from ..pipeline import verify_bundle
from ..verdict import ERROR, MISMATCH, VALID, WITNESS_INVALID
from . import forkpoint, output
from .claims import (
    AGREE, DISAGREES, INCONCLUSIVE, NO_SOURCE, UNAVAILABLE, CheckReport, ClientVerdict, conclude,
    judge_claims, merge_heights, unavailable, unjudged,
)
from .diagnose import compare_roots, diagnose, state_diff
from .fetch import (
    ASSEMBLED, assembled_witness, call, chain_ids, fetch_block_rlp, fetch_witnesses, gather_claim, hash32, merge,
    resolve_all, witness_bundles,
)
from .chainvote import chain_from_the_block, dev_chain_of, expected_chain
from .runs import BlockRun, add_excluded, judge_outputs, output_of_runs
from .saved import save
from .rpc import RpcClient

REORG = "reorg during the check"


def stage(text: str) -> None:
    """A stage of the check: on the progress line, and in the log at info (-v)."""
    progress.step(text, logging.INFO)


def _is_hash(ref: str) -> bool:
    return hash32(ref) is not None


def check(ref: str, clients: list[RpcClient], chain=None, witness_from: Optional[str] = None,
          save_dir: Optional[str] = None, rollup_nodes: Optional[list[RpcClient]] = None,
          output_root: Optional[str] = None) -> CheckReport:

    notes: list[str] = []
    if witness_from:
        clients = sorted(clients, key=lambda c: c.name != witness_from)
    names = [c.name for c in clients]
    stage(f"asking {len(clients)} client(s) their chain id")
    chain_id, excluded, tie = expected_chain(clients, chain, notes)
    if tie:
        chain_id = chain_from_the_block([c for c in clients if c.name not in excluded], ref, notes)
        if chain_id is None:
            report = CheckReport(INCONCLUSIVE, reason="the clients serve different chains and the block's transactions "
                                                      "do not say which; pass --chain NAME", notes=notes)
            report.clients = [ClientVerdict(c.name, UNAVAILABLE, "chain not settled") for c in clients]
            return report
        for name, (cid, _) in chain_ids(clients).items():
            if cid is not None and cid != chain_id:
                excluded[name] = f"serves chain {cid}, not chain {chain_id}"
    usable = [c for c in clients if c.name not in excluded]
    chain = dev_chain_of(usable, chain, chain_id, notes)
    runs: list[BlockRun] = []
    fork_runs: list[BlockRun] = []
    number = None
    if not usable:
        report = CheckReport(NO_SOURCE, reason="no client answered with a usable chain id", notes=notes)
    else:
        heads: dict[str, bytes] = {}
        stage(f"resolving block {ref}")
        candidates, number = resolve_all(ref, usable, notes, heads)
        if not candidates:
            report = CheckReport(NO_SOURCE, reason=f"no client could name the block {ref}", notes=notes)
        elif len(candidates) == 1:
            runs = [check_hash(ref, candidates[0], number, usable, chain, chain_id, notes)]
            report = runs[0].report
        else:  # clients hold different blocks at this height: each judged by the one it holds,
            # and where their chains part
            runs = [check_hash(ref, h, number, usable, chain, chain_id, list(notes)) for h in candidates]
            top_notes = list(notes)
            report = merge_heights([r.report for r in runs], [c.name for c in usable], notes)
            notes = top_notes
            found = forkpoint.search(heads, usable, number)
            fork_runs = judge_fork_blocks(found, runs, usable, chain, chain_id, notes)
            fork_report = merge_heights([r.report for r in fork_runs], [c.name for c in usable], []) \
                if fork_runs else None
            report = forkpoint.judge_fork(report, found, fork_report, [c.name for c in usable])
    add_excluded(report, names, excluded)
    answers = None
    if rollup_nodes or output_root is not None:
        answers = output.gather(rollup_nodes or [], usable, number, output_of_runs(runs), output_root)
        judge_outputs(report, runs, answers, number)
    if save_dir:
        save(save_dir, report, runs, ref, number, chain, names, excluded, notes, answers, fork_runs)
    return report


def judge_fork_blocks(found: forkpoint.ForkSearch, runs: list[BlockRun], clients, chain, chain_id,
                      notes) -> list[BlockRun]:
    """Every chain's first block after its fork point, each judged on its own (a block at the
    height asked for was judged already: its run is reused)."""
    done = {r.report.block_hash: r for r in runs}
    out = []
    for c in found.chains:
        if c.first_block is None or c.fork_point is None:
            continue
        h = c.first_block
        if h not in done:
            done[h] = check_hash("0x" + h.hex(), h, c.fork_point + 1, clients, chain, chain_id, list(notes))
        if all(r is not done[h] for r in out):
            out.append(done[h])
    return out


def judge_witnesses(bundles: list[tuple[str, Bundle]], chain, notes: list[str]):
    """Each client's witness alone, in order; if none settles the block, the union of those that
    authenticate. (outcome, the bundle it came from, the witness sources)."""
    tried: list[tuple[str, Bundle, Outcome]] = []
    for name, b in bundles:
        outcome = verify_bundle(b, chain)
        if outcome.verdict in (VALID, MISMATCH):
            return outcome, b, [name]
        if outcome.verdict == WITNESS_INVALID:
            notes.append(f"{name}: its witness does not authenticate, left out ({outcome.reason[:160]})")
        tried.append((name, b, outcome))
    usable = [(n, b) for n, b, o in tried if o.verdict not in (WITNESS_INVALID, ERROR)]
    if len(usable) > 1:
        merged = merge([b for _, b in usable])
        return verify_bundle(merged, chain), merged, [n for n, _ in usable]
    name, b, outcome = tried[0]
    return outcome, b, [name]


def check_hash(ref, block_hash: bytes, number, clients, chain, chain_id, notes) -> BlockRun:
    report = CheckReport(INCONCLUSIVE, block_number=number, block_hash=block_hash, notes=notes,
                         chain=chain if isinstance(chain, str) else None)
    run = BlockRun(report)
    stage(f"asking each client about block 0x{block_hash.hex()[:16]}…")
    run.claims = claims = [gather_claim(c, block_hash) for c in clients]
    block_rlp, more = fetch_block_rlp(clients, claims, block_hash)
    notes += more
    if block_rlp is None:
        report.overall, report.reason = NO_SOURCE, "no client served the block's body"
        report.clients = unavailable(claims)
        return run
    stage("fetching execution witnesses")
    bundles = witness_bundles(fetch_witnesses(clients, block_hash, number), block_rlp, chain_id, notes)
    assembled = None
    if not bundles:
        try:
            assembled = assembled_witness(clients, block_hash, number, notes)
        except WitnessInvalid as exc:
            report.reason = f"the witness does not authenticate: {exc}"
            report.clients = unjudged(claims)
            return run
        if assembled is None:
            report.overall, report.reason = NO_SOURCE, "no client served an execution witness or proofs to assemble one"
            report.clients = unavailable(claims, "no judgement without a witness")
            return run
        source, proof_witness, parent_rlp = assembled
        bundles = witness_bundles([(source.name, proof_witness.as_witness([parent_rlp]))], block_rlp, chain_id, notes,
                                  ASSEMBLED)
    stage(f"executing block {'#' + str(number) if number is not None else ref} on the engine")
    outcome, bundle, sources = judge_witnesses(bundles, chain, notes)
    if assembled is not None:
        # deletions that collapse branches need siblings no touched key's proof contains
        from .assemble import fill_collapse_siblings

        for _ in range(4):
            if outcome.verdict != "WITNESS_INCOMPLETE":
                break
            asked = fill_collapse_siblings(proof_witness, outcome.missing)
            if not asked:
                break
            notes.append(f"fetched {asked} more proof(s) for nodes a branch collapse needs")
            bundle = witness_bundles([(source.name, proof_witness.as_witness([parent_rlp]))], block_rlp, chain_id,
                                     notes, ASSEMBLED)[0][1]
            outcome = verify_bundle(bundle, chain)
    run.bundle = bundle
    report.outcome, report.witness_sources = outcome, sources
    # a reorg while we fetched: the height no longer holds this block
    if number is not None and not _is_hash(ref):
        again, _ = resolve_all(hex(number), clients, [])
        if again and block_hash not in again:
            run.reorg = True
            report.reason = f"the block at #{number} changed during the check (reorg): inconclusive"
            report.clients = unavailable(claims, REORG)
            return run
    if outcome.verdict not in (VALID, MISMATCH):
        report.reason = f"the engine cannot judge: {outcome.verdict}: {outcome.reason}"
        report.clients = unjudged(claims)
        return run
    ours_per_tx = None
    for c, v in zip(clients, judge_claims(outcome, claims, block_hash)):
        if v.verdict == DISAGREES and v.fields != ["blockHash"]:
            stage(f"diagnosing {c.name}: {', '.join(v.fields)}")
            found = diagnose(c, block_hash, outcome.receipts)
            if "stateRoot" in v.fields:
                theirs, _ = call(c, "debug_intermediateRoots", "0x" + block_hash.hex())
                if isinstance(theirs, list):
                    if ours_per_tx is None:  # a second run, computing the root after each transaction
                        ours_per_tx = verify_bundle(bundle, chain, intermediate_roots=True).intermediate_roots
                    found["intermediateRoots"] = compare_roots(ours_per_tx, theirs)
                if number is not None:
                    found["stateDiff"] = state_diff(c, number, outcome)
            run.diagnoses[v.client] = found
    conclude(report, judge_claims(outcome, claims, block_hash, run.diagnoses))
    if outcome.assumed_absent:
        accounts = ", ".join("0x" + g.account.hex() for g in outcome.assumed_absent)
        notes.append(f"the engine's judgement assumes {accounts} absent (the witness lacks the exclusion "
                     f"proof, as geth's omit them for accounts only looked at); every state commitment matches")
    return run


__all__ = ["check", "AGREE"]
