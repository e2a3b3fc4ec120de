"""Celo's VM classes: the OP Stack rules of each fork (rules/op/vm.py) with Celo's changes
(celo-org/celo-kona `crates/celo-revm/src/handler.rs`, the reference; celo-org/op-geth
`core/state_transition.go`, `core/celo_state_transition.go`):

  - the base fee of native-CELO transactions goes to the FeeHandler, not the BaseFeeVault;
  - CIP-64 transactions (cip64.py). With no fee currency (or the zero address) they run as
    EIP-1559 transactions whose receipt also carries the base fee. With an ERC-20 fee currency:
      1. the currency must be in the block's fee-currency context (fee_currency.py), its
         intrinsic gas is added to the transaction's (not to the EIP-7623 floor);
      2. maxFeePerGas >= the base fee in the currency, tip <= maxFeePerGas;
      3. read-only `balanceOf(sender)` >= gasLimit · maxFeePerGas (one pinned exception);
      4. `debitGasFees(sender, gasLimit · egp)` from 0x0 with 3 × the currency's intrinsic gas,
         egp = min(maxFeePerGas, baseFeeFC + tip) in the currency (what GASPRICE returns); the
         native balance must cover `value`; no native gas is charged or refunded, no L1 data fee
         or operator fee, no native tip or base fee is paid;
      5. after execution `creditGasFees(sender, coinbase, 0x0, FeeHandler, refund, tip, 0, base)`
         with what the debit left of its gas; a failed debit or credit makes the block invalid;
      6. the receipt's logs: debit's, the transaction's, credit's; its baseFee: baseFeeFC.
  - the token-duality transfer precompile at 0xfd (transfer.py);
  - contract code up to 65,536 bytes and initcode up to 131,072 (celo-kona `CELO_MAX_CODE_SIZE`).
"""

from __future__ import annotations

from eth.exceptions import OutOfGas
from eth_hash.auto import keccak
from eth_utils import ValidationError

from ...chains import CeloParams, l2_at_least
from ...chains.recorded import CIP64_MAX_FEE_BALANCE, exception_for
from ..l1.forks import check_transaction_rules
from ..op.vm import op_vm_class
from . import fee_currency
from .calls import CELO_SYSTEM_ADDRESS, READ_ONLY_GAS, SYSTEM_ADDRESS, address_word, call, word
from .cip64 import CIP64_TX_TYPE, decoder_for
from .transfer import TRANSFER_ADDRESS, make_transfer

MAX_CODE_SIZE = 65_536
MAX_INITCODE_SIZE = 2 * MAX_CODE_SIZE

BALANCE_OF = bytes.fromhex("70a08231")
DEBIT_GAS_FEES = bytes.fromhex("58cf9672")
CREDIT_GAS_FEES = bytes.fromhex("6a30b253")



def pays_in_erc20(transaction) -> bool:
    return getattr(transaction, "type_id", None) == CIP64_TX_TYPE and transaction.fee_currency is not None


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
    fee_currencies = fee_currency.FeeCurrencyContext()  # set per block by the VM

    def currency_of(self, transaction) -> fee_currency.FeeCurrency:
        info = self.fee_currencies.get(transaction.fee_currency)
        if info is None:
            raise ValidationError(f"fee currency 0x{transaction.fee_currency.hex()} is not registered in this block")
        return info

    def base_fee_in(self, transaction) -> int:
        return self.currency_of(transaction).from_native(self.execution_context.base_fee_per_gas)

    def effective_gas_price_in_currency(self, transaction) -> int:
        return min(transaction.max_fee_per_gas, self.base_fee_in(transaction) + transaction.max_priority_fee_per_gas)

    # no native gas is bought, refunded or tipped for a transaction paying in an ERC-20
    def get_gas_price(self, transaction) -> int:
        return 0 if pays_in_erc20(transaction) else super().get_gas_price(transaction)

    def get_tip(self, transaction) -> int:
        return 0 if pays_in_erc20(transaction) else super().get_tip(transaction)

    def get_transaction_context(self, transaction):
        context = super().get_transaction_context(transaction)
        if pays_in_erc20(transaction):  # GASPRICE: the effective price in the fee currency
            context = type(context)(gas_price=self.effective_gas_price_in_currency(transaction),
                                    origin=transaction.sender)
        return context


