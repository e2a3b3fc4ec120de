"""A check saved to a folder (`check --save DIR`) and re-judged offline (`verify DIR`).

Saved in every outcome, a split across blocks included: `claims.json` (what each client claimed,
the diagnoses, the notes, which clients were left out and why, and per block the engine's source
and time as measured) and one bundle per block judged (`bundle.json` for one block, else
`bundle-<hash>.json`). The replay runs each bundle through the engine again and the claims
through the same vote, and prints the same report; times are reported as recorded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..provenance import provenance
from ..hexjson import hex_bytes
from ..safeparse import read_json_file
from ..verdict import MISMATCH, VALID
from .forkpoint import ForkSearch, judge_fork
from .runs import BlockRun, add_excluded, judge_outputs
from .claims import (
    INCONCLUSIVE, NO_SOURCE, CheckReport, Claim, conclude, judge_claims,
    merge_heights, unavailable, unjudged,
)

CLAIMS_FORMAT = "witnessverify-claims/2"
REORG = "reorg during the check"


def save(folder: str, report: CheckReport, runs: list, ref: str, number: Optional[int], chain,
         names: list[str], excluded: dict[str, str], notes: list[str], answers=None, fork_runs=()) -> None:
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    chain_name = chain if isinstance(chain, str) else getattr(chain, "name", None)
    blocks = _save_runs(d, runs, len(runs) + len(fork_runs) == 1, chain_name)
    doc = {
        "format": CLAIMS_FORMAT,
        "ref": ref,
        "number": number,
        "chain": chain if isinstance(chain, str) else getattr(chain, "name", None),
        "clients": names,
        "excluded": excluded,
        "notes": notes,
        "overall": report.overall,
        "reason": report.reason,
        "blocks": blocks,
        "outputs": None if answers is None else answers.to_json(),
        "judgedBy": provenance(),  # which code judged: package, py-evm, git commit
    }
    if report.fork is not None:
        doc["fork"] = {"search": report.fork.to_json(), "blocks": _save_runs(d, list(fork_runs), False, chain_name)}
    (d / "claims.json").write_text(json.dumps(doc, indent=1, default=str))


def _save_runs(d: Path, runs: list, alone: bool, chain=None) -> list[dict]:
    """Each run's claims and bundle (`bundle.json` when it is the only block, else by hash)."""
    blocks = []
    for run in runs:
        entry: dict = {
            "hash": "0x" + run.report.block_hash.hex(),
            "number": run.report.block_number,
            "claims": [{"client": c.client, "kind": c.kind, "header": c.header_json, "reason": c.reason,
                        "clientVersion": c.version} for c in run.claims],
            "diagnoses": run.diagnoses,
            "witnessFrom": run.report.witness_sources,
            "notes": run.report.notes,
            "reorg": run.reorg,
            "overall": run.report.overall,
            "reason": run.report.reason,
            "bundle": None,
        }
        if run.bundle is not None:
            name = "bundle.json" if alone else f"bundle-{run.report.block_hash.hex()[:16]}.json"
            run.bundle.provenance = {"source": "witnessverify check", "clients": run.report.witness_sources,
                                     "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                     "chain": chain, "judgedBy": provenance()}
            (d / name).write_text(run.bundle.dumps())
            entry["bundle"] = name
        if run.report.outcome is not None:
            entry["engine"] = {"origin": run.report.outcome.origin, "seconds": run.report.outcome.seconds}
        blocks.append(entry)
    return blocks


def _claims(entry: dict) -> list[Claim]:
    return [Claim(c["client"], c["kind"], header_json=c.get("header"), reason=c.get("reason", ""),
                  version=c.get("clientVersion")) for c in entry["claims"]]


def _replay_block(d: Path, entry: dict, number, chain) -> CheckReport:
    from ..pipeline import verify_bundle
    from ..sources import load

    block_hash = hex_bytes(entry["hash"], "claims.blocks.hash")
    report = CheckReport(INCONCLUSIVE, block_number=number, block_hash=block_hash, notes=entry.get("notes", []),
                         witness_sources=entry.get("witnessFrom", []), chain=chain)
    claims = _claims(entry)
    if not entry.get("bundle"):
        report.overall, report.reason = entry.get("overall", NO_SOURCE), entry.get("reason", "")
        if report.overall == NO_SOURCE:
            report.clients = unavailable(claims)
        else:
            report.clients = unjudged(claims)
        return report
    (bundle,) = load(d / entry["bundle"])
    outcome = verify_bundle(bundle, chain)
    recorded = entry.get("engine") or {}
    outcome.origin = recorded.get("origin", outcome.origin)
    outcome.seconds = recorded.get("seconds", outcome.seconds)
    report.outcome = outcome
    if entry.get("reorg"):
        report.reason = f"the block at #{number} changed during the check (reorg): inconclusive"
        report.clients = unavailable(claims, REORG)
    elif outcome.verdict not in (VALID, MISMATCH):
        report.reason = f"the engine cannot judge: {outcome.verdict}: {outcome.reason}"
        report.clients = unjudged(claims)
    else:
        conclude(report, judge_claims(outcome, claims, block_hash, entry.get("diagnoses")))
    return report


def replay_saved(folder: str) -> CheckReport:
    """Re-judge a saved check offline: each saved bundle through the engine, the saved claims."""

    d = Path(folder)
    doc = read_json_file(d / "claims.json")
    if not isinstance(doc, dict) or doc.get("format") != CLAIMS_FORMAT:
        raise InputError(f"{d / 'claims.json'}: not a saved check ({CLAIMS_FORMAT})")
    try:
        number, chain, names = doc.get("number"), doc.get("chain"), doc["clients"]
        excluded = doc.get("excluded") or {}
        blocks = doc["blocks"]
        if not blocks:
            report = CheckReport(doc.get("overall", NO_SOURCE), reason=doc.get("reason", ""), notes=doc.get("notes", []))
        elif len(blocks) == 1:
            report = _replay_block(d, blocks[0], number, chain)
        else:
            reports = [_replay_block(d, b, number, chain) for b in blocks]
            usable = [n for n in names if n not in excluded]
            report = merge_heights(reports, usable, list(doc.get("notes", [])))
            if doc.get("fork"):
                found = ForkSearch.from_json(doc["fork"]["search"])
                fork_reports = [_replay_block(d, b, b.get("number"), chain) for b in doc["fork"]["blocks"]]
                fork_report = merge_heights(fork_reports, usable, []) if fork_reports else None
                report = judge_fork(report, found, fork_report, usable)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"{d / 'claims.json'}: a malformed saved check ({type(exc).__name__}: {exc})") from None
    add_excluded(report, names, excluded)
    if doc.get("outputs") is not None:
        from .output import OutputAnswers

        runs = [BlockRun(r) for r in (reports if len(blocks) > 1 else [report] if blocks else [])]
        judge_outputs(report, runs, OutputAnswers.from_json(doc["outputs"]), number)
    return report
