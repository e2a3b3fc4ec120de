"""Base Beryl: base-reth-node routes calls to native precompiles whose logic exists only in its
Rust sources (the B20 factory and tokens, the ActivationRegistry, the PolicyRegistry;
precompiles.py names them). This tool does not implement them, so any message call whose code
address is one, from the fork that installs it, directly or nested, is UNSUPPORTED naming it —
never guessed."""

from __future__ import annotations

from ... import pyevm_adapter
from ...errors import Unsupported
from .precompiles import native_precompile


class NativePrecompileGuard:
    """Refuse a call into a Base native precompile (a computation-class mixin)."""

    base_fork = "beryl"

    @classmethod
    def apply_computation(cls, state, message, transaction_context, parent_computation=None):
        if not getattr(message, "is_delegation", False):
            name = native_precompile(message.code_address, cls.base_fork)
            if name is not None:
                raise Unsupported(f"a call to {name}: Base's native precompiles are not implemented "
                                  f"(base-reth-node only)")
        return super().apply_computation(state, message, transaction_context, parent_computation)


def layer(vm: type, l2_fork) -> type:
    """Beryl's rules on top of the fork line's VM before it."""
    state = vm.get_state_class()
    name = l2_fork.name.title()
    computation = type(f"Base{name}{state.computation_class.__name__}",
                       (NativePrecompileGuard, state.computation_class), {"base_fork": l2_fork})
    base_state = type(f"Base{name}{state.__name__}", (state,), {"computation_class": computation})
    return pyevm_adapter.vm_class(f"Base{name}VM", (vm,), base_state, fork=l2_fork.label)