class CeloExecutorMixin:
    celo: CeloParams

    def pays_l2_fees(self, transaction) -> bool:
        return super().pays_l2_fees(transaction) and not pays_in_erc20(transaction)

    def validate_transaction(self, transaction) -> None:
        if not pays_in_erc20(transaction):
            return super().validate_transaction(transaction)
        state = self.vm_state
        info = state.currency_of(transaction)
        transaction.fee_currency_intrinsic_gas = info.intrinsic_gas
        transaction.validate()
        self.validate_floor(transaction)
        if transaction.max_priority_fee_per_gas > transaction.max_fee_per_gas:
            raise ValidationError("maxPriorityFeePerGas exceeds maxFeePerGas")
        base_fee = state.base_fee_in(transaction)
        if transaction.max_fee_per_gas < base_fee:
            raise ValidationError(f"maxFeePerGas {transaction.max_fee_per_gas} below the base fee in the fee "
                                  f"currency {base_fee}")
        check_transaction_rules(state, transaction)
        if state.get_nonce(transaction.sender) != transaction.nonce:
            raise ValidationError(f"nonce {transaction.nonce}, account nonce {state.get_nonce(transaction.sender)}")
        if not self._max_fee_exception(transaction):
            result = call(state, SYSTEM_ADDRESS, transaction.fee_currency,
                          BALANCE_OF + address_word(transaction.sender), READ_ONLY_GAS, read_only=True)
            if not result.success or len(result.output) < 32:
                raise ValidationError(f"fee currency balanceOf failed ({result.error or 'malformed return'})")
            balance = int.from_bytes(result.output[:32], "big")
            needed = transaction.gas * transaction.max_fee_per_gas
            if balance < needed:
                raise ValidationError(f"fee-currency balance {balance} below gasLimit x maxFeePerGas {needed}")

    def validate_floor(self, transaction) -> None:
        """EIP-7623 (Prague on): the gas limit covers the calldata floor (without the currency's gas)."""
        floor = self.calc_data_floor_gas(transaction, 0, 0)
        if floor and transaction.gas < floor:
            raise ValidationError(f"gas limit {transaction.gas} below the EIP-7623 floor {floor}")

    def _max_fee_exception(self, transaction) -> bool:
        """A canonical transaction from before the max-fee balance rule was enforced everywhere
        (recorded.py)."""
        context = self.vm_state.execution_context
        return exception_for(CIP64_MAX_FEE_BALANCE, context.chain_id, context.block_number,
                             keccak(transaction.encode())) is not None

    def build_evm_message(self, transaction):
        state = self.vm_state
        if getattr(transaction, "type_id", None) == CIP64_TX_TYPE and not pays_in_erc20(transaction):
            transaction.receipt_base_fee = state.execution_context.base_fee_per_gas
        if not pays_in_erc20(transaction):
            return super().build_evm_message(transaction)
        info = state.currency_of(transaction)
        debit = call(state, CELO_SYSTEM_ADDRESS, transaction.fee_currency,
                     DEBIT_GAS_FEES + address_word(transaction.sender) + word(self.debit_amount(transaction)),
                     info.max_debit_credit_gas)
        if not debit.success:
            raise ValidationError(f"failed to debit gas fees in 0x{transaction.fee_currency.hex()}: {debit.error}")
        state.clear_transient_storage()
        transaction.pre_logs = debit.log_entries
        transaction.debit_gas = debit.gas_spent
        transaction.receipt_base_fee = state.base_fee_in(transaction)
        if state.get_balance(transaction.sender) < transaction.value:
            raise ValidationError("native balance below the transaction's value")
        return super().build_evm_message(transaction)

    def debit_amount(self, transaction) -> int:
        """gasLimit x the effective gas price, in the fee currency."""
        return transaction.gas * self.vm_state.effective_gas_price_in_currency(transaction)

    def finalize_computation(self, transaction, computation):
        if not pays_in_erc20(transaction):
            return super().finalize_computation(transaction, computation)
        computation = self.finalize_without_fees(transaction, computation)
        state = self.vm_state
        used = transaction.gas - computation.get_gas_remaining()
        gas_used = used - self.calculate_gas_refund(computation, used) + computation.data_floor_gas
        price = state.effective_gas_price_in_currency(transaction)
        base_fee = state.base_fee_in(transaction)
        coinbase = state.coinbase
        recipient = coinbase if coinbase != bytes(20) else self.celo.fee_handler
        data = (CREDIT_GAS_FEES + address_word(transaction.sender) + address_word(recipient) + address_word(bytes(20))
                + address_word(self.celo.fee_handler) + word(price * (transaction.gas - gas_used))
                + word((price - base_fee) * gas_used) + word(0) + word(base_fee * gas_used))
        gas = max(state.currency_of(transaction).max_debit_credit_gas - transaction.debit_gas, 0)
        credit = call(state, CELO_SYSTEM_ADDRESS, transaction.fee_currency, data, gas)
        if not credit.success:
            raise ValidationError(f"failed to credit gas fees in 0x{transaction.fee_currency.hex()}: {credit.error}")
        transaction.post_logs = credit.log_entries
        return computation


class CeloVMMixin:
    def block_preprocessing(self, block) -> None:
        super().block_preprocessing(block)
        # the fee-currency context: read at the start of the block, only if a transaction needs it
        state = self.state
        state.fee_currencies = fee_currency.FeeCurrencyContext()
        if any(pays_in_erc20(t) for t in block.transactions):
            state.fee_currencies = fee_currency.load(state, state.celo.fee_currency_directory)


def celo_vm_class(fork: str, evm_vm_class: type, celo: CeloParams) -> type:
    """The VM class of Celo in L2 fork `fork`."""
    vm = op_vm_class(fork, evm_vm_class)
    state = vm.get_state_class()
    base_computation = state.computation_class
    precompiles = dict(base_computation.get_precompiles())
    precompiles[TRANSFER_ADDRESS] = make_transfer(celo.celo_token, warms=l2_at_least(fork, "jovian"))
    computation = type(f"Celo{base_computation.__name__}", (CeloComputationMixin, base_computation),
                       {"_precompiles": precompiles})
    executor = type(f"Celo{state.transaction_executor_class.__name__}",
                    (CeloExecutorMixin, state.transaction_executor_class),
                    {"celo": celo, "base_fee_recipient": celo.fee_handler})
    celo_state = type(f"Celo{state.__name__}", (CeloStateMixin, state),
                      {"celo": celo, "computation_class": computation, "transaction_executor_class": executor})
    typed = evm_vm_class.get_transaction_builder().typed_transaction
    return type(f"Celo{fork.title()}VM", (CeloVMMixin, vm), {
        "_state_class": celo_state,
        "fork": f"celo-{fork}",
        "extra_transaction_types": {CIP64_TX_TYPE: decoder_for(typed)},
        "known_transaction_types": vm.known_transaction_types | {CIP64_TX_TYPE},
    })
