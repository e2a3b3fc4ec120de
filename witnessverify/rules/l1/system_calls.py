"""Block-level system calls (execution specs `process_unchecked_system_transaction`,
`process_checked_system_transaction`, forks/prague/fork.py):

  EIP-4788 (Cancun)  beacon roots contract, called with the parent beacon block root   unchecked
  EIP-2935 (Prague)  history contract, called with the parent's hash                  unchecked
  EIP-7002 (Prague)  withdrawal request contract, no data; its output is the requests  checked
  EIP-7251 (Prague)  consolidation request contract, no data; likewise                 checked

A message from SYSTEM_ADDRESS (0xff…fe) with 30M gas, no value transfer, the contract's own code,
rolled back if it fails. Unchecked: no code or a failure changes nothing and is no error.
Checked: a contract without code, or a call that fails (revert, out of gas), makes the block
invalid. py-evm writes the 4788/2935 storage directly, and only when the code is the canonical
one, and ignores 7002/7251 failures: the clients run whatever code is there, as here.
"""

from __future__ import annotations

from eth.constants import EMPTY_SHA3
from eth.vm.message import Message

from ...errors import InvalidBlock

SYSTEM_ADDRESS = bytes.fromhex("fffffffffffffffffffffffffffffffffffffffe")
SYSTEM_TRANSACTION_GAS = 30_000_000
BEACON_ROOTS_ADDRESS = bytes.fromhex("000f3df6d732807ef1319fb7b8bb8522d0beac02")
HISTORY_STORAGE_ADDRESS = bytes.fromhex("0000f90827f1c53a10cb7a02335b175320002935")
WITHDRAWAL_REQUEST_ADDRESS = bytes.fromhex("00000961ef480eb55e80d19ad83579a64c007002")
CONSOLIDATION_REQUEST_ADDRESS = bytes.fromhex("0000bbddc7ce488642fb579f8b00f3a590007251")


def system_call(state, target: bytes, data: bytes, checked: bool, what: str) -> bytes:
    """Run the system call; its output. Checked calls raise InvalidBlock on no code or failure."""
    if state.get_code_hash(target) == EMPTY_SHA3:
        if checked:
            raise InvalidBlock("requests", f"the {what} system contract 0x{target.hex()} has no code")
        return b""
    code = state.get_code(target)
    if not code:  # the witness lacks it: recorded as missing, the verdict is WITNESS_INCOMPLETE
        return b""
    message = Message(gas=SYSTEM_TRANSACTION_GAS, to=target, sender=SYSTEM_ADDRESS, value=0, data=data, code=code,
                      code_address=target, should_transfer_value=False)
    context = state.get_transaction_context_class()(gas_price=state.execution_context.base_fee_per_gas or 0,
                                                    origin=SYSTEM_ADDRESS)
    computation = state.computation_class.apply_message(state, message, context)
    if computation.is_error:
        if checked:
            raise InvalidBlock("requests", f"the {what} system call failed "
                                        f"({type(computation.error).__name__}: {computation.error})")
        return b""
    return bytes(computation.output)
