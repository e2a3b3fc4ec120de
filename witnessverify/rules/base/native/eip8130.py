"""The two EIP-8130 precompiles base-reth-node installs from Cobalt, as ordinary transactions
see them (base/base `precompiles/src/nonce/` and `tx_context/` @84ef08be; their dispatchers
unchanged at 1732d67b, after PR #4924). EIP-8130 transactions themselves are not active at
Cobalt (gated on Zenith, cobalt.py), so nothing ever writes their state here:

  NonceManager 0x8130…aa01   `getNonce(address account, uint256 nonceKey)`: no value
      (NonPayable() before any charge), 6 gas per calldata word, key 0 reverts
      ProtocolNonceNotSupported(), otherwise one SLOAD of nonces[account][key] (ERC-7201
      "base.nonce_manager" +0) returned as a uint64 (a wider word: Panic 0x11). The
      increment and expiring-nonce paths are the EIP-8130 handler's, not reachable by a call.
  TransactionContext 0x8130…aa02   `getTransactionSender()`, `getTransactionPayer()`,
      `getTransactionSenderActorId()`: no value, no calldata charge; the handler's transient
      slots 0, 1, 2 (read unmetered) are zero outside an EIP-8130 transaction, so each getter
      falls back on tx.origin; the actor id is the origin right-aligned in the word (base/base
      PR #4345, merged 2026-08-10, before Cobalt shipped). Then 3 gas per output word (W_copy).
"""

from __future__ import annotations

from . import abi
from .errors import error
from .host import CALLDATA_WORD_GAS, Host, Panic, words
from .slots import erc7201, nested

NONCES = erc7201("base.nonce_manager")
NONCE_SURFACE = abi.surface("INonceManagerCalls", "getNonce(address,uint256)")
CONTEXT_SURFACE = abi.surface("ITransactionContextCalls",
                              "getTransactionSender() getTransactionPayer() getTransactionSenderActorId()")
OUTPUT_WORD_GAS = 3
U64 = (1 << 64) - 1


def nonce_manager(host: Host, calldata: bytes) -> bytes:
    if host.value:
        raise error("NonPayable()")
    host.charge(CALLDATA_WORD_GAS * words(len(calldata)))
    _, (account, key) = abi.decode_call(NONCE_SURFACE, calldata)
    if key == 0:
        raise error("ProtocolNonceNotSupported()")
    nonce = host.sload(nested(NONCES, account, key))
    if nonce > U64:
        raise Panic(0x11)
    return abi.word(nonce)


def transaction_context(host: Host, calldata: bytes) -> bytes:
    if host.value:
        raise error("NonPayable()")
    abi.decode_call(CONTEXT_SURFACE, calldata)
    output = abi.address_word(host.origin)  # the sender, the payer, and the actor id alike
    host.charge(OUTPUT_WORD_GAS * words(len(output)))
    return output
