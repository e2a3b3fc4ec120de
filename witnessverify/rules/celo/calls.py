"""Calls the Celo protocol makes into contracts outside any transaction's own call frame: the
fee-currency directory reads, `balanceOf`, and the CIP-64 `debitGasFees` / `creditGasFees`.

As celo-kona's `core_contracts::call*` (crates/celo-revm/src/contracts/core_contracts.rs) runs
them: a message at depth 0 with no value and no intrinsic gas, the given caller as sender and
origin, gas price 0. A read-only call is undone afterwards, state, logs and access-list warmth
alike (`call_read_only`); the debit and credit stay in the transaction's journal, so what they
warm stays warm for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth.vm.message import Message

SYSTEM_ADDRESS = bytes.fromhex("fffffffffffffffffffffffffffffffffffffffe")  # read-only calls
CELO_SYSTEM_ADDRESS = bytes(20)  # debit and credit (fee currencies accept only `onlyVm` = 0x0)
READ_ONLY_GAS = 30_000_000  # revm's system-call default, as celo-kona uses it


@dataclass
class CallResult:
    success: bool
    output: bytes
    log_entries: tuple
    gas_spent: int  # before refunds (celo-kona: gas used + gas refunded)
    error: str = ""


def call(state, caller: bytes, target: bytes, data: bytes, gas: int, read_only: bool = False) -> CallResult:
    snapshot = state.snapshot() if read_only else None
    message = Message(gas=gas, to=target, sender=caller, value=0, data=data, code=state.get_code(target),
                      code_address=target)
    context = state.get_transaction_context_class()(gas_price=0, origin=caller)
    try:
        computation = state.computation_class.apply_message(state, message, context)
    finally:
        if read_only:
            state.revert(snapshot)
    if not read_only:
        state.mark_address_warm(target)  # revm loads (and warms) the called account
    ok = not computation.is_error
    return CallResult(
        success=ok,
        output=bytes(computation.output) if ok else b"",
        log_entries=tuple(computation.get_log_entries()) if ok else (),
        gas_spent=gas - computation.get_gas_remaining(),
        error="" if ok else f"{type(computation.error).__name__}: {computation.error}",
    )


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def address_word(address: bytes) -> bytes:
    return bytes(12) + address
