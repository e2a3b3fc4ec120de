"""The native precompiles' decoder (abi.py, alloy-sol-types 1.6.1's `abi_decode_validate`) on
hostile calldata: valid calls of every surface, mutated (bytes changed, cut, extended, a word
replaced by a number of 8, 64, 200 or 256 bits). Each ends as a call, a revert alloy would
give (an unknown selector, or AbiDecodeFailed with one of its texts), or Unsupported naming an
allocator-dependent reservation; never a Python error. Canonical calls decode to what they
encode. WV_FUZZ_COUNT sets the number (CI: 3000)."""

from __future__ import annotations

import os
import random

import pytest

from witnessverify.errors import Unsupported
from witnessverify.rules.base.native import abi, activation, b20_asset, b20_v2, eip8130, factory, policy, policy_v2
from witnessverify.rules.base.native.host import DecodeFailed, UnknownSelector

SURFACES = [policy.SURFACE, policy_v2.SURFACE_V2, factory.SURFACE, activation.SURFACES[True], b20_asset.COMMON,
            b20_asset.ASSET, b20_asset.STABLECOIN, b20_v2.COMMON_V2, b20_v2.ASSET_V2, eip8130.NONCE_SURFACE,
            eip8130.CONTEXT_SURFACE]
TEXTS = ('type check failed for "', "ABI decoding failed: buffer overrun while deserializing",
         "memory allocation failed because the computed capacity exceeded the collection's maximum")
COUNT = int(os.environ.get("WV_FUZZ_COUNT", "3000"))


def _sample(rng, kind):
    if kind.endswith("[]"):
        return [_sample(rng, kind[:-2]) for _ in range(rng.randrange(3))]
    if kind == "address":
        return rng.randbytes(20)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "string":
        return "é" * rng.randrange(40)
    if kind == "bytes":
        return rng.randbytes(rng.randrange(70))
    if kind.startswith("bytes"):
        return rng.randbytes(int(kind[5:]))
    return rng.randrange(256)


def _call(rng):
    surface = rng.choice(SURFACES)
    sel = rng.choice(list(surface))
    _, types = surface[sel]
    values = [_sample(rng, t) for t in types]
    return surface, types, values, sel + abi.encode(types, values)


def test_canonical_calls_decode_to_what_they_encode():
    rng = random.Random(1)
    for _ in range(COUNT):
        surface, types, values, data = _call(rng)
        name, args = abi.decode_call(surface, data)
        assert abi.encode(types, args) == data[4:] and args == values


@pytest.mark.parametrize("seed", range(3))
def test_mutated_calls_end_as_alloy_would(seed):
    rng = random.Random(seed)
    for _ in range(COUNT):
        surface, _, _, data = _call(rng)
        data = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            op = rng.randrange(4)
            if op == 0 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif op == 1:
                data = data[:rng.randrange(len(data) + 1)]
            elif op == 2:
                data += rng.randbytes(rng.randrange(40))
            elif len(data) > 36:
                at = 4 + 32 * rng.randrange((len(data) - 4) // 32)
                data[at:at + 32] = rng.randrange(1 << rng.choice([8, 64, 200, 256])).to_bytes(32, "big")
        try:
            abi.decode_call(surface, bytes(data))
        except DecodeFailed as exc:
            assert exc.data[:4] == bytes(data[:4]) and exc.data[4:].decode().startswith(TEXTS), exc.data
        except UnknownSelector as exc:
            assert exc.data == (bytes(data[:4]) if len(data) >= 4 else bytes(4))
        except Unsupported as exc:
            assert "allocator" in str(exc)
