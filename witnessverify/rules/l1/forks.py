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
from eth.vm.forks.prague.constants import DEPOSIT_EVENT_SIGNATURE_HASH, DEPOSIT_REQUEST_TYPE

from .blobs import blob_base_fee
from ...chains import BlobParams
from .osaka import BPO1VM, BPO2VM, OsakaVM
from .modexp import make_modexp
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
}

# forks whose excess blob gas follows EIP-7918 (blob base fee bounded by execution cost)
RESERVE_PRICE_FORKS = frozenset({"osaka", "bpo1", "bpo2"})
# forks with the EIP-7934 RLP block size limit
BLOCK_SIZE_LIMIT_FORKS = RESERVE_PRICE_FORKS


class WitnessStateMixin:
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

    # set per block by the engine
    block_receipts: Sequence[ReceiptAPI] = ()
    deposit_contract: Optional[bytes] = None

    def process_deposit_request_data(self, block) -> None:  # Prague (EIP-6110)
        data = b""
        for receipt in self.block_receipts:
            for log in receipt.logs:
                if (
                    log.address == self.deposit_contract
                    and log.topics
                    and log.topics[0].to_bytes(32, "big") == DEPOSIT_EVENT_SIGNATURE_HASH
                ):
                    # fixed offsets of the DepositEvent ABI encoding (EIP-6110)
                    data += (
                        log.data[192:240]  # pubkey
                        + log.data[288:320]  # withdrawal_credentials
                        + log.data[352:360]  # amount
                        + log.data[416:512]  # signature
                        + log.data[544:552]  # index
                    )
        block.block_requests.append(DEPOSIT_REQUEST_TYPE + data)


@lru_cache(maxsize=None)
def witness_vm_class(fork: str, dao_fork_block: Optional[int] = None, blob_params: Optional[BlobParams] = None):
    """The VM class for `fork`, with its state backed by a witness."""
    base = PY_EVM_VMS[fork]
    if fork == "homestead" and dao_fork_block is not None:
        base = MainnetHomesteadVM if dao_fork_block == MainnetHomesteadVM._dao_fork_block_number else base
    base_state = base.get_state_class()
    attrs: dict = {"account_db_class": WitnessAccountDB}
    bases: tuple = (base_state,)
    if blob_params is not None:
        attrs["blob_params"] = blob_params
        bases = (WitnessStateMixin, base_state)
    computation = base_state.computation_class
    if fork in _MODEXP_GAS:
        # py-evm's MODEXP operation is wrong for 0^0 (see modexp.py): ours, with the fork's gas rule
        precompiles = dict(computation.get_precompiles())
        precompiles[(5).to_bytes(20, "big")] = make_modexp(_MODEXP_GAS[fork])
        attrs["computation_class"] = type(
            f"Witness{computation.__name__}", (computation,), {"_precompiles": precompiles}
        )
    state_class = type(f"Witness{base_state.__name__}", bases, attrs)
    return type(
        f"Witness{base.__name__}", (WitnessVMMixin, base), {"_state_class": state_class}
    )
