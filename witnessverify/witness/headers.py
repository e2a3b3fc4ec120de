"""Block headers as the witness and the block carry them: decoded with py-evm's widest header
sedes (Prague's, 21 fields, reading every earlier shape), and recognised when they carry the
fields of a fork this tool does not implement (Amsterdam appends blockAccessListHash and
slotNumber), which is UNSUPPORTED naming the fork, never unreadable input."""

from __future__ import annotations

from typing import Optional

import rlp
from eth.abc import BlockHeaderAPI
from eth.vm.forks.prague.blocks import PragueBackwardsHeader

from ..chains import UNIMPLEMENTED_FORKS
from ..errors import InputError, Unsupported
from ..safeparse import decode_rlp

# Prague's header ends with requestsHash, its 21st field; Amsterdam appends these
PRAGUE_HEADER_FIELDS = 21
AMSTERDAM_HEADER_FIELDS = ("blockAccessListHash", "slotNumber")


def decode_header(raw: bytes, what: str) -> BlockHeaderAPI:
    try:
        return decode_rlp(raw, what, sedes=PragueBackwardsHeader)
    except InputError as exc:
        items = header_items(raw)
        if items is not None:
            refuse_amsterdam_header(items, what)
        raise InputError(f"{what}: not a block header RLP ({str(exc).split(': ', 1)[-1][:120]})") from None


def block_header(block_rlp: bytes, what: str) -> BlockHeaderAPI:
    """The header of a block RLP, read alone (for naming a block before it is judged)."""
    items = decode_rlp(block_rlp, f"{what}: block")
    if not isinstance(items, list) or not items or not isinstance(items[0], list):
        raise InputError(f"{what}: block RLP is not [header, transactions, uncles, ...]")
    return decode_header(rlp.encode(items[0]), f"{what}: block header")


def header_items(raw: bytes) -> Optional[list]:
    """A header RLP's fields, if it is a list of at least 15 byte strings (else None)."""
    try:
        items = rlp.decode(raw)
    except (rlp.exceptions.DecodingError, RecursionError):
        return None
    if isinstance(items, list) and len(items) >= 15 and all(isinstance(x, bytes) for x in items):
        return items
    return None


def refuse_amsterdam_header(items: list, what: str) -> None:
    """UNSUPPORTED for a header with fields after requestsHash (Amsterdam's), on any chain."""
    if len(items) <= PRAGUE_HEADER_FIELDS:
        return
    extra = len(items) - PRAGUE_HEADER_FIELDS
    names = ", ".join(AMSTERDAM_HEADER_FIELDS[:extra]) + (f" and {extra - 2} more" if extra > 2 else "")
    raise Unsupported(
        f"{what}: block #{int.from_bytes(items[8], 'big')} has a header of {len(items)} fields, {extra} after "
        f"requestsHash ({names}), as Amsterdam's has: {UNIMPLEMENTED_FORKS['amsterdam']} is not implemented",
        fork="amsterdam",
    )
