"""A rule set: everything that differs between a chain family's forks, asked by the pipeline,
the engine, the verdict and the builder, so that none of them branches on the family. One per
(family, fork) and chain constants, built once (rules/registry.py). The families' rule sets are
l1/rules.py, op/rules.py (OP Stack), base/rules.py and celo/rules.py.
"""

from __future__ import annotations

from typing import Optional

from ..chains import ChainConfig, Fork
from ..errors import InputError
from ..verdicts import Mismatch


class RuleSet:
    """The interface, each method with the answer of a family that has no such rule."""

    def __init__(self, chain: ChainConfig, fork: Fork) -> None:
        self.chain = chain
        self.fork = fork
        self._vm_class: Optional[type] = None

    # -- execution -------------------------------------------------------------------------
    @property
    def vm_class(self) -> type:
        """The witness-backed py-evm VM class of this fork (built on first use)."""
        if self._vm_class is None:
            self._vm_class = self.build_vm_class()
        return self._vm_class

    def build_vm_class(self) -> type:
        raise NotImplementedError

    @property
    def evm_fork(self) -> str:
        """The Ethereum fork whose EVM runs the block."""
        return self.fork.evm.name

    @property
    def precompiles(self) -> dict:
        """Address -> precompile function of this fork."""
        return dict(self.vm_class.get_state_class().computation_class.get_precompiles())

    system_calls: tuple = ()  # the block-level system calls, by name, in the order they run
    pays_block_rewards = False  # proof-of-work block and ommer rewards
    commits_output_roots = False  # an OP Stack block's output root

    def block_validity(self, block_rlp_size: int, blob_gas_used: Optional[int]) -> Optional[str]:
        """Why the block as a whole is invalid by a per-block limit (blob gas, RLP size), if it is."""
        return None

    def withdrawals_root(self, account_db) -> Optional[bytes]:
        """A withdrawalsRoot that is no withdrawals trie (OP Isthmus: a storage root), if any."""
        return None

    def output(self, result, block_hash: bytes):
        """The block's output root as executed (OP Stack), else None."""
        return None

    # -- the block's shape and header ----------------------------------------------------------
    def decode_block(self, raw: bytes, items: list, header, what: str):
        raise NotImplementedError

    def refuse(self, header, parent) -> None:
        """Raise Unsupported for a block that needs a rule this family does not implement."""

    def header_mismatches(self, header, parent) -> list[Mismatch]:
        """Every header rule the header breaks: against its parent when the witness proves one
        (`parent` None: those are skipped), and alone."""
        raise NotImplementedError

    def witness_free_fields(self) -> tuple[str, ...]:
        """Commitments that are functions of the block body alone: no witness gap explains a
        difference in them."""
        return ("transactionsRoot", "withdrawalsRoot", "block")

    def skipped_checks(self) -> list[str]:
        """Checks this chain's rules take on trust, for the report."""
        return []

    def header_from_attributes(self, parent_rlp: bytes, attributes: dict, what: str) -> list:
        """The header fields of a block sealed from payload attributes (OP Stack builders)."""
        raise InputError(f"{what}: building from payload attributes is for OP Stack chains")
