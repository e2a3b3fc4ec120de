"""The EIP-4844 point evaluation precompile (0x0a, Cancun on) with the KZG trusted setup loaded once.

py-evm's version (eth/precompiles/point_evaluation.py) calls ckzg's `load_trusted_setup` on the
setup's text file inside every call: about 1.5 s of CPU per call, so a block with one call to 0x0a
took seconds, and the EEST Cancun network spent most of its conformance time there. This is
py-evm's function, step for step (gas first, the 192-byte length, the versioned hash of the
commitment, ckzg's `verify_kzg_proof`, the same errors and output), with the same setup file
loaded on the first call and kept: ckzg's settings object is read-only once loaded.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from eth._utils.address import force_bytes_to_address
from eth.exceptions import VMError
from eth.vm.forks.cancun.constants import (
    BLS_MODULUS,
    FIELD_ELEMENTS_PER_BLOB,
    POINT_EVALUATION_PRECOMPILE_ADDRESS,
    POINT_EVALUATION_PRECOMPILE_GAS,
    VERSIONED_HASH_VERSION_KZG,
)

ADDRESS = force_bytes_to_address(POINT_EVALUATION_PRECOMPILE_ADDRESS)
OUTPUT = FIELD_ELEMENTS_PER_BLOB.to_bytes(32, "big") + BLS_MODULUS.to_bytes(32, "big")


@lru_cache(maxsize=1)
def trusted_setup():
    """py-evm's trusted setup (the mainnet KZG ceremony's), loaded by ckzg once."""
    import ckzg
    from eth.precompiles.point_evaluation import TRUSTED_SETUP_PATH

    return ckzg.load_trusted_setup(TRUSTED_SETUP_PATH, 0)


def point_evaluation(computation):
    import ckzg

    computation.consume_gas(POINT_EVALUATION_PRECOMPILE_GAS, reason="Point Evaluation Precompile")
    data = computation.msg.data_as_bytes
    if len(data) != 192:
        raise VMError("Point evaluation invalid input length.")
    versioned_hash, z, y, commitment, proof = data[:32], data[32:64], data[64:96], data[96:144], data[144:192]
    if VERSIONED_HASH_VERSION_KZG + hashlib.sha256(commitment).digest()[1:] != versioned_hash:
        raise VMError("Point evaluation commitment does not match versioned hash.")
    try:
        valid = ckzg.verify_kzg_proof(commitment, z, y, proof, trusted_setup())
    except RuntimeError:  # ckzg's error for inputs it cannot read (a point not on the curve, ...)
        valid = False
    if not valid:
        raise VMError("Point evaluation KZG proof verification failed.")
    computation.output = OUTPUT
    return computation
