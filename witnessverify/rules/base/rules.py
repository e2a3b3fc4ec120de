"""Base's rule set: OP's (rules/op/rules.py), then each of Base's own forks' rules in its file,
applied in fork order to every block of that fork or later. Azul is the OP rules of Jovian on the
L1 Osaka EVM (its EVM is chain data, chains/spec.py; Jovian's precompile caps stay, as Azul does
not descend from Karst): it needs no file. To add Base's next fork: its entry on the Base line
(chains/spec.py) with its activation in chains/base.py, its rules in rules/base/<fork>.py
(`layer(vm, fork, chain)`, optionally `refuse(chain, header, parent)`), and its line in FORK_RULES."""

from __future__ import annotations

from ..op.rules import OPRules
from . import beryl, cobalt

# each Base fork's own rules, in fork order
FORK_RULES = (("beryl", beryl), ("cobalt", cobalt))


class BaseRules(OPRules):
    def _own_forks(self):
        return [module for name, module in FORK_RULES if self.fork.at_least(name)]

    def build_vm_class(self) -> type:
        vm = super().build_vm_class()
        for module in self._own_forks():
            vm = module.layer(vm, self.fork, self.chain)
        return vm

    def refuse(self, header, parent) -> None:
        for module in self._own_forks():
            if hasattr(module, "refuse"):
                module.refuse(self.chain, header, parent)
