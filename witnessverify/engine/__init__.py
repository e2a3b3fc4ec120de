"""Execution of one block on py-evm (execute.py), through the one adapter to its internals
(witnessverify/pyevm_adapter.py)."""

from .execute import AncestorHashes, ExecutionContext, ExecutionResult, execute_block

__all__ = ["AncestorHashes", "ExecutionContext", "ExecutionResult", "execute_block"]
