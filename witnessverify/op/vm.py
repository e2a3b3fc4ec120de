"""OP Stack execution rules as py-evm VM subclasses, one per OP fork.

Each OP fork runs on the Ethereum fork its EVM follows (Bedrock/Regolith: London with the merge
opcodes; Canyon/Delta: Shanghai; Ecotone: Cancun) with these changes
(ethereum-optimism/specs `specs/protocol/deposits.md`, `exec-engine.md`):
  - deposits (type 0x7E): `mint` credited first and kept on failure; no signature, no fee, no
    nonce check; the sender's nonce is bumped even when the deposit fails; from Regolith the gas
    used is the gas actually used (refunds apply to gas, not to ETH: the price is zero);
  - fees of other transactions: the priority fee to the coinbase (SequencerFeeVault), the base
    fee to the BaseFeeVault (0x4200…0019) instead of being burnt, the L1 data fee, charged up
    front, to the L1FeeVault (0x4200…001A);
  - blob transactions are rejected;
  - Fjord: P256VERIFY (RIP-7212) at 0x100 for 3450 gas, the FastLZ-based L1 cost;
    Granite: bn256Pairing inputs limited to 112687 bytes; Holocene: EIP-1559 parameters in the
    header's extraData (header_checks.py / op/holocene.py).
"""

from __future__ import annotations

from eth.abc import ReceiptAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_keys import keys
from eth.exceptions import VMError
from eth_utils import ValidationError

from ..osaka.p256verify import P256VERIFY_ADDRESS, make_p256verify
from .deposits import DepositTransaction
from .l1cost import L1FeeParams, l1_cost

BASE_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000019")
L1_FEE_VAULT = bytes.fromhex("420000000000000000000000000000000000001a")

OP_FORK_ORDER = ("bedrock", "regolith", "canyon", "delta", "ecotone", "fjord", "granite", "holocene",
                 "isthmus", "jovian", "karst")
# the Ethereum fork whose EVM each OP fork runs
EVM_FORK = {
    "bedrock": "paris", "regolith": "paris", "canyon": "shanghai", "delta": "shanghai",
    "ecotone": "cancun", "fjord": "cancun", "granite": "cancun", "holocene": "cancun",
    "isthmus": "prague", "jovian": "prague", "karst": "osaka",
}
# OP forks whose execution rules are implemented here; blocks of later forks are refused
SUPPORTED = ("regolith", "canyon", "delta", "ecotone", "fjord", "granite", "holocene")

GAS_P256VERIFY_FJORD = 3450  # RIP-7212 as activated in Fjord (specs `fjord/exec-engine.md`)
GRANITE_BN256_PAIRING_MAX_INPUT = 112_687  # specs `granite/exec-engine.md`: 427 pairs

_DUMMY_KEY = keys.PrivateKey(b"\x01" * 32)


def at_least(op_fork: str, name: str) -> bool:
    return OP_FORK_ORDER.index(op_fork) >= OP_FORK_ORDER.index(name)


class DepositFailure(ValidationError):
    """A deposit that cannot even start (intrinsic gas above its gas): included as failed."""


class OPStateMixin:
    op_fork = "regolith"

    def get_tip(self, transaction) -> int:
        return 0 if isinstance(transaction, DepositTransaction) else super().get_tip(transaction)

    def get_gas_price(self, transaction) -> int:
        return 0 if isinstance(transaction, DepositTransaction) else super().get_gas_price(transaction)

    def validate_transaction(self, transaction) -> None:
        if isinstance(transaction, DepositTransaction):
            if transaction.intrinsic_gas > transaction.gas:
                raise DepositFailure("deposit gas below its intrinsic gas")
            return
        if transaction.type_id == 3:
            raise ValidationError("blob transactions are not accepted on OP Stack chains")
        super().validate_transaction(transaction)


