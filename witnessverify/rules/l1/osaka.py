"""Osaka (Fusaka) and the blob-parameter-only forks BPO1 to BPO5, on top of py-evm's Prague.

Osaka's execution changes (execution specs `forks/osaka`):
  EIP-7939 CLZ opcode                        clz.py
  EIP-7951 P256VERIFY precompile at 0x100     p256verify.py
  EIP-7823 MODEXP input bounds,
  EIP-7883 MODEXP repricing                   modexp.py
  EIP-7825 transaction gas limit cap 2^24     OsakaState.validate_transaction
  EIP-7594 at most 6 blobs per transaction    OsakaState.validate_transaction
  EIP-7918 blob base fee bounded by execution cost   blobs.excess_blob_gas (header check)
  EIP-7934 RLP block size limit               rules.py (L1Rules.block_validity)
  EIP-7892 blob schedule per fork             chains.BlobParams; BPO1/BPO2 differ only there
"""

from __future__ import annotations

from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState
from eth_utils import ValidationError
from eth_utils.toolz import merge

from .modexp import osaka_modexp
from .clz import CLZ, CLZ_OPCODE
from .p256verify import GAS_P256VERIFY_OSAKA, P256VERIFY_ADDRESS, make_p256verify

TX_MAX_GAS_LIMIT = 2**24  # EIP-7825
MAX_BLOBS_PER_TRANSACTION = 6  # EIP-7594
MAX_RLP_BLOCK_SIZE = 10_485_760 - 2_097_152  # EIP-7934: MAX_BLOCK_SIZE - SAFETY_MARGIN

# a new table over the same opcode objects (nothing writes to one; py-evm deep-copies its own
# forks' tables, 3 ms at every start)
OSAKA_OPCODES = merge(PragueComputation.opcodes, {CLZ: CLZ_OPCODE})
OSAKA_PRECOMPILES = merge(
    PragueComputation.get_precompiles(),
    {
        (5).to_bytes(20, "big"): osaka_modexp,
        P256VERIFY_ADDRESS: make_p256verify(GAS_P256VERIFY_OSAKA),
    },
)


class OsakaComputation(PragueComputation):
    opcodes = OSAKA_OPCODES
    _precompiles = OSAKA_PRECOMPILES


class OsakaState(PragueState):
    computation_class = OsakaComputation

    def validate_transaction(self, transaction) -> None:
        if transaction.gas > TX_MAX_GAS_LIMIT:
            raise ValidationError(
                f"transaction gas limit {transaction.gas} exceeds the cap {TX_MAX_GAS_LIMIT} (EIP-7825)"
            )
        blobs = transaction.blob_versioned_hashes if transaction.type_id == 3 else ()
        if len(blobs) > MAX_BLOBS_PER_TRANSACTION:
            raise ValidationError(
                f"transaction has {len(blobs)} blobs, more than {MAX_BLOBS_PER_TRANSACTION} (EIP-7594)"
            )
        super().validate_transaction(transaction)


class OsakaVM(PragueVM):
    fork = "osaka"
    _state_class = OsakaState


class BPO1VM(OsakaVM):
    fork = "bpo1"


class BPO2VM(OsakaVM):
    fork = "bpo2"


class BPO3VM(OsakaVM):
    fork = "bpo3"


class BPO4VM(OsakaVM):
    fork = "bpo4"


class BPO5VM(OsakaVM):
    fork = "bpo5"
