"""Ethereum's networks: mainnet, Sepolia, Holesky, Hoodi (data only).

Fork activations are facts of each network, copied from go-ethereum `params/config.go`
(Mainnet/Sepolia/Holesky/HoodiChainConfig with OsakaTime, BPO1Time, BPO2Time and the Default*BlobConfig
values, read on 2026-11-24 from a copy in the search index, id 1119287850); the mainnet times also
match the execution specs' FORK_CRITERIA (ethereum-execution 2.20.0). Forks activate by block
number up to Paris and by timestamp from Shanghai on.
"""

from __future__ import annotations

from .spec import ChainConfig


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
# the merge at block 1735371 (MergeNetsplitBlock). Amsterdam (Glamsterdam) at 1791294816
# (2026-10-06 13:53:36 UTC): ethereum/pm issue #2205 and eth-clients/sepolia's metadata; its rules are
# not implemented, so its blocks are refused by name.
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
        "amsterdam": 1_791_294_816,
    },
    deposit_contract=_addr("0x7f02c3e3c98b133055b8b348b2ac625669ed295d"),
    sources=("ethereum/go-ethereum params/config.go SepoliaChainConfig",
             "amsterdam: ethereum/pm #2205, eth-clients/sepolia (2026-10-06 13:53:36 UTC)"),
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
