"""Ethereum's rule set: py-evm's VM of the fork on the witness (vm.py), the header rules against
the parent and alone (header.py), the body (body.py), the per-block limits (blob gas, EIP-7934)."""

from __future__ import annotations

from typing import Optional

from ...chains import OSAKA_EVM_FORKS
from ...verdicts import Mismatch
from ..ruleset import RuleSet
from .blobs import max_blob_gas_per_block
from .body import decode_block
from .header import check_against_parent, check_alone, check_dao_extra_data
from .osaka import MAX_RLP_BLOCK_SIZE
from .vm import witness_vm_class

PRAGUE_REQUEST_NOTE = ("EIP-7002/7251 system contracts without code taken as no requests "
                       "(a dev chain: Anvil deploys none; on a real chain the block would be invalid)")


class L1Rules(RuleSet):
    def build_vm_class(self) -> type:
        return witness_vm_class(self.fork.name, self.chain.dao_fork_block, self.chain.blob_params(self.fork.name))

    @property
    def system_calls(self) -> tuple:
        calls = ()
        if self.fork.at_least("cancun"):
            calls += ("EIP-4788 beacon roots",)
        if self.fork.at_least("prague"):
            calls += ("EIP-2935 history", "EIP-7002 withdrawal requests", "EIP-7251 consolidation requests")
        return calls

    @property
    def pays_block_rewards(self) -> bool:
        return not self.fork.at_least("paris")

    def block_validity(self, block_rlp_size: int, blob_gas_used: Optional[int]) -> Optional[str]:
        if self.fork.name in OSAKA_EVM_FORKS and block_rlp_size is not None and block_rlp_size > MAX_RLP_BLOCK_SIZE:
            return f"block RLP is {block_rlp_size} bytes, over the EIP-7934 limit {MAX_RLP_BLOCK_SIZE}"
        params = self.chain.blob_params(self.fork.name)
        if params is not None and blob_gas_used is not None and blob_gas_used > max_blob_gas_per_block(params):
            return f"blob gas {blob_gas_used} exceeds the {self.fork.name} maximum {max_blob_gas_per_block(params)}"
        return None

    def decode_block(self, raw: bytes, items: list, header, what: str):
        return decode_block(raw, items, header, self.vm_class, self.fork.name, what)

    def header_mismatches(self, header, parent) -> list[Mismatch]:
        out = []
        if parent is not None:
            for name, from_parent, claimed in check_against_parent(
                    self.evm_fork, header, parent, self.parent_blob_params(), gas_limit_bound=self.gas_limit_bound,
                    base_fee_rule=self.base_fee_rule(), strict_timestamps=self.chain.strict_timestamps):
                out.append(Mismatch(name, claimed, from_parent, "parent"))
        out += self.family_header_mismatches(header)
        for name, required, claimed in check_alone(self.evm_fork, header, self.extra_data_size_rule):
            out.append(Mismatch(name, claimed, required, "header"))
        for name, claimed, required in check_dao_extra_data(header, self.chain.dao_fork_block):
            out.append(Mismatch(name, claimed, required, "header"))
        return out

    # the parts of the header rules a family changes
    gas_limit_bound = True  # the 1/1024 bound on the gas limit's change
    extra_data_size_rule = True  # at most 32 bytes of extraData

    def parent_blob_params(self):
        return self.chain.blob_params(self.fork.name)

    def base_fee_rule(self):
        """A function parent -> expected base fee, or None for EIP-1559's with the chain's parameters."""
        return None

    def family_header_mismatches(self, header) -> list[Mismatch]:
        return []

    def skipped_checks(self) -> list[str]:
        if not self.chain.requires_request_contracts and self.fork.at_least("prague"):
            return [PRAGUE_REQUEST_NOTE]
        return []
