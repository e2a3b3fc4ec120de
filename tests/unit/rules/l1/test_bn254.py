"""The BN254 precompiles in C (witnessverify/_bn254.c, rules/l1/bn254.py) against py-evm's py_ecc
versions on the same inputs: the same output and gas, or both fail.

Inputs are seeded and random: points of G1 and G2 (multiples of the generators), infinity in each
position, points off the curve, coordinates at or above p, G2 points on the twist but outside the
order-r subgroup (the twist's order is r (2p - r), so a random twist point is almost never in it),
scalars of every size, pairings whose product is 1 and ones whose product is not, and lengths that
are short, long or not a whole number of pairs. The conformance side (EIP-196/197's vectors in
the static state tests) is tests/differential/test_bn254_conformance.py.
"""

from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as bn

from witnessverify import lazy_imports, native
from witnessverify.rules.l1 import bn254

from tests.helpers.precompile_call import outcome

pytestmark = pytest.mark.skipif(not native.native_bn254(), reason="the C module is not built here")

P, R = bn.field_modulus, bn.curve_order
FQ2 = bn.FQ2


def _word(v: int) -> bytes:
    return int(v).to_bytes(32, "big")


def g1(pt) -> bytes:
    if pt is None or bn.is_inf(pt):
        return bytes(64)
    x, y = bn.normalize(pt)
    return _word(x) + _word(y)


def g2(pt) -> bytes:
    if pt is None or bn.is_inf(pt):
        return bytes(128)
    x, y = bn.normalize(pt)
    return _word(x.coeffs[1]) + _word(x.coeffs[0]) + _word(y.coeffs[1]) + _word(y.coeffs[0])


