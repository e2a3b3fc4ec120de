"""Which witnessverify judged: the package version, the engine's (py-evm's) version, and the
git commit of the checkout it runs from (when it runs from one), for --version, saved checks
and the build-info metric. An auditor comparing two verdicts needs to know both came from the
same code."""

from __future__ import annotations

import functools
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Optional


def _version(dist: str) -> Optional[str]:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> Optional[str]:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


@functools.lru_cache(maxsize=1)
def provenance() -> dict[str, Optional[str]]:
    return {"witnessverify": _version("witnessverify"), "py-evm": _version("py-evm"), "commit": _commit()}


def line() -> str:
    p = provenance()
    return (f"witnessverify {p['witnessverify']} (py-evm {p['py-evm']}"
            + (f", commit {p['commit']}" if p["commit"] else "") + ")")
