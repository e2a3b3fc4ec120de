"""Osaka, BPO1, BPO2 rules proven against the Ethereum execution specs (differential tests).

Each case runs one block on the specs and on witnessverify from the same pre-state, through the
stateless path (a witness made from the pre-state). See tests/spec_diff.py. Besides the fixed
cases, seeded random MODEXP, P256VERIFY and CLZ inputs: WV_FUZZ_COUNT of each (default 25).
"""

from __future__ import annotations

import os
import random

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from tests.helpers.evm_asm import asm, prober
from tests.helpers.spec_diff import Acct, Case, assert_agree, base_alloc, blob_tx, tx

PROBER = bytes.fromhex("5000000000000000000000000000000000000001")
CONTRACT = bytes.fromhex("5000000000000000000000000000000000000002")
OSAKA_FORKS = ("osaka", "bpo1", "bpo2")
COUNT = int(os.environ.get("WV_FUZZ_COUNT", "25"))


def probe_case(fork: str, target: int, data: bytes, call_gas: int = 2_000_000) -> Case:
    alloc = base_alloc({PROBER: Acct(code=prober(call_gas))})
    calldata = target.to_bytes(32, "big") + data
    return Case(fork=fork, alloc=alloc, txs=[tx(fork, 0, 0, PROBER, calldata, gas=5_000_000)])


# -- EIP-7939 CLZ --------------------------------------------------------------------------------
CLZ_VALUES = [0, 1, 2, 3, 0xFF, 1 << 127, (1 << 128) - 1, 1 << 255, (1 << 256) - 1, (1 << 255) - 1, 0x1234 << 200]


@pytest.mark.parametrize("fork", OSAKA_FORKS)
def test_clz_edge_values(fork):
    code = b"".join(asm(v, "CLZ", i, "SSTORE") for i, v in enumerate(CLZ_VALUES)) + asm("STOP")
    case = Case(fork=fork, alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx(fork, 0, 0, CONTRACT)])
    assert_agree(case)


def test_clz_is_invalid_before_osaka():
    code = asm(1, "CLZ", 0, "SSTORE", "STOP")
    spec, outcome = assert_agree(Case(fork="prague", alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx("prague", 0, 0, CONTRACT)]))
    assert spec.valid and spec.gas_used == 1_000_000  # invalid opcode: all gas consumed


# -- EIP-7951 P256VERIFY -------------------------------------------------------------------------
def _p256_inputs() -> dict[str, bytes]:
    key = ec.derive_private_key(0xC0FFEE, ec.SECP256R1())
    digest = bytes(range(32))
    r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    nums = key.public_key().public_numbers()
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    p = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF

    def enc(h, r, s, x, y):
        return h + b"".join(v.to_bytes(32, "big") for v in (r, s, x, y))

    good = enc(digest, r, s, nums.x, nums.y)
    return {
        "valid": good,
        "high_s_valid": enc(digest, r, n - s, nums.x, nums.y),
        "wrong_hash": enc(bytes(32), r, s, nums.x, nums.y),
        "r_zero": enc(digest, 0, s, nums.x, nums.y),
        "s_eq_n": enc(digest, r, n, nums.x, nums.y),
        "x_ge_p": enc(digest, r, s, p, nums.y),
        "not_on_curve": enc(digest, r, s, nums.x, (nums.y + 1) % p),
        "infinity": enc(digest, r, s, 0, 0),
        "short": good[:159],
        "long": good + b"\x00",
        "empty": b"",
    }


P256 = _p256_inputs()


@pytest.mark.parametrize("name", sorted(P256))
def test_p256verify(name):
    assert_agree(probe_case("osaka", 0x100, P256[name]))


def test_p256verify_gas_too_low_fails_the_call():
    assert_agree(probe_case("osaka", 0x100, P256["valid"], call_gas=6899))


# -- EIP-7823 / EIP-7883 MODEXP --------------------------------------------------------------------
def modexp_input(base: bytes, exp: bytes, mod: bytes, lengths=None) -> bytes:
    bl, el, ml = lengths or (len(base), len(exp), len(mod))
    return bl.to_bytes(32, "big") + el.to_bytes(32, "big") + ml.to_bytes(32, "big") + base + exp + mod


