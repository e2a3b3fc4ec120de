"""Base's native precompiles inside the Ethereum execution specs' Osaka, for differential tests.

The specs' EVM knows nothing of base-reth-node's precompiles. Here the logic this project proved
against base/base's golden tests (witnessverify/rules/base/native/, answered by calls.py) runs
on the specs' own state, journal, access sets, logs and refund counter, routed as alloy-evm
routes it: the fixed addresses join the specs' precompile table (so the specs warm them at a
transaction's start), the B20 tokens are found by address but never warmed. A block built this
way has every header field from the specs' trie, receipts and gas accounting, an
implementation that shares nothing with the py-evm adapter (evm_host.py) under test.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass
from typing import Any, Optional

from eth_hash.auto import keccak

from witnessverify.rules.base.native.calls import answer, fixed_addresses, is_token
from witnessverify.rules.base.native.host import EMPTY_CODE_HASH, Host, OutOfGas, Revert


def _osaka(name: str):
    return importlib.import_module(f"ethereum.forks.osaka.{name}")


@dataclass
class SpecHost(Host):
    evm: Any = None

    @property
    def _state(self):
        return self.evm.message.block_env.state

    @staticmethod
    def _key(slot: int):
        from ethereum_types.bytes import Bytes32
        return Bytes32(slot.to_bytes(32, "big"))

    def _load(self, address, slot):
        self.evm.accessed_addresses.add(address)
        return int(_osaka("state").get_storage(self._state, address, self._key(slot)))

    def _store(self, address, slot, value):
        from ethereum_types.numeric import U256
        self.evm.accessed_addresses.add(address)
        _osaka("state").set_storage(self._state, address, self._key(slot), U256(value))

    def _original(self, address, slot):
        return int(_osaka("state").get_storage_original(self._state, address, self._key(slot)))

    def _warm_slot(self, address, slot):
        key = (address, self._key(slot))
        was = key in self.evm.accessed_storage_keys
        self.evm.accessed_storage_keys.add(key)
        return was

    def _warm_account(self, address):
        was = address in self.evm.accessed_addresses
        self.evm.accessed_addresses.add(address)
        return was

    def _code_hash(self, address):
        code = _osaka("state").get_account(self._state, address).code
        return keccak(bytes(code)) if code else EMPTY_CODE_HASH

    def _set_code(self, address, code):
        from ethereum_types.bytes import Bytes
        self.evm.accessed_addresses.add(address)
        _osaka("state").set_code(self._state, address, Bytes(code))

    def _log(self, address, topics, data):
        from ethereum_types.bytes import Bytes, Bytes32
        log = _osaka("blocks").Log(address=address, topics=tuple(Bytes32(t) for t in topics), data=Bytes(data))
        self.evm.logs = self.evm.logs + (log,)


def _precompile(fork, admin: Optional[bytes]):
    from ethereum_types.numeric import Uint

    exceptions = _osaka("vm.exceptions")

    def native(evm) -> None:
        msg = evm.message
        host = SpecHost(address=msg.code_address, caller=msg.caller, value=int(msg.value), gas=int(evm.gas_left),
                        is_static=msg.is_static, timestamp=int(msg.block_env.time),
                        chain_id=int(msg.block_env.chain_id), origin=bytes(msg.tx_env.origin), evm=evm)
        try:
            output = answer(host, bytes(msg.data), fork, msg.current_target == msg.code_address, admin)
        except Revert as exc:
            evm.gas_left -= Uint(host.used)
            evm.output = exc.data
            raise exceptions.Revert() from None
        except OutOfGas:
            raise exceptions.OutOfGasError() from None
        evm.gas_left -= Uint(host.used)
        evm.refund_counter += host.refund
        evm.output = output

    return native


class _Table(dict):
    """The specs' precompile table with alloy-evm's lookup: `in` and `[]` find a B20 token,
    `keys()` (the specs' warm set at a transaction's start) does not."""

    def __init__(self, table, fork, native):
        super().__init__(table)
        self.fork, self.native = fork, native

    def __contains__(self, address):
        return super().__contains__(address) or is_token(address, self.fork)

    def __getitem__(self, address):
        if super().__contains__(address):
            return super().__getitem__(address)
        if is_token(address, self.fork):
            return self.native
        raise KeyError(address)


@contextlib.contextmanager
def native_precompiles(fork: str, admin: Optional[bytes]):
    """The specs' Osaka runs Base's native precompiles of `fork` (a Base fork name) meanwhile."""
    interpreter, message = _osaka("vm.interpreter"), _osaka("utils.message")
    original = interpreter.PRE_COMPILED_CONTRACTS
    assert message.PRE_COMPILED_CONTRACTS is original
    native = _precompile(fork, admin)
    table = _Table({**original, **{address: native for address in fixed_addresses(fork)}}, fork, native)
    interpreter.PRE_COMPILED_CONTRACTS = message.PRE_COMPILED_CONTRACTS = table
    try:
        yield
    finally:
        interpreter.PRE_COMPILED_CONTRACTS = message.PRE_COMPILED_CONTRACTS = original
