"""The token-duality `transfer` precompile at 0xfd (celo-org/celo-kona
`crates/celo-revm/src/precompiles/transfer.rs`, `crates/alloy-celo-evm/src/lib.rs`; celo-org/op-geth
`core/vm/celo_contracts.go`): lets the CELO token contract move native CELO.

  gas 9000 (flat); fails, consuming all gas, when: the call is static, the caller is not the
  CELO token, the input is not exactly 96 bytes (from ‖ to ‖ value words; the high 12 bytes of
  the address words are ignored), or `from` holds less than `value`. Returns nothing.
  Warmth: before Jovian the transfer does not warm `from` or `to` (celo-kona marks cold again
  what it loaded); from Jovian they are warmed like any access (celo-org/op-geth PR #433), after
  the input is parsed and before the balance check.
"""

from __future__ import annotations

from eth.exceptions import VMError

TRANSFER_ADDRESS = (0xFD).to_bytes(20, "big")
TRANSFER_GAS = 9000


class TransferFailed(VMError):
    pass


def make_transfer(celo_token: bytes, warms: bool):
    def transfer(computation):
        msg = computation.msg
        if msg.is_static:
            raise TransferFailed("transfer precompile called in a static context")
        computation.consume_gas(TRANSFER_GAS, reason="Celo transfer precompile")
        if msg.sender != celo_token:
            raise TransferFailed("transfer precompile: caller is not the CELO token")
        data = bytes(msg.data)
        if len(data) != 96:
            raise TransferFailed("transfer precompile: input is not 96 bytes")
        source, target = data[12:32], data[44:64]
        value = int.from_bytes(data[64:96], "big")
        state = computation.state
        if warms:
            state.mark_address_warm(source)
            state.mark_address_warm(target)
        if state.get_balance(source) < value:
            raise TransferFailed("transfer precompile: insufficient balance")
        if value:
            state.delta_balance(source, -value)
            state.delta_balance(target, value)
        return computation

    return transfer
