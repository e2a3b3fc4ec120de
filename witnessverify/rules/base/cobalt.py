"""Base Cobalt, as far as the readable sources settle it: the NonceManager and TransactionContext
precompiles are refused with Beryl's (beryl.py, precompiles.py); EIP-8130 transactions (0x7B,
renumbered 0x79 later in base/base) are refused by name; the activation block, whose irregular
state change (the NonceManager's 0xEF stub, base/base `cobalt.rs`, moved to Zenith by PR #4924)
is not settled, is not judged."""

from __future__ import annotations

from ... import pyevm_adapter
from ...errors import Unsupported

# base/base PR #3653 (0x7B) and the later renumbering (Eip8130Constants: 0x79)
EIP8130_TX_TYPES = {0x7B: "EIP-8130 account abstraction (0x7B)", 0x79: "EIP-8130 account abstraction (0x79)"}
# Base's block time before Denim (2 s): without a parent header, the activation block is the one
# whose timestamp falls in the first block interval of the fork
BLOCK_TIME = 2


def layer(vm: type, l2_fork) -> type:
    """Cobalt's rules on top of Beryl's VM."""
    return pyevm_adapter.vm_class(f"Base{l2_fork.name.title()}TypesVM", (vm,), vm.get_state_class(),
                                  fork=l2_fork.label, unsupported_transaction_types=dict(EIP8130_TX_TYPES))


def refuse(chain, header, parent) -> None:
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
