"""Typed reverts: a custom error's selector and ABI arguments, as alloy encodes them."""

from __future__ import annotations

from eth_hash.auto import keccak

from . import abi
from .abi import selector
from .host import Revert

__all__ = ["error", "selector", "topic"]


def error(signature: str, *args) -> Revert:
    """Revert(selector ‖ abi.encode(args)) for `Name(type,...)`."""
    types = [t for t in signature[signature.index("(") + 1:-1].split(",") if t]
    return Revert(selector(signature) + abi.encode(types, list(args)))


def topic(signature: str) -> bytes:
    return keccak(signature.encode())
