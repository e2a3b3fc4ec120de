"""What a native precompile may do to the state, metered as base-reth-node's
`EvmPrecompileStorageProvider` meters it (precompile-storage `evm.rs`, revm's default = Osaka
gas table whatever the block's fork), and how a call ends.

A `Host` gives the logic SLOAD, SSTORE, LOG, code reads and `set_code`; the py-evm adapter and
the golden tests' in-memory state implement the raw operations (`_load`, `_store`, ...). The
metering is here, once:

  SLOAD      100, +2000 cold (no account-access charge; the account becomes warm)
  SSTORE     out of gas if at most 2300 remain (EIP-2200 sentry); 100, +2100 cold, +19900 for a
             clean 0 -> x, +2800 for a clean x -> y; EIP-3529 refunds
  LOG        375 + 375 per topic + 8 per data byte
  set_code   200 per byte, + 32000 + 30 + 6 per word when the account had no code
  keccak     30 + 6 per word (the factory's address hash only)
  calldata   6 per started word, charged by the dispatcher

Counters of SLOAD, SSTORE and metered keccak are kept: base/base's golden tests pin them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from eth_hash.auto import keccak

WARM_READ = 100
COLD_EXTRA = 2000
COLD_SLOAD = 2100
SSTORE_SET = 19900
SSTORE_RESET = 2800
CLEAR_REFUND = 4800
SENTRY = 2300
CALLDATA_WORD_GAS = 6
EMPTY_CODE_HASH = keccak(b"")
NATIVE_CODE = b"\xef"  # the 1-byte code that marks an initialised native account


class Revert(Exception):
    """The call reverts with `data` (a typed error, a selector, a decoder message, or empty)."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(data.hex())
        self.data = data


class UnknownSelector(Revert):
    """No function of the surface has this selector: the revert data is the selector itself."""

    def __init__(self, sel: bytes) -> None:
        super().__init__(sel)


class DecodeFailed(Revert):
    """A known selector whose arguments alloy's decoder rejects (`AbiDecodeFailed`): the data is
    the selector, then the decoder's text (abi.py)."""


class Panic(Revert):
    """Solidity's Panic(uint256) (0x11 overflow, 0x21 enum): a revert, but a system error that
    an announcement's internal call passes on unwrapped."""

    def __init__(self, code: int) -> None:
        super().__init__(bytes.fromhex("4e487b71") + code.to_bytes(32, "big"))


class OutOfGas(Exception):
    """The call halts: every forwarded gas unit is consumed."""


class StaticViolation(Revert):
    """A write in a static frame: base-reth-node reverts with empty data (not a halt)."""

    def __init__(self) -> None:
        super().__init__(b"")


def words(n: int) -> int:
    return (n + 31) // 32


@dataclass
class Host:
    """One precompile call's view of the state."""

    address: bytes  # the precompile's own address
    caller: bytes
    value: int = 0
    gas: int = 1 << 62  # gas forwarded to the call
    is_static: bool = False
    timestamp: int = 0  # the block's
    chain_id: int = 0
    origin: bytes = bytes(20)  # the transaction's sender
    # `StorageFeatures::Cobalt` (from Cobalt): a dynamic value's write first reads its old head
    cobalt_storage: bool = False
    used: int = 0
    refund: int = 0
    sloads: int = 0
    sstores: int = 0
    keccaks: int = 0
    logs: list = field(default_factory=list)

    # -- raw operations, for a backend ------------------------------------------------------
    def _load(self, address: bytes, slot: int) -> int:
        raise NotImplementedError

    def _store(self, address: bytes, slot: int, value: int) -> None:
        raise NotImplementedError

    def _original(self, address: bytes, slot: int) -> int:
        """The slot's value at the start of the transaction."""
        raise NotImplementedError

    def _warm_slot(self, address: bytes, slot: int) -> bool:
        """Mark the slot warm; whether it was warm already."""
        raise NotImplementedError

    def _code_hash(self, address: bytes) -> bytes:
        raise NotImplementedError

    def _set_code(self, address: bytes, code: bytes) -> None:
        raise NotImplementedError

    def _log(self, address: bytes, topics: list[bytes], data: bytes) -> None:
        self.logs.append((address, topics, data))

    # -- metered operations, for the logic ----------------------------------------------------
    def charge(self, amount: int) -> None:
        if self.used + amount > self.gas:
            raise OutOfGas()
        self.used += amount

    def sload(self, slot: int, address: Optional[bytes] = None) -> int:
        address = address or self.address
        self.sloads += 1
        value = self._load(address, slot)
        self.charge(WARM_READ + (0 if self._warm_slot(address, slot) else COLD_EXTRA))
        return value

    def sstore(self, slot: int, new: int, address: Optional[bytes] = None) -> None:
        address = address or self.address
        if self.is_static:
            raise StaticViolation()
        if self.gas - self.used <= SENTRY:
            raise OutOfGas()
        self.sstores += 1
        present, original = self._load(address, slot), self._original(address, slot)
        cold = not self._warm_slot(address, slot)
        self._store(address, slot, new)
        dynamic = 0
        if new != present and original == present:
            dynamic = SSTORE_SET if original == 0 else SSTORE_RESET
        self.charge(WARM_READ + (COLD_SLOAD if cold else 0) + dynamic)
        self.refund += sstore_refund(original, present, new)

    def emit(self, topics: list[bytes], data: bytes = b"", address: Optional[bytes] = None) -> None:
        if self.is_static:
            raise StaticViolation()
        self.charge(375 + 375 * len(topics) + 8 * len(data))
        self._log(address or self.address, topics, data)

    def _warm_account(self, address: bytes) -> bool:
        """Mark the account warm; whether it was warm already."""
        raise NotImplementedError

    def account_code_hash(self, address: bytes) -> bytes:
        """`with_account_info`: the account's code hash, 100 gas, +2500 cold."""
        code_hash = self._code_hash(address)
        self.charge(WARM_READ + (0 if self._warm_account(address) else 2500))
        return code_hash

    def set_code(self, code: bytes, address: Optional[bytes] = None) -> None:
        address = address or self.address
        if self.is_static:
            raise StaticViolation()
        self.charge(200 * len(code))
        if self._code_hash(address) == EMPTY_CODE_HASH:
            self.charge(32000 + 30 + 6 * words(len(code)))
        self._set_code(address, code)

    def metered_keccak(self, data: bytes) -> bytes:
        self.keccaks += 1
        self.charge(30 + 6 * words(len(data)))
        return keccak(data)


def sstore_refund(original: int, present: int, new: int) -> int:
    """EIP-3529's SSTORE refund (revm's `sstore_refund`)."""
    if new == present:
        return 0
    if original == present and new == 0:
        return CLEAR_REFUND
    r = 0
    if original != 0:
        if present == 0:
            r -= CLEAR_REFUND
        elif new == 0:
            r += CLEAR_REFUND
    if original == new:
        r += SSTORE_SET if original == 0 else SSTORE_RESET
    return r
