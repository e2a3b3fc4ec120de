"""Transaction validity rules of Ethereum's forks that py-evm's states do not check as the
execution specs do (each makes the transaction, and so the block, invalid), as one state-class
mixin. Found by the blockchain tests; each is a named cause in the conformance tests."""

from __future__ import annotations

from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_utils import ValidationError

from ...chains import fork


def _since(fork_name: str, name: str) -> bool:
    return fork("l1", fork_name).at_least(name)


SHANGHAI_MAX_INITCODE_SIZE = 2 * 24_576  # EIP-3860
INITCODE_WORD_GAS = 2  # EIP-3860
DELEGATION_PREFIX = b"\xef\x01\x00"  # EIP-7702


def check_transaction_rules(state, transaction) -> None:
    """Transaction validity rules py-evm's states do not check: EIP-3607 (a sender with code,
    other than an EIP-7702 delegation, is not an EOA), EIP-3860 (initcode of a creating
    transaction over the limit, or a gas limit below the intrinsic gas with the initcode cost),
    EIP-7623 (a gas limit below the calldata floor), EIP-4844 (no blob transaction creates)."""
    evm = state.evm_fork
    if transaction.type_id == 3 and transaction.to == CREATE_CONTRACT_ADDRESS:
        # EIP-4844: a blob transaction's `to` is an address, never empty (py-evm decodes it)
        raise ValidationError("a blob transaction cannot create a contract (EIP-4844)")
    code = state.get_code(transaction.sender)
    if code and not (_since(evm, "prague") and code[:3] == DELEGATION_PREFIX and len(code) == 23):
        raise ValidationError("the sender is not an EOA: it has code (EIP-3607)")
    if _since(evm, "shanghai") and transaction.to == CREATE_CONTRACT_ADDRESS:
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
    if _since(evm, "prague"):
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
