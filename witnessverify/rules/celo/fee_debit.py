"""Where Celo debits and credits fee currencies: a CIP-64 transaction paying in an ERC-20
(celo-org/celo-kona `crates/celo-revm/src/handler.rs`, the reference; celo-org/op-geth
`core/celo_state_transition.go`):

  1. the currency must be in the block's fee-currency context (fee_currency.py); its intrinsic
     gas is added to the transaction's (not to the EIP-7623 floor);
  2. maxFeePerGas >= the base fee in the currency, tip <= maxFeePerGas;
  3. read-only `balanceOf(sender)` >= gasLimit x maxFeePerGas (save a recorded exception,
     chains/recorded.py);
  4. `debitGasFees(sender, gasLimit x egp)` from 0x0 with 3 x the currency's intrinsic gas,
     egp = min(maxFeePerGas, baseFeeFC + tip) in the currency (what GASPRICE returns); the native
     balance must cover `value`; no native gas is charged or refunded, no L1 data fee or operator
     fee, no native tip or base fee is paid;
  5. after execution `creditGasFees(sender, coinbase, 0x0, FeeHandler, refund, tip, 0, base)`
     with what the debit left of its gas; a failed debit or credit makes the block invalid;
  6. the receipt's logs: the debit's, the transaction's, the credit's; its baseFee: baseFeeFC.
A CIP-64 transaction without a fee currency runs as an EIP-1559 one whose receipt also carries
the base fee.
"""

from __future__ import annotations

from eth_hash.auto import keccak
from eth_utils import ValidationError

from ...chains.recorded import CIP64_MAX_FEE_BALANCE, exception_for
from ..l1.transactions import check_transaction_rules
from ..op.fees import finalize_without_fees
from .calls import CELO_SYSTEM_ADDRESS, READ_ONLY_GAS, SYSTEM_ADDRESS, address_word, call, word
from .cip64 import CIP64_TX_TYPE
from .fee_currency import FeeCurrency

BALANCE_OF = bytes.fromhex("70a08231")
DEBIT_GAS_FEES = bytes.fromhex("58cf9672")
CREDIT_GAS_FEES = bytes.fromhex("6a30b253")


def is_cip64(transaction) -> bool:
    return getattr(transaction, "type_id", None) == CIP64_TX_TYPE


def pays_in_erc20(transaction) -> bool:
    return is_cip64(transaction) and transaction.fee_currency is not None


def currency_of(state, transaction) -> FeeCurrency:
    info = state.env.fee_currencies.get(transaction.fee_currency)
    if info is None:
        raise ValidationError(f"fee currency 0x{transaction.fee_currency.hex()} is not registered in this block")
    return info


def base_fee_in(state, transaction) -> int:
    return currency_of(state, transaction).from_native(state.execution_context.base_fee_per_gas)


def effective_gas_price_in_currency(state, transaction) -> int:
    return min(transaction.max_fee_per_gas, base_fee_in(state, transaction) + transaction.max_priority_fee_per_gas)


def extra_intrinsic_gas(env, transaction) -> int:
    """The fee currency's intrinsic gas, once the block's context lists the currency (else 0:
    validation then names the unregistered currency)."""
    info = env.fee_currencies.get(transaction.fee_currency) if env.fee_currencies is not None else None
    return 0 if info is None else info.intrinsic_gas


