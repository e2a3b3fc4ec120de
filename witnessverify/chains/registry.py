"""The built-in chains by name and chain id, and the choice of chain for an input (`--chain`,
a config, or the input's chain id)."""

from __future__ import annotations

from typing import Optional

from ..errors import InputError
from .base import BASE, BASE_SEPOLIA
from .celo import CELO, CELO_SEPOLIA
from .dev import DEV_CHAIN_ID, dev_chain
from .l1 import HOLESKY, HOODI, MAINNET, SEPOLIA
from .op import OP_MAINNET, OP_SEPOLIA
from .spec import ChainConfig

CHAINS = {c.name: c for c in (MAINNET, SEPOLIA, HOLESKY, HOODI, OP_MAINNET, OP_SEPOLIA, BASE, BASE_SEPOLIA,
                                CELO, CELO_SEPOLIA)}
# other names the chains go by (rollup configs name Celo "celo" / "celo-sepolia")
ALIASES = {"ethereum": "mainnet", "optimism": "op-mainnet", "celo-mainnet": "celo"}


def chain_by_name(name: str) -> Optional[ChainConfig]:
    key = name.lower()
    return CHAINS.get(ALIASES.get(key, key))


BY_ID = {c.chain_id: c for c in CHAINS.values()}


def chain_label(chain, chain_id: Optional[int]) -> str:
    """The chain's name for metrics and alerts: --chain's (a name or a config's), else the
    built-in name of the chain id the clients serve, else `chain-<id>`."""
    if isinstance(chain, ChainConfig):
        return chain.name
    if isinstance(chain, str) and chain:
        known = chain_by_name(chain)
        return known.name if known else chain.lower()
    if chain_id in BY_ID:
        return BY_ID[chain_id].name
    return f"chain-{chain_id}" if chain_id is not None else "unsettled"


def resolve_chain(name, chain_id: Optional[int], origin: str) -> ChainConfig:
    """Pick the chain config from `--chain` (a name, or a config from --rollup-config) or the
    bundle's chain id; they must agree."""
    if name is not None:
        if isinstance(name, ChainConfig):
            chain, name = name, name.name
        elif name.lower().startswith("dev:"):
            chain = dev_chain(name[4:], chain_id if chain_id is not None else DEV_CHAIN_ID)
        else:
            chain = chain_by_name(name)
            if chain is None:
                raise InputError(f"unknown chain {name!r}; known: {', '.join(sorted(CHAINS))}")
        if chain_id is not None and chain_id != chain.chain_id:
            raise InputError(
                f"{origin}: chain id {chain_id} in the input contradicts --chain {name} "
                f"(chain id {chain.chain_id})"
            )
        return chain
    if chain_id is None:
        raise InputError(f"{origin}: neither the input nor its transactions name the chain; pass --chain NAME "
                         f"(known: {', '.join(sorted(CHAINS))})")
    if chain_id not in BY_ID:
        raise InputError(f"{origin}: chain id {chain_id} has no built-in config; pass --chain NAME or "
                         f"--rollup-config FILE")
    return BY_ID[chain_id]

