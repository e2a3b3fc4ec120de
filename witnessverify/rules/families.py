"""Which rules a chain's family uses: the one place that maps a chain (L1, OP, Base, Celo) and a
fork to its VM class and its header rules, so that callers never branch on the family."""

from __future__ import annotations

from ..chains import EVM_OF_L2_FORK, ChainConfig
from .l1.forks import witness_vm_class


def l2_vm_class(chain: ChainConfig, fork: str) -> type:
    """The witness-backed VM class for L2 fork `fork` of `chain`."""
    evm_fork = EVM_OF_L2_FORK[fork]
    evm = witness_vm_class(evm_fork, None, chain.blob_params(evm_fork))
    if chain.family == "celo":
        from .celo.vm import celo_vm_class

        return celo_vm_class(fork, evm, chain.celo)
    if chain.family == "base":
        from .base.vm import base_vm_class

        return base_vm_class(fork, evm)
    from .op.vm import op_vm_class

    return op_vm_class(fork, evm)


def next_base_fee(chain: ChainConfig, fork: str, parent) -> int:
    """The base fee of a child of `parent` whose L2 fork is `fork`."""
    from .op.holocene import next_base_fee as op_next_base_fee

    fee = op_next_base_fee(chain, fork, parent)
    if chain.family == "celo":
        from .celo.base_fee import with_celo_floor

        fee = with_celo_floor(fee, fork, chain.celo)
    return fee


def refuse_unsupported_block(chain: ChainConfig, header, parent) -> None:
    """Raise Unsupported for a block that needs a rule of the family not implemented here
    (beyond what its VM class refuses while executing)."""
    if chain.family == "base":
        from .base.vm import refuse_activation_block

        refuse_activation_block(chain, header, parent)
