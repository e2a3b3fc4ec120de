"""Base's VM classes: the OP rules of Jovian on the L1 Osaka EVM from Azul on (no Osaka rule is
written here: the EVM comes from rules/l1/osaka.py, the L2 rules from rules/op/vm.py, and Jovian's
precompile input caps stay because Azul does not descend from Karst), plus the refusals of the
Beryl and Cobalt features this tool does not implement.

What is refused, as UNSUPPORTED (never guessed):
  - any message call whose code address is a Base native precompile (precompiles.py), from
    the fork that installs it: base-reth-node runs Rust code there that py-evm does not have;
  - from Cobalt, transactions of the EIP-8130 types (0x7B, renumbered 0x79 later in base/base);
  - the Cobalt activation block, whose irregular state change (the NonceManager's 0xEF stub,
    base/base `cobalt.rs`, moved to Zenith by PR #4924) is not settled from the sources.
"""

from __future__ import annotations

from ... import pyevm_adapter
from ...errors import Unsupported
from ..op.vm import op_vm_class
from .precompiles import native_precompile

# base/base PR #3653 (0x7B) and the later renumbering (Eip8130Constants: 0x79)
EIP8130_TX_TYPES = {0x7B: "EIP-8130 account abstraction (0x7B)", 0x79: "EIP-8130 account abstraction (0x79)"}


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


# Base's block time before Denim (2 s): without a parent header, the activation block is the one
# whose timestamp falls in the first block interval of the fork
BLOCK_TIME = 2


def refuse_activation_block(chain, header, parent) -> None:
    """The Cobalt activation block is UNSUPPORTED (see the module docstring)."""
    cobalt = chain.op_forks.get("cobalt")
    if cobalt is None or header.timestamp < cobalt:
        return
    first = parent.timestamp < cobalt if parent is not None else header.timestamp < cobalt + BLOCK_TIME
    if first:
        raise Unsupported(
            f"block #{header.block_number} is the Cobalt activation block; whether base-reth-node writes "
            f"the EIP-8130 NonceManager's 0xEF code here (base/base cobalt.rs, moved to Zenith by PR #4924) "
            f"is not settled, so its state root cannot be judged"
        )


def base_vm_class(l2_fork, evm_vm_class: type) -> type:
    """The VM class of Base fork `l2_fork` (a Fork; up to Jovian the OP rules alone)."""
    vm = op_vm_class(l2_fork, evm_vm_class)
    if not l2_fork.at_least("beryl"):
        return vm
    state = vm.get_state_class()
    name = l2_fork.name.title()
    computation = type(f"Base{name}{state.computation_class.__name__}",
                       (NativePrecompileGuard, state.computation_class), {"base_fork": l2_fork})
    base_state = type(f"Base{name}{state.__name__}", (state,), {"computation_class": computation})
    unsupported_types = dict(EIP8130_TX_TYPES) if l2_fork.at_least("cobalt") else {}
    return pyevm_adapter.vm_class(f"Base{name}VM", (vm,), base_state, fork=l2_fork.label,
                                  unsupported_transaction_types=unsupported_types)
