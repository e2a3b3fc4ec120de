"""The native backends (witnessverify/native.py, rules/l1/bls12_381.py) against the original ones
on the same inputs, and the lazy imports (lazy_imports.py):

  - keccak-256: safe-pysha3 and pycryptodome on every item of the bundled witnesses;
  - secp256k1: coincurve and eth-keys' Python code recover the same senders of real transactions;
  - BLS12-381 (EIP-2537): arkworks and py-evm's py_ecc precompiles give the same output and gas,
    or both fail, on valid points and on every kind of invalid input;
  - BN254: the C module is built where a compiler exists and serves Byzantium on at each fork's
    price (its differential test against py_ecc: tests/unit/rules/l1/test_bn254.py);
  - WV_PURE_PYTHON=1 selects the original backends; the curve code loads on first use.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys


from witnessverify import sources
from witnessverify.chains import resolve_chain

from tests.helpers.fixtures import BUNDLES, REPO
from tests.helpers.precompile_call import PrecompileCall, outcome

BUNDLE_FILES = sorted(p.name for p in BUNDLES.glob("*.json"))


def _witness_items():
    for name in BUNDLE_FILES:
        (bundle,) = sources.load(BUNDLES / name)
        yield from bundle.state
        yield from bundle.codes


def test_keccak_backends_agree_on_witness_nodes():
    from eth_hash.backends import pycryptodome, pysha3

    for raw in _witness_items():
        assert pysha3.keccak256(raw) == pycryptodome.keccak256(raw)


def test_sender_recovery_backends_agree_on_real_transactions(monkeypatch):
    """coincurve and eth-keys' Python secp256k1 recover the same senders (eth-keys reads
    ECC_BACKEND_CLASS on each use)."""
    from witnessverify.pipeline import prepare

    checked = []
    for name in ("1-24628607.json", "10-121003241.json", "42220-75046581.json"):
        (bundle,) = sources.load(BUNDLES / name)
        checked += list(prepare(bundle, resolve_chain(None, bundle.chain_id, name)).block.transactions)
    senders = {}
    for backend in ("eth_keys.backends.CoinCurveECCBackend", "eth_keys.backends.NativeECCBackend"):
        monkeypatch.setenv("ECC_BACKEND_CLASS", backend)
        senders[backend] = [t.get_sender() for t in checked if hasattr(t, "get_sender")]
    assert len(senders["eth_keys.backends.NativeECCBackend"]) > 50
    assert senders["eth_keys.backends.CoinCurveECCBackend"] == senders["eth_keys.backends.NativeECCBackend"]


def _python(code: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("ETH_HASH_BACKEND", "ECC_BACKEND_CLASS")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            env={**clean, **env}, check=True)
    return result.stdout.strip()


def test_curve_precompiles_load_on_first_use():
    """BLS12-381 and BN254 code is not imported until a precompile is called; the block with
    ECADD, ECMUL and ECPAIRING calls verifies on the C module, py_ecc never loaded, and under
    WV_PURE_PYTHON=1 through py-evm's lazy stand-ins, which load py_ecc."""
    script = (
        "import sys, witnessverify.pipeline as p, witnessverify.sources as s\n"
        "print('py_ecc.optimized_bls12_381' in sys.modules, 'py_ecc.optimized_bn128' in sys.modules)\n"
        "(b,) = s.load('witnesses/17000-2860556.json')\n"
        "print(p.verify_bundle(b).verdict, 'py_ecc.optimized_bn128' in sys.modules,"
        " 'py_ecc.optimized_bls12_381' in sys.modules, 'witnessverify._bn254' in sys.modules)\n"
    )
    assert _python(script).splitlines() == ["False False", "VALID False False True"]
    assert _python(script, WV_PURE_PYTHON="1").splitlines() == ["False False", "VALID True False False"]


def test_an_l1_verify_loads_neither_pydantic_nor_the_l2_rules():
    """Start-up: a whole verification of an L1 block imports no pydantic (eth-utils' helpers
    module is a stand-in) and none of the OP, Base and Celo rule modules; the stand-in's
    CamelModel answers isinstance as the real one does once the real module is loaded."""
    script = (
        "import sys, witnessverify.pipeline as p, witnessverify.sources as s, eth_utils\n"
        "(b,) = s.load('witnesses/560048-1151683.json')\n"
        "print(p.verify_bundle(b).verdict, 'pydantic' in sys.modules,"
        " any(m.startswith(('witnessverify.rules.op', 'witnessverify.rules.base', 'witnessverify.rules.celo'))"
        " for m in sys.modules), isinstance({}, eth_utils.CamelModel))\n"
        "from eth_utils.pydantic import CamelModel\n"
        "class Model(CamelModel):\n    value: int = 1\n"
        "print('pydantic' in sys.modules, isinstance(Model(), eth_utils.CamelModel), isinstance({}, eth_utils.CamelModel))\n"
        "(b,) = s.load('witnesses/10-121003241.json')\n"
        "print(p.verify_bundle(b).verdict)\n"
    )
    assert _python(script).splitlines() == ["VALID False False False", "True True False", "VALID"]


