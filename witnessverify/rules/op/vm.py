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
    header's extraData (header_checks.py / op/holocene.py);
  - Isthmus (Prague EVM): the operator fee (charged on the gas limit, refunded down to the gas
    used, paid to the OperatorFeeVault 0x4200…001B), withdrawalsRoot = storage root of the
    L2ToL1MessagePasser (0x4200…0016), requests hash always sha256(''), BLS input caps;
  - Jovian: operator fee formula ×100, DA footprint in blobGasUsed, tighter precompile caps,
    minimum base fee in extraData; Karst: the Osaka EVM (deposits exempt from the gas cap),
    bn256Pairing cap 57600.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from eth.abc import ReceiptAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_keys import keys
from eth.exceptions import InsufficientFunds, VMError
from eth_utils import ValidationError

from ...chains import EVM_OF_L2_FORK as EVM_FORK, FORK_ORDER, l2_at_least
from ..l1.p256verify import P256VERIFY_ADDRESS, make_p256verify
from .blocks import ETHEREUM_TRANSACTION_TYPES
from .deposits import DEPOSIT_TX_TYPE, DepositTransaction
from .l1cost import (
    L1_BLOCK,
    L1FeeParams,
    da_footprint,
    da_footprint_scalar,
    l1_cost,
    operator_fee,
    operator_fee_params,
)

BASE_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000019")
L1_FEE_VAULT = bytes.fromhex("420000000000000000000000000000000000001a")

# OP forks whose execution rules are implemented here; blocks of later forks are refused
SUPPORTED = ("regolith", "canyon", "delta", "ecotone", "fjord", "granite", "holocene", "isthmus", "jovian", "karst",
             "azul", "beryl", "cobalt")

CREATE2_DEPLOYER = bytes.fromhex("13b0d85ccb8bf860b6b79af3029fca081ae9bef2")
_CREATE2_DEPLOYER_CODE = None


def create2_deployer_code() -> bytes:
    """The code Canyon places at the create2Deployer address (data: op/data/, from the specs)."""
    global _CREATE2_DEPLOYER_CODE
    if _CREATE2_DEPLOYER_CODE is None:
        path = Path(__file__).with_name("data") / "create2deployer.hex"
        _CREATE2_DEPLOYER_CODE = bytes.fromhex(path.read_text().strip()[2:])
    return _CREATE2_DEPLOYER_CODE


OPERATOR_FEE_VAULT = bytes.fromhex("420000000000000000000000000000000000001b")
L2_TO_L1_MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
EMPTY_REQUESTS_HASH = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")  # sha256('')

GAS_P256VERIFY_FJORD = 3450  # RIP-7212 as activated in Fjord (specs `fjord/exec-engine.md`)
# Precompile input caps in bytes (specs granite/, isthmus/, jovian/, karst/ exec-engine.md):
# address -> [(first OP fork, cap), ...]; an input over the cap fails the call, consuming its gas.
_BN256_PAIRING, _BLS_G1_MSM, _BLS_G2_MSM, _BLS_PAIRING = 0x08, 0x0C, 0x0E, 0x0F
INPUT_CAPS = {
    _BN256_PAIRING: [("granite", 112_687), ("jovian", 81_984), ("karst", 57_600)],
    _BLS_G1_MSM: [("isthmus", 513_760), ("jovian", 288_960)],
    _BLS_G2_MSM: [("isthmus", 488_448), ("jovian", 278_784)],
    _BLS_PAIRING: [("isthmus", 235_008), ("jovian", 156_672)],
}

_DUMMY_KEY = keys.PrivateKey(b"\x01" * 32)
_RIPEMD160 = (3).to_bytes(20, "big")


