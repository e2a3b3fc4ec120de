"""One py-evm VM class per Ethereum fork, rebased onto the witness-backed state.

py-evm's VM classes carry each fork's rules (opcodes, gas, transaction types, receipts). Here
each is subclassed so that its state reads only from the witness (`witness.state`), transaction
rules py-evm lacks are checked (transactions.py), the block-level system calls run as the clients
run them (system_calls.py), and the few places where py-evm reaches for a chain database use the
block being verified. Each VM reads its block's rules and receipts from `env` (rules/context.py).
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import sha256
from typing import Optional

from eth.chains.mainnet import MainnetHomesteadVM
from eth.precompiles.modexp import _compute_modexp_gas_fee_eip_198
from eth.vm.forks import (
    ArrowGlacierVM, BerlinVM, ByzantiumVM, CancunVM, FrontierVM, GrayGlacierVM, HomesteadVM, IstanbulVM, LondonVM,
    MuirGlacierVM, ParisVM, PetersburgVM, PragueVM, ShanghaiVM, SpuriousDragonVM, TangerineWhistleVM,
)
from eth.vm.forks.berlin.computation import _compute_modexp_gas_fee_eip_2565
from eth.vm.forks.homestead.headers import dao_drain_list, dao_refund_contract
from eth.vm.forks.prague.constants import CONSOLIDATION_REQUEST_TYPE, DEPOSIT_REQUEST_TYPE, WITHDRAWAL_REQUEST_TYPE

from ... import native, pyevm_adapter
from ...chains import BlobParams, fork
from ...interpreter import FastInterpreter
from ...witness.state import WitnessAccountDB
from . import point_evaluation
from .blobs import blob_base_fee
from .modexp import make_modexp
from .osaka import BPO1VM, BPO2VM, BPO3VM, BPO4VM, BPO5VM, OsakaVM
from .requests import deposit_requests
from .system_calls import (
    BEACON_ROOTS_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS, HISTORY_STORAGE_ADDRESS, WITHDRAWAL_REQUEST_ADDRESS, system_call,
)
from .transactions import TransactionRulesMixin

PY_EVM_VMS = {
    "frontier": FrontierVM, "homestead": HomesteadVM, "tangerine_whistle": TangerineWhistleVM,
    "spurious_dragon": SpuriousDragonVM, "byzantium": ByzantiumVM, "petersburg": PetersburgVM,
    "istanbul": IstanbulVM, "muir_glacier": MuirGlacierVM, "berlin": BerlinVM, "london": LondonVM,
    "arrow_glacier": ArrowGlacierVM, "gray_glacier": GrayGlacierVM, "paris": ParisVM, "shanghai": ShanghaiVM,
    "cancun": CancunVM, "prague": PragueVM, "osaka": OsakaVM, "bpo1": BPO1VM, "bpo2": BPO2VM, "bpo3": BPO3VM,
    "bpo4": BPO4VM, "bpo5": BPO5VM,
}


def _since(fork_name: str, name: str) -> bool:
    return fork("l1", fork_name).at_least(name)


class BlobScheduleMixin:
    """The blob base fee from the chain's blob schedule for this fork (EIP-7892)."""

    blob_params: Optional[BlobParams] = None

    @property
    def blob_base_fee(self) -> int:
        return blob_base_fee(self.execution_context.excess_blob_gas, self.blob_params)


_BYZANTIUM_TO_MUIR = ("byzantium", "petersburg", "istanbul", "muir_glacier")
_BERLIN_TO_PRAGUE = ("berlin", "london", "arrow_glacier", "gray_glacier", "paris", "shanghai", "cancun", "prague")
_MODEXP_GAS = {
    **{f: _compute_modexp_gas_fee_eip_198 for f in _BYZANTIUM_TO_MUIR},
    **{f: _compute_modexp_gas_fee_eip_2565 for f in _BERLIN_TO_PRAGUE},
}


