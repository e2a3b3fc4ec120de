"""witness/tries.py in each form that can run: its source as Python (loaded under a name of its
own, so the module witnessverify imports keeps whichever build it chose) and, where pip built
it, its Cython build. Tests of the node codec and the lookup run on both."""

from __future__ import annotations

import importlib.util

from witnessverify.builds import fresh_build
from witnessverify.witness import tries

SOURCE = tries.__file__  # the rebinding to the build happens inside the source module


def _as_python():
    spec = importlib.util.spec_from_file_location("witnessverify_tries_as_python", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.BUILD == "python"
    return module


def builds() -> dict:
    """{"python": module, "compiled": module (where built and fresh)}."""
    found = {"python": _as_python()}
    built = fresh_build("witnessverify.witness.compiled.tries", SOURCE)
    if built is not None:
        found["compiled"] = built
    return found


BUILDS = builds()
