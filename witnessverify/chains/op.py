"""OP Stack chains of the OP fork line: OP Mainnet and OP Sepolia (data only), and the
constructor the other OP Stack families' chains share."""

from __future__ import annotations

from typing import Optional

from .spec import ChainConfig

SEQUENCER_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000011")

# OP Mainnet: ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml at
# 8336d2aedd19b87a57b01ae36ba4afef8ea377d0 (as collected with provenance in ../shared/chains/chains.json).
# Regolith is active from the Bedrock genesis (block 105235063, whose state is the migrated legacy
# state, not an execution result: op-reth's bedrock.rs pins its header); earlier blocks are the legacy
# OVM chain. Delta changed only the consensus layer.
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
    family="op",
    sources=("ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml @8336d2ae",),
    fee_recipient=SEQUENCER_FEE_VAULT,
    first_l2_block=105_235_064,
    before_l2="a legacy (pre-Bedrock, l2geth) OP Mainnet block or the Bedrock migration block #105,235,063",
)


def op_chain(name: str, chain_id: int, elasticity: int, forks: dict[str, Optional[int]], source: str,
              family: str = "op", **extra) -> ChainConfig:
    return ChainConfig(
        name=name,
        chain_id=chain_id,
        block_forks={"paris": 0},
        time_forks={},
        eip1559_elasticity=elasticity,
        eip1559_denominator=extra.pop("denominator", 50),
        eip1559_denominator_canyon=extra.pop("denominator_canyon", 250),
        op_forks={k: v for k, v in forks.items() if v is not None},
        family=family,
        sources=(source,),
        fee_recipient=SEQUENCER_FEE_VAULT,
        **extra,
    )


# OP Sepolia: superchain-registry superchain/configs/sepolia/op.toml @8336d2ae.
OP_SEPOLIA = op_chain("op-sepolia", 11_155_420, 6, {
    "regolith": 0, "canyon": 1_699_981_200, "delta": 1_703_203_200, "ecotone": 1_708_534_800,
    "fjord": 1_716_998_400, "granite": 1_723_478_400, "holocene": 1_732_633_200, "isthmus": 1_744_905_600,
    "jovian": 1_763_568_001, "karst": 1_781_712_001,
}, "ethereum-optimism/superchain-registry superchain/configs/sepolia/op.toml @8336d2ae")
