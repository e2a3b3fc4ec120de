"""Reports: a short human table, or one JSON object per block. Presentation only."""

from __future__ import annotations

import json
from typing import Any

from .outcome import Outcome
from .verdicts import Verdict

MISMATCH = Verdict.MISMATCH


def to_json(o: Outcome) -> dict[str, Any]:
    return {
        "chainId": o.chain_id,
        "chain": o.chain,
        "fork": o.fork,
        "block": {"number": o.number, "hash": None if o.block_hash is None else "0x" + o.block_hash.hex()},
        "source": o.origin,
        "verdict": o.verdict,
        "reason": o.reason or None,
        "computed": o.computed,
        "expected": o.expected,
        "mismatches": [m.to_json() for m in o.mismatches],
        "missing": [m.to_json() for m in o.missing],
        "assumedAbsent": [m.to_json() for m in o.assumed_absent],
        "skippedChecks": o.skipped,
        "notes": o.notes,
        "transactions": o.transactions,
        "gasUsed": o.gas_used,
        "seconds": round(o.seconds, 6),
        "mgasPerSecond": round(o.mgas_per_second, 3),
        "witnessBytes": o.witness_bytes,
        **({"output": o.output.to_json()} if o.output is not None else {}),
    }


def json_line(o: Outcome) -> str:
    return json.dumps(to_json(o), separators=(",", ":"))


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 24 else s[:12] + "…" + s[-8:]


def human(o: Outcome) -> str:
    lines = []
    if o.number is None:
        lines.append(f"{o.verdict:<18} {o.origin}")
    else:
        executed = f"{o.gas_used:,} gas  {o.seconds:.2f}s  {o.mgas_per_second:.2f} Mgas/s" if o.computed else "not executed"
        lines.append(
            f"{o.verdict:<18} {o.chain or o.chain_id} #{o.number} ({o.fork or 'fork unknown'}) "
            f"0x{o.block_hash.hex()[:16]}…  {o.transactions} txs  {executed}"
        )
        lines.append(f"{'':<18} source: {o.origin}")
    if o.reason and o.verdict != MISMATCH:
        lines.append(f"{'':<18} {o.reason}")
    if o.mismatches:
        lines.append(f"{'':<18} {'field':<20} {'header claims':<26} {'computed'}")
        for m in o.mismatches:
            computed = m["computed"]
            if isinstance(computed, str) and (computed.startswith("invalid") or m.get("rule") == "header"):
                shown = computed  # a rule's own words: never cut
            else:
                shown = _short(computed)
            lines.append(f"{'':<18} {m['field']:<20} {_short(m['expected']):<26} {shown}")
    for gap in o.missing[:20]:
        lines.append(f"{'':<18} missing: {gap.describe()}")
    if len(o.missing) > 20:
        lines.append(f"{'':<18} … and {len(o.missing) - 20} more (see --json)")
    for gap in o.assumed_absent:
        lines.append(
            f"{'':<18} assumed absent (witness lacks its exclusion proof; --strict to refuse): "
            f"account 0x{gap.account.hex()}"
        )
    if o.output is not None:
        if o.output.root is not None:
            lines.append(f"{'':<18} output root 0x{o.output.root.hex()} (message passer storage root "
                         f"0x{o.output.storage_root.hex()[:16]}… from the {o.output.source})")
        else:
            lines.append(f"{'':<18} output root unknown: {o.output.unknown}")
    for s in o.skipped:
        lines.append(f"{'':<18} skipped: {s}")
    for n in o.notes:
        lines.append(f"{'':<18} note: {n}")
    return "\n".join(lines)
