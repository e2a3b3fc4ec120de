"""MODEXP precompile (0x05): the operation for every fork, and Osaka's pricing.

The operation (EIP-198) is written here rather than taken from py-evm, whose version answers 0
for an empty base with a zero exponent where every client (and the execution specs) answer
0^0 = 1: found by the differential tests against the specs. Each fork keeps its own gas rule:
EIP-198 (Byzantium), EIP-2565 (Berlin), and from Osaka EIP-7823 input bounds (a base, exponent
or modulus length above 1024 bytes is an exceptional halt that consumes all gas of the call) and
EIP-7883 repricing (complexity 16 up to 32 bytes, else 2 * words^2; 16 per exponent byte beyond
32; no divisor; minimum 500).
"""

from __future__ import annotations

from eth.exceptions import VMError
from eth.precompiles.modexp import extract_lengths

MAX_INPUT_LENGTH = 1024
MIN_GAS = 500


class ModexpInputTooLong(VMError):
    """EIP-7823 bound exceeded: burns all gas of the call."""


def _iterations(exponent_length: int, exponent_head: int) -> int:
    bits = max(exponent_head.bit_length() - 1, 0)
    if exponent_length <= 32:
        count = bits
    else:
        count = 16 * (exponent_length - 32) + bits
    return max(count, 1)


def osaka_modexp_gas(data: bytes) -> int:
    base_length, exponent_length, modulus_length = extract_lengths(data)
    for name, length in (("base", base_length), ("exponent", exponent_length), ("modulus", modulus_length)):
        if length > MAX_INPUT_LENGTH:
            raise ModexpInputTooLong(f"MODEXP {name} length {length} exceeds {MAX_INPUT_LENGTH}")
    start = 96 + base_length
    head_bytes = data[start : start + min(exponent_length, 32)]
    head_bytes = head_bytes + b"\x00" * (min(exponent_length, 32) - len(head_bytes))
    exponent_head = int.from_bytes(head_bytes, "big")
    max_length = max(base_length, modulus_length)
    words = (max_length + 7) // 8
    complexity = 16 if max_length <= 32 else 2 * words * words
    return max(MIN_GAS, complexity * _iterations(exponent_length, exponent_head))


def _read(data: bytes, start: int, length: int) -> bytes:
    chunk = data[start : start + length]
    return chunk + b"\x00" * (length - len(chunk))


def make_modexp(gas_calculator):
    """The MODEXP precompile with a fork's gas rule."""

    def modexp(computation):
        data = computation.msg.data_as_bytes
        computation.consume_gas(gas_calculator(data), reason="MODEXP precompile")
        computation.output = modexp_output(data)
        return computation

    return modexp


def modexp_output(data: bytes) -> bytes:
    base_length, exponent_length, modulus_length = extract_lengths(data)
    if base_length == 0 and modulus_length == 0:
        return b""
    base = int.from_bytes(_read(data, 96, base_length), "big")
    exponent = int.from_bytes(_read(data, 96 + base_length, exponent_length), "big")
    modulus = int.from_bytes(_read(data, 96 + base_length + exponent_length, modulus_length), "big")
    # 0^0 = 1 (as geth and the execution specs have it); a zero modulus gives zeros
    result = 0 if modulus == 0 else pow(base, exponent, modulus)
    return result.to_bytes(modulus_length, "big")


osaka_modexp = make_modexp(osaka_modexp_gas)
