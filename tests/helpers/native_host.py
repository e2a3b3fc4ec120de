"""An in-memory state for Base's native precompile logic, as base/base's golden tests use
their `HashMapStorageProvider`: storage by (address, slot) (zero writes kept: the goldens hash
them), code by address, events in order, and a checkpoint a reverted call is rolled back to."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from eth_hash.auto import keccak

from witnessverify.rules.base.native.host import EMPTY_CODE_HASH, Host


@dataclass
class MemoryState:
    storage: dict = field(default_factory=dict)  # (address, slot) -> value
    code: dict = field(default_factory=dict)
    logs: list = field(default_factory=list)  # (address, topics, data)

    def host(self, address: bytes, caller: bytes, value: int = 0, **kw) -> "MemoryHost":
        return MemoryHost(address=address, caller=caller, value=value, state=self, **kw)

    def checkpoint(self):
        return copy.deepcopy((self.storage, self.code, self.logs))

    def restore(self, saved) -> None:
        self.storage, self.code, self.logs = saved

    def storage_hash(self, address: bytes) -> bytes:
        """b20_policy_v1_golden's `hash_state`: the address's events (topics, then data), then
        its storage sorted by slot, as (slot, value) words."""
        buf = b"".join(b"".join(t) + d for a, t, d in self.logs if a == address)
        for (a, slot), value in sorted(self.storage.items()):
            if a == address:
                buf += slot.to_bytes(32, "big") + value.to_bytes(32, "big")
        return keccak(buf)

    def storage_hash_of(self, addresses: list[bytes]) -> bytes:
        """b20_factory_v1_golden's `hash_state`: the events of each address in turn, then the
        storage of all of them sorted by (address, slot, value), as address ‖ slot ‖ value."""
        buf = b"".join(b"".join(t) + d for address in addresses for a, t, d in self.logs if a == address)
        for (a, slot), value in sorted(((a, s), v) for (a, s), v in self.storage.items() if a in addresses):
            buf += a + slot.to_bytes(32, "big") + value.to_bytes(32, "big")
        return keccak(buf)


@dataclass
class MemoryHost(Host):
    state: MemoryState = None
    warm: set = field(default_factory=set)

    def _load(self, address, slot):
        return self.state.storage.get((address, slot), 0)

    def _store(self, address, slot, value):
        self.state.storage[(address, slot)] = value

    def _original(self, address, slot):
        return self.state.storage.get((address, slot), 0)

    def _warm_slot(self, address, slot):
        was = (address, slot) in self.warm
        self.warm.add((address, slot))
        return was

    def _warm_account(self, address):
        was = address in self.warm
        self.warm.add(address)
        return was

    def _code_hash(self, address):
        code = self.state.code.get(address, b"")
        return keccak(code) if code else EMPTY_CODE_HASH

    def _set_code(self, address, code):
        self.state.code[address] = code

    def _log(self, address, topics, data):
        self.state.logs.append((address, topics, data))
