"""Which blocks the spot-checker judges: all of them, every Nth, or a random sample of K per hour.

The sample is drawn per block number from a seeded generator, so a restart (or a second
machine with the same seed) picks the same blocks: nothing is skipped or checked twice because
the process stopped in between.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Schedule:
    mode: str = "all"  # all | every | sample
    every: int = 1
    per_hour: float = 0.0
    seed: int = 0

    @classmethod
    def parse(cls, every: int | None, sample: str | None, all_blocks: bool, seed: int = 0) -> "Schedule":
        chosen = sum(x is not None and x is not False for x in (every, sample, all_blocks or None))
        if chosen > 1:
            raise InputError("choose one of --every N, --sample K/HOUR, --all")
        if every is not None:
            if every < 1:
                raise InputError(f"--every {every}: must be at least 1")
            return cls("every", every=every, seed=seed)
        if sample is not None:
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(?:h|hour)\s*", sample, re.IGNORECASE)
            if not m or float(m.group(1)) <= 0:
                raise InputError(f"--sample {sample!r}: expected K/HOUR, e.g. 60/hour")
            return cls("sample", per_hour=float(m.group(1)), seed=seed)
        return cls("all")

    def picks(self, number: int, block_time: float) -> bool:
        if self.mode == "all":
            return True
        if self.mode == "every":
            return number % self.every == 0
        p = min(1.0, self.per_hour * max(block_time, 0.001) / 3600.0)
        return random.Random(f"{self.seed}:{number}").random() < p

    def share(self, block_time: float) -> float:
        """The share of blocks this schedule judges."""
        if self.mode == "all":
            return 1.0
        if self.mode == "every":
            return 1.0 / self.every
        return min(1.0, self.per_hour * max(block_time, 0.001) / 3600.0)

    def describe(self) -> str:
        return {"all": "every block", "every": f"every {self.every}th block",
                "sample": f"a sample of {self.per_hour:g} blocks per hour (seed {self.seed})"}[self.mode]
