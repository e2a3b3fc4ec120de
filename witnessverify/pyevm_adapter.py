"""The one place that reaches into py-evm's private fields (its VM's `_state` and `_block`, a
state's `_account_db`, the `_state_class` and `_precompiles` class attributes, a typed
transaction's `_inner`, the proof-of-work `_assign_block_rewards`). Rules build their VM,
state and computation classes through these functions, and the engine starts a block through
them; the fast interpreter (interpreter/) replaces py-evm's loop inside its own computation
class and is the only other code that touches a frame's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChainContext:
    chain_id: int


def vm_class(name: str, bases: tuple, state_class: type, **attrs: Any) -> type:
    """A VM class running `state_class` (py-evm reads it from `_state_class`)."""
    return type(name, bases, {"_state_class": state_class, **attrs})


def computation_class(name: str, bases: tuple, precompiles: dict, **attrs: Any) -> type:
    """A computation class with this precompile table (py-evm reads it from `_precompiles`)."""
    return type(name, bases, {"_precompiles": precompiles, **attrs})


def precompiles_of(computation: type) -> dict:
    """A computation class's precompiles, address -> function (a copy to change, of the same
    kind: Base's table keeps its lookup, rules/base/beryl.py)."""
    return computation.get_precompiles().copy()


def start_block(vm_class_: type, header, chain_id: int, store, pre_state_root: bytes, prev_hashes, uncles,
                env) -> Any:
    """A VM for `header` whose state reads only the witness store, with the rules' `env`."""
    vm = vm_class_(header=header, chaindb=None, chain_context=ChainContext(chain_id), consensus_context=None)
    vm.env = env
    vm._block = vm.get_block_class()(header=header, transactions=[], uncles=uncles)
    context = vm.create_execution_context(header, prev_hashes, vm.chain_context)
    vm._state = vm.get_state_class()(store, context, pre_state_root)
    vm._state.env = env
    return vm


def account_db(state) -> Any:
    """The witness-backed account database under a py-evm state."""
    return state._account_db


def assign_block_rewards(vm, block) -> None:
    """Proof-of-work block and ommer rewards, as py-evm's VM pays them."""
    vm._assign_block_rewards(block)


def typed_payload(transaction) -> Any:
    """The inner (payload) transaction of a py-evm typed transaction."""
    return transaction._inner


def cache_sender(transaction, sender: bytes) -> None:
    """Give a transaction its sender, as py-evm's `sender` cached property keeps it once
    recovered (rules/l1/senders.py recovers it from the transaction's own encoding)."""
    transaction.__dict__["sender"] = sender
