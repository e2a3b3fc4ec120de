"""Celo's VM classes: the OP Stack rules of each fork (rules/op/vm.py) with Celo's changes, each
hook a few lines calling the rule in the file named for it (celo-org/celo-kona
`crates/celo-revm/src/handler.rs`, the reference; celo-org/op-geth `core/state_transition.go`):

  fee-currency debit, credit, validation and GASPRICE   fee_debit.py
  the block's fee currencies, read at its start         fee_currency.py
  CIP-64 transactions (0x7b) and their receipts         cip64.py
  the token-duality transfer precompile at 0xfd         transfer.py
  the base fee to the FeeHandler, not the BaseFeeVault  base_fee_recipient below
  contract code up to 65,536 bytes, initcode 131,072    CeloComputationMixin below
  the base-fee floor before Jovian                      base_fee.py
"""

from __future__ import annotations

from eth.exceptions import OutOfGas

from ... import pyevm_adapter
from ...chains import CeloParams, Fork
from ..context import ExecutingTransaction
from ..op.vm import op_vm_class
from . import fee_currency, fee_debit
from .cip64 import CIP64_TX_TYPE, cip64_receipt, decoder_for
from .fee_debit import is_cip64, pays_in_erc20
from .transfer import TRANSFER_ADDRESS, make_transfer

MAX_CODE_SIZE = 65_536  # celo-kona CELO_MAX_CODE_SIZE
MAX_INITCODE_SIZE = 2 * MAX_CODE_SIZE


class CeloComputationMixin:
    max_initcode_size = MAX_INITCODE_SIZE

    @classmethod
    def validate_contract_code(cls, contract_code: bytes) -> None:
        if len(contract_code) > MAX_CODE_SIZE:
            raise OutOfGas(f"contract code of {len(contract_code)} bytes exceeds Celo's limit {MAX_CODE_SIZE}")

    @classmethod
    def validate_create_message(cls, message) -> None:
        if len(message.code) > MAX_INITCODE_SIZE:
            raise OutOfGas(f"initcode of {len(message.code)} bytes exceeds Celo's limit {MAX_INITCODE_SIZE}")


class CeloStateMixin:
    celo: CeloParams

    # no native gas is bought, refunded or tipped for a transaction paying in an ERC-20
    def get_gas_price(self, transaction) -> int:
        return 0 if pays_in_erc20(transaction) else super().get_gas_price(transaction)

    def get_tip(self, transaction) -> int:
        return 0 if pays_in_erc20(transaction) else super().get_tip(transaction)

    def get_transaction_context(self, transaction):
        context = super().get_transaction_context(transaction)
        if pays_in_erc20(transaction):  # GASPRICE: the effective price in the fee currency
            context = type(context)(gas_price=fee_debit.effective_gas_price_in_currency(self, transaction),
                                    origin=transaction.sender)
        return context


class CeloExecutorMixin:
    celo: CeloParams

    def pays_l2_fees(self, transaction) -> bool:
        return super().pays_l2_fees(transaction) and not pays_in_erc20(transaction)

    def validate_transaction(self, transaction) -> None:
        if pays_in_erc20(transaction):
            return fee_debit.validate(self, transaction)
        super().validate_transaction(transaction)

    def build_evm_message(self, transaction):
        state = self.vm_state
        if pays_in_erc20(transaction):
            fee_debit.debit(state, transaction)
        elif is_cip64(transaction):  # a native CIP-64 receipt carries the base fee too
            state.env.tx.receipt_base_fee = state.execution_context.base_fee_per_gas
        return super().build_evm_message(transaction)

    def finalize_computation(self, transaction, computation):
        if pays_in_erc20(transaction):
            return fee_debit.credit(self, transaction, computation, self.celo)
        return super().finalize_computation(transaction, computation)


class CeloVMMixin:
    def block_preprocessing(self, block) -> None:
        super().block_preprocessing(block)
        # the fee-currency context: read at the start of the block, only if a transaction needs it
        env = self.env
        env.fee_currencies = fee_currency.FeeCurrencyContext()
        if any(pays_in_erc20(t) for t in block.transactions):
            env.fee_currencies = fee_currency.load(self.state, env.rules.chain.celo.fee_currency_directory)

    def apply_transaction(self, header, transaction):
        if pays_in_erc20(transaction):  # the currency's intrinsic gas is part of the transaction's
            transaction = ExecutingTransaction(
                transaction, transaction.intrinsic_gas + fee_debit.extra_intrinsic_gas(self.env, transaction))
        return super().apply_transaction(header, transaction)

    def make_receipt(self, base_header, transaction, computation, state):
        receipt = super().make_receipt(base_header, transaction, computation, state)
        return cip64_receipt(receipt, self.env.tx) if is_cip64(transaction) else receipt


def celo_vm_class(l2_fork: Fork, evm_vm_class: type, celo: CeloParams) -> type:
    """The VM class of Celo in L2 fork `l2_fork`."""
    vm = op_vm_class(l2_fork, evm_vm_class)
    state = vm.get_state_class()
    base_computation = state.computation_class
    precompiles = pyevm_adapter.precompiles_of(base_computation)
    precompiles[TRANSFER_ADDRESS] = make_transfer(celo.celo_token, warms=l2_fork.at_least("jovian"))
    computation = pyevm_adapter.computation_class(f"Celo{base_computation.__name__}",
                                                  (CeloComputationMixin, base_computation), precompiles)
    executor = type(f"Celo{state.transaction_executor_class.__name__}",
                    (CeloExecutorMixin, state.transaction_executor_class),
                    {"celo": celo, "base_fee_recipient": celo.fee_handler})
    celo_state = type(f"Celo{state.__name__}", (CeloStateMixin, state),
                      {"celo": celo, "computation_class": computation, "transaction_executor_class": executor})
    typed = evm_vm_class.get_transaction_builder().typed_transaction
    return pyevm_adapter.vm_class(f"Celo{l2_fork.name.title()}VM", (CeloVMMixin, vm), celo_state, fork=l2_fork.label,
                                  extra_transaction_types={**vm.extra_transaction_types,
                                                           CIP64_TX_TYPE: decoder_for(typed)},
                                  known_transaction_types=vm.known_transaction_types | {CIP64_TX_TYPE})
