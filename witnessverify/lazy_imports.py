"""py-evm modules that `import eth` loads eagerly, imported on first use instead (CLI start-up).

`import eth` imports every precompile module, and the BLS12-381 ones (EIP-2537, Prague) import
py_ecc's BLS12-381 pairing code, which computes its tables at import: about 0.2 s of CPU, 40% of a
whole `witnessverify verify` of a one-transaction block that never calls them. The BN254 ones
(ECADD, ECMUL, ECPAIRING) cost about 35 ms more, and the Ethash proof-of-work code (which nothing
here calls: seals are not checked) 20 ms, for pycryptodome's keccak and its C declarations.

`install()`, run when witnessverify is imported (before anything imports `eth`), puts a stand-in
for each of these modules in `sys.modules`. A stand-in offers the same names; each is a proxy that,
on its first call, imports py-evm's real module (which then replaces the stand-in in
`sys.modules`) and calls the real function. Currying is kept for the precompiles: Istanbul's
`ecadd(gas_cost=...)` gives a proxy with that gas cost bound, as toolz.curry would. The code that
runs is py-evm's own, unchanged; only the moment it is imported moves. If `eth` is imported
already, `install()` does nothing.

One more stand-in keeps pydantic off the path (about 0.1 s): eth-utils imports its pydantic
helpers module at import only to re-export `CamelModel` and to test `isinstance(value,
CamelModel)` in `apply_formatters_to_dict`. Nothing witnessverify runs (py-evm, rlp, trie) makes a
pydantic model. So eth-utils is imported here with a stand-in for that module, which is then
withdrawn: `eth_utils.CamelModel` is a placeholder that answers isinstance as the real class does
once the real module is loaded (False before, when no such model can exist), and an explicit
`import eth_utils.pydantic` still gives the real module.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib.machinery import PathFinder
from types import ModuleType

# module -> (the names py-evm takes from it, whether they are curried precompiles)
LAZY = {
    "eth.precompiles.ecadd": (("ecadd",), True),
    "eth.precompiles.ecmul": (("ecmul",), True),
    "eth.precompiles.ecpairing": (("ecpairing",), True),
    "eth.precompiles.bls12_381": (("bls12_g1_add", "bls12_g1_msm", "bls12_map_fp_to_g1", "bls12_g2_add",
                                   "bls12_g2_msm", "bls12_map_fp2_to_g2", "bls12_pairing_check"), False),
    "eth.consensus.ethash": (("get_dataset_full_size", "hashimoto_light", "mkcache"), False),
}


class _StandIn(ModuleType):
    pass


def load(name: str) -> ModuleType:
    """py-evm's real module `name`, imported now if it is not yet (it replaces the stand-in)."""
    module = sys.modules.get(name)
    if module is not None and not isinstance(module, _StandIn):
        return module
    parent = sys.modules[name.rpartition(".")[0]]
    spec = PathFinder.find_spec(name, parent.__path__)
    real = importlib.util.module_from_spec(spec)
    sys.modules[name] = real
    try:
        spec.loader.exec_module(real)
    except BaseException:
        sys.modules[name] = module
        raise
    return real


class LazyFunction:
    """Stands for function `attr` of module `module`; a curried one binds keyword arguments
    when called without positional ones."""

    def __init__(self, module: str, attr: str, curried: bool, kwargs: dict | None = None) -> None:
        self.module, self.attr, self.curried, self.kwargs = module, attr, curried, kwargs or {}
        self.__name__ = attr

    def __call__(self, *args, **kwargs):
        if self.curried and not args:
            return LazyFunction(self.module, self.attr, True, {**self.kwargs, **kwargs})
        real = getattr(load(self.module), self.attr)
        return real(*args, **{**self.kwargs, **kwargs})

    def __repr__(self) -> str:
        return f"<lazy {self.module}.{self.attr}{' ' + str(self.kwargs) if self.kwargs else ''}>"


def _package_path(name: str):
    """Where package `name` of `eth` lies (without importing `eth`), so that its submodules (the
    gas constants) still import normally under the stand-in; None for a plain module."""
    root = importlib.util.find_spec("eth")
    path = os.path.join(os.path.dirname(root.origin), *name.split(".")[1:])
    return [path] if os.path.isdir(path) else None


class _DeferredModel(type):
    def __instancecheck__(cls, value) -> bool:
        real = sys.modules.get(cls.__module__)
        return real is not None and not isinstance(real, _StandIn) and isinstance(value, real.CamelModel)


def _keep_pydantic_lazy() -> None:
    """Import eth-utils with a stand-in for its pydantic module, then withdraw the stand-in, so
    that an explicit `import eth_utils.pydantic` afterwards loads the real one."""
    name = "eth_utils.pydantic"
    stand_in = _StandIn(name)
    stand_in.CamelModel = _DeferredModel("CamelModel", (), {"__module__": name})
    sys.modules[name] = stand_in
    try:
        import eth_utils  # noqa: F401
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


def install() -> None:
    if "eth_utils" not in sys.modules and "pydantic" not in sys.modules:
        _keep_pydantic_lazy()
    if "eth" in sys.modules:
        return
    for name, (attrs, curried) in LAZY.items():
        stand_in = _StandIn(name)
        path = _package_path(name)
        if path is not None:
            stand_in.__path__ = path
        for attr in attrs:
            setattr(stand_in, attr, LazyFunction(name, attr, curried))
        sys.modules[name] = stand_in
