"""OP Stack VM classes, one per OP fork: each is the VM of the Ethereum fork its EVM follows
(Bedrock/Regolith: Paris; Canyon/Delta: Shanghai; Ecotone…Holocene: Cancun; Isthmus, Jovian:
Prague; Karst: Osaka) with py-evm's hooks overridden in a few lines each, calling the rule in the
file named for it:

  deposits applied, validated and finalized     deposits.py
  the L1 data fee and operator fee, the vaults  fees.py (formulas in l1cost.py)
  blob transactions rejected                    transactions.py
  Canyon's create2Deployer                      upgrades.py
  Isthmus's requests hash and withdrawalsRoot   isthmus.py
  Jovian's DA footprint in blobGasUsed          l1cost.py
  precompiles and their input caps              precompiles.py
"""

from __future__ import annotations

from ... import pyevm_adapter
from ...chains import Fork
from ...chains.spec import FORK_SPECS
from ..decode import ETHEREUM_TRANSACTION_TYPES
from . import deposits, fees, isthmus, l1cost, upgrades
from .deposits import DEPOSIT_TX_TYPE, is_deposit
from .precompiles import op_precompiles
from .transactions import check_transaction

# the L2 forks whose execution rules are implemented (chains/spec.py's lines say which)
SUPPORTED = tuple(dict.fromkeys(f.name for line in FORK_SPECS.values() for f in line if f.implemented))


class OPStateMixin:
    l2_fork: Fork

    def get_tip(self, transaction) -> int:
        return 0 if is_deposit(transaction) else super().get_tip(transaction)

    def get_gas_price(self, transaction) -> int:
        return 0 if is_deposit(transaction) else super().get_gas_price(transaction)

    def validate_transaction(self, transaction) -> None:
        if is_deposit(transaction):
            return deposits.check_deposit(transaction)
        check_transaction(transaction)
        super().validate_transaction(transaction)


class OPExecutorMixin:
    base_fee_recipient = fees.BASE_FEE_VAULT  # Celo: its FeeHandler

    def pays_l2_fees(self, transaction) -> bool:
        """Whether the L1 data fee and operator fee apply (not to deposits)."""
        return not is_deposit(transaction)

    def validate_transaction(self, transaction) -> None:
        super().validate_transaction(transaction)
        if self.pays_l2_fees(transaction):
            fees.check_balance(self.vm_state, transaction)

    def build_evm_message(self, transaction):
        message = super().build_evm_message(transaction)
        if self.pays_l2_fees(transaction):
            fees.charge_up_front(self.vm_state, transaction)
        return message

    def build_computation(self, message, transaction):
        run = super().build_computation
        if is_deposit(transaction):
            return deposits.run_deposit(self.vm_state, lambda: run(message, transaction))
        return run(message, transaction)

    def finalize_computation(self, transaction, computation):
        if is_deposit(transaction):
            return fees.finalize_without_fees(self, transaction, computation)
        computation = super().finalize_computation(transaction, computation)
        fees.pay_vaults(self.vm_state, transaction, computation, self.base_fee_recipient)
        return computation


class OPVMMixin:
    l2_fork: Fork
    known_transaction_types = ETHEREUM_TRANSACTION_TYPES | {DEPOSIT_TX_TYPE}
    extra_transaction_types = {DEPOSIT_TX_TYPE: deposits.decode_deposit}

    def block_preprocessing(self, block) -> None:
        upgrades.apply_upgrades(self.state, self.env.rules.chain, block.header)
        super().block_preprocessing(block)

    def validate_transaction_against_header(self, base_header, transaction) -> None:
        if is_deposit(transaction):
            return deposits.check_deposit_gas(base_header, transaction)
        super().validate_transaction_against_header(base_header, transaction)

    def block_postprocessing(self, block):
        if self.l2_fork.at_least("isthmus"):
            return block.copy(header=block.header.copy(requests_hash=isthmus.EMPTY_REQUESTS_HASH))
        return super().block_postprocessing(block)

    def increment_blob_gas_used(self, old_header, transaction):
        if not self.l2_fork.at_least("jovian"):
            return super().increment_blob_gas_used(old_header, transaction)
        # Jovian: blobGasUsed carries the block's DA footprint (specs jovian/exec-engine.md)
        return old_header.copy(blob_gas_used=old_header.blob_gas_used + l1cost.transaction_da_footprint(
            self.state, transaction))

    def apply_transaction(self, header, transaction):
        self.env.start_transaction()
        if is_deposit(transaction):
            return deposits.apply_deposit(self, header, transaction, super().apply_transaction)
        return super().apply_transaction(header, transaction)

    def make_receipt(self, base_header, transaction, computation, state):
        receipt = super().make_receipt(base_header, transaction, computation, state)
        return deposits.deposit_receipt(receipt, self.env.tx) if is_deposit(transaction) else receipt


def op_vm_class(l2_fork: Fork, evm_vm_class: type) -> type:
    """`evm_vm_class` (a witness-backed Ethereum VM) with the rules of `l2_fork`."""
    state = evm_vm_class.get_state_class()
    name = l2_fork.name.title()
    executor = type(f"OP{state.transaction_executor_class.__name__}", (OPExecutorMixin, state.transaction_executor_class), {})
    computation = pyevm_adapter.computation_class(f"OP{name}{state.computation_class.__name__}",
                                                  (state.computation_class,),
                                                  op_precompiles(l2_fork, state.computation_class))
    op_state = type(f"OP{name}{state.__name__}", (OPStateMixin, state),
                    {"transaction_executor_class": executor, "l2_fork": l2_fork, "computation_class": computation})
    return pyevm_adapter.vm_class(f"OP{name}VM", (OPVMMixin, evm_vm_class), op_state, l2_fork=l2_fork,
                                  fork=l2_fork.label)
