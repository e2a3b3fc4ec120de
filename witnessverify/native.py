"""Native backends for the primitives py-evm spends its time in, with the original ones selectable.

  keccak-256  safe-pysha3 (eth-hash's "pysha3" backend), about 5x faster a call than
              pycryptodome's, which eth-hash picks by default; every trie node, account and
              storage key, code hash and KECCAK256 opcode goes through it
  secp256k1   coincurve (libsecp256k1; eth-keys' CoinCurveECCBackend) for transaction senders,
              EIP-7702 authorities and ECRECOVER, instead of eth-keys' Python curve code
  BLS12-381   py-arkworks-bls12381 for the EIP-2537 precompiles (rules/l1/bls12_381.py) instead
              of py-evm's py_ecc versions: a pairing check ~1 ms instead of ~0.8 s
  BN254       this project's C module (_bn254.c, built by pip where a C compiler exists) for
              ECADD, ECMUL and ECPAIRING (rules/l1/bn254.py) instead of py_ecc: a 2-pair pairing
              check in milliseconds instead of about a second

eth-hash and eth-keys take their backend from an environment variable: eth-hash reads
ETH_HASH_BACKEND when it first hashes, eth-keys reads ECC_BACKEND_CLASS on each use. `configure()`
sets them when witnessverify is imported: to the native backends unless they are set already (an
explicit choice wins), or, with WV_PURE_PYTHON=1, to the original backends whatever they were. The
BLS12-381 precompiles are chosen where each fork's VM class is built (rules/l1/vm.py).

WV_PURE_PYTHON=1 therefore runs what py-evm runs by itself: pycryptodome for keccak, eth-keys'
Python secp256k1, py_ecc for BLS12-381 and BN254. tests/integration/test_native_backends.py runs both on the
same inputs and requires the same answers.
"""

from __future__ import annotations

import os

PURE_PYTHON = os.environ.get("WV_PURE_PYTHON", "") not in ("", "0")

NATIVE = {"ETH_HASH_BACKEND": "pysha3", "ECC_BACKEND_CLASS": "eth_keys.backends.CoinCurveECCBackend"}
ORIGINAL = {"ETH_HASH_BACKEND": "pycryptodome", "ECC_BACKEND_CLASS": "eth_keys.backends.NativeECCBackend"}


def _available(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def configure() -> None:
    """Point eth-hash and eth-keys at the chosen backends (only where not chosen already)."""
    choice = dict(ORIGINAL if PURE_PYTHON else NATIVE)
    if not PURE_PYTHON:  # a missing native package falls back to the original backend
        if not _available("sha3"):
            choice["ETH_HASH_BACKEND"] = ORIGINAL["ETH_HASH_BACKEND"]
        if not _available("coincurve"):
            choice["ECC_BACKEND_CLASS"] = ORIGINAL["ECC_BACKEND_CLASS"]
    for name, value in choice.items():
        if PURE_PYTHON:
            os.environ[name] = value
        else:
            os.environ.setdefault(name, value)


def native_bls12_381() -> bool:
    """Whether the EIP-2537 precompiles run on arkworks (else py-evm's py_ecc code)."""
    return not PURE_PYTHON and _available("py_arkworks_bls12381")


def native_bn254() -> bool:
    """Whether ECADD, ECMUL and ECPAIRING run on this project's C module (else py-evm's py_ecc code)."""
    return not PURE_PYTHON and _available("witnessverify._bn254")


def backends() -> dict[str, str]:
    """What is in use, for reports and tests."""
    chosen = {name: os.environ.get(name, "") for name in NATIVE}
    chosen["BLS12_381"] = "arkworks" if native_bls12_381() else "py_ecc"
    chosen["BN254"] = "witnessverify._bn254" if native_bn254() else "py_ecc"
    return chosen
