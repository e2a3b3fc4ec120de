"""ECADD, ECMUL and ECPAIRING (EIP-196, EIP-197; Byzantium, repriced by EIP-1108 in Istanbul) on
this project's C arithmetic (witnessverify/_bn254.c) instead of py-evm's py_ecc versions.

py_ecc spends about a second of CPU on a 2-pair pairing check; SNARK verifiers, on every L2 today,
make several per transaction. The C module does the field and curve work; these functions are
py-evm's (eth/precompiles/ecadd.py, ecmul.py, ecpairing.py), step for step, with only the
arithmetic moved:

  ECADD      input right-padded with zeros to 128 bytes (longer input ignored); two G1 points,
             each coordinate below p and on the curve, or (0, 0), the point at infinity
  ECMUL      input right-padded to 96 bytes: a G1 point as above and a 256-bit scalar (not reduced:
             [k]P depends on k mod r alone, G1 having prime order)
  ECPAIRING  input a whole number of 192-byte pairs, else the call fails before gas is charged;
             the G2 point's coordinates are (x imaginary, x real, y imaginary, y real), each below
             p; (0, 0, 0, 0) is infinity, any other point must be on the twist and in the order-r
             subgroup; a pair holding infinity contributes 1; the result is 32 bytes, 1 if the
             product of the pairings is 1, else 0
  outputs    64 bytes, infinity as zeros
  failures   every invalid input is a VMError, as in py-evm: the call fails, consuming its gas

WV_PURE_PYTHON=1, or a machine where the C module did not build, keeps py-evm's versions
(native.py). tests/unit/rules/l1/test_bn254.py runs both on the same seeded random inputs, valid
and invalid, and on the EIP-196/197 vectors of the execution specs' test suite.
"""

from __future__ import annotations

from eth.exceptions import VMError

FIELD_MODULUS = 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47
GROUP_ORDER = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001


def _hard_part_digits() -> bytes:
    """The final exponentiation's hard part, (p^4 - p^2 + 1)/r, in base p: four 32-byte digits
    (the C module raises g, g^p, g^(p^2), g^(p^3) to them at once). Its easy part is
    (p^6 - 1)(p^2 + 1); the two multiply to (p^12 - 1)/r, which is checked here."""
    p, r = FIELD_MODULUS, GROUP_ORDER
    hard, left = divmod(p**4 - p**2 + 1, r)
    assert left == 0 and (p**6 - 1) * (p**2 + 1) * hard == (p**12 - 1) // r
    digits, rest = [], hard
    for _ in range(4):
        rest, digit = divmod(rest, p)
        digits.append(digit)
    assert rest == 0 and sum(d * p**j for j, d in enumerate(digits)) == hard
    return b"".join(d.to_bytes(32, "big") for d in digits)


FINAL_EXPONENT_DIGITS = _hard_part_digits()
PAIR_SIZE = 192

# (ECADD, ECMUL, ECPAIRING base, ECPAIRING per pair): EIP-196/197's prices, then EIP-1108's
GAS_BYZANTIUM = (500, 40_000, 100_000, 80_000)
GAS_ISTANBUL = (150, 6_000, 45_000, 34_000)


def _c():
    from ... import _bn254

    return _bn254


def _padded(data, size: int) -> bytes:
    return bytes(data[:size]).ljust(size, b"\x00")


def make_ecadd(gas: int):
    def ecadd(computation):
        computation.consume_gas(gas, reason="ECADD Precompile")
        data = _padded(computation.msg.data_as_bytes, 128)
        result = _c().g1_add(data[:64], data[64:])
        if result is None:
            raise VMError("Invalid ECADD parameters")
        computation.output = result
        return computation

    return ecadd


def make_ecmul(gas: int):
    def ecmul(computation):
        computation.consume_gas(gas, reason="ECMUL Precompile")
        data = _padded(computation.msg.data_as_bytes, 96)
        result = _c().g1_mul(data[:64], data[64:])
        if result is None:
            raise VMError("Invalid ECMUL parameters")
        computation.output = result
        return computation

    return ecmul


def make_ecpairing(base: int, per_pair: int):
    def ecpairing(computation):
        data = bytes(computation.msg.data)
        if len(data) % PAIR_SIZE:
            raise VMError("Invalid ECPAIRING parameters")
        computation.consume_gas(base + per_pair * (len(data) // PAIR_SIZE), reason="ECPAIRING Precompile")
        result = _c().pairing_check(data, FINAL_EXPONENT_DIGITS)
        if result is None:
            raise VMError("Invalid ECPAIRING parameters")
        computation.output = (b"\x00" * 31) + (b"\x01" if result else b"\x00")
        return computation

    return ecpairing


def precompiles(gas: tuple) -> dict:
    """Address -> function for 0x06, 0x07 and 0x08 at the given prices."""
    add, mul, base, per_pair = gas
    return {(6).to_bytes(20, "big"): make_ecadd(add), (7).to_bytes(20, "big"): make_ecmul(mul),
            (8).to_bytes(20, "big"): make_ecpairing(base, per_pair)}
