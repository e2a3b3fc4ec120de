"""What each client claims about a block, and the vote: each client's verdict from its claim and
the engine's judgement (pure functions, the same from live answers and from a saved check).

Per client: AGREES (it holds the block and the engine confirms it, or it rejected a block the
engine also finds invalid), DISAGREES (it holds a block the engine finds wrong: which fields),
REJECTED (it rejected a block the engine finds valid), UNAVAILABLE (why), UNJUDGED (it made a
claim the engine could not judge). Overall: AGREE, SPLIT (culprits named), INCONCLUSIVE (why),
NO_SOURCE. Exit codes: 0 agree, 1 a client is wrong, 3 inconclusive, 4 no usable source.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from typing import Any, Optional

import rlp
from eth_hash.auto import keccak

from ..errors import InputError
from ..sources.blockjson import header_fields
from ..outcome import Outcome
from ..verdicts import EXIT_CODES, ClientWord, Overall, Verdict

VALID = Verdict.VALID

AGREES, DISAGREES, REJECTED, UNAVAILABLE, UNJUDGED = (ClientWord.AGREES, ClientWord.DISAGREES, ClientWord.REJECTED,
                                                      ClientWord.UNAVAILABLE, ClientWord.UNJUDGED)
DIFFERENT_CHAIN = ClientWord.DIFFERENT_CHAIN
AGREE, SPLIT, INCONCLUSIVE, NO_SOURCE = Overall.AGREE, Overall.SPLIT, Overall.INCONCLUSIVE, Overall.NO_SOURCE


@dataclass
class Claim:
    client: str
    kind: str  # "header" | "rejected" | "none" | "unavailable"
    header_json: Optional[dict] = None
    reason: str = ""
    block_rlp: Optional[bytes] = None  # from a bad-block entry
    version: Optional[str] = None  # its web3_clientVersion, asked with the claim


@dataclass
class ClientVerdict:
    client: str
    verdict: str
    detail: str = ""
    fields: list = field(default_factory=list)
    diagnosis: dict = field(default_factory=dict)
    # per wrong field: what this client's header claims and what the engine computed for the
    # block it holds (each client's own values, whatever the --rpc order)
    values: dict = field(default_factory=dict)
    version: Optional[str] = None  # the client's web3_clientVersion when it made the claim


@dataclass
class CheckReport:
    overall: str
    reason: str = ""
    block_number: Optional[int] = None
    block_hash: Optional[bytes] = None
    outcome: Optional[Outcome] = None
    clients: list[ClientVerdict] = field(default_factory=list)
    witness_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chain: Optional[str] = None  # the chain name the engine used (dev chains: as read from the node)
    # OP Stack: the block's output root (rules/op/output_root.Output) and the output claims judged
    output: Optional[Any] = None
    outputs: list[ClientVerdict] = field(default_factory=list)
    # when clients hold different blocks: where their chains part (tiebreak/forkpoint.ForkSearch)
    fork: Optional[Any] = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.overall]


def header_hash(header: dict, where: str) -> bytes:
    return keccak(rlp.encode(header_fields(header, where)))


def judge_claims(outcome: Outcome, claims: list[Claim], block_hash: bytes,
                 diagnoses: Optional[dict] = None) -> list[ClientVerdict]:
    """Each client's verdict from its claim and the engine's judgement of the block."""
    verdicts = _judge(outcome, claims, block_hash, diagnoses)
    for cl, v in zip(claims, verdicts):
        v.version = cl.version
    return verdicts


def _judge(outcome: Outcome, claims: list[Claim], block_hash: bytes, diagnoses: Optional[dict]) -> list[ClientVerdict]:
    valid = outcome.verdict == VALID
    verdicts = []
    for cl in claims:
        if cl.kind == "header":
            try:
                claimed = header_hash(cl.header_json, cl.client)
            except InputError as exc:
                verdicts.append(ClientVerdict(cl.client, UNAVAILABLE, f"unreadable header: {exc}"))
                continue
            if claimed != block_hash:
                verdicts.append(ClientVerdict(cl.client, DISAGREES, "returned a header that does not hash to the block's hash",
                                              fields=["blockHash"]))
            elif valid:
                verdicts.append(ClientVerdict(cl.client, AGREES, "holds the block, which the engine confirms"))
            else:
                verdicts.append(ClientVerdict(cl.client, DISAGREES, "accepted a block whose header the engine refutes",
                                              fields=[m["field"] for m in outcome.mismatches],
                                              diagnosis=(diagnoses or {}).get(cl.client, {}),
                                              values={m["field"]: {"claimed": m["expected"], "computed": m["computed"]}
                                                      for m in outcome.mismatches}))
        elif cl.kind == "rejected":
            if valid:
                verdicts.append(ClientVerdict(cl.client, REJECTED, f"rejected a block the engine finds valid; its reason: {cl.reason}"))
            else:
                verdicts.append(ClientVerdict(cl.client, AGREES, f"rejected the block, rightly; its reason: {cl.reason}"))
        else:
            verdicts.append(ClientVerdict(cl.client, UNAVAILABLE, cl.reason or cl.kind))
    return verdicts


def unavailable(claims: list[Claim], why: Optional[str] = None) -> list[ClientVerdict]:
    """Every client UNAVAILABLE: `why`, else its own reason or kind (with the build it runs)."""
    return [ClientVerdict(cl.client, UNAVAILABLE, why or cl.reason or cl.kind, version=cl.version) for cl in claims]


def unjudged(claims: list[Claim], why: Optional[str] = None) -> list[ClientVerdict]:
    """The clients' lines when the engine cannot judge the block: each claim is left unjudged."""
    return [ClientVerdict(cl.client, UNAVAILABLE if cl.kind in ("none", "unavailable") else UNJUDGED,
                          why or cl.reason, version=cl.version) for cl in claims]


