"""The words the tool answers with, and the one exit-code table.

A block's verdict (`Verdict`), a check's overall answer (`Overall`) and each client's
(`ClientWord`) are string enums: they print and serialise as their names. `exit_code` turns
any mix of them into the process's exit code, by one precedence for every command: a wrong
block or client (1) before a bug of ours (5), before unreadable input or no source (4), before an
inconclusive answer (3), before success (0); 2 is a usage error.

Mismatch records say which header field or body part differs, what the block claims
(`expected`), what execution or the rule gives (`computed`), and the kind of rule when it is not
execution (`rule`: "parent" for rules relative to the parent header, "header" for rules of the
header alone, "derivation" for what the OP Stack's derivation fixes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Iterator, Optional


class _Word(str, Enum):
    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Verdict(_Word):
    VALID = "VALID"  # every recomputed commitment equals the header's
    MISMATCH = "MISMATCH"  # a commitment or rule differs (named in the mismatches)
    WITNESS_INVALID = "WITNESS_INVALID"  # the witness does not authenticate against the block
    WITNESS_INCOMPLETE = "WITNESS_INCOMPLETE"  # execution needed data the witness lacks (each gap named)
    UNSUPPORTED = "UNSUPPORTED"  # the block needs a rule this tool does not implement (named)
    ERROR = "ERROR"  # the input could not be read


class Overall(_Word):
    """A tie-breaker check's answer over every client."""

    AGREE = "AGREE"
    SPLIT = "SPLIT"
    INCONCLUSIVE = "INCONCLUSIVE"
    NO_SOURCE = "NO_SOURCE"


class ClientWord(_Word):
    """One client's verdict in a check."""

    AGREES = "AGREES"
    DISAGREES = "DISAGREES"
    REJECTED = "REJECTED"
    UNAVAILABLE = "UNAVAILABLE"
    UNJUDGED = "UNJUDGED"
    DIFFERENT_CHAIN = "DIFFERENT_CHAIN"  # on a chain whose fork point with the others was not reached


EXIT_USAGE = 2
EXIT_INTERNAL = 5

# the one exit-code table
EXIT_CODES: dict[str, int] = {
    Verdict.VALID: 0, Verdict.MISMATCH: 1, Verdict.WITNESS_INVALID: 3, Verdict.WITNESS_INCOMPLETE: 3,
    Verdict.UNSUPPORTED: 3, Verdict.ERROR: 4,
    Overall.AGREE: 0, Overall.SPLIT: 1, Overall.INCONCLUSIVE: 3, Overall.NO_SOURCE: 4,
}
_PRECEDENCE = (1, EXIT_INTERNAL, 4, 3, 0)


def exit_code(words: Iterable[str], internal: bool = False) -> int:
    """The exit code of a run that produced these verdicts or answers (0 for none)."""
    codes = {EXIT_CODES[w] for w in words}
    if internal:
        codes.add(EXIT_INTERNAL)
    return next((c for c in _PRECEDENCE if c in codes), 0)


@dataclass(frozen=True, eq=False)
class Mismatch(Mapping):
    """One differing field or broken rule. Read like the JSON object it becomes
    (`m["field"]`, `m.get("rule")`), and equal to that object."""

    field: str
    expected: Any
    computed: Any
    rule: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        out = {"field": self.field, "expected": self.expected, "computed": self.computed}
        if self.rule is not None:
            out["rule"] = self.rule
        return out

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_json())

    def __len__(self) -> int:
        return len(self.to_json())

    @property
    def independent(self) -> bool:
        """A rule of the header or body that no witness gap can explain."""
        return self.rule is not None