class OPExecutorMixin:
    """Charges the L1 data fee and pays the fee vaults around py-evm's fee handling."""

    def _l1_cost(self, transaction) -> int:
        cache = self.__dict__.setdefault("_l1_costs", {})
        key = id(transaction)
        if key not in cache:
            params = L1FeeParams.from_state(self.vm_state)
            cache[key] = l1_cost(transaction.encode(), params, self.vm_state.op_fork)
        return cache[key]

    def validate_transaction(self, transaction) -> None:
        super().validate_transaction(transaction)
        if not isinstance(transaction, DepositTransaction):
            needed = transaction.gas * transaction.max_fee_per_gas + transaction.value + self._l1_cost(transaction)
            if self.vm_state.get_balance(transaction.sender) < needed:
                raise ValidationError("sender cannot pay gas, value and the L1 data fee")

    def build_evm_message(self, transaction):
        message = super().build_evm_message(transaction)
        if not isinstance(transaction, DepositTransaction):
            self.vm_state.delta_balance(transaction.sender, -self._l1_cost(transaction))
        return message

    def finalize_computation(self, transaction, computation):
        computation = super().finalize_computation(transaction, computation)
        if not isinstance(transaction, DepositTransaction):
            remaining = computation.get_gas_remaining()
            consumed = transaction.gas - remaining
            refund = min(computation.get_gas_refund(), consumed // 5)  # EIP-3529 (London on)
            gas_used = consumed - refund + computation.data_floor_gas
            base_fee = self.vm_state.execution_context.base_fee_per_gas
            self.vm_state.delta_balance(BASE_FEE_VAULT, base_fee * gas_used)
            self.vm_state.delta_balance(L1_FEE_VAULT, self._l1_cost(transaction))
        return computation


class OPVMMixin:
    op_fork = "regolith"

    def validate_transaction_against_header(self, base_header, transaction) -> None:
        if isinstance(transaction, DepositTransaction):
            if base_header.gas_used + transaction.gas > base_header.gas_limit:
                raise ValidationError("deposit gas exceeds the gas left in the block")
            return
        super().validate_transaction_against_header(base_header, transaction)

    def _deposit_intrinsic_gas(self, tx: DepositTransaction) -> int:
        unsigned = self.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=1, nonce=0, max_priority_fee_per_gas=0, max_fee_per_gas=0, gas=tx.gas,
            to=tx.to or CREATE_CONTRACT_ADDRESS, value=0, data=tx.data, access_list=[],
        )
        return unsigned.as_signed_transaction(_DUMMY_KEY).intrinsic_gas

    def apply_transaction(self, header, transaction) -> tuple[ReceiptAPI, object]:
        if not isinstance(transaction, DepositTransaction):
            return super().apply_transaction(header, transaction)
        state = self.state
        tx = transaction
        tx.nonce = state.get_nonce(tx.sender)
        tx.deposit_nonce = tx.nonce if at_least(self.op_fork, "regolith") else None
        tx.receipt_version = 1 if at_least(self.op_fork, "canyon") else None
        tx.intrinsic_gas = self._deposit_intrinsic_gas(tx)
        state.lock_changes()
        if tx.mint:
            state.delta_balance(tx.sender, tx.mint)  # unconditional, kept on failure
        try:
            return super().apply_transaction(header, tx)
        except DepositFailure:
            # nothing ran: the deposit is included as failed, the nonce still bumped
            state.increment_nonce(tx.sender)
            receipt = tx.make_receipt(b"", header.gas_used + tx.gas, [])
            return receipt, None


class Bn256PairingInputTooLong(VMError):
    """Granite: a bn256Pairing input over the limit fails the call, consuming its gas."""


def _limited_pairing(pairing):
    def bn256_pairing(computation):
        if len(computation.msg.data) > GRANITE_BN256_PAIRING_MAX_INPUT:
            raise Bn256PairingInputTooLong(f"bn256Pairing input over {GRANITE_BN256_PAIRING_MAX_INPUT} bytes")
        return pairing(computation)

    return bn256_pairing


def _op_computation(op_fork: str, computation: type) -> type:
    """Precompile changes of the OP forks on top of the EVM fork's computation."""
    precompiles = dict(computation.get_precompiles())
    if at_least(op_fork, "fjord"):
        precompiles[P256VERIFY_ADDRESS] = make_p256verify(GAS_P256VERIFY_FJORD)
    if at_least(op_fork, "granite"):
        pairing = (8).to_bytes(20, "big")
        precompiles[pairing] = _limited_pairing(precompiles[pairing])
    return type(f"OP{op_fork.title()}{computation.__name__}", (computation,), {"_precompiles": precompiles})


def op_vm_class(op_fork: str, evm_vm_class: type) -> type:
    """`evm_vm_class` (a witness-backed Ethereum VM) with the rules of `op_fork`."""
    state = evm_vm_class.get_state_class()
    executor = type(f"OP{state.transaction_executor_class.__name__}", (OPExecutorMixin, state.transaction_executor_class), {})
    op_state = type(
        f"OP{op_fork.title()}{state.__name__}",
        (OPStateMixin, state),
        {
            "transaction_executor_class": executor,
            "op_fork": op_fork,
            "computation_class": _op_computation(op_fork, state.computation_class),
        },
    )
    return type(
        f"OP{op_fork.title()}VM",
        (OPVMMixin, evm_vm_class),
        {"_state_class": op_state, "op_fork": op_fork, "fork": f"op-{op_fork}"},
    )
