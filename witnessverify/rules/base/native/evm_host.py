"""A native precompile's call on py-evm: the Host (host.py) backed by the frame's state, and
how the call ends, as revm ends a precompile's frame (alloy-evm `PrecompilesMap::run`):

  returned     the gas the logic metered is spent, its EIP-3529 refund counts, logs are kept
  reverted     the metered gas is spent, the rest returned; the revert data is the output;
               state, logs and refund are undone (py-evm's snapshot around the message)
  out of gas   every forwarded gas unit is spent, output empty, everything undone

A storage access or a code write loads the account into revm's journal, which makes it warm
(EIP-2929) for the rest of the transaction, as a CALL to it would. Warm marks, storage and code go through
py-evm's journaled state, so a reverted frame takes them back too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from eth.exceptions import OutOfGas as PyEvmOutOfGas
from eth.exceptions import Revert as PyEvmRevert

from .calls import answer
from .host import Host, OutOfGas, Revert


@dataclass
class EvmHost(Host):
    state: Any = None
    computation: Any = None

    def _load(self, address: bytes, slot: int) -> int:
        self.state.mark_address_warm(address)
        return self.state.get_storage(address, slot)

    def _store(self, address: bytes, slot: int, value: int) -> None:
        self.state.mark_address_warm(address)
        self.state.set_storage(address, slot, value)

    def _original(self, address: bytes, slot: int) -> int:
        return self.state.get_storage(address, slot, from_journal=False)

    def _warm_slot(self, address: bytes, slot: int) -> bool:
        if self.state.is_storage_warm(address, slot):
            return True
        self.state.mark_storage_warm(address, slot)
        return False

    def _warm_account(self, address: bytes) -> bool:
        if self.state.is_address_warm(address):
            return True
        self.state.mark_address_warm(address)
        return False

    def _code_hash(self, address: bytes) -> bytes:
        return self.state.get_code_hash(address)

    def _set_code(self, address: bytes, code: bytes) -> None:
        self.state.mark_address_warm(address)
        self.state.set_code(address, code)

    def _log(self, address: bytes, topics: list[bytes], data: bytes) -> None:
        self.computation.add_log_entry(address, tuple(int.from_bytes(t, "big") for t in topics), data)


def run(computation, fork, admin: Optional[bytes]):
    """Answer the computation's message with the native precompile at its code address (a
    py-evm precompile function, bound to the block's fork and the chain's activation admin)."""
    msg, state = computation.msg, computation.state
    host = EvmHost(address=msg.code_address, caller=msg.sender, value=msg.value, gas=msg.gas,
                   is_static=msg.is_static, timestamp=state.timestamp, chain_id=state.execution_context.chain_id,
                   origin=computation.transaction_context.origin,
                   state=state, computation=computation)
    try:
        output = answer(host, msg.data_as_bytes, fork, msg.storage_address == msg.code_address, admin)
    except Revert as exc:
        computation.consume_gas(host.used, reason="native precompile")
        computation.output = exc.data
        raise PyEvmRevert(exc.data) from None
    except OutOfGas:
        raise PyEvmOutOfGas("native precompile: out of gas") from None
    computation.consume_gas(host.used, reason="native precompile")
    computation.refund_gas(host.refund)
    computation.output = output
    return computation
