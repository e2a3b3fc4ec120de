"""What one block's check keeps (`BlockRun`), and the steps a live check and a saved check's
replay share: the excluded clients' lines and the output-root claims judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..bundle import Bundle
from ..verdict import MISMATCH, VALID
from . import output
from .claims import UNAVAILABLE, CheckReport, Claim, ClientVerdict, conclude_outputs


@dataclass
class BlockRun:
    """One block's check: its report and what a saved check keeps to replay it."""

    report: CheckReport
    claims: list[Claim] = field(default_factory=list)
    bundle: Optional[Bundle] = None
    diagnoses: dict = field(default_factory=dict)
    reorg: bool = False


def output_of_runs(runs: list[BlockRun]):
    """The engine's output root at this height: of the block it finds valid, else of the first
    block it could execute (then the output of that block as it should have been)."""
    outcomes = [r.report.outcome for r in runs if r.report.outcome is not None]
    valid = [o for o in outcomes if o.verdict == VALID]
    executed = valid or [o for o in outcomes if o.verdict == MISMATCH]
    return executed[0].output if executed else None


def judge_outputs(report: CheckReport, runs: list[BlockRun], answers, number) -> None:
    """Output-root claims judged against the engine's output and joined to the vote."""
    found = output_of_runs(runs)
    if found is None and report.outcome is not None and report.outcome.fork is not None \
            and not report.outcome.commits_output_roots:
        report.notes.append("output roots are an OP Stack commitment: this chain has none")
    report.output, verdicts = output.judge(answers, found, number, report.notes)
    conclude_outputs(report, verdicts)


def add_excluded(report: CheckReport, names: list[str], excluded: dict[str, str]) -> None:
    """The left-out clients' lines, in the order the clients were given."""
    if not excluded:
        return
    lines = {v.client: v for v in report.clients}
    for name, why in excluded.items():
        lines[name] = ClientVerdict(name, UNAVAILABLE, why)
    report.clients = [lines[n] for n in names if n in lines]
