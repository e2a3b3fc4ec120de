"""The L1 data fee of a non-deposit OP transaction, per fork.

Sources (summarised with slots and vectors in ../shared/chains/l1cost.md): ethereum-optimism/specs
`specs/protocol/exec-engine.md` (Pre-Ecotone, Ecotone L1-Cost fee changes), `fjord/exec-engine.md`.
Inputs are read from the L1Block predeploy (0x4200…0015) storage, written by the block's
L1-attributes deposit before any user transaction:
  slot 1 basefee; slot 3 bytes [16:20) baseFeeScalar, [20:24) blobBaseFeeScalar;
  slot 5 l1FeeOverhead; slot 6 l1FeeScalar; slot 7 blobBaseFee.
`tx` is the full signed EIP-2718 encoding of the transaction.
"""

from __future__ import annotations

from ...chains import l2_at_least as at_least
from .fastlz import flz_compress_len

L1_BLOCK = bytes.fromhex("4200000000000000000000000000000000000015")


class L1FeeParams:
    """The L1Block fields, read from state only when a cost function needs them: a witness holds
    exactly the slots its client read, and Ecotone clients never read the legacy overhead/scalar
    slots unless the Ecotone scalars are still empty."""

    def __init__(self, read_slot) -> None:
        self._read = read_slot
        self._cache: dict[int, int] = {}

    @classmethod
    def from_state(cls, state) -> "L1FeeParams":
        return cls(lambda slot: state.get_storage(L1_BLOCK, slot))

    @classmethod
    def from_values(cls, **values: int) -> "L1FeeParams":
        """For tests: named values (l1_base_fee, overhead, scalar, blob_base_fee, base_fee_scalar, blob_base_fee_scalar)."""
        word = (values.get("base_fee_scalar", 0) << 96) | (values.get("blob_base_fee_scalar", 0) << 64)
        slots = {1: values.get("l1_base_fee", 0), 3: word, 5: values.get("overhead", 0),
                 6: values.get("scalar", 0), 7: values.get("blob_base_fee", 0)}
        return cls(slots.__getitem__)

    def _slot(self, n: int) -> int:
        if n not in self._cache:
            self._cache[n] = self._read(n)
        return self._cache[n]

    l1_base_fee = property(lambda self: self._slot(1))
    overhead = property(lambda self: self._slot(5))
    scalar = property(lambda self: self._slot(6))
    blob_base_fee = property(lambda self: self._slot(7))
    # slot 3: bytes [16:20) baseFeeScalar, [20:24) blobBaseFeeScalar (of the big-endian word)
    base_fee_scalar = property(lambda self: (self._slot(3) >> 96) & 0xFFFFFFFF)
    blob_base_fee_scalar = property(lambda self: (self._slot(3) >> 64) & 0xFFFFFFFF)
    scalars_word = property(lambda self: (self._slot(3) >> 64) & 0xFFFFFFFFFFFFFFFF)


def data_gas(tx: bytes, regolith: bool) -> int:
    """Calldata gas of the encoded transaction: 4 per zero byte, 16 per non-zero byte; before
    Regolith 68 more non-zero bytes are counted for the signature."""
    zeroes = tx.count(0)
    ones = len(tx) - zeroes
    if not regolith:
        ones += 68
    return zeroes * 4 + ones * 16


def bedrock_l1_cost(tx: bytes, p: L1FeeParams, regolith: bool) -> int:
    return (data_gas(tx, regolith) + p.overhead) * p.l1_base_fee * p.scalar // 1_000_000


def ecotone_l1_cost(tx: bytes, p: L1FeeParams) -> int:
    # The first Ecotone block (and any block whose Ecotone scalars are still unset) keeps the
    # Regolith function: op-geth `firstEcotoneBlock`, op-revm `empty_ecotone_scalars`.
    if p.blob_base_fee == 0 and p.scalars_word == 0:
        return bedrock_l1_cost(tx, p, regolith=True)
    scaled = 16 * p.l1_base_fee * p.base_fee_scalar + p.blob_base_fee * p.blob_base_fee_scalar
    return data_gas(tx, regolith=True) * scaled // 16_000_000


# Fjord: a linear regression of the compressed size (specs `fjord/exec-engine.md`)
FJORD_INTERCEPT = -42_585_600
FJORD_FASTLZ_COEF = 836_500
FJORD_MIN_SIZE_SCALED = 100 * 1_000_000
FJORD_DIVISOR = 1_000_000_000_000


def fjord_l1_cost(tx: bytes, p: L1FeeParams) -> int:
    if p.blob_base_fee == 0 and p.scalars_word == 0:  # op-geth still checks this first
        return bedrock_l1_cost(tx, p, regolith=True)
    scaled = p.base_fee_scalar * p.l1_base_fee * 16 + p.blob_base_fee_scalar * p.blob_base_fee
    size = max(FJORD_MIN_SIZE_SCALED, FJORD_INTERCEPT + FJORD_FASTLZ_COEF * flz_compress_len(tx))
    return size * scaled // FJORD_DIVISOR


def l1_cost(tx: bytes, p: L1FeeParams, op_fork: str) -> int:
    if not tx or tx[0] == 0x7E:
        return 0
    if at_least(op_fork, "fjord"):  # every later fork, Base's included, keeps Fjord's function
        return fjord_l1_cost(tx, p)
    if at_least(op_fork, "ecotone"):
        return ecotone_l1_cost(tx, p)
    return bedrock_l1_cost(tx, p, regolith=at_least(op_fork, "regolith"))


def operator_fee(gas: int, scalar: int, constant: int, jovian: bool) -> int:
    """Isthmus operator fee `gas * scalar / 1e6 + constant`; from Jovian `gas * scalar * 100 +
    constant` (specs isthmus/ and jovian/exec-engine.md)."""
    if jovian:
        return gas * scalar * 100 + constant
    return gas * scalar // 1_000_000 + constant


def operator_fee_params(slot8: int) -> tuple[int, int]:
    """(operatorFeeScalar, operatorFeeConstant) from L1Block slot 8: bytes [20:24) and [24:32)."""
    return (slot8 >> 64) & 0xFFFFFFFF, slot8 & 0xFFFFFFFFFFFFFFFF


def da_footprint_scalar(slot8: int) -> int:
    """Jovian daFootprintGasScalar: L1Block slot 8 bytes [18:20)."""
    return (slot8 >> 96) & 0xFFFF


def da_footprint(tx: bytes, scalar: int) -> int:
    """Jovian DA footprint of one non-deposit transaction (specs jovian/exec-engine.md)."""
    size = max(100, (FJORD_INTERCEPT + FJORD_FASTLZ_COEF * flz_compress_len(tx)) // 1_000_000)
    return size * scalar


def transaction_da_footprint(state, transaction) -> int:
    """A transaction's DA footprint in the block's blobGasUsed (deposits have none), with the
    daFootprintGasScalar from L1Block slot 8."""
    if getattr(transaction, "type_id", None) == 0x7E:
        return 0
    return da_footprint(transaction.encode(), da_footprint_scalar(state.get_storage(L1_BLOCK, 8)))