def test_bn254_module_built_where_a_compiler_exists():
    """The C module is optional at build time; where the machine has a compiler (CI does) its
    absence is a broken build, not a quiet fall-back to py_ecc."""
    import shutil
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if not shutil.which(compiler):
        import pytest

        pytest.skip(f"no C compiler ({compiler}): BN254 runs on py_ecc here")
    from witnessverify import native

    assert native.native_bn254(), "witnessverify._bn254 did not build: pip install -e . again"
    assert native.backends()["BN254"] == "witnessverify._bn254"


def test_byzantium_and_later_use_the_c_module_at_each_forks_price():
    from witnessverify.rules.l1.vm import witness_vm_class

    def precompiles(fork):
        return witness_vm_class(fork).get_state_class().computation_class.get_precompiles()

    pairing = (0x08).to_bytes(20, "big")
    assert pairing not in precompiles("spurious_dragon")
    for fork, gas in (("byzantium", (500, 40_000)), ("petersburg", (500, 40_000)),
                      ("istanbul", (150, 6_000)), ("prague", (150, 6_000))):
        table = precompiles(fork)
        assert table[pairing].__module__ == "witnessverify.rules.l1.bn254", fork
        for address, price in zip((0x06, 0x07), gas):
            call = PrecompileCall(b"")
            table[address.to_bytes(20, "big")](call)
            assert (call.gas, call.output) == (price, bytes(64)), (fork, address)


def test_pure_python_backends_selectable():
    out = _python(
        "import witnessverify, witnessverify.native as n; from eth_hash.auto import keccak; keccak(b'');"
        "print(n.backends()['ETH_HASH_BACKEND'], n.backends()['ECC_BACKEND_CLASS'].rsplit('.', 1)[1],"
        " type(keccak._backend.keccak256.__self__).__name__)",
        WV_PURE_PYTHON="1",
    )
    assert out == "pycryptodome NativeECCBackend CryptodomeBackend"
    out = _python("import witnessverify.native as n; from eth_hash.auto import keccak; keccak(b'');"
                  "print(type(keccak._backend.keccak256.__self__).__name__)")
    assert out == "PySha3Backend"


# -- BLS12-381 ----------------------------------------------------------------------------------------
def _inputs(rng: random.Random):
    """EIP-2537 inputs for each precompile: valid ones and each way to be invalid."""
    from py_ecc.bls.hash_to_curve import map_to_curve_G1, map_to_curve_G2
    from py_ecc.fields import optimized_bls12_381_FQ as FQ, optimized_bls12_381_FQ2 as FQ2
    from py_ecc.optimized_bls12_381 import G1, G2, Z1, Z2, multiply, neg, normalize
    from witnessverify.rules.l1.bls12_381 import FIELD_MODULUS as P

    def fp(v):
        return int(v).to_bytes(64, "big")

    def g1(pt):
        if pt == Z1 or pt is None:
            return bytes(128)
        x, y = normalize(pt)
        return fp(x) + fp(y)

    def g2(pt):
        if pt == Z2 or pt is None:
            return bytes(256)
        x, y = normalize(pt)
        return fp(x.coeffs[0]) + fp(x.coeffs[1]) + fp(y.coeffs[0]) + fp(y.coeffs[1])

    a, b = rng.randrange(1, 2**64), rng.randrange(1, 2**64)
    p1, q1 = multiply(G1, a), multiply(G1, b)
    p2, q2 = multiply(G2, a), multiply(G2, b)
    outside1 = g1(map_to_curve_G1(FQ(rng.randrange(P))))  # on the curve, not in the subgroup
    outside2 = g2(map_to_curve_G2(FQ2((rng.randrange(P), rng.randrange(P)))))
    off1 = g1(p1)[:127] + bytes([g1(p1)[127] ^ 1])  # not on the curve
    off2 = g2(p2)[:255] + bytes([g2(p2)[255] ^ 1])
    big1 = fp(P) + g1(p1)[64:]  # x = p
    top1 = b"\x01" + g1(p1)[1:]  # a non-zero top byte
    scalar = rng.choice([0, 1, a, 2**256 - 1, 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001])
    s = scalar.to_bytes(32, "big")
    return {
        "g1_add": [g1(p1) + g1(q1), g1(p1) + g1(neg(p1)), bytes(128) + g1(q1), outside1 + g1(p1), off1 + g1(q1),
                   big1 + g1(q1), top1 + g1(q1), g1(p1) + g1(q1)[:-1]],
        "g2_add": [g2(p2) + g2(q2), g2(p2) + g2(neg(p2)), bytes(256) + g2(q2), outside2 + g2(p2), off2 + g2(q2)],
        "g1_msm": [g1(p1) + s, g1(p1) + s + g1(q1) + s, bytes(128) + s, outside1 + s, off1 + s, g1(p1) + s[:-1], b""],
        "g2_msm": [g2(p2) + s, g2(p2) + s + g2(q2) + s, outside2 + s, off2 + s],
        "pairing": [g1(p1) + g2(q2) + g1(neg(q1)) + g2(p2), g1(p1) + g2(q2), bytes(128) + g2(q2),
                    outside1 + g2(q2), g1(p1) + outside2, off1 + g2(q2)],
        "map_fp_to_g1": [fp(rng.randrange(P)), fp(0), fp(P - 1), fp(P), b"\x01" + bytes(63), fp(1)[:-1]],
        "map_fp2_to_g2": [fp(rng.randrange(P)) + fp(rng.randrange(P)), bytes(128), fp(P) + fp(1), fp(1) + fp(P)],
    }


