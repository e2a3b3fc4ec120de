"""A precompile called outside the EVM: what it uses of a computation (its message's data, a gas
meter, an output), and the outcome, so that two implementations can be compared on one input."""

from __future__ import annotations


class PrecompileCall:
    """What a precompile uses of a computation; the data arrives as a memoryview, as in py-evm."""

    def __init__(self, data: bytes) -> None:
        self.msg = type("Msg", (), {"data": memoryview(data), "data_as_bytes": bytes(data)})()
        self.gas = 0
        self.output = b""

    def consume_gas(self, amount: int, reason: str) -> None:
        self.gas += amount


def outcome(precompile, data: bytes):
    """("ok", gas, output), or ("error", the exception's class name): both must fail alike (VMError)."""
    call = PrecompileCall(data)
    try:
        precompile(call)
    except Exception as exc:  # noqa: BLE001 - the kind of failure is what is compared
        return ("error", type(exc).__name__)
    return ("ok", call.gas, call.output)
