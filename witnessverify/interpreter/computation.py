"""The computation mixin every fork's computation class gets: frames run in this project's loop
(compiled or as Python, choice.py) instead of py-evm's, unless py-evm's own loop is chosen."""

from __future__ import annotations

from typing import Optional

from eth.vm.computation import NO_RESULT

from .choice import runner
from .stack import IntStack


class FastInterpreter:
    """Computation-class mixin: frames run in the selected loop's `run` instead of py-evm's
    loop (unless WV_INTERPRETER=py-evm, or py-evm's debug2 tracing is on, which only its own
    loop prints).

    Everything around the loop is py-evm's `BaseComputation.apply_computation`, unchanged:
    the origin's created-contract list and initcode gas, precompile dispatch, the context
    manager that turns a VMError into the frame's error and burns its gas."""

    def __init__(self, state, message, transaction_context) -> None:
        super().__init__(state, message, transaction_context)
        if runner() is not None:
            self._stack = IntStack()

    @classmethod
    def apply_computation(cls, state, message, transaction_context, parent_computation: Optional[object] = None):
        computation = cls._apply(state, message, transaction_context, parent_computation)
        if computation.is_error:
            # the error's traceback holds the frames that hold this computation: a reference
            # cycle per failed frame (with its memory, children and their memory) that only the
            # collector's oldest generation frees, so a long run's memory climbs between its
            # collections. Nothing reads the traceback (a re-raise starts a new one).
            computation.error.__traceback__ = None
        return computation

    @classmethod
    def _apply(cls, state, message, transaction_context, parent_computation):
        run = runner()
        if run is None or cls.logger.show_debug2:
            return super().apply_computation(state, message, transaction_context, parent_computation)
        with cls(state, message, transaction_context) as computation:
            if computation.is_origin_computation:
                computation.contracts_created = []
                if message.is_create:
                    cls.consume_initcode_gas_cost(computation)
            if parent_computation is not None:
                computation.contracts_created = parent_computation.contracts_created
            if message.is_create:
                computation.contracts_created.append(message.storage_address)
            precompile = computation.precompiles.get(message.code_address, NO_RESULT)
            if precompile is not NO_RESULT:
                if not message.is_delegation:
                    precompile(computation)
                return computation
            run(computation)
        return computation
