"""The OP Stack's rule set: the OP VM of the fork (vm.py) on its EVM fork's witness-backed VM, OP
block decoding (deposits), OP's header rules (header.py, holocene.py: its EIP-1559 parameters and
no 1/1024 gas-limit bound, no blobs), Isthmus's withdrawalsRoot, output roots, and the header of a
block sealed from payload attributes. Base and Celo extend it (base/rules.py, celo/rules.py)."""

from __future__ import annotations

from typing import Optional

from eth.constants import BLANK_ROOT_HASH
from eth_hash.auto import keccak
import rlp

from ...hexjson import hex_fixed, quantity
from ...witness.headers import decode_header
from ...verdicts import Mismatch
from ..l1.rules import L1Rules
from ..l1.vm import witness_vm_class
from . import isthmus
from .decode import decode_op_block
from .header import op_header_rules
from .holocene import encode_extra_data, next_base_fee
from .output_root import output_of
from .vm import op_vm_class

EMPTY_OMMERS_HASH = keccak(rlp.encode([]))


class OPRules(L1Rules):
    commits_output_roots = True
    gas_limit_bound = False  # the system config sets the gas limit, without the 1/1024 bound
    pays_block_rewards = False

    def evm_vm_class(self) -> type:
        # EIP-7934, the blob schedule and the DAO are L1 rules: the L2's EVM takes none of them
        return witness_vm_class(self.evm_fork, None, self.chain.blob_params(self.evm_fork))

    def build_vm_class(self) -> type:
        return op_vm_class(self.fork, self.evm_vm_class())

    @property
    def system_calls(self) -> tuple:
        calls = ()
        if self.fork.evm.at_least("cancun"):
            calls += ("EIP-4788 beacon roots",)
        if self.fork.evm.at_least("prague"):
            calls += ("EIP-2935 history",)
        return calls

    def block_validity(self, block_rlp_size: int, blob_gas_used: Optional[int]) -> Optional[str]:
        return None  # no blob transactions; EIP-7934 is an L1 rule no L2 spec adopts

    def decode_block(self, raw: bytes, items: list, header, what: str):
        return decode_op_block(items, header, self.vm_class, what)

    @property
    def extra_data_size_rule(self) -> bool:
        return not self.fork.at_least("holocene")  # Holocene's extraData has a rule of its own

    def parent_blob_params(self):
        return None  # excessBlobGas is 0 (op_header_rules)

    def base_fee_rule(self):
        return self.next_base_fee

    def next_base_fee(self, parent) -> int:
        """The base fee of this fork's child of `parent`."""
        return next_base_fee(self.chain, self.fork, parent)

    def family_header_mismatches(self, header) -> list[Mismatch]:
        return [Mismatch(f, claimed, required, rule)
                for f, claimed, required, rule in op_header_rules(self.fork, header, self.chain.fee_recipient)]

    def witness_free_fields(self) -> tuple[str, ...]:
        if self.fork.at_least("isthmus"):  # there withdrawalsRoot is a storage root
            return ("transactionsRoot", "block")
        return super().witness_free_fields()

    def withdrawals_root(self, account_db) -> Optional[bytes]:
        return isthmus.withdrawals_root(self.fork, account_db)

    def output(self, result, block_hash: bytes):
        return output_of(result, self.fork, block_hash)

    def skipped_checks(self) -> list[str]:
        return []

    def header_from_attributes(self, parent_rlp: bytes, attributes: dict, what: str) -> list:
        """A header whose every field follows from the parent and the payload attributes
        (timestamp, prevRandao, fee recipient, beacon root, gasLimit, eip1559Params, minBaseFee),
        with the roots and gas left for execution to fill."""
        a, f = attributes, self.fork
        parent = decode_header(parent_rlp, f"{what}: parent_header")
        fields: list = [
            keccak(parent_rlp),
            EMPTY_OMMERS_HASH,
            hex_fixed(a.get("suggestedFeeRecipient"), 20, f"{what}.suggestedFeeRecipient"),
            BLANK_ROOT_HASH,  # state root: from execution
            BLANK_ROOT_HASH,  # transactions root: from execution
            BLANK_ROOT_HASH,  # receipts root: from execution
            bytes(256),
            0,
            parent.block_number + 1,
            quantity(a.get("gasLimit"), f"{what}.gasLimit"),
            0,
            quantity(a.get("timestamp"), f"{what}.timestamp"),
            b"",
            hex_fixed(a.get("prevRandao"), 32, f"{what}.prevRandao"),
            bytes(8),
            self.next_base_fee(parent),
        ]
        if f.at_least("holocene"):
            params = hex_fixed(a.get("eip1559Params", "0x" + "00" * 8), 8, f"{what}.eip1559Params")
            min_base_fee = None
            if f.at_least("jovian"):  # v1 extraData: the attributes' minBaseFee (specs jovian/)
                min_base_fee = quantity(a.get("minBaseFee"), f"{what}.minBaseFee")
            fields[12] = encode_extra_data(params, self.chain.eip1559_denominator_canyon, self.chain.eip1559_elasticity,
                                           min_base_fee)
        if f.at_least("canyon"):
            fields.append(BLANK_ROOT_HASH)  # withdrawals root (empty before Isthmus)
        if f.at_least("ecotone"):
            fields += [0, 0, hex_fixed(a.get("parentBeaconBlockRoot"), 32, f"{what}.parentBeaconBlockRoot")]
        if f.at_least("isthmus"):
            fields.append(isthmus.EMPTY_REQUESTS_HASH)  # EIP-7685 requests are never used on OP
        return fields
