"""Which loop runs a frame, chosen by WV_INTERPRETER (and WV_PURE_PYTHON):

  compiled  loop.py, opcodes.py, analysis.py and memory.py compiled by Cython at install
            (interpreter/compiled/ holds the C types; setup.py builds it where a C compiler
            exists): the default wherever it was built
  fast      the same loop run as Python source: the reference the compiled loop is tested
            against, and the default under WV_PURE_PYTHON=1 or where nothing was compiled
  py-evm    py-evm's own loop

The compiled modules are imported only when chosen, so a run on one loop never loads the other.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cache
from typing import Callable, Iterator, Optional

from ..builds import fresh_build
from ..native import PURE_PYTHON

COMPILED = "compiled"
FAST = "fast"
PY_EVM = "py-evm"
NAMES = (COMPILED, FAST, PY_EVM)

_requested = os.environ.get("WV_INTERPRETER", "")
_selected: Optional[str] = None  # resolved on first use
_runners: dict[str, Optional[Callable]] = {PY_EVM: None}


_COMPILED_MODULES = ("loop", "opcodes", "analysis", "memory")


@cache
def compiled_available() -> bool:
    """Whether the Cython build of the loop is installed, loads and is not older than its source
    (found out once; builds.py)."""
    here = os.path.dirname(__file__)
    return all(fresh_build(f"{__package__}.compiled.{name}", os.path.join(here, f"{name}.py")) is not None
               for name in _COMPILED_MODULES)


def environment_problem() -> Optional[str]:
    """What is wrong with WV_INTERPRETER, if anything (the CLI refuses to run with it, exit 2)."""
    if _requested in ("",) + NAMES:
        if _requested == COMPILED and not compiled_available():
            return "WV_INTERPRETER=compiled, but the compiled loop is not installed (built by pip where a C compiler exists)"
        return None
    return f"WV_INTERPRETER must be one of {', '.join(map(repr, NAMES))}, not {_requested!r}"


def _default() -> str:
    if _requested in NAMES and (_requested != COMPILED or compiled_available()):
        return _requested
    return FAST if PURE_PYTHON or not compiled_available() else COMPILED


def selected() -> str:
    """The loop in use: "compiled", "fast" or "py-evm"."""
    global _selected
    if _selected is None:
        _selected = _default()
    return _selected


def runner() -> Optional[Callable]:
    """The `run` function of the selected loop; None for py-evm's own loop."""
    name = selected()
    try:
        return _runners[name]
    except KeyError:
        pass
    if name == COMPILED:
        from .compiled.loop import run
    else:
        from .loop import run
    _runners[name] = run
    return run


@contextmanager
def interpreter(name: str) -> Iterator[None]:
    """Run with loop `name` for the duration (tests and benchmarks compare them)."""
    global _selected
    if name not in NAMES:
        raise ValueError(name)
    if name == COMPILED and not compiled_available():
        raise RuntimeError("the compiled loop is not installed")
    before = selected()
    _selected = name
    try:
        yield
    finally:
        _selected = before