def _sqrt_fq2(a):
    """A square root in Fp2 (p = 3 mod 4; Adj and Rodriguez-Henriquez, algorithm 9), or None."""
    a1 = a ** ((P - 3) // 4)
    alpha = a1 * a1 * a
    if alpha ** P * alpha == FQ2([P - 1, 0]):
        return None
    x0 = a1 * a
    if alpha == FQ2([P - 1, 0]):
        return FQ2([0, 1]) * x0
    return (alpha + FQ2.one()) ** ((P - 1) // 2) * x0


def twist_point_outside_subgroup(rng: random.Random) -> bytes:
    while True:
        x = FQ2([rng.randrange(P), rng.randrange(P)])
        y = _sqrt_fq2(x ** 3 + bn.b2)
        if y is not None:
            assert y * y == x ** 3 + bn.b2
            pt = (x, y, FQ2.one())
            assert not bn.is_inf(bn.multiply(pt, R))
            return g2(pt)


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def inputs(rng: random.Random) -> dict[str, list[bytes]]:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    pa, pb = bn.multiply(bn.G1, a), bn.multiply(bn.G1, b)
    qa, qb = bn.multiply(bn.G2, a), bn.multiply(bn.G2, b)
    outside = twist_point_outside_subgroup(rng)
    off1, off2 = _flip_last(g1(pa)), _flip_last(g2(qa))
    at_p = _word(P) + g1(pa)[32:]
    scalars = [0, 1, 2, a, R - 1, R, R + 1, 2**256 - 1, rng.randrange(2**256), rng.randrange(2**64)]
    product_one = g1(pa) + g2(qb) + g1(bn.neg(bn.multiply(bn.G1, a * b % R))) + g2(bn.G2)
    return {
        "ecadd": [g1(pa) + g1(pb), g1(pa) + g1(pa), g1(pa) + g1(bn.neg(pa)), bytes(64) + g1(pb), g1(pa) + bytes(64),
                  bytes(128), off1 + g1(pb), g1(pa) + off1, at_p + g1(pb), g1(pa) + g1(pb)[:50], b"",
                  g1(pa) + g1(pb) + b"\x07" * 40, _word(P) + _word(0) + bytes(64)],
        "ecmul": [g1(pa) + _word(k) for k in scalars]
                 + [bytes(64) + _word(a), off1 + _word(2), at_p + _word(1), g1(pa) + b"\x01", g1(pa)[:40], b"",
                    g1(pa) + _word(3) + b"\xff" * 8],
        "ecpairing": [b"", product_one, g1(pa) + g2(qb), bytes(64) + g2(qa), g1(pa) + bytes(128),
                      g1(pa) + g2(qb) + bytes(192), product_one + g1(pb) + g2(bn.neg(qa)) + g1(pa) + g2(qb),
                      g1(pa) + outside, bytes(64) + outside, off1 + g2(qa), g1(pa) + off2,
                      g1(pa) + _word(P) + g2(qa)[32:], product_one[:-1], product_one + b"\x00"],
    }


def _original():
    return {name: getattr(lazy_imports.load(f"eth.precompiles.{name}"), name) for name in ("ecadd", "ecmul", "ecpairing")}


@pytest.mark.parametrize("gas", [bn254.GAS_BYZANTIUM, bn254.GAS_ISTANBUL], ids=["byzantium", "istanbul"])
def test_c_and_py_ecc_agree_on_seeded_inputs(gas):
    from eth import constants

    add, mul, base, per_pair = gas
    original = _original()
    reference = {"ecadd": original["ecadd"](gas_cost=add), "ecmul": original["ecmul"](gas_cost=mul),
                 "ecpairing": original["ecpairing"](gas_cost_base=base, gas_cost_per_point=per_pair)}
    ours = {name: fn for name, fn in zip(("ecadd", "ecmul", "ecpairing"), bn254.precompiles(gas).values())}
    assert constants.GAS_ECADD == bn254.GAS_BYZANTIUM[0]  # the Byzantium prices are py-evm's defaults
    outcomes = set()
    for seed in range(3 if gas is bn254.GAS_ISTANBUL else 1):
        for name, cases in inputs(random.Random(seed)).items():
            for data in cases:
                expected = outcome(reference[name], data)
                assert outcome(ours[name], data) == expected, (name, seed, data.hex()[:96])
                outcomes.add((name, expected[0], expected[-1] if name == "ecpairing" or expected[0] == "error" else None))
    assert ("ecpairing", "ok", _word(1)) in outcomes and ("ecpairing", "ok", _word(0)) in outcomes
    assert {("ecadd", "error", "VMError"), ("ecmul", "error", "VMError"), ("ecpairing", "error", "VMError")} <= outcomes


def test_pairing_is_bilinear_and_non_degenerate():
    """Checks that need no reference: e(aP, bQ) e(-abP, Q) = 1, and off by one it is not."""
    from witnessverify import _bn254

    rng = random.Random(7)
    for _ in range(4):
        a, b = rng.randrange(1, R), rng.randrange(1, R)
        left = g1(bn.multiply(bn.G1, a)) + g2(bn.multiply(bn.G2, b))
        assert _bn254.pairing_check(left + g1(bn.neg(bn.multiply(bn.G1, a * b % R))) + g2(bn.G2),
                                    bn254.FINAL_EXPONENT_DIGITS) is True
        assert _bn254.pairing_check(left + g1(bn.neg(bn.multiply(bn.G1, a * b % R + 1))) + g2(bn.G2),
                                    bn254.FINAL_EXPONENT_DIGITS) is False
    assert _bn254.pairing_check(g1(bn.G1) + g2(bn.G2), bn254.FINAL_EXPONENT_DIGITS) is False
    with pytest.raises(ValueError, match="192-byte"):
        _bn254.pairing_check(b"\x00" * 191, bn254.FINAL_EXPONENT_DIGITS)


def test_every_fork_from_byzantium_runs_the_c_module_at_its_prices():
    from witnessverify.rules.l1.vm import witness_vm_class

    def pairing_gas(fork_name):
        precompiles = witness_vm_class(fork_name).get_state_class().computation_class.get_precompiles()
        return outcome(precompiles[(8).to_bytes(20, "big")], b"")

    assert pairing_gas("byzantium") == ("ok", 100_000, _word(1))
    assert pairing_gas("istanbul") == ("ok", 45_000, _word(1))
    assert pairing_gas("osaka") == ("ok", 45_000, _word(1))
    precompiles = witness_vm_class("prague").get_state_class().computation_class.get_precompiles()
    assert precompiles[(8).to_bytes(20, "big")].__module__ == bn254.__name__
    assert (8).to_bytes(20, "big") not in witness_vm_class("spurious_dragon").get_state_class() \
        .computation_class.get_precompiles()
