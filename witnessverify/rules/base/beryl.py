"""Base Beryl: base-reth-node's native stateful precompiles (the B20 factory and tokens, the
PolicyRegistry, the ActivationRegistry; Cobalt adds two more), whose logic is in native/ and
whose routing is native/calls.py. Here they join the fork's precompile table as py-evm sees it:
the fixed addresses as entries (so py-evm counts them warm from a transaction's start, as
alloy-evm does), the B20 tokens through a lookup by address that `get` consults and `in` does
not (a token address is cold until touched, as behind alloy-evm's `PrecompileLookup`)."""

from __future__ import annotations

from functools import partial
from typing import Optional

from ... import pyevm_adapter
from ...chains import l2_at_least
from .native.calls import fixed_addresses
from .precompiles import b20_variant


class NativePrecompiles(dict):
    """A precompile table with a lookup: an address absent from the table that the lookup
    routes to a B20 token gets `token` from `get` (py-evm's dispatch), never from `in`/keys
    (py-evm's warm set)."""

    def __init__(self, table: dict, fork, token) -> None:
        super().__init__(table)
        self.fork, self.token = fork, token
        self._lookup = l2_at_least(fork, "beryl")  # asked once: get() runs for every message

    def copy(self) -> "NativePrecompiles":
        return NativePrecompiles(self, self.fork, self.token)

    def get(self, address, default=None):
        found = super().get(address, default)
        if found is default and self._lookup and b20_variant(address) is not None:
            return self.token
        return found


def precompiles(table: dict, fork, admin: Optional[bytes]) -> NativePrecompiles:
    """`table` with the native precompiles of `fork` added (`admin`: the chain's configured
    ActivationRegistry admin)."""
    from .native.evm_host import run  # the logic is loaded when a Beryl block is first run

    call = partial(run, fork=fork, admin=admin)
    return NativePrecompiles({**table, **{address: call for address in fixed_addresses(fork)}}, fork, call)


def layer(vm: type, l2_fork, chain) -> type:
    """Beryl's rules on top of the fork line's VM before it."""
    state = vm.get_state_class()
    name = l2_fork.name.title()
    table = precompiles(pyevm_adapter.precompiles_of(state.computation_class), l2_fork, chain.activation_admin)
    computation = pyevm_adapter.computation_class(f"Base{name}{state.computation_class.__name__}",
                                                  (state.computation_class,), table)
    base_state = type(f"Base{name}{state.__name__}", (state,), {"computation_class": computation})
    return pyevm_adapter.vm_class(f"Base{name}VM", (vm,), base_state, fork=l2_fork.label)
