"""The EIP-2537 BLS12-381 precompiles (Prague, 0x0b..0x11) on arkworks (py-arkworks-bls12381).

py-evm's own versions (eth/precompiles/bls12_381/) do the curve arithmetic in py_ecc: a pairing
check of two pairs costs about 0.8 s of CPU, a G1 multiplication 10 ms; arkworks does the same
in about a millisecond and a tenth of a millisecond. These functions are py-evm's, step for step
(same input lengths and order of checks, same gas, the same errors, which are all VMErrors and so
consume all gas of the call), with only the arithmetic moved:

  decoding a point   each 64-byte coordinate must be below the field modulus (py-evm's check, which
                     also rejects a non-zero top 16 bytes); (0, 0) is the point at infinity; the
                     point must be on the curve (arkworks' unchecked decoding checks only that)
  subgroup checks    MSM inputs and pairing inputs, not ADD inputs (as py-evm and the EIP)
  MSM                scalars are taken modulo the group order, which is the same product for points
                     of the subgroup; the result of k pairs is their sum
  maps to curves     the EIP's SWU map with isogeny and cofactor clearing (arkworks' map_from_fp*)
  outputs            each 48-byte coordinate padded to 64 bytes; infinity is all zeros

WV_PURE_PYTHON=1 keeps py-evm's py_ecc versions (native.py). tests/test_interpreter.py runs both
on the same inputs, valid and invalid, and the EEST conformance suite covers EIP-2537 through
`witnessverify blocktest`.
"""

from __future__ import annotations

from eth.exceptions import VMError
from eth.precompiles.bls12_381.constants import (
    BLS12_G1_ADD_GAS,
    BLS12_G1_MSM_GAS,
    BLS12_G2_ADD_GAS,
    BLS12_G2_MSM_GAS,
    BLS12_MAP_FP2_G2_GAS,
    BLS12_MAP_FP_G1_GAS,
    G1_MSM_DISCOUNTS,
    G1_MSM_MAX_DISCOUNT,
    G2_MSM_DISCOUNTS,
    G2_MSM_MAX_DISCOUNT,
    MSM_MULTIPLIER,
)

FIELD_MODULUS = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
PAD = bytes(16)
G1_MSM_PAIR, G2_MSM_PAIR, PAIRING_PAIR = 160, 288, 384


def _arkworks():
    import py_arkworks_bls12381

    return py_arkworks_bls12381


# -- encoding -------------------------------------------------------------------------------------
def _field_element(data: bytes, what: str) -> bytes:
    """A 64-byte big-endian coordinate below the modulus, as arkworks' 48 bytes."""
    if int.from_bytes(data, "big") >= FIELD_MODULUS:
        raise VMError(f"{what} >= field modulus")
    return bytes(data[16:])


def _g1(data: bytes):
    if len(data) != 128:
        raise VMError("Length of data must be 128 bytes for G1 point")
    xy = _field_element(data[:64], "x") + _field_element(data[64:], "y")
    try:
        return _arkworks().G1Point.from_xy_bytes_unchecked_be(xy)
    except ValueError:
        raise VMError("Point is not on curve") from None


def _g2(data: bytes):
    if len(data) != 256:
        raise VMError("Length of data must be 256 bytes for G2 point")
    xy = b"".join(_field_element(data[i : i + 64], f"coordinate {i // 64}") for i in range(0, 256, 64))
    try:
        return _arkworks().G2Point.from_xy_bytes_unchecked_be(xy)
    except ValueError:
        raise VMError("Point is not on curve") from None


def _in_subgroup(point, what: str):
    if not point.is_in_subgroup():
        raise VMError(f"{what} failed sub-group check.")
    return point


def _encode(point) -> bytes:
    xy = point.to_xy_bytes_be()
    return b"".join(PAD + xy[i : i + 48] for i in range(0, len(xy), 48))


def _scalar(data: bytes):
    return _arkworks().Scalar.from_be_bytes_mod_order(bytes(data))


# -- the precompiles ------------------------------------------------------------------------------
def bls12_g1_add(computation):
    data = computation.msg.data
    if len(data) != 256:
        raise VMError("Length of data must be 256 bytes for BLS12_G1ADD")
    computation.consume_gas(BLS12_G1_ADD_GAS, reason="BLS12_G1ADD gas")
    computation.output = _encode(_g1(data[:128]) + _g1(data[128:]))


