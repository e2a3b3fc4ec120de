"""Header fields that follow from the parent header alone, or from no other input at all (no
execution needed).

Each check yields (field, expected-from-parent, claimed-by-block) for the verdict; the formulas
are the consensus rules: EIP-1559 base fee, the 1/1024 gas-limit bound, strictly increasing
timestamps, consecutive numbers, and excess blob gas (EIP-4844, -7691, -7892, -7918).
"""

from __future__ import annotations

from typing import Iterator, Optional

from eth.abc import BlockHeaderAPI

from ...chains import OSAKA_EVM_FORKS, BlobParams, fork
from ...errors import InvalidBlock
from .blobs import excess_blob_gas

# forks whose excess blob gas follows EIP-7918 (blob base fee bounded by execution cost)
RESERVE_PRICE_FORKS = frozenset(OSAKA_EVM_FORKS)

GAS_LIMIT_BOUND_DIVISOR = 1024
MIN_GAS_LIMIT = 5000


def expected_base_fee(parent: BlockHeaderAPI, elasticity: int, denominator: int) -> int:
    """EIP-1559 base fee of a child of `parent` (INITIAL_BASE_FEE for the first London block)."""
    parent_base_fee = getattr(parent, "base_fee_per_gas", None)
    if parent_base_fee is None:
        return 1_000_000_000
    target = parent.gas_limit // elasticity
    used = parent.gas_used
    if used == target:
        return parent_base_fee
    if used > target:
        return parent_base_fee + max(parent_base_fee * (used - target) // target // denominator, 1)
    return max(parent_base_fee - parent_base_fee * (target - used) // target // denominator, 0)


def check_against_parent(
    evm_fork: str,
    header: BlockHeaderAPI,
    parent: BlockHeaderAPI,
    blob_params: Optional[BlobParams] = None,
    eip1559: tuple[int, int] = (2, 8),
    gas_limit_bound: bool = True,
    base_fee_rule=None,
    strict_timestamps: bool = True,
) -> Iterator[tuple[str, object, object]]:
    """Yield (field, expected, claimed) for each header field the parent contradicts."""
    if header.block_number != parent.block_number + 1:
        yield "number", parent.block_number + 1, header.block_number
    if header.timestamp < parent.timestamp or (strict_timestamps and header.timestamp == parent.timestamp):
        yield "timestamp", f"> {parent.timestamp}", header.timestamp
    bound = parent.gas_limit // GAS_LIMIT_BOUND_DIVISOR
    # OP Stack chains set the gas limit by the system config, without the 1/1024 bound
    if gas_limit_bound and abs(header.gas_limit - parent.gas_limit) >= bound or header.gas_limit < MIN_GAS_LIMIT:
        low, high = max(parent.gas_limit - bound + 1, MIN_GAS_LIMIT), parent.gas_limit + bound - 1
        yield "gasLimit", f"{low}..{high}", header.gas_limit
    if hasattr(header, "base_fee_per_gas") and hasattr(parent, "base_fee_per_gas"):
        expected = base_fee_rule(parent) if base_fee_rule else expected_base_fee(parent, *eip1559)
        if header.base_fee_per_gas != expected:
            yield "baseFeePerGas", expected, header.base_fee_per_gas
    if blob_params is not None:
        expected = excess_blob_gas(parent, blob_params, evm_fork in RESERVE_PRICE_FORKS)
        if header.excess_blob_gas != expected:
            yield "excessBlobGas", expected, header.excess_blob_gas


MAX_EXTRA_DATA = 32  # bytes (yellow paper; geth params.MaximumExtraDataSize)
MAX_GAS_LIMIT = 2**63 - 1  # geth params.MaxGasLimit
UINT64 = 2**64 - 1
EMPTY_OMMERS_HASH = bytes.fromhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")


def check_alone(evm_fork: str, header: BlockHeaderAPI, extra_data_limit: bool = True) -> Iterator[tuple[str, object, object]]:
    """Yield (field, required, claimed) for each header field that breaks a rule needing neither
    the parent nor execution: the extraData size, the gas limit bound, gas used within it, 64-bit
    fields in range, and after the merge a zero difficulty and nonce and no ommers."""
    if extra_data_limit and len(header.extra_data) > MAX_EXTRA_DATA:
        yield "extraData", f"at most {MAX_EXTRA_DATA} bytes", f"{len(header.extra_data)} bytes"
    if header.gas_limit > MAX_GAS_LIMIT:
        yield "gasLimit", f"<= {MAX_GAS_LIMIT}", header.gas_limit
    if header.gas_used > header.gas_limit:
        yield "gasUsed", f"<= gasLimit {header.gas_limit}", header.gas_used
    if header.timestamp > UINT64:
        yield "timestamp", f"<= {UINT64}", header.timestamp
    for name, attr in (("blobGasUsed", "blob_gas_used"), ("excessBlobGas", "excess_blob_gas")):
        value = getattr(header, attr, None)
        if value is not None and value > UINT64:
            yield name, f"<= {UINT64}", value
    if fork("l1", evm_fork).at_least("paris"):
        if header.difficulty != 0:
            yield "difficulty", 0, header.difficulty
        if header.nonce != bytes(8):
            yield "nonce", "0x0000000000000000", "0x" + header.nonce.hex()
        if header.uncles_hash != EMPTY_OMMERS_HASH:
            yield "sha3Uncles", "0x" + EMPTY_OMMERS_HASH.hex(), "0x" + header.uncles_hash.hex()


DAO_EXTRA_DATA = b"dao-hard-fork"  # geth params.DAOForkBlockExtra
DAO_EXTRA_DATA_RANGE = 10  # geth params.DAOForkExtraRange


def check_dao_extra_data(header: BlockHeaderAPI, dao_fork_block) -> Iterator[tuple[str, object, object]]:
    """The DAO fork's header rule (geth consensus/misc/dao.go VerifyDAOHeaderExtraData): the fork
    block and the nine after it carry extraData "dao-hard-fork", so that no node of the other
    side of the fork follows them."""
    if dao_fork_block is None or not dao_fork_block <= header.block_number < dao_fork_block + DAO_EXTRA_DATA_RANGE:
        return
    if header.extra_data != DAO_EXTRA_DATA:
        yield "extraData", "0x" + header.extra_data.hex(), f"0x{DAO_EXTRA_DATA.hex()} (\"dao-hard-fork\", blocks " \
            f"{dao_fork_block}..{dao_fork_block + DAO_EXTRA_DATA_RANGE - 1})"


_UINT64 = 2**64 - 1


def check_header_ranges(header) -> None:
    """Header numbers the EVM reads (TIMESTAMP, NUMBER, GASLIMIT) must be 64-bit before anything
    executes; a header that breaks it is invalid, whatever else it claims."""
    for name, value in (("number", header.block_number), ("timestamp", header.timestamp),
                        ("gasLimit", header.gas_limit), ("gasUsed", header.gas_used)):
        if value > _UINT64:
            raise InvalidBlock(name, f"{value} does not fit the header's 64 bits")
    base_fee = getattr(header, "base_fee_per_gas", None)
    if base_fee is not None and base_fee >= 2**256:
        raise InvalidBlock("baseFeePerGas", "does not fit 256 bits")
