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
from eth.vm.forks.prague.constants import DEPOSIT_EVENT_SIGNATURE_HASH, DEPOSIT_REQUEST_TYPE

from .statedb import WitnessAccountDB

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
def witness_vm_class(fork: str, dao_fork_block: Optional[int] = None):
    """The VM class for `fork`, with its state backed by a witness."""
    base = PY_EVM_VMS[fork]
    if fork == "homestead" and dao_fork_block is not None:
        base = MainnetHomesteadVM if dao_fork_block == MainnetHomesteadVM._dao_fork_block_number else base
    base_state = base.get_state_class()
    state_class = type(
        f"Witness{base_state.__name__}", (base_state,), {"account_db_class": WitnessAccountDB}
    )
    return type(
        f"Witness{base.__name__}", (WitnessVMMixin, base), {"_state_class": state_class}
    )