def conclude(report: CheckReport, verdicts: list[ClientVerdict]) -> None:
    report.clients = verdicts
    wrong = [v.client for v in verdicts if v.verdict in (DISAGREES, REJECTED)]
    judged = [v for v in verdicts if v.verdict not in (UNAVAILABLE, UNJUDGED)]
    if wrong:
        report.overall, report.reason = SPLIT, "wrong: " + ", ".join(wrong)
    elif judged:
        report.overall = AGREE
    else:
        report.reason = report.reason or "no client made a claim about the block"


def conclude_outputs(report: CheckReport, verdicts: list[ClientVerdict]) -> None:
    """Output-root claims join the vote: one that disagrees with the engine is a culprit."""
    report.outputs = verdicts
    wrong = [v.client for v in verdicts if v.verdict == DISAGREES]
    if not wrong:
        return
    if report.overall == SPLIT:
        report.reason += ", " + ", ".join(wrong)
    else:
        report.overall, report.reason = SPLIT, "wrong: " + ", ".join(wrong) + (f" ({report.reason})" if report.reason else "")


def merge_heights(reports: list[CheckReport], client_names: list[str], notes: list[str]) -> CheckReport:
    """Clients hold different blocks at one height: each block was judged on its own; each
    client is judged by the block it holds."""
    first = reports[0]
    merged = CheckReport(INCONCLUSIVE, block_number=first.block_number, block_hash=first.block_hash, notes=notes,
                         outcome=first.outcome, witness_sources=first.witness_sources, chain=first.chain)

    def rank(v: ClientVerdict) -> int:  # a judgement of the block the client holds comes first
        return 1 if v.verdict == DISAGREES and v.fields == ["blockHash"] else 0

    for name in client_names:
        mine = [v for r in reports for v in r.clients if v.client == name and v.verdict not in (UNAVAILABLE, UNJUDGED)]
        verdict = min(mine, key=rank) if mine else None
        if verdict is None:  # in no report judged: say why, from its own entry
            own = [v for r in reports for v in r.clients if v.client == name]
            verdict = own[0] if own else ClientVerdict(name, UNAVAILABLE, "holds none of the blocks at this height")
        else:
            holding = next(r for r in reports if verdict in r.clients)
            engine = holding.outcome.verdict if holding.outcome else "?"
            verdict = dataclasses.replace(
                verdict, detail=verdict.detail + f" (block 0x{holding.block_hash.hex()[:16]}…, engine {engine})")
        merged.clients.append(verdict)
    wrong = [v.client for v in merged.clients if v.verdict in (DISAGREES, REJECTED)]
    if wrong:
        merged.overall, merged.reason = SPLIT, "wrong: " + ", ".join(wrong)
    elif any(r.overall == INCONCLUSIVE for r in reports):
        merged.reason = "; ".join(r.reason for r in reports if r.reason)
    else:
        merged.overall = AGREE
        unjudged = [v.client for v in merged.clients if v.verdict in (UNAVAILABLE, UNJUDGED)]
        merged.notes.append("every block judged at this height is valid: a fork-choice difference, not an execution one"
                            + (f" ({', '.join(unjudged)}: not judged, see its line)" if unjudged else ""))
    return merged