def validate(executor, transaction) -> None:
    """Steps 1–3 (the module docstring)."""
    state = executor.vm_state
    currency_of(state, transaction)
    transaction.validate()
    if transaction.gas < transaction.intrinsic_gas:
        raise ValidationError("intrinsic gas (with the fee currency's) exceeds the gas limit")
    floor = executor.calc_data_floor_gas(transaction, 0, 0)  # EIP-7623, without the currency's gas
    if floor and transaction.gas < floor:
        raise ValidationError(f"gas limit {transaction.gas} below the EIP-7623 floor {floor}")
    if transaction.max_priority_fee_per_gas > transaction.max_fee_per_gas:
        raise ValidationError("maxPriorityFeePerGas exceeds maxFeePerGas")
    base_fee = base_fee_in(state, transaction)
    if transaction.max_fee_per_gas < base_fee:
        raise ValidationError(f"maxFeePerGas {transaction.max_fee_per_gas} below the base fee in the fee "
                              f"currency {base_fee}")
    check_transaction_rules(state, transaction)
    if state.get_nonce(transaction.sender) != transaction.nonce:
        raise ValidationError(f"nonce {transaction.nonce}, account nonce {state.get_nonce(transaction.sender)}")
    if not max_fee_exception(state, transaction):
        result = call(state, SYSTEM_ADDRESS, transaction.fee_currency,
                      BALANCE_OF + address_word(transaction.sender), READ_ONLY_GAS, read_only=True)
        if not result.success or len(result.output) < 32:
            raise ValidationError(f"fee currency balanceOf failed ({result.error or 'malformed return'})")
        balance = int.from_bytes(result.output[:32], "big")
        needed = transaction.gas * transaction.max_fee_per_gas
        if balance < needed:
            raise ValidationError(f"fee-currency balance {balance} below gasLimit x maxFeePerGas {needed}")


def max_fee_exception(state, transaction) -> bool:
    """A canonical transaction from before the max-fee balance rule was enforced everywhere."""
    context = state.execution_context
    return exception_for(CIP64_MAX_FEE_BALANCE, context.chain_id, context.block_number,
                         keccak(transaction.encode())) is not None


def debit_amount(state, transaction) -> int:
    """gasLimit x the effective gas price, in the fee currency."""
    return transaction.gas * effective_gas_price_in_currency(state, transaction)


def debit(state, transaction) -> None:
    """Step 4: debit the fees in the currency before execution."""
    scratch = state.env.tx
    info = currency_of(state, transaction)
    result = call(state, CELO_SYSTEM_ADDRESS, transaction.fee_currency,
                  DEBIT_GAS_FEES + address_word(transaction.sender) + word(debit_amount(state, transaction)),
                  info.max_debit_credit_gas)
    if not result.success:
        raise ValidationError(f"failed to debit gas fees in 0x{transaction.fee_currency.hex()}: {result.error}")
    state.clear_transient_storage()
    scratch.pre_logs = result.log_entries
    scratch.debit_gas = result.gas_spent
    scratch.receipt_base_fee = base_fee_in(state, transaction)
    if state.get_balance(transaction.sender) < transaction.value:
        raise ValidationError("native balance below the transaction's value")


def credit(executor, transaction, computation, celo):
    """Step 5: no native fee finalization; credit the refund, tip and base fee in the currency."""
    computation = finalize_without_fees(executor, transaction, computation)
    state = executor.vm_state
    used = transaction.gas - computation.get_gas_remaining()
    gas_used = used - executor.calculate_gas_refund(computation, used) + computation.data_floor_gas
    price = effective_gas_price_in_currency(state, transaction)
    base_fee = base_fee_in(state, transaction)
    coinbase = state.coinbase
    recipient = coinbase if coinbase != bytes(20) else celo.fee_handler
    data = (CREDIT_GAS_FEES + address_word(transaction.sender) + address_word(recipient) + address_word(bytes(20))
            + address_word(celo.fee_handler) + word(price * (transaction.gas - gas_used))
            + word((price - base_fee) * gas_used) + word(0) + word(base_fee * gas_used))
    gas = max(currency_of(state, transaction).max_debit_credit_gas - state.env.tx.debit_gas, 0)
    result = call(state, CELO_SYSTEM_ADDRESS, transaction.fee_currency, data, gas)
    if not result.success:
        raise ValidationError(f"failed to credit gas fees in 0x{transaction.fee_currency.hex()}: {result.error}")
    state.env.tx.post_logs = result.log_entries
    return computation
