"""One py-evm VM class per fork, rebased onto the witness-backed state.

py-evm's VM classes carry each fork's rules (opcodes, gas, transaction types, receipts, system
contracts). Here each is subclassed so that its state reads only from the witness
(`statedb.WitnessAccountDB`) and so that the few places where py-evm reaches for a chain database
(receipts for deposit requests) use the data of the block being verified instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional, Sequence

from eth.abc import ReceiptAPI
from eth.chains.mainnet import MainnetHomesteadVM
from eth.vm.forks import (
    ArrowGlacierVM,
    BerlinVM,
    ByzantiumVM,
    CancunVM,
    FrontierVM,
    GrayGlacierVM,
    HomesteadVM,
    IstanbulVM,
    LondonVM,
    MuirGlacierVM,
    ParisVM,
    PetersburgVM,
    PragueVM,
    ShanghaiVM,
    SpuriousDragonVM,
    TangerineWhistleVM,
)
from eth.precompiles.modexp import _compute_modexp_gas_fee_eip_198
from eth.vm.forks.berlin.computation import _compute_modexp_gas_fee_eip_2565
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.vm.forks.prague.constants import CONSOLIDATION_REQUEST_TYPE, DEPOSIT_REQUEST_TYPE, WITHDRAWAL_REQUEST_TYPE
from eth_utils import ValidationError
from hashlib import sha256

from ... import native
from ...interpreter import FastInterpreter
from .blobs import blob_base_fee
from ...chains import FORK_ORDER, OSAKA_EVM_FORKS, BlobParams
from .osaka import BPO1VM, BPO2VM, BPO3VM, BPO4VM, BPO5VM, OsakaVM
from .modexp import make_modexp
from . import point_evaluation
from .requests import deposit_requests
from .system_calls import (
    BEACON_ROOTS_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS, HISTORY_STORAGE_ADDRESS, WITHDRAWAL_REQUEST_ADDRESS, system_call,
)
from ...witness.state import WitnessAccountDB

PY_EVM_VMS = {
    "frontier": FrontierVM,
    "homestead": HomesteadVM,
    "tangerine_whistle": TangerineWhistleVM,
    "spurious_dragon": SpuriousDragonVM,
    "byzantium": ByzantiumVM,
    "petersburg": PetersburgVM,
    "istanbul": IstanbulVM,
    "muir_glacier": MuirGlacierVM,
    "berlin": BerlinVM,
    "london": LondonVM,
    "arrow_glacier": ArrowGlacierVM,
    "gray_glacier": GrayGlacierVM,
    "paris": ParisVM,
    "shanghai": ShanghaiVM,
    "cancun": CancunVM,
    "prague": PragueVM,
    "osaka": OsakaVM,
    "bpo1": BPO1VM,
    "bpo2": BPO2VM,
    "bpo3": BPO3VM,
    "bpo4": BPO4VM,
    "bpo5": BPO5VM,
}

# forks whose excess blob gas follows EIP-7918 (blob base fee bounded by execution cost)
RESERVE_PRICE_FORKS = frozenset(OSAKA_EVM_FORKS)
# forks with the EIP-7934 RLP block size limit
BLOCK_SIZE_LIMIT_FORKS = RESERVE_PRICE_FORKS


class BlobScheduleMixin:
    """The blob base fee from the chain's blob schedule for this fork (EIP-7892)."""

    blob_params: Optional[BlobParams] = None

    @property
    def blob_base_fee(self) -> int:
        return blob_base_fee(self.execution_context.excess_blob_gas, self.blob_params)


def _since(fork: str, name: str) -> bool:
    return FORK_ORDER.index(fork) >= FORK_ORDER.index(name)


SHANGHAI_MAX_INITCODE_SIZE = 2 * 24_576  # EIP-3860
INITCODE_WORD_GAS = 2  # EIP-3860
DELEGATION_PREFIX = b"\xef\x01\x00"  # EIP-7702


