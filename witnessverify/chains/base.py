"""Base and Base Sepolia (data only): the OP forks up to Jovian, then Base's own."""

from __future__ import annotations

from .op import op_chain


# The ActivationRegistry admin each Base chain configures for Beryl and Cobalt (base/base
# crates/common/chains/src/config.rs @84ef08be, MAINNET_/SEPOLIA_/ZERONET_BERYL_ACTIVATION_ADMIN_ADDRESS);
# a rollup config with one of these chain ids gets it too (rollup_config.py)
ACTIVATION_ADMINS = {
    8453: bytes.fromhex("cE3a3bEE7E72E2A24079f3c0Cb3b97740ED425A9"),
    84532: bytes.fromhex("5F43072722f59964d886CBb507F6a85ca0759D42"),
    763360: bytes.fromhex("F5969A85a555671EeD766C4ff0C61426AA626b11"),
}

# Base and Base Sepolia: up to Jovian the superchain registry's last version before Base left it
# (2026-04-27, commit 0d9aefc4; values of 5b055be4). Base's own forks after Jovian, from base/base
# `crates/common/chains/src/config.rs` @068fc036 (Azul, Beryl) and PRs #5056/#5196 (Cobalt),
# collected with sources in ../shared/chains/base-forks.md. Base never schedules Karst.
BASE = op_chain("base", 8453, 6, {
    "regolith": 0, "canyon": 1_704_992_401, "delta": 1_708_560_000, "ecotone": 1_710_374_401,
    "fjord": 1_720_627_201, "granite": 1_726_070_401, "holocene": 1_736_445_601, "isthmus": 1_746_806_401,
    "jovian": 1_764_691_201, "azul": 1_779_991_200, "beryl": 1_782_410_400, "cobalt": 1_790_791_200,
}, "ethereum-optimism/superchain-registry superchain/configs/mainnet/base.toml @5b055be4; "
   "base/base crates/common/chains/src/config.rs @068fc036, PR #5196", family="base", activation_admin=ACTIVATION_ADMINS[8453])
BASE_SEPOLIA = op_chain("base-sepolia", 84532, 10, {
    "regolith": 0, "canyon": 1_699_981_200, "delta": 1_703_203_200, "ecotone": 1_708_534_800,
    "fjord": 1_716_998_400, "granite": 1_723_478_400, "holocene": 1_732_633_200, "isthmus": 1_744_905_600,
    "jovian": 1_763_568_001, "azul": 1_776_708_000, "beryl": 1_781_805_600, "cobalt": 1_790_186_400,
}, "ethereum-optimism/superchain-registry superchain/configs/sepolia/base.toml @5b055be4; "
   "base/base crates/common/chains/src/config.rs @068fc036, PR #5056", family="base", activation_admin=ACTIVATION_ADMINS[84532])
