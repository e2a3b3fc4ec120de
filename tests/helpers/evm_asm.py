"""A tiny EVM assembler for test contracts: asm("PUSH", 5, "CLZ", ...) -> bytecode."""

from __future__ import annotations

OPS = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "DIV": 0x04, "SDIV": 0x05, "MOD": 0x06,
    "SMOD": 0x07, "ADDMOD": 0x08, "MULMOD": 0x09, "EXP": 0x0A, "SIGNEXTEND": 0x0B,
    "LT": 0x10, "GT": 0x11, "SLT": 0x12, "SGT": 0x13, "EQ": 0x14, "ISZERO": 0x15, "AND": 0x16,
    "OR": 0x17, "XOR": 0x18, "NOT": 0x19, "BYTE": 0x1A, "SHL": 0x1B, "SHR": 0x1C, "SAR": 0x1D,
    "CLZ": 0x1E, "KECCAK256": 0x20, "ADDRESS": 0x30, "BALANCE": 0x31, "ORIGIN": 0x32, "CALLER": 0x33,
    "CALLVALUE": 0x34, "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37,
    "CODESIZE": 0x38, "CODECOPY": 0x39, "GASPRICE": 0x3A, "EXTCODESIZE": 0x3B, "RETURNDATASIZE": 0x3D,
    "RETURNDATACOPY": 0x3E, "EXTCODEHASH": 0x3F, "BLOCKHASH": 0x40, "COINBASE": 0x41,
    "TIMESTAMP": 0x42, "NUMBER": 0x43, "PREVRANDAO": 0x44, "GASLIMIT": 0x45, "CHAINID": 0x46,
    "SELFBALANCE": 0x47, "BASEFEE": 0x48, "BLOBHASH": 0x49, "BLOBBASEFEE": 0x4A, "POP": 0x50,
    "MLOAD": 0x51, "MSTORE": 0x52, "MSTORE8": 0x53, "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56,
    "JUMPI": 0x57, "PC": 0x58, "MSIZE": 0x59, "GAS": 0x5A, "JUMPDEST": 0x5B, "TLOAD": 0x5C,
    "TSTORE": 0x5D, "MCOPY": 0x5E, "PUSH0": 0x5F, "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82,
    "SWAP1": 0x90, "SWAP2": 0x91, "LOG0": 0xA0, "LOG1": 0xA1, "CREATE": 0xF0, "CALL": 0xF1, "CALLCODE": 0xF2,
    "RETURN": 0xF3, "DELEGATECALL": 0xF4, "CREATE2": 0xF5, "STATICCALL": 0xFA, "REVERT": 0xFD,
    "INVALID": 0xFE, "SELFDESTRUCT": 0xFF,
}


def push(value: int) -> bytes:
    if value == 0:
        return bytes([0x5F])
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([0x5F + len(raw)]) + raw


def asm(*items) -> bytes:
    """Strings are opcodes; ints are pushed; bytes are inserted as they are."""
    out = b""
    for item in items:
        if isinstance(item, str):
            out += bytes([OPS[item]])
        elif isinstance(item, int):
            out += push(item)
        else:
            out += item
    return out


def prober(call_gas: int) -> bytes:
    """Calls the address in calldata[0:32] with calldata[32:] and records what came back.

    Storage: 0 = call success, 1 = return data size, 2 = keccak of the return data,
    3 = gas left after the call (so every gas difference shows in the state root).
    """
    return asm(
        32, "CALLDATASIZE", "SUB",               # size = cds - 32
        "DUP1", 32, 0, "CALLDATACOPY",           # mem[0:size] = calldata[32:]
        "POP",
        0, 0,                                    # retSize, retOffset
        32, "CALLDATASIZE", "SUB", 0,            # argsSize, argsOffset
        0,                                       # value
        0, "CALLDATALOAD",                       # address
        call_gas, "CALL",
        0, "SSTORE",
        "RETURNDATASIZE", 1, "SSTORE",
        "RETURNDATASIZE", 0, 0, "RETURNDATACOPY",
        "RETURNDATASIZE", 0, "KECCAK256", 2, "SSTORE",
        "GAS", 3, "SSTORE",
        "STOP",
    )
