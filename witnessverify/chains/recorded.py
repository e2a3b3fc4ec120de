"""Recorded consensus exceptions: transactions that a chain accepted against a rule its clients
enforce, which every later client must keep accepting because they are part of the chain's
history. Data only, each entry with the client source that keeps it; the rules that honour an
entry look it up here by (chain id, block number, transaction hash), the key celo-kona uses.

Exceptions that are rules rather than entries live with their rule and are listed in the README:
the DAO drain and its extraData at mainnet block 1,920,000 (rules/l1/vm.py, rules/l1/header.py),
the RIPEMD-160 touch of mainnet block 2,675,119 (py-evm's EIP-716 handling, and
rules/op/fees.py for deposits), the Canyon create2Deployer (rules/op/upgrades.py), and the Regolith
deposit receipts without their nonce in the receipts root (rules/op/deposits.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# the rules an entry can relax
CHAIN_ID = "chain-id"  # a transaction signed for another chain id is accepted
CIP64_MAX_FEE_BALANCE = "cip64-max-fee-balance"  # the fee-currency balance need not cover gas x maxFeePerGas


@dataclass(frozen=True)
class RecordedException:
    rule: str
    chain_id: int
    block_number: int
    tx_hash: bytes
    what: str
    source: str

    def describe(self) -> str:
        return f"{self.what} (recorded exception, {self.source})"


def _h(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


EXCEPTIONS: tuple[RecordedException, ...] = (
    # op-geth recovered the sender of EIP-2930 transactions with the transaction's own chain id
    # instead of the network's, so two such transactions signed for other Celo networks were
    # included; celo-org/op-geth PR #455 ("Handle chain id bug", issues #446, #454:
    # core/types/celo_transaction_signing_tx_funcs.go `isChainIDException`) and celo-org/celo-kona
    # crates/celo-revm/src/handler.rs `LEGACY_CHAIN_ID_EXCEPTIONS` (#118, #171) keep them valid.
    RecordedException(
        CHAIN_ID, 42220, 53_619_115,
        _h("d6bdf3261df7e7a4db6bbc486bf091eb62dfd2883e335c31219b6a37d3febca1"),
        "an EIP-2930 transaction signed for chain id 44787 (Alfajores), included in Celo mainnet block 53619115",
        "celo-org/op-geth PR #455, celo-org/celo-kona handler.rs LEGACY_CHAIN_ID_EXCEPTIONS",
    ),
    RecordedException(
        CHAIN_ID, 11_142_220, 12_531_083,
        _h("4564b9903cfe18814ffc2696e1ad141d9cc3a549dc4f5726e15f7be2e0ccaa25"),
        "an EIP-2930 transaction signed for chain id 11162320 (Chaos), included in Celo Sepolia block 12531083",
        "celo-org/op-geth PR #455, celo-org/celo-kona handler.rs LEGACY_CHAIN_ID_EXCEPTIONS",
    ),
    # celo-reth required the fee-currency balance to cover gas x the effective price only; this
    # transaction passed there and not under op-geth's gas x maxFeePerGas rule, and its block is
    # canonical: celo-org/celo-kona #292 / PR #293 handler.rs `CIP64_MAX_FEE_EXCEPTIONS`,
    # celo-org/op-geth PR #509 core/celo_fee_exceptions.go.
    RecordedException(
        CIP64_MAX_FEE_BALANCE, 42220, 75_046_581,
        _h("e9e0248cf5b02ce016b195690fbb168f08eeeff7b9b353a52ecf98f4229ba834"),
        "a CIP-64 transaction whose fee-currency balance covers gas x the effective price, not gas x "
        "maxFeePerGas, included in Celo mainnet block 75046581",
        "celo-org/celo-kona handler.rs CIP64_MAX_FEE_EXCEPTIONS (PR #293), celo-org/op-geth PR #509",
    ),
)

_BY_KEY = {(e.rule, e.chain_id, e.block_number, e.tx_hash): e for e in EXCEPTIONS}


def exception_for(rule: str, chain_id: int, block_number: int, tx_hash: bytes) -> Optional[RecordedException]:
    """The recorded exception to `rule` for this transaction of this block of this chain, if any."""
    return _BY_KEY.get((rule, chain_id, block_number, bytes(tx_hash)))


def in_block(chain_id: int, block_number: int, tx_hashes) -> list[RecordedException]:
    """The recorded exceptions a block holds (for the report's notes)."""
    hashes = {bytes(h) for h in tx_hashes}
    return [e for e in EXCEPTIONS if e.chain_id == chain_id and e.block_number == block_number and e.tx_hash in hashes]
