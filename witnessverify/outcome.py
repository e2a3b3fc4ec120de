"""A block's judgement as the pipeline hands it to reports, stores and the tie-breaker: the
verdict, what was computed against what the header claims, the gaps, and what the run measured."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .verdicts import EXIT_CODES, Mismatch, Verdict
from .witness.missing import Missing


@dataclass
class Outcome:
    verdict: Verdict
    origin: str
    chain_id: Optional[int] = None
    chain: Optional[str] = None
    fork: Optional[str] = None
    number: Optional[int] = None
    block_hash: Optional[bytes] = None
    computed: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    # read-only lookups of accounts whose absence the witness does not prove (see classify_gaps)
    assumed_absent: list[Missing] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # how the inputs were read where it matters to trust (e.g. the chain inferred from signatures)
    notes: list[str] = field(default_factory=list)
    reason: str = ""  # one line for ERROR / WITNESS_INVALID / WITNESS_INCOMPLETE
    gas_used: int = 0
    receipts: list = field(default_factory=list)  # the computed receipts (for diagnosis)
    post_accounts: dict = field(default_factory=dict)  # address -> Account or None (deleted)
    post_storage: dict = field(default_factory=dict)  # (address, slot) -> value
    intermediate_roots: list = field(default_factory=list)  # per transaction, when asked for
    seconds: float = 0.0
    nodes: Optional[dict] = None  # the post-state's nodes, only when asked for
    internal: bool = False  # an ERROR that is a bug of ours (exit 5), not unreadable input
    witness_bytes: int = 0
    transactions: int = 0
    # OP Stack chains: the block's output root and its parts (rules/op/output_root.py)
    output: Optional[Any] = None
    # whether the chain's blocks commit to an output root at all (its rule set says)
    commits_output_roots: bool = False

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def mgas_per_second(self) -> float:
        return self.gas_used / self.seconds / 1e6 if self.seconds > 0 else 0.0