def check_transaction_rules(state, transaction) -> None:
    """Transaction validity rules py-evm's states do not check: EIP-3607 (a sender with code,
    other than an EIP-7702 delegation, is not an EOA), EIP-3860 (initcode of a creating
    transaction over the limit, or a gas limit below the intrinsic gas with the initcode cost), EIP-7623 (a gas limit below the calldata floor). Each makes the
    transaction, and so the block, invalid."""
    fork = state.evm_fork
    if transaction.type_id == 3 and transaction.to == CREATE_CONTRACT_ADDRESS:
        # EIP-4844: a blob transaction's `to` is an address, never empty (py-evm decodes it)
        raise ValidationError("a blob transaction cannot create a contract (EIP-4844)")
    code = state.get_code(transaction.sender)
    if code and not (_since(fork, "prague") and code[:3] == DELEGATION_PREFIX and len(code) == 23):
        raise ValidationError("the sender is not an EOA: it has code (EIP-3607)")
    if _since(fork, "shanghai") and transaction.to == CREATE_CONTRACT_ADDRESS:
        limit = getattr(state.computation_class, "max_initcode_size", SHANGHAI_MAX_INITCODE_SIZE)
        if len(transaction.data) > limit:
            raise ValidationError(f"initcode of {len(transaction.data)} bytes exceeds {limit} (EIP-3860)")
        # EIP-3860's 2 gas per initcode word is intrinsic gas of a creating transaction; py-evm
        # charges it while executing instead (the same total), so a gas limit between the two
        # would make py-evm run a transaction the specs reject
        intrinsic = transaction.intrinsic_gas + INITCODE_WORD_GAS * ((len(transaction.data) + 31) // 32)
        if transaction.gas < intrinsic:
            raise ValidationError(f"gas limit {transaction.gas} below the intrinsic gas {intrinsic} "
                                  f"(with the EIP-3860 initcode cost)")
    if _since(fork, "prague"):
        floor = state.get_transaction_executor().calc_data_floor_gas(transaction, 0, 0)
        if transaction.gas < floor:
            raise ValidationError(f"gas limit {transaction.gas} below the calldata floor {floor} (EIP-7623)")


BLOB_GAS_PER_BLOB = 2**17  # EIP-4844


def check_fee_rules(state, transaction) -> None:
    """The EIP-1559 fee rules py-evm's states do not check as the specs do: the priority fee is at
    most the max fee, and the sender's balance covers `gas x maxFeePerGas + value` (plus the blob
    gas at its max fee, EIP-4844). py-evm checks the balance against the *effective* gas price
    (London) or without the value (Cancun), so a sender that can pay only the effective price
    would pass there; every client and the execution specs reject the transaction."""
    if not _since(state.evm_fork, "london"):
        return
    if transaction.max_priority_fee_per_gas > transaction.max_fee_per_gas:
        raise ValidationError(f"maxPriorityFeePerGas {transaction.max_priority_fee_per_gas} exceeds maxFeePerGas "
                              f"{transaction.max_fee_per_gas} (EIP-1559)")
    cost = transaction.gas * transaction.max_fee_per_gas + transaction.value
    if transaction.type_id == 3:
        cost += BLOB_GAS_PER_BLOB * len(transaction.blob_versioned_hashes) * transaction.max_fee_per_blob_gas
    balance = state.get_balance(transaction.sender)
    if balance < cost:
        raise ValidationError(f"sender balance {balance} below gas x maxFeePerGas + value{' + blob fee' if transaction.type_id == 3 else ''} "
                              f"{cost} (EIP-1559)")


class TransactionRulesMixin:
    """check_transaction_rules and check_fee_rules before py-evm's own validation (a state-class
    mixin)."""

    evm_fork = "frontier"

    def validate_transaction(self, transaction) -> None:
        check_transaction_rules(self, transaction)
        check_fee_rules(self, transaction)
        super().validate_transaction(transaction)


_BYZANTIUM_TO_MUIR = ("byzantium", "petersburg", "istanbul", "muir_glacier")
_BERLIN_TO_PRAGUE = ("berlin", "london", "arrow_glacier", "gray_glacier", "paris", "shanghai", "cancun", "prague")
_MODEXP_GAS = {
    **{f: _compute_modexp_gas_fee_eip_198 for f in _BYZANTIUM_TO_MUIR},
    **{f: _compute_modexp_gas_fee_eip_2565 for f in _BERLIN_TO_PRAGUE},
}


class WitnessVMMixin:
    """Overrides shared by every fork's VM on the witness."""

    # set per block by the engine
    block_receipts: Sequence[ReceiptAPI] = ()
    deposit_contract: Optional[bytes] = None
    requires_request_contracts = True  # dev chains: False (see chains.py)
    evm_fork = "frontier"

    def block_preprocessing(self, block) -> None:
        """EIP-4788 and EIP-2935 as the clients run them: system calls into whatever code is there
        (system_calls.py), not py-evm's direct storage writes."""
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
        requests = []
        deposits = deposit_requests(self.block_receipts, self.deposit_contract)
        if deposits:
            requests.append(DEPOSIT_REQUEST_TYPE + deposits)
        for request_type, address, what in ((WITHDRAWAL_REQUEST_TYPE, WITHDRAWAL_REQUEST_ADDRESS, "EIP-7002 withdrawal request"),
                                            (CONSOLIDATION_REQUEST_TYPE, CONSOLIDATION_REQUEST_ADDRESS, "EIP-7251 consolidation request")):
            output = system_call(self.state, address, b"", checked=self.requires_request_contracts, what=what)
            if output:
                requests.append(request_type + output)
        digest = sha256()
        for r in requests:
            digest.update(sha256(r).digest())
        return block.copy(header=block.header.copy(requests_hash=digest.digest()))

    @classmethod
    def finalize_gas_used(cls, transaction, computation) -> int:
        """Gas the transaction used: consumed minus the capped refund, raised to the EIP-7623
        floor (`data_floor_gas` is what the floor adds). py-evm caps the refund after adding the
        floor difference, which can leave the result below the floor."""
        consumed = transaction.gas - computation.get_gas_remaining()
        refund = cls.calculate_net_gas_refund(consumed, computation.get_gas_refund())
        return consumed - refund + computation.data_floor_gas


@lru_cache(maxsize=None)
def witness_vm_class(fork: str, dao_fork_block: Optional[int] = None, blob_params: Optional[BlobParams] = None):
    """The VM class for `fork`, with its state backed by a witness."""
    base = PY_EVM_VMS[fork]
    if fork == "homestead" and dao_fork_block is not None:
        base = MainnetHomesteadVM if dao_fork_block == MainnetHomesteadVM._dao_fork_block_number else base
    base_state = base.get_state_class()
    attrs: dict = {"account_db_class": WitnessAccountDB, "evm_fork": fork}
    bases: tuple = (TransactionRulesMixin, base_state)
    if blob_params is not None:
        attrs["blob_params"] = blob_params
        bases = (BlobScheduleMixin,) + bases
    computation = base_state.computation_class
    precompiles = dict(computation.get_precompiles())
    if fork in _MODEXP_GAS:
        # py-evm's MODEXP operation is wrong for 0^0 (see modexp.py): ours, with the fork's gas rule
        precompiles[(5).to_bytes(20, "big")] = make_modexp(_MODEXP_GAS[fork])
    if _since(fork, "cancun"):
        # py-evm's reloads the KZG trusted setup on every call (point_evaluation.py)
        precompiles[point_evaluation.ADDRESS] = point_evaluation.point_evaluation
    if _since(fork, "prague") and native.native_bls12_381():
        from . import bls12_381  # EIP-2537 on arkworks (native.py)

        precompiles.update(bls12_381.PRECOMPILES)
    # the fast interpreter loop (interpreter/) under every fork's computation, and so under the
    # OP, Base and Celo computations built on top of these classes
    attrs["computation_class"] = type(f"Witness{computation.__name__}", (FastInterpreter, computation),
                                      {"_precompiles": precompiles})
    state_class = type(f"Witness{base_state.__name__}", bases, attrs)
    return type(
        f"Witness{base.__name__}", (WitnessVMMixin, base), {"_state_class": state_class, "evm_fork": fork}
    )
