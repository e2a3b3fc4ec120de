"""Celo and Celo Sepolia (data only): OP Stack chains with Celo's own rules (rules/celo/)."""

from __future__ import annotations

from .op import op_chain
from .spec import CeloParams


def _addr(h: str) -> bytes:
    return bytes.fromhex(h[2:])


# Celo: an OP Stack chain with its own execution rules (rules/celo/). Fork times and EIP-1559
# parameters from celo-org/celo-kona @34985c44 `crates/celo-reth/res/genesis/{mainnet,sepolia}.toml`
# and `crates/kona/registry/etc/configs.json`; addresses from `crates/celo-revm/src/constants.rs`.
# Celo mainnet was migrated from its own L1 at block 31,056,500 (cel2_time 1742957258); earlier
# blocks are Celo L1 blocks, not OP Stack blocks.
_CELO_TOKEN = _addr("0x471EcE3750Da237f93B8E339c536989b8978a438")
_FEE_HANDLER = _addr("0xcD437749E43A154C07F3553504c68fBfD56B8778")
CELO = op_chain("celo", 42220, 5, {
    "regolith": 0, "canyon": 0, "delta": 0, "ecotone": 0, "fjord": 0, "granite": 0,
    "holocene": 1_752_073_200, "isthmus": 1_752_073_200, "jovian": 1_774_958_788,
}, "celo-org/celo-kona crates/celo-reth/res/genesis/mainnet.toml @34985c44", family="celo",
    denominator=400, denominator_canyon=400,
    celo=CeloParams(celo_token=_CELO_TOKEN, fee_handler=_FEE_HANDLER,
                    fee_currency_directory=_addr("0x15F344b9E6c3Cb6F0376A36A64928b13F62C6276"),
                    base_fee_floor=25_000_000_000),
    first_l2_block=31_056_501, before_l2="a Celo L1 (IBFT) block or the Cel2 migration block #31,056,500")
CELO_SEPOLIA = op_chain("celo-sepolia", 11_142_220, 5, {
    "regolith": 0, "canyon": 0, "delta": 0, "ecotone": 0, "fjord": 0, "granite": 0,
    "holocene": 0, "isthmus": 0, "jovian": 1_773_749_037,
}, "celo-org/celo-kona crates/celo-reth/res/genesis/sepolia.toml @34985c44", family="celo",
    denominator=400, denominator_canyon=250,
    celo=CeloParams(celo_token=_CELO_TOKEN, fee_handler=_FEE_HANDLER,
                    fee_currency_directory=_addr("0x9212Fb72ae65367A7c887eC4Ad9bE310BAC611BF"),
                    base_fee_floor=25_000_000_000),
    first_l2_block=1, before_l2="the Celo Sepolia genesis block")
