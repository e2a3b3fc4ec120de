"""Base Cobalt, as far as the readable sources settle it: its native precompiles (the V2 tokens
and PolicyRegistry, the NonceManager and TransactionContext) join Beryl's table (beryl.py,
native/calls.py); EIP-8130 transactions (0x7B,
renumbered 0x79 later in base/base) are refused by name: base/base PR #4924 ("Move EIP-8130
activation to Zenith", 2026-09-05) gates them, and "the EIP-8130 system-account state
transition" (`ensure_eip8130_system_accounts` in crates/common/evm/src/cobalt.rs, the
NonceManager's 0xEF stub), on Zenith, an upgrade never scheduled. So Cobalt's activation block
has no irregular state change and is judged as any other block."""

from __future__ import annotations

from ... import pyevm_adapter

# base/base PR #3653 (0x7B) and the later renumbering (Eip8130Constants: 0x79)
EIP8130_TX_TYPES = {t: f"EIP-8130 account abstraction (0x{t:02X}), not active at Cobalt (base/base PR #4924 gates it "
                       f"on Zenith)" for t in (0x7B, 0x79)}


def layer(vm: type, l2_fork, chain) -> type:
    """Cobalt's rules on top of Beryl's VM."""
    return pyevm_adapter.vm_class(f"Base{l2_fork.name.title()}TypesVM", (vm,), vm.get_state_class(),
                                  fork=l2_fork.label, unsupported_transaction_types=dict(EIP8130_TX_TYPES))