at_least = l2_at_least  # the rules of `name` are in force at `op_fork`


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

    base_fee_recipient = BASE_FEE_VAULT  # Celo: its FeeHandler

    def pays_l2_fees(self, transaction) -> bool:
        """Whether the L1 data fee and operator fee apply (not to deposits)."""
        return not isinstance(transaction, DepositTransaction)

    def _l1_cost(self, transaction) -> int:
        cache = self.__dict__.setdefault("_l1_costs", {})
        key = id(transaction)
        if key not in cache:
            params = L1FeeParams.from_state(self.vm_state)
            cache[key] = l1_cost(transaction.encode(), params, self.vm_state.op_fork)
        return cache[key]

    def _operator_fee(self, gas: int) -> int:
        """Isthmus operator fee (specs isthmus/exec-engine.md; Jovian's formula from jovian/)."""
        op_fork = self.vm_state.op_fork
        if not at_least(op_fork, "isthmus"):
            return 0
        scalar, constant = operator_fee_params(self.vm_state.get_storage(L1_BLOCK, 8))
        return operator_fee(gas, scalar, constant, at_least(op_fork, "jovian"))

    def validate_transaction(self, transaction) -> None:
        super().validate_transaction(transaction)
        if self.pays_l2_fees(transaction):
            needed = transaction.gas * transaction.max_fee_per_gas + transaction.value + self._l1_cost(transaction) \
                + self._operator_fee(transaction.gas)
            if self.vm_state.get_balance(transaction.sender) < needed:
                raise ValidationError("sender cannot pay gas, value and the L1 data fee")

    def build_evm_message(self, transaction):
        message = super().build_evm_message(transaction)
        if self.pays_l2_fees(transaction):
            upfront = self._l1_cost(transaction) + self._operator_fee(transaction.gas)
            self.vm_state.delta_balance(transaction.sender, -upfront)
        return message

    def build_computation(self, message, transaction):
        if not isinstance(transaction, DepositTransaction):
            return super().build_computation(message, transaction)
        snapshot = self.vm_state.snapshot()
        try:
            return super().build_computation(message, transaction)
        except InsufficientFunds:
            # a deposit whose value its sender cannot cover (after the mint) fails as a whole:
            # op-revm `catch_error`, op-geth's failed-deposit path; py-evm raises instead
            self.vm_state.revert(snapshot)
            raise DepositFailure("the sender cannot cover the deposit's value") from None

    def finalize_computation(self, transaction, computation):
        if isinstance(transaction, DepositTransaction):
            return self.finalize_without_fees(transaction, computation)
        computation = super().finalize_computation(transaction, computation)
        remaining = computation.get_gas_remaining()
        consumed = transaction.gas - remaining
        refund = min(computation.get_gas_refund(), consumed // 5)  # EIP-3529 (London on)
        gas_used = consumed - refund + computation.data_floor_gas
        base_fee = self.vm_state.execution_context.base_fee_per_gas
        self._credit(self.base_fee_recipient, base_fee * gas_used)
        self._credit(L1_FEE_VAULT, self._l1_cost(transaction))
        if at_least(self.vm_state.op_fork, "isthmus"):
            charged, used = self._operator_fee(transaction.gas), self._operator_fee(gas_used)
            if charged > used:
                self.vm_state.delta_balance(transaction.sender, charged - used)
            self._credit(OPERATOR_FEE_VAULT, used)
        return computation

    def _credit(self, vault: bytes, amount: int) -> None:
        # A zero credit changes nothing in the clients (a touched vault stays, or an absent one
        # is removed again by EIP-161); py-evm would create an absent vault as an empty account.
        if amount:
            self.vm_state.delta_balance(vault, amount)

    def finalize_without_fees(self, transaction, computation):
        """A deposit pays no fee and, from Regolith, tips no coinbase: op-geth returns before the
        coinbase payment, op-revm's `reward_beneficiary` returns early for deposits. py-evm's own
        finalization would credit the coinbase zero and so read (and EIP-161-touch) an account the
        reference clients never look at."""
        used = transaction.gas - computation.get_gas_remaining()
        refund = self.calculate_gas_refund(computation, used)
        computation.data_floor_gas = self.calc_data_floor_gas(transaction, used, refund)
        state = self.vm_state
        for account in computation.get_accounts_for_deletion():
            state.delete_account(account)
        # EIP-161: touched empty accounts are cleared; the coinbase only if execution touched it
        for account in _touched_by_execution(computation):
            if state.account_exists(account) and state.account_is_empty(account):
                state.delete_account(account)
        return computation


def _touched_by_execution(computation, ancestor_had_error: bool = False):
    """EIP-161's touched accounts of a computation tree (py-evm's `collect_touched_accounts`
    without the coinbase it adds to every frame for the fee transfer): self-destruct
    beneficiaries and call targets of frames that did not fail (RIPEMD160 even then, the
    geth/parity quirk of EIP-716)."""
    failed = computation.is_error or ancestor_had_error
    for beneficiary in sorted(computation.get_self_destruct_beneficiaries()):
        if not failed or beneficiary == _RIPEMD160:
            yield beneficiary
    to = computation.msg.to
    if to != CREATE_CONTRACT_ADDRESS and (not failed or to == _RIPEMD160):
        yield to
    for child in computation.children:
        yield from _touched_by_execution(child, failed)


class OPVMMixin:
    op_fork = "regolith"
    known_transaction_types = ETHEREUM_TRANSACTION_TYPES | {DEPOSIT_TX_TYPE}
    # set per block by the engine: the chain's Canyon time (the activation block gets create2Deployer)
    canyon_time: Optional[int] = None

    def block_preprocessing(self, block) -> None:
        # specs canyon/overview.md, preinstalls.md: the Canyon activation block (the one whose
        # timestamp is the Canyon time, as op-geth's EnsureCreate2Deployer checks) sets the code
        if self.canyon_time is not None and block.header.timestamp == self.canyon_time:
            self.state.set_code(CREATE2_DEPLOYER, create2_deployer_code())
        super().block_preprocessing(block)

    def validate_transaction_against_header(self, base_header, transaction) -> None:
        if isinstance(transaction, DepositTransaction):
            if base_header.gas_used + transaction.gas > base_header.gas_limit:
                raise ValidationError("deposit gas exceeds the gas left in the block")
            return
        super().validate_transaction_against_header(base_header, transaction)

    def block_postprocessing(self, block):
        if at_least(self.op_fork, "isthmus"):
            # EIP-7685 requests are not adopted on OP: the requests hash is always sha256('')
            return block.copy(header=block.header.copy(requests_hash=EMPTY_REQUESTS_HASH))
        return super().block_postprocessing(block)

    def post_state_withdrawals_root(self) -> Optional[bytes]:
        """Isthmus: the header's withdrawalsRoot is the L2ToL1MessagePasser's storage root."""
        if not at_least(self.op_fork, "isthmus"):
            return None
        return self.state._account_db.storage_root_of(L2_TO_L1_MESSAGE_PASSER)

    def increment_blob_gas_used(self, old_header, transaction):
        if not at_least(self.op_fork, "jovian"):
            return super().increment_blob_gas_used(old_header, transaction)
        # Jovian: blobGasUsed carries the block's DA footprint (specs jovian/exec-engine.md)
        if isinstance(transaction, DepositTransaction):
            return old_header
        scalar = da_footprint_scalar(self.state.get_storage(L1_BLOCK, 8))
        return old_header.copy(blob_gas_used=old_header.blob_gas_used + da_footprint(transaction.encode(), scalar))

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
            # included as failed: its changes undone, the mint kept, the nonce bumped once
            if state.get_nonce(tx.sender) == tx.nonce:
                state.increment_nonce(tx.sender)
            receipt = tx.make_receipt(b"", header.gas_used + tx.gas, [])
            return receipt, None


class PrecompileInputTooLong(VMError):
    """An OP precompile input over its cap fails the call, consuming its gas."""


def _capped(precompile, cap: int, address: int):
    def capped(computation):
        if len(computation.msg.data) > cap:
            raise PrecompileInputTooLong(f"precompile {address:#x} input over {cap} bytes")
        return precompile(computation)

    return capped


def _op_computation(op_fork: str, computation: type) -> type:
    """Precompile changes of the OP forks on top of the EVM fork's computation."""
    precompiles = dict(computation.get_precompiles())
    if at_least(op_fork, "fjord") and FORK_ORDER.index(EVM_FORK[op_fork]) < FORK_ORDER.index("osaka"):
        # RIP-7212 at Fjord's price; on the Osaka EVM (Karst, Base's Azul) Osaka's own (6900)
        precompiles[P256VERIFY_ADDRESS] = make_p256verify(GAS_P256VERIFY_FJORD)
    for address, steps in INPUT_CAPS.items():
        cap = None
        for fork, limit in steps:
            if at_least(op_fork, fork):
                cap = limit
        key = address.to_bytes(20, "big")
        if cap is not None and key in precompiles:
            precompiles[key] = _capped(precompiles[key], cap, address)
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