def bls12_g2_add(computation):
    data = computation.msg.data
    if len(data) != 512:
        raise VMError("Length of data must be 512 for g2 add")
    computation.consume_gas(BLS12_G2_ADD_GAS, "BLS12_G2ADD gas")
    computation.output = _encode(_g2(data[:256]) + _g2(data[256:512]))


def _msm(computation, data, pair: int, gas: int, discounts, max_discount, decode, point_class, name):
    if len(data) == 0 or len(data) % pair != 0:
        raise VMError(f"Length of data must be a multiple of {pair} bytes for {name}")
    k = len(data) // pair
    discount = discounts[k - 1] if k <= 128 else max_discount
    computation.consume_gas(k * gas * discount // MSM_MULTIPLIER, f"{name} gas")
    points, scalars = [], []
    for i in range(k):
        chunk = data[i * pair : (i + 1) * pair]
        points.append(_in_subgroup(decode(chunk[: pair - 32]), "Point"))
        scalars.append(_scalar(chunk[pair - 32 :]))
    computation.output = _encode(point_class.multiexp_unchecked(points, scalars))


def bls12_g1_msm(computation):
    _msm(computation, computation.msg.data, G1_MSM_PAIR, BLS12_G1_MSM_GAS, G1_MSM_DISCOUNTS, G1_MSM_MAX_DISCOUNT,
         _g1, _arkworks().G1Point, "BLS12_G1MSM")


def bls12_g2_msm(computation):
    _msm(computation, computation.msg.data, G2_MSM_PAIR, BLS12_G2_MSM_GAS, G2_MSM_DISCOUNTS, G2_MSM_MAX_DISCOUNT,
         _g2, _arkworks().G2Point, "BLS12_G2MSM")


def bls12_map_fp_to_g1(computation):
    data = computation.msg.data
    if len(data) != 64:
        raise VMError("Length of data must be 64 bytes for BLS12_MAP_FP_TO_G1")
    computation.consume_gas(BLS12_MAP_FP_G1_GAS, reason="BLS12_MAP_FP_TO_G1 gas")
    computation.output = _encode(_arkworks().G1Point.map_from_fp_be(_field_element(data, "coordinate")))


def bls12_map_fp2_to_g2(computation):
    data = computation.msg.data
    if len(data) != 128:
        raise VMError("Length of data must be 128 bytes for BLS12_MAP_FP2_TO_G2")
    computation.consume_gas(BLS12_MAP_FP2_G2_GAS, "BLS12_MAP_FP2_TO_G2 gas")
    fp2 = _field_element(data[:64], "coordinate 0") + _field_element(data[64:], "coordinate 1")
    computation.output = _encode(_arkworks().G2Point.map_from_fp2_be(fp2))


def bls12_pairing_check(computation):
    data = computation.msg.data
    if len(data) == 0 or len(data) % PAIRING_PAIR != 0:
        raise VMError("Length of data must be a multiple of 384 bytes for BLS12_PAIRING_CHECK")
    k = len(data) // PAIRING_PAIR
    computation.consume_gas(32600 * k + 37700, "BLS12_PAIRING_CHECK gas")
    g1s, g2s = [], []
    for i in range(k):
        start = PAIRING_PAIR * i
        g1s.append(_in_subgroup(_g1(data[start : start + 128]), "G1 point"))
        g2s.append(_in_subgroup(_g2(data[start + 128 : start + 384]), "G2 point"))
    computation.output = b"\x00" * 31 + b"\x01" if _arkworks().GT.pairing_check(g1s, g2s) else b"\x00" * 32


# address -> precompile (the addresses of eth/vm/forks/prague/constants.py)
PRECOMPILES = {
    (0x0B).to_bytes(20, "big"): bls12_g1_add,
    (0x0C).to_bytes(20, "big"): bls12_g1_msm,
    (0x0D).to_bytes(20, "big"): bls12_g2_add,
    (0x0E).to_bytes(20, "big"): bls12_g2_msm,
    (0x0F).to_bytes(20, "big"): bls12_pairing_check,
    (0x10).to_bytes(20, "big"): bls12_map_fp_to_g1,
    (0x11).to_bytes(20, "big"): bls12_map_fp2_to_g2,
}
