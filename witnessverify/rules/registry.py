"""The one place that maps a chain's family and a fork to its rules: the fork check of a block
(which fork it is in, refusing one this tool does not implement before anything else), and the
rule set of (family, fork) and the chain's constants, built once and cached."""

from __future__ import annotations

from collections import OrderedDict
from importlib import import_module

from ..chains import UNIMPLEMENTED_FORKS, ChainConfig, Fork
from ..errors import Unsupported
from ..witness.headers import header_items, refuse_amsterdam_header
from .ruleset import RuleSet

# family -> (module, class) of its rules, imported when a block of that family first needs them:
# verifying an L1 block never loads the OP, Base and Celo rules (start-up)
FAMILY_RULES: dict[str, tuple[str, str]] = {
    "l1": (".l1.rules", "L1Rules"), "op": (".op.rules", "OPRules"),
    "base": (".base.rules", "BaseRules"), "celo": (".celo.rules", "CeloRules"),
}


def family_rules(family: str) -> type:
    """The rule-set class of `family`."""
    module, name = FAMILY_RULES[family]
    return getattr(import_module(module, __package__), name)


_CACHE: "OrderedDict[tuple, RuleSet]" = OrderedDict()
_CACHE_SIZE = 256  # distinct (chain, fork) pairs kept: a long audit meets few


def rule_set(chain: ChainConfig, fork: Fork) -> RuleSet:
    """The rules of `fork` on `chain` (built once per fork and chain constants)."""
    key = (repr(chain), fork)
    rules = _CACHE.get(key)
    if rules is None:
        rules = _CACHE[key] = family_rules(fork.family)(chain, fork)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return rules


def clear_cache() -> None:
    """Forget every rule set (their VM classes are built again on next use)."""
    _CACHE.clear()


def block_fork(chain: ChainConfig, header_rlp: bytes, what: str) -> Fork:
    """The fork of the block whose header is `header_rlp`: UNSUPPORTED, naming what is missing,
    for a header with fields of a fork this tool does not implement (Amsterdam's, on any
    chain), a block before an L2 chain's own blocks (Celo L1, OP Mainnet's legacy chain), or a
    block of a fork this tool does not implement (by the chain's schedule)."""
    items = header_items(header_rlp)
    if items is None:
        return None  # not a header at all: decoding it names what is wrong
    refuse_amsterdam_header(items, what)
    number, timestamp = int.from_bytes(items[8], "big"), int.from_bytes(items[11], "big")
    if number < chain.first_l2_block:
        raise Unsupported(
            f"{what}: block #{number} is {chain.before_l2} (the OP Stack chain's own blocks begin at "
            f"#{chain.first_l2_block}); its rules are not implemented")
    fork = chain.fork(number, timestamp)
    if fork.family != "l1" and not fork.implemented:
        supported = [f for f in chain.fork_line if Fork(chain.family, f).implemented]
        raise Unsupported(
            f"{what}: block #{number} is in fork {fork.name} (from the chain's schedule), whose execution rules are "
            f"not implemented (supported: {', '.join(supported)})", fork=None)
    if fork.name in UNIMPLEMENTED_FORKS:
        kind, start = chain.activation(fork)
        raise Unsupported(
            f"{what}: block #{number} (timestamp {timestamp}) is in {fork.name} by {chain.name}'s schedule "
            f"(from {kind} {start}): {UNIMPLEMENTED_FORKS[fork.name]} is not implemented", fork=fork.label)
    return fork
