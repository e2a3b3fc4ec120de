"""EIP-7939: CLZ (0x1e), count leading zero bits of a 256-bit word; 256 for zero. Gas: 5 (low)."""

from eth import constants
from eth.vm.opcode import as_opcode

CLZ = 0x1E


def clz(computation) -> None:
    value = computation.stack_pop1_int()
    computation.stack_push_int(256 - value.bit_length())


CLZ_OPCODE = as_opcode(logic_fn=clz, mnemonic="CLZ", gas_cost=constants.GAS_LOW)