class WitnessVMMixin:
    """Overrides shared by every fork's VM on the witness."""

    evm_fork = "frontier"

    def block_preprocessing(self, block) -> None:
        """The DAO drain at its block; EIP-4788 and EIP-2935 as the clients run them: system calls
        into whatever code is there (system_calls.py), not py-evm's direct storage writes."""
        dao = self.env.rules.chain.dao_fork_block
        if dao is not None and block.header.block_number == dao:
            apply_dao_drain(self.state)
        if _since(self.evm_fork, "cancun"):
            root = block.header.parent_beacon_block_root
            system_call(self.state, BEACON_ROOTS_ADDRESS, root, checked=False, what="EIP-4788 beacon roots")
        if _since(self.evm_fork, "prague"):
            system_call(self.state, HISTORY_STORAGE_ADDRESS, block.header.parent_hash, checked=False,
                        what="EIP-2935 history")

    def block_postprocessing(self, block):
        """EIP-7685 requests (Prague on): deposits from the deposit contract's logs, then the
        EIP-7002 and EIP-7251 system calls, which must have code and must not fail."""
        if not _since(self.evm_fork, "prague"):
            return block
        chain = self.env.rules.chain
        requests = []
        deposits = deposit_requests(self.env.receipts, chain.deposit_contract)
        if deposits:
            requests.append(DEPOSIT_REQUEST_TYPE + deposits)
        for request_type, address, what in ((WITHDRAWAL_REQUEST_TYPE, WITHDRAWAL_REQUEST_ADDRESS, "EIP-7002 withdrawal request"),
                                            (CONSOLIDATION_REQUEST_TYPE, CONSOLIDATION_REQUEST_ADDRESS, "EIP-7251 consolidation request")):
            output = system_call(self.state, address, b"", checked=chain.requires_request_contracts, what=what)
            if output:
                requests.append(request_type + output)
        digest = sha256()
        for r in requests:
            digest.update(sha256(r).digest())
        return block.copy(header=block.header.copy(requests_hash=digest.digest()))

    def increment_blob_gas_used(self, old_header, transaction):
        """A transaction without blobs adds no blob gas: the header as it is, not py-evm's copy
        of it per transaction (rlp's generic copy, ~80 us); a blob transaction as py-evm."""
        try:
            blobs = len(transaction.blob_versioned_hashes)
        except (AttributeError, NotImplementedError):  # what py-evm's get_total_blob_gas allows
            blobs = 0
        if not blobs:
            return old_header
        return super().increment_blob_gas_used(old_header, transaction)

    @classmethod
    def finalize_gas_used(cls, transaction, computation) -> int:
        """Gas the transaction used: consumed minus the capped refund, raised to the EIP-7623
        floor (`data_floor_gas` is what the floor adds). py-evm caps the refund after adding the
        floor difference, which can leave the result below the floor."""
        consumed = transaction.gas - computation.get_gas_remaining()
        refund = cls.calculate_net_gas_refund(consumed, computation.get_gas_refund())
        return consumed - refund + computation.data_floor_gas


def apply_dao_drain(state) -> None:
    """The DAO fork's irregular state change: every drained account's balance to the refund
    contract, before the block's first transaction (geth consensus/misc/dao.go)."""
    for hex_account in dao_drain_list:
        address = bytes.fromhex(hex_account[2:])
        state.delta_balance(dao_refund_contract, state.get_balance(address))
        state.set_balance(address, 0)


@lru_cache(maxsize=None)
def witness_vm_class(fork_name: str, dao_fork_block: Optional[int] = None, blob_params: Optional[BlobParams] = None):
    """The VM class for Ethereum fork `fork_name`, with its state backed by a witness."""
    base = PY_EVM_VMS[fork_name]
    if fork_name == "homestead" and dao_fork_block is not None:
        base = MainnetHomesteadVM if dao_fork_block == MainnetHomesteadVM._dao_fork_block_number else base
    base_state = base.get_state_class()
    attrs: dict = {"account_db_class": WitnessAccountDB, "evm_fork": fork_name}
    bases: tuple = (TransactionRulesMixin, base_state)
    if blob_params is not None:
        attrs["blob_params"] = blob_params
        bases = (BlobScheduleMixin,) + bases
    computation = base_state.computation_class
    precompiles = pyevm_adapter.precompiles_of(computation)
    if fork_name in _MODEXP_GAS:
        # py-evm's MODEXP operation is wrong for 0^0 (see modexp.py): ours, with the fork's gas rule
        precompiles[(5).to_bytes(20, "big")] = make_modexp(_MODEXP_GAS[fork_name])
    if _since(fork_name, "cancun"):
        # py-evm's reloads the KZG trusted setup on every call (point_evaluation.py)
        precompiles[point_evaluation.ADDRESS] = point_evaluation.point_evaluation
    if _since(fork_name, "byzantium") and native.native_bn254():
        from . import bn254  # ECADD, ECMUL, ECPAIRING in C (native.py)

        precompiles.update(bn254.precompiles(bn254.GAS_ISTANBUL if _since(fork_name, "istanbul")
                                             else bn254.GAS_BYZANTIUM))
    if _since(fork_name, "prague") and native.native_bls12_381():
        from . import bls12_381  # EIP-2537 on arkworks (native.py): imported only where it runs

        precompiles.update(bls12_381.PRECOMPILES)
    # the fast interpreter loop (interpreter/) under every fork's computation, and so under the
    # OP, Base and Celo computations built on top of these classes
    attrs["computation_class"] = pyevm_adapter.computation_class(
        f"Witness{computation.__name__}", (FastInterpreter, computation), precompiles)
    state_class = type(f"Witness{base_state.__name__}", bases, attrs)
    return pyevm_adapter.vm_class(f"Witness{base.__name__}", (WitnessVMMixin, base), state_class, evm_fork=fork_name)
