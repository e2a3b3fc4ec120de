"""Where an OP Stack transaction's fees are charged and paid (ethereum-optimism/specs
`exec-engine.md` "Fee Vaults", `isthmus/exec-engine.md` "Operator Fee", l1cost.py for the formulas).

A transaction that is not a deposit:
  - must be able to pay `gas x maxFeePerGas + value + L1 data fee + operator fee(gas limit)`;
  - is charged the L1 data fee and the operator fee on its gas limit up front, with its gas;
  - after execution: the base fee goes to the BaseFeeVault (0x4200…0019; Celo: its FeeHandler)
    instead of being burnt, the L1 data fee to the L1FeeVault (0x4200…001A), and from Isthmus
    the operator fee on the gas used to the OperatorFeeVault (0x4200…001B), the rest of what
    was charged refunded to the sender; the priority fee goes to the coinbase as on L1.
A deposit, or a Celo fee-currency transaction, pays no native fee (`finalize_without_fees`).
"""

from __future__ import annotations

from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_utils import ValidationError

from .l1cost import L1_BLOCK, L1FeeParams, l1_cost, operator_fee, operator_fee_params

BASE_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000019")
L1_FEE_VAULT = bytes.fromhex("420000000000000000000000000000000000001a")
OPERATOR_FEE_VAULT = bytes.fromhex("420000000000000000000000000000000000001b")
_RIPEMD160 = (3).to_bytes(20, "big")


def l1_data_fee(state, transaction) -> int:
    """The L1 data fee of the transaction in hand (worked out once per transaction)."""
    scratch = state.env.tx
    if scratch.l1_cost is None:
        scratch.l1_cost = l1_cost(transaction.encode(), L1FeeParams.from_state(state), state.l2_fork)
    return scratch.l1_cost


def operator_fee_for(state, gas: int) -> int:
    """The Isthmus operator fee for `gas` (Jovian's formula from Jovian on), 0 before Isthmus."""
    if not state.l2_fork.at_least("isthmus"):
        return 0
    scalar, constant = operator_fee_params(state.get_storage(L1_BLOCK, 8))
    return operator_fee(gas, scalar, constant, state.l2_fork.at_least("jovian"))


def check_balance(state, transaction) -> None:
    """The sender covers the worst case: gas at the max fee, the value and both OP fees."""
    needed = transaction.gas * transaction.max_fee_per_gas + transaction.value + l1_data_fee(state, transaction) \
        + operator_fee_for(state, transaction.gas)
    if state.get_balance(transaction.sender) < needed:
        raise ValidationError("sender cannot pay gas, value and the L1 data fee")


def charge_up_front(state, transaction) -> None:
    """The L1 data fee and the operator fee on the gas limit, taken with the gas."""
    state.delta_balance(transaction.sender, -(l1_data_fee(state, transaction) + operator_fee_for(state, transaction.gas)))


def pay_vaults(state, transaction, computation, base_fee_recipient: bytes) -> None:
    """After py-evm's own finalization (refund, priority fee to the coinbase): the base fee to
    its recipient, the L1 data fee to its vault, the operator fee on the gas used to its vault
    and the rest of what was charged back to the sender."""
    consumed = transaction.gas - computation.get_gas_remaining()
    refund = min(computation.get_gas_refund(), consumed // 5)  # EIP-3529 (London on)
    gas_used = consumed - refund + computation.data_floor_gas
    _credit(state, base_fee_recipient, state.execution_context.base_fee_per_gas * gas_used)
    _credit(state, L1_FEE_VAULT, l1_data_fee(state, transaction))
    if state.l2_fork.at_least("isthmus"):
        charged, used = operator_fee_for(state, transaction.gas), operator_fee_for(state, gas_used)
        if charged > used:
            state.delta_balance(transaction.sender, charged - used)
        _credit(state, OPERATOR_FEE_VAULT, used)


def _credit(state, vault: bytes, amount: int) -> None:
    # A zero credit changes nothing in the clients (a touched vault stays, or an absent one is
    # removed again by EIP-161); py-evm would create an absent vault as an empty account.
    if amount:
        state.delta_balance(vault, amount)


def finalize_without_fees(executor, transaction, computation):
    """A transaction paying no native fee (a deposit, a Celo fee-currency transaction) pays none
    and, from Regolith, tips no coinbase: op-geth returns before the coinbase payment, op-revm's
    `reward_beneficiary` returns early for deposits. py-evm's own finalization would credit the
    coinbase zero and so read (and EIP-161-touch) an account the reference clients never look at."""
    used = transaction.gas - computation.get_gas_remaining()
    refund = executor.calculate_gas_refund(computation, used)
    computation.data_floor_gas = executor.calc_data_floor_gas(transaction, used, refund)
    state = executor.vm_state
    for account in computation.get_accounts_for_deletion():
        state.delete_account(account)
    # EIP-161: touched empty accounts are cleared; the coinbase only if execution touched it
    for account in touched_by_execution(computation):
        if state.account_exists(account) and state.account_is_empty(account):
            state.delete_account(account)
    return computation


def touched_by_execution(computation, ancestor_had_error: bool = False):
    """EIP-161's touched accounts of a computation tree (py-evm's `collect_touched_accounts`
    without the coinbase it adds to every frame for the fee transfer): self-destruct
    beneficiaries and call targets of frames that did not fail (RIPEMD160 even then, the
    geth/parity quirk of EIP-716, mainnet block 2,675,119)."""
    failed = computation.is_error or ancestor_had_error
    for beneficiary in sorted(computation.get_self_destruct_beneficiaries()):
        if not failed or beneficiary == _RIPEMD160:
            yield beneficiary
    to = computation.msg.to
    if to != CREATE_CONTRACT_ADDRESS and (not failed or to == _RIPEMD160):
        yield to
    for child in computation.children:
        yield from touched_by_execution(child, failed)