def test_bls12_381_backends_agree():
    from witnessverify import lazy_imports
    from witnessverify.rules.l1 import bls12_381 as native

    original = lazy_imports.load("eth.precompiles.bls12_381")
    names = {"g1_add": "bls12_g1_add", "g2_add": "bls12_g2_add", "g1_msm": "bls12_g1_msm", "g2_msm": "bls12_g2_msm",
             "pairing": "bls12_pairing_check", "map_fp_to_g1": "bls12_map_fp_to_g1",
             "map_fp2_to_g2": "bls12_map_fp2_to_g2"}
    outcomes = set()
    for seed in range(2):
        for kind, inputs in _inputs(random.Random(seed)).items():
            for data in inputs:
                if kind == "pairing" and seed:  # py_ecc's pairing is slow: one round is enough
                    continue
                expected = outcome(getattr(original, names[kind]), data)
                assert outcome(getattr(native, names[kind]), data) == expected, (kind, data.hex()[:80])
                outcomes.add((kind, expected[0]))
    assert {(k, r) for k in names for r in ("ok", "error")} <= outcomes


def test_prague_and_later_use_arkworks_unless_pure_python():
    from witnessverify.rules.l1 import bls12_381
    from witnessverify.rules.l1.vm import witness_vm_class

    address = (0x0F).to_bytes(20, "big")
    assert witness_vm_class("prague").get_state_class().computation_class.get_precompiles()[address] \
        is bls12_381.bls12_pairing_check
    assert address not in witness_vm_class("cancun").get_state_class().computation_class.get_precompiles()
    out = _python("from witnessverify.rules.l1.vm import witness_vm_class\n"
                  "print(witness_vm_class('osaka').get_state_class().computation_class.get_precompiles()"
                  "[(0x0F).to_bytes(20, 'big')])", WV_PURE_PYTHON="1")
    assert "lazy eth.precompiles.bls12_381.bls12_pairing_check" in out


# -- KZG point evaluation -----------------------------------------------------------------------------
def test_point_evaluation_is_py_evms_with_the_setup_loaded_once():
    """Ours and py-evm's on a real proof (made with ckzg from a blob) and on broken variants:
    the same output, gas or error; and ours loads the trusted setup once."""
    import hashlib

    import ckzg
    from eth.precompiles.point_evaluation import point_evaluation_precompile

    from witnessverify.rules.l1 import point_evaluation as ours

    setup = ours.trusted_setup()
    blob = b"".join((i * 7919).to_bytes(32, "big") for i in range(4096))
    commitment = ckzg.blob_to_kzg_commitment(blob, setup)
    z = (12345).to_bytes(32, "big")
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    good = versioned + z + y + commitment + proof
    cases = [good, good[:-1], versioned + z + (int.from_bytes(y, "big") ^ 1).to_bytes(32, "big") + commitment + proof,
             b"\x02" + good[1:], versioned + (2**256 - 1).to_bytes(32, "big") + y + commitment + proof]
    for data in cases:
        assert outcome(ours.point_evaluation, data) == outcome(point_evaluation_precompile, data), data.hex()[:80]
    assert outcome(ours.point_evaluation, good)[0] == "ok"
    assert ours.trusted_setup.cache_info().misses == 1