MODEXP = {
    "small": modexp_input(b"\x03", b"\x05", b"\x07"),
    "zero_exponent": modexp_input(b"\x03", b"\x00", b"\x07"),
    "empty_base_zero_exponent": modexp_input(b"", b"", b"\x07"),
    "zero_modulus": modexp_input(b"\x03", b"\x05", b"\x00"),
    "base_33_bytes": modexp_input(b"\x01" * 33, b"\x03", b"\x09" * 33),
    "exponent_40_bytes": modexp_input(b"\x02", b"\xff" * 40, b"\x0b"),
    "exponent_head_zero_long": modexp_input(b"\x02", b"\x00" * 33 + b"\x01", b"\x0b"),
    "at_bound_1024": modexp_input(b"\x05" * 1024, b"\x03", b"\x07" * 1024),
    "base_over_bound": modexp_input(b"\x05" * 1025, b"\x03", b"\x07"),
    "exponent_over_bound": modexp_input(b"\x05", b"\x01" * 1025, b"\x07"),
    "modulus_over_bound": modexp_input(b"\x05", b"\x03", b"\x07" * 1025),
    "declared_huge_length": modexp_input(b"", b"", b"", lengths=(2**255, 1, 1)),
    "truncated_input": modexp_input(b"\x02", b"\x03", b"\x05", lengths=(1, 1, 32)),
}


@pytest.mark.parametrize("name", sorted(MODEXP))
def test_modexp(name):
    assert_agree(probe_case("osaka", 5, MODEXP[name], call_gas=3_000_000))


def _random_modexp(rng: random.Random) -> bytes:
    sizes = [0, 1, 2, 31, 32, 33, 64, 65, 200, 1024, 1025]
    base, exp, mod = (rng.randbytes(rng.choice(sizes)) for _ in range(3))
    if rng.random() < 0.3:  # leading zeros and all-zero words, where lengths and values part ways
        exp = bytes(rng.randrange(0, 40)) + exp[:8]
    if rng.random() < 0.2:
        mod = bytes(len(mod))
    lengths = None
    if rng.random() < 0.15:  # declared lengths the data does not have
        lengths = (rng.choice(sizes + [2**32, 2**255]), rng.choice(sizes), rng.choice(sizes))
    return modexp_input(base, exp, mod, lengths)


@pytest.mark.parametrize("seed", range(COUNT))
def test_random_modexp(seed):
    rng = random.Random(seed)
    assert_agree(probe_case(rng.choice(["prague", *OSAKA_FORKS]), 5, _random_modexp(rng),
                            call_gas=rng.choice([500, 5_000, 200_000, 3_000_000])))


@pytest.mark.parametrize("seed", range(COUNT))
def test_random_p256verify(seed):
    """The valid signature with bytes flipped, fields swapped for edge values, or cut short."""
    rng = random.Random(seed)
    data = bytearray(P256["valid"])
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    p = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    for _ in range(rng.randint(0, 3)):
        r = rng.random()
        if r < 0.5:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif r < 0.9:
            field = rng.randrange(5)
            data[32 * field: 32 * field + 32] = rng.choice([0, 1, n - 1, n, n + 1, p - 1, p, 2**256 - 1]).to_bytes(32, "big")
    if rng.random() < 0.1:
        data = data[: rng.randrange(len(data))]
    assert_agree(probe_case(rng.choice(OSAKA_FORKS), 0x100, bytes(data), call_gas=rng.choice([6899, 6900, 100_000])))


@pytest.mark.parametrize("seed", range(COUNT))
def test_random_clz(seed):
    rng = random.Random(seed)
    values = [rng.getrandbits(rng.randrange(1, 257)) for _ in range(8)]
    fork = rng.choice(OSAKA_FORKS)
    code = b"".join(asm(v, "CLZ", i, "SSTORE") for i, v in enumerate(values)) + asm("STOP")
    assert_agree(Case(fork=fork, alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx(fork, 0, 0, CONTRACT)]))


def test_modexp_empty_base_zero_exponent_before_osaka():
    """0^0 mod 7 = 1 in every fork (py-evm's own MODEXP answers 0 here)."""
    spec, outcome = assert_agree(probe_case("prague", 5, MODEXP["empty_base_zero_exponent"]))


