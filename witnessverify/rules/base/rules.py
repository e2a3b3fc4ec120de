"""Base's rule set: OP's (rules/op/rules.py) with Base's VM classes (vm.py: Azul on the Osaka EVM,
Beryl's and Cobalt's refusals) and the Cobalt activation block refused."""

from __future__ import annotations

from ..op.rules import OPRules
from .vm import base_vm_class, refuse_activation_block


class BaseRules(OPRules):
    def build_vm_class(self) -> type:
        return base_vm_class(self.fork, self.evm_vm_class())

    def refuse(self, header, parent) -> None:
        refuse_activation_block(self.chain, header, parent)
