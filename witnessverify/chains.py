"""Chain configurations: chain id and fork schedule, and the choice of fork for a block.

Fork activations are facts of each network, copied from go-ethereum `params/config.go`
(Mainnet/Sepolia/Holesky/HoodiChainConfig with OsakaTime, BPO1Time, BPO2Time and the Default*BlobConfig
values, read on 2026-11-24 from a copy in the search index, id 1119287850); the mainnet times also
match the execution specs' FORK_CRITERIA (ethereum-execution 2.20.0). Forks activate by block
number up to Paris and by timestamp from Shanghai on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .errors import InputError

# Fork names in activation order; each maps to a VM class in `forks.py`.
FORK_ORDER = (
    "frontier",
    "homestead",
    "tangerine_whistle",
    "spurious_dragon",
    "byzantium",
    "petersburg",
    "istanbul",
    "muir_glacier",
    "berlin",
    "london",
    "arrow_glacier",
    "gray_glacier",
    "paris",
    "shanghai",
    "cancun",
    "prague",
    "osaka",
    "bpo1",
    "bpo2",
)


@dataclass(frozen=True)
class BlobParams:
    """EIP-7840/7892 blob schedule entry: blobs per block and the base fee update fraction."""

    target: int
    max: int
    update_fraction: int


# The blob schedule of mainnet, Sepolia, Holesky and Hoodi alike (EIP-4844, EIP-7691, EIP-7892
# BPO1/BPO2 as set in each network's config; the execution specs' forks carry the same values).
DEFAULT_BLOB_SCHEDULE = {
    "cancun": BlobParams(3, 6, 3_338_477),
    "prague": BlobParams(6, 9, 5_007_716),
    "osaka": BlobParams(6, 9, 5_007_716),
    "bpo1": BlobParams(10, 15, 8_346_193),
    "bpo2": BlobParams(14, 21, 11_684_671),
}


@dataclass(frozen=True)
class ChainConfig:
    name: str
    chain_id: int
    # fork name -> first block number (forks up to Paris)
    block_forks: dict[str, int]
    # fork name -> first timestamp (Shanghai on)
    time_forks: dict[str, int]
    dao_fork_block: Optional[int] = None
    # EIP-6110 deposit contract (Prague deposit requests are read from its logs)
    deposit_contract: Optional[bytes] = None
    blob_schedule: dict[str, BlobParams] = field(default_factory=lambda: dict(DEFAULT_BLOB_SCHEDULE))
    # EIP-1559 parameters (OP chains: their own; from Canyon a second denominator)
    eip1559_elasticity: int = 2
    eip1559_denominator: int = 8
    eip1559_denominator_canyon: Optional[int] = None
    # OP Stack chains: OP fork name -> activation timestamp (see op/vm.py for the fork order)
    op_forks: Optional[dict[str, int]] = None
    sources: tuple[str, ...] = field(default=())

    @property
    def is_op(self) -> bool:
        return self.op_forks is not None

    def op_fork_at(self, timestamp: int) -> str:
        from .op.vm import OP_FORK_ORDER

        chosen = None
        for name in OP_FORK_ORDER:
            start = self.op_forks.get(name)
            if start is not None and timestamp >= start:
                chosen = name
        if chosen is None:
            raise InputError(f"chain {self.name}: no OP fork is active at timestamp {timestamp}")
        return chosen

    def eip1559_params(self, op_fork: Optional[str] = None) -> tuple[int, int]:
        """(elasticity multiplier, base fee max change denominator) at a fork."""
        from .op.vm import at_least

        if op_fork and self.eip1559_denominator_canyon and at_least(op_fork, "canyon"):
            return self.eip1559_elasticity, self.eip1559_denominator_canyon
        return self.eip1559_elasticity, self.eip1559_denominator

    def blob_params(self, fork: str) -> Optional[BlobParams]:
        """The blob schedule in force at `fork` (the newest entry at or before it)."""
        params = None
        for name in FORK_ORDER[: FORK_ORDER.index(fork) + 1]:
            params = self.blob_schedule.get(name, params)
        return params

    def fork_at(self, number: int, timestamp: int) -> str:
        """The fork whose rules apply to the block with this number and timestamp."""
        chosen = None
        for name in FORK_ORDER:
            if name in self.time_forks:
                if timestamp >= self.time_forks[name]:
                    chosen = name
            elif name in self.block_forks:
                if number >= self.block_forks[name]:
                    chosen = name
        if chosen is None:
            raise InputError(f"chain {self.name}: no fork is active at block {number}")
        return chosen


def _addr(h: str) -> bytes:
    return bytes.fromhex(h[2:])


# Ethereum mainnet: go-ethereum params/config.go (MainnetChainConfig).
MAINNET = ChainConfig(
    name="mainnet",
    chain_id=1,
    block_forks={
        "frontier": 0,
        "homestead": 1_150_000,
        "tangerine_whistle": 2_463_000,
        "spurious_dragon": 2_675_000,
        "byzantium": 4_370_000,
        "petersburg": 7_280_000,
        "istanbul": 9_069_000,
        "muir_glacier": 9_200_000,
        "berlin": 12_244_000,
        "london": 12_965_000,
        "arrow_glacier": 13_773_000,
        "gray_glacier": 15_050_000,
        "paris": 15_537_394,
    },
    time_forks={
        "shanghai": 1_681_338_455,
        "cancun": 1_710_338_135,
        "prague": 1_746_612_311,
        "osaka": 1_764_798_551,
        "bpo1": 1_765_290_071,
        "bpo2": 1_767_747_671,
    },
    dao_fork_block=1_920_000,
    deposit_contract=_addr("0x00000000219ab540356cbb839cbe05303d7705fa"),
    sources=("ethereum/go-ethereum params/config.go MainnetChainConfig",),
)

# Sepolia: go-ethereum params/config.go (SepoliaChainConfig); London rules from genesis,
# the merge at block 1735371 (MergeNetsplitBlock).
SEPOLIA = ChainConfig(
    name="sepolia",
    chain_id=11_155_111,
    block_forks={
        "london": 0,
        "paris": 1_735_371,
    },
    time_forks={
        "shanghai": 1_677_557_088,
        "cancun": 1_706_655_072,
        "prague": 1_741_159_776,
        "osaka": 1_760_427_360,
        "bpo1": 1_761_017_184,
        "bpo2": 1_761_607_008,
    },
    deposit_contract=_addr("0x7f02c3e3c98b133055b8b348b2ac625669ed295d"),
    sources=("ethereum/go-ethereum params/config.go SepoliaChainConfig",),
)

# Holesky: go-ethereum params/config.go (HoleskyChainConfig); proof of stake from genesis.
HOLESKY = ChainConfig(
    name="holesky",
    chain_id=17_000,
    block_forks={"paris": 0},
    time_forks={
        "shanghai": 1_696_000_704,
        "cancun": 1_707_305_664,
        "prague": 1_740_434_112,
        "osaka": 1_759_308_480,
        "bpo1": 1_759_800_000,
        "bpo2": 1_760_389_824,
    },
    deposit_contract=_addr("0x4242424242424242424242424242424242424242"),
    sources=("ethereum/go-ethereum params/config.go HoleskyChainConfig",),
)

# Hoodi: go-ethereum params/config.go (HoodiChainConfig); Cancun from genesis.
HOODI = ChainConfig(
    name="hoodi",
    chain_id=560_048,
    block_forks={"paris": 0},
    time_forks={
        "shanghai": 0,
        "cancun": 0,
        "prague": 1_742_999_832,
        "osaka": 1_761_677_592,
        "bpo1": 1_762_365_720,
        "bpo2": 1_762_955_544,
    },
    deposit_contract=_addr("0x00000000219ab540356cbb839cbe05303d7705fa"),
    sources=("ethereum/go-ethereum params/config.go HoodiChainConfig",),
)

# OP Mainnet: ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml at
# 8336d2aedd19b87a57b01ae36ba4afef8ea377d0 (as collected with provenance in ../shared/chains/chains.json).
# Regolith is active from the Bedrock genesis (block 105235063); Delta changed only the consensus layer.
OP_MAINNET = ChainConfig(
    name="op-mainnet",
    chain_id=10,
    block_forks={"paris": 0},
    time_forks={},
    eip1559_elasticity=6,
    eip1559_denominator=50,
    eip1559_denominator_canyon=250,
    op_forks={
        "regolith": 0,
        "canyon": 1_704_992_401,
        "delta": 1_708_560_000,
        "ecotone": 1_710_374_401,
        "fjord": 1_720_627_201,
        "granite": 1_726_070_401,
        "holocene": 1_736_445_601,
        "isthmus": 1_746_806_401,
        "jovian": 1_764_691_201,
        "karst": 1_783_526_401,
    },
    sources=("ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml @8336d2ae",),
)

CHAINS = {c.name: c for c in (MAINNET, SEPOLIA, HOLESKY, HOODI, OP_MAINNET)}
BY_ID = {c.chain_id: c for c in CHAINS.values()}


def resolve_chain(name: Optional[str], chain_id: Optional[int], origin: str) -> ChainConfig:
    """Pick the chain config from `--chain` or the bundle's chain id; they must agree."""
    if name is not None:
        key = name.lower()
        if key not in CHAINS:
            raise InputError(f"unknown chain {name!r}; known: {', '.join(sorted(CHAINS))}")
        chain = CHAINS[key]
        if chain_id is not None and chain_id != chain.chain_id:
            raise InputError(
                f"{origin}: chain id {chain_id} in the input contradicts --chain {name} "
                f"(chain id {chain.chain_id})"
            )
        return chain
    if chain_id is None:
        raise InputError(f"{origin}: the input does not name its chain id; pass --chain NAME")
    if chain_id not in BY_ID:
        raise InputError(f"{origin}: chain id {chain_id} has no built-in config; pass --chain NAME")
    return BY_ID[chain_id]
