"""Celo's rule set: OP's (rules/op/rules.py) with Celo's VM classes (vm.py) and its base-fee floor
before Jovian (base_fee.py)."""

from __future__ import annotations

from ..op.holocene import next_base_fee
from ..op.rules import OPRules
from .base_fee import with_celo_floor
from .vm import celo_vm_class


class CeloRules(OPRules):
    def build_vm_class(self) -> type:
        return celo_vm_class(self.fork, self.evm_vm_class(), self.chain.celo)

    def next_base_fee(self, parent) -> int:
        return with_celo_floor(next_base_fee(self.chain, self.fork, parent), self.fork, self.chain.celo)