# -- EIP-7825 transaction gas limit cap ----------------------------------------------------------
@pytest.mark.parametrize("gas,valid", [(2**24, True), (2**24 + 1, False)])
def test_transaction_gas_cap(gas, valid):
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, CONTRACT, gas=gas)])
    spec, outcome = assert_agree(case)
    assert spec.valid is valid


def test_transaction_above_the_cap_is_fine_in_prague():
    case = Case(fork="prague", alloc=base_alloc(), txs=[tx("prague", 0, 0, CONTRACT, gas=2**24 + 1)])
    spec, _ = assert_agree(case)
    assert spec.valid


# -- blobs: per-fork maximum, per-transaction limit, EIP-7918 ----------------------------------------
MAX_BLOBS = {"prague": 9, "osaka": 9, "bpo1": 15, "bpo2": 21}
TARGET_BLOBS = {"prague": 6, "osaka": 6, "bpo1": 10, "bpo2": 14}


def _blob_txs(fork: str, total: int):
    txs, sender = [], 0
    while total > 0:
        n = min(6, total)
        txs.append(blob_tx(fork, sender, 0, CONTRACT, n))
        total -= n
        sender += 1
    return txs


@pytest.mark.parametrize("fork", ["prague", *OSAKA_FORKS])
@pytest.mark.parametrize("over", [0, 1])
def test_blobs_at_and_over_the_fork_maximum(fork, over):
    case = Case(fork=fork, alloc=base_alloc(), txs=_blob_txs(fork, MAX_BLOBS[fork] + over))
    spec, outcome = assert_agree(case)
    assert spec.valid is (over == 0)


def test_seven_blobs_in_one_transaction():
    case = Case(fork="bpo1", alloc=base_alloc(), txs=[blob_tx("bpo1", 0, 0, CONTRACT, 7)])
    spec, _ = assert_agree(case)
    assert not spec.valid


@pytest.mark.parametrize("fork", ["prague", *OSAKA_FORKS])
def test_blob_base_fee_at_the_eip7918_floor(fork):
    """A parent with blob gas above target and a high base fee: Osaka's reserve price applies."""
    code = asm("BLOBBASEFEE", 0, "SSTORE", "STOP")
    case = Case(
        fork=fork,
        alloc=base_alloc({CONTRACT: Acct(code=code)}),
        txs=[tx(fork, 0, 0, CONTRACT, max_fee=10**13), blob_tx(fork, 1, 0, CONTRACT, 2, max_fee_per_blob_gas=10**15)],
        parent_base_fee=10**10,
        parent_excess_blob_gas=2 * 131072 * 6,
        parent_blob_gas_used=131072 * (TARGET_BLOBS[fork] + 1),
    )
    spec, _ = assert_agree(case)
    simple = 2 * 131072 * 6 + 131072  # excess + used - target
    if fork == "prague":
        assert spec.excess_blob_gas == simple
    else:
        assert spec.excess_blob_gas != simple  # the EIP-7918 branch was taken


def test_a_block_at_the_bpo2_timestamp_uses_the_bpo2_schedule():
    from witnessverify.chains import MAINNET

    case = Case(fork="bpo2", time=MAINNET.time_forks["bpo2"], alloc=base_alloc(), txs=_blob_txs("bpo2", 21))
    spec, outcome = assert_agree(case)
    assert outcome.fork == "bpo2" and spec.blob_gas_used == 21 * 131072


# -- EIP-7934 RLP block size limit --------------------------------------------------------------------
@pytest.mark.parametrize("fork,size_over", [("osaka", True), ("prague", False)])
def test_block_rlp_size_limit(fork, size_over):
    """Six transactions of 1.45 MB zero calldata: an 8.7 MB block, over Osaka's 8 MiB limit."""
    data = bytes(1_450_000)
    txs = [tx(fork, i, 0, CONTRACT, data, gas=14_600_000) for i in range(6)]
    case = Case(fork=fork, alloc=base_alloc(), txs=txs, gas_limit=150_000_000, parent_gas_used=75_000_000)
    spec, outcome = assert_agree(case)
    assert spec.valid is not size_over
    if size_over:
        assert "EIP-7934" in [m for m in outcome.mismatches if m["field"] == "block"][0]["computed"]
