"""Development chains (Anvil): every fork up to one from genesis."""

from __future__ import annotations

from ..errors import InputError
from .spec import FORK_ORDER, OP_FORK_ORDER, TIME_FORKS, ChainConfig

DEV_CHAIN_ID = 31337


def dev_chain(fork: str, chain_id: int = DEV_CHAIN_ID) -> ChainConfig:
    """An Anvil-style dev chain: every fork up to `fork` active from genesis. `op-<fork>` (for
    `anvil --optimism`) is an OP Stack chain with every OP fork up to it from genesis."""
    fork = fork.lower()
    if fork not in FORK_ORDER and fork in OP_FORK_ORDER[1:]:  # `anvil --optimism` reports "jovian"
        fork = "op-" + fork
    if fork.startswith("op-") and fork[3:] in OP_FORK_ORDER[1:]:
        line = OP_FORK_ORDER[1: OP_FORK_ORDER.index(fork[3:]) + 1]
        return ChainConfig(
            name=f"dev:{fork}", chain_id=chain_id, block_forks={"paris": 0}, time_forks={},
            eip1559_elasticity=6, eip1559_denominator=50, eip1559_denominator_canyon=250,
            op_forks={f: 0 for f in line}, family="op", strict_timestamps=False,
            sources=("a development OP Stack chain: every OP fork from genesis",),
        )
    if fork not in FORK_ORDER:
        raise InputError(f"dev chain: unknown fork {fork!r}; known: {', '.join(FORK_ORDER)}, "
                         f"or op-<fork> ({', '.join(OP_FORK_ORDER[1:])})")
    upto = FORK_ORDER[: FORK_ORDER.index(fork) + 1]
    return ChainConfig(
        name=f"dev:{fork}",
        chain_id=chain_id,
        block_forks={f: 0 for f in upto if f not in TIME_FORKS},
        time_forks={f: 0 for f in upto if f in TIME_FORKS},
        strict_timestamps=False,
        requires_request_contracts=False,
        sources=("a development chain: every fork from genesis",),
    )

