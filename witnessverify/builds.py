"""Whether a Cython build of one of this project's modules (setup.py) may stand for its source:
it is installed and loads, and in a source checkout (an editable install) it is not older than
the source it was compiled from, which would make it another program. An installed wheel is
left alone: its files' times are those of their extraction."""

from __future__ import annotations

import os
from importlib import import_module
from types import ModuleType
from typing import Optional


def fresh_build(name: str, source: str) -> Optional[ModuleType]:
    """The built module `name` compiled from the file `source`, or None."""
    try:
        built = import_module(name)
    except ImportError:
        return None
    if any(part in ("site-packages", "dist-packages") for part in os.path.dirname(source).split(os.sep)):
        return built
    if os.path.exists(source) and os.path.getmtime(source) > os.path.getmtime(built.__file__) + 1:
        return None
    return built
