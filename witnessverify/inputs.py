"""Paths to judgements: every bundle at a path (sources/, with build fixtures sealed by the
builder), and each one verified (pipeline.py). Above the input layer and the builder, so that
reading input never pulls in execution."""

from __future__ import annotations

import os
from typing import Iterator, Optional

from . import sources
from .build import bundle_from_fixture
from .bundle import Bundle
from .errors import InputError
from .outcome import Outcome
from .pipeline import verify_bundle
from .sources.detect import shaped
from .verdicts import Verdict


def load_bundles(path: str | os.PathLike, fmt: Optional[str] = None) -> list[Bundle]:
    """All bundles found at a file or folder path, build fixtures built."""
    return [shaped("kona-build", item.path, lambda: bundle_from_fixture(item.path))
            if isinstance(item, sources.BuildFixture) else item for item in sources.load(path, fmt)]


def verify_path(
    path: str,
    fmt: Optional[str] = None,
    chain_name=None,
    parent_state_root: Optional[bytes] = None,
    strict: bool = False,
) -> Iterator[Outcome]:
    try:
        bundles = load_bundles(path, fmt)
    except InputError as exc:
        yield Outcome(verdict=Verdict.ERROR, origin=str(path), reason=str(exc))
        return
    for bundle in bundles:
        yield verify_bundle(bundle, chain_name, parent_state_root, strict)