def to_json(r: CheckReport) -> dict[str, Any]:
    from ..report import to_json as outcome_json

    return {
        "overall": r.overall,
        "reason": r.reason or None,
        "block": {"number": r.block_number, "hash": None if r.block_hash is None else "0x" + r.block_hash.hex()},
        "engine": None if r.outcome is None else outcome_json(r.outcome),
        "clients": [v.__dict__ for v in r.clients],
        "witnessFrom": r.witness_sources,
        "notes": r.notes,
        **({"output": r.output.to_json()} if r.output is not None else {}),
        **({"outputClaims": [v.__dict__ for v in r.outputs]} if r.outputs else {}),
        **({"fork": r.fork.to_json()} if r.fork is not None else {}),
    }


def diagnosis_text(diagnosis: dict) -> str:
    """A diagnosis for a reader: each part as 'name: what', lists counted, the first few shown."""
    import json

    parts = []
    for name, what in diagnosis.items():
        if isinstance(what, list):
            shown = "; ".join(x if isinstance(x, str) else json.dumps(x, default=str) for x in what[:3])
            more = f" (+{len(what) - 3} more)" if len(what) > 3 else ""
            parts.append(f"{name}: {len(what)} difference(s)" + (f": {shown}{more}" if what else ""))
        elif isinstance(what, dict):
            parts.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in what.items()))
        else:
            parts.append(f"{name}: {what}")
    return "; ".join(parts)


def human(r: CheckReport) -> str:
    block = " ".join(x for x in (f"#{r.block_number}" if r.block_number is not None else "",
                                 f"0x{r.block_hash.hex()}" if r.block_hash else "") if x)
    lines = [f"{r.overall:<13} block {block}" if block else f"{r.overall:<13} no block"]
    if r.reason:
        lines.append(f"{'':<13} {r.reason}")
    if r.outcome is not None:
        lines.append(f"{'':<13} engine: {r.outcome.verdict} ({r.outcome.fork}), witness from {', '.join(r.witness_sources)}")
        for m in r.outcome.mismatches:
            lines.append(f"{'':<13}   {m['field']}: header {m['expected']} computed {m['computed']}")
    for v in r.clients:
        lines.append(f"{'':<13} {v.client:<12} {v.verdict:<12} {v.detail}" + (f" [{', '.join(v.fields)}]" if v.fields else ""))
        if v.version:
            lines.append(f"{'':<13} {'':<12} runs {v.version}")
        for name, pair in v.values.items():
            lines.append(f"{'':<13} {'':<12} {name}: claims {pair['claimed']}, the engine computes {pair['computed']}")
        if v.diagnosis:
            lines.append(f"{'':<13} {'':<12} diagnosis: {diagnosis_text(v.diagnosis)}")
    if r.output is not None:
        if r.output.root is not None:
            lines.append(f"{'':<13} output root 0x{r.output.root.hex()} (storage root from the {r.output.source})")
        else:
            lines.append(f"{'':<13} output root unknown: {r.output.unknown}")
    for v in r.outputs:
        lines.append(f"{'':<13} {v.client:<12} {v.verdict:<12} {v.detail}" + (f" [{', '.join(v.fields)}]" if v.fields else ""))
    if r.fork is not None:
        for c in r.fork.chains:
            where = (f"forks after #{c.fork_point}, first block 0x{c.first_block.hex()[:16]}…" if c.fork_point is not None
                     else f"fork point not reached: {c.problem}" if c.problem else "the reference chain")
            lines.append(f"{'':<13} chain of {', '.join(c.clients)}: head 0x{c.head.hex()[:16]}…, {where}")
        lines.append(f"{'':<13} fork-point search: {r.fork.requests} request(s)")
    for n in r.notes:
        lines.append(f"{'':<13} note: {n}")
    return "\n".join(lines)
