"""EIP-6110 deposit requests read from the deposit contract's logs (execution specs
forks/prague/requests.py `extract_deposit_data`): a DepositEvent whose ABI layout is not the
expected one (576 bytes, offsets 160/256/320/384/512, sizes 48/32/8/96/8) makes the block invalid.
"""

from __future__ import annotations

from eth.vm.forks.prague.constants import DEPOSIT_EVENT_SIGNATURE_HASH

from ...errors import InvalidBlock

DEPOSIT_EVENT_LENGTH = 576
_OFFSETS = (160, 256, 320, 384, 512)  # pubkey, withdrawal credentials, amount, signature, index
_SIZES = (48, 32, 8, 96, 8)
_NAMES = ("pubkey", "withdrawal credentials", "amount", "signature", "index")


def _word(data: bytes, at: int) -> int:
    return int.from_bytes(data[at: at + 32], "big")


def deposit_request(data: bytes) -> bytes:
    if len(data) != DEPOSIT_EVENT_LENGTH:
        raise InvalidBlock("requests", f"a deposit event of {len(data)} bytes, not {DEPOSIT_EVENT_LENGTH}")
    out = b""
    for i, (offset, size, name) in enumerate(zip(_OFFSETS, _SIZES, _NAMES)):
        if _word(data, 32 * i) != offset:
            raise InvalidBlock("requests", f"deposit event: invalid {name} offset")
        if _word(data, offset) != size:
            raise InvalidBlock("requests", f"deposit event: invalid {name} size")
        out += data[offset + 32: offset + 32 + size]
    return out


def deposit_requests(receipts, deposit_contract: bytes) -> bytes:
    data = b""
    for receipt in receipts:
        for log in receipt.logs:
            if log.address == deposit_contract and log.topics \
                    and log.topics[0].to_bytes(32, "big") == DEPOSIT_EVENT_SIGNATURE_HASH:
                data += deposit_request(log.data)
    return data
