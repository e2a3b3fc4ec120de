"""Chain data: what a chain and a fork are (spec.py), the built-in chains one module a family
(l1.py, op.py, base.py, celo.py), the parsers of rollup and chain configs, dev chains, the
registry by name and chain id, and the recorded consensus exceptions. No rules live here."""

from .base import BASE, BASE_SEPOLIA
from .celo import CELO, CELO_SEPOLIA
from .chain_config import chain_from_chain_config, chain_from_geth_config, is_geth_config
from .dev import DEV_CHAIN_ID, dev_chain
from .l1 import HOLESKY, HOODI, MAINNET, SEPOLIA
from .op import OP_MAINNET, OP_SEPOLIA, SEQUENCER_FEE_VAULT
from .registry import ALIASES, BY_ID, CHAINS, chain_by_name, chain_label, resolve_chain
from .rollup_config import chain_from_rollup_config
from .spec import (
    BASE_FORK_ORDER, DEFAULT_BLOB_SCHEDULE, EVM_OF_L2_FORK, FORK_LINES, FORK_ORDER, L2_FORK_LINES, OP_FORK_ORDER,
    OSAKA_EVM_FORKS, TIME_FORKS, UNIMPLEMENTED_FORKS, BlobParams, CeloParams, ChainConfig, Fork, fork, l2_at_least,
)

__all__ = [
    "ALIASES", "BASE", "BASE_FORK_ORDER", "BASE_SEPOLIA", "BY_ID", "CELO", "CELO_SEPOLIA", "CHAINS",
    "DEFAULT_BLOB_SCHEDULE", "DEV_CHAIN_ID", "EVM_OF_L2_FORK", "FORK_LINES", "FORK_ORDER", "HOLESKY", "HOODI",
    "L2_FORK_LINES", "MAINNET", "OP_FORK_ORDER", "OP_MAINNET", "OP_SEPOLIA", "OSAKA_EVM_FORKS", "SEPOLIA",
    "SEQUENCER_FEE_VAULT", "TIME_FORKS", "UNIMPLEMENTED_FORKS", "BlobParams", "CeloParams", "ChainConfig", "Fork",
    "chain_by_name", "chain_label", "chain_from_chain_config", "chain_from_geth_config", "chain_from_rollup_config",
    "dev_chain", "fork", "is_geth_config", "l2_at_least", "resolve_chain",
]
