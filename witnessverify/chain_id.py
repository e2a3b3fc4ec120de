"""Which chain a block belongs to, when the input does not say: the chain ids its transactions
were signed for.

Typed transactions (EIP-2718 types 1, 2, 3, 4, and Celo's CIP-64 0x7b) carry their chain id as
the first RLP field; legacy transactions carry it in `v` from EIP-155 on (`v = 35 + 2·id` or
`36 + 2·id`). Deposits (0x7e) carry none. A block whose transactions name exactly one chain
belongs to that chain (a transaction signed for another chain is invalid there anyway, and the
engine says so); a block with no such transaction names no chain.
"""

from __future__ import annotations

from typing import Optional

import rlp

_TYPED_WITH_CHAIN_ID = (0x01, 0x02, 0x03, 0x04, 0x7B)
DEPOSIT_TYPE = 0x7E


def _int(b: bytes) -> int:
    return int.from_bytes(b, "big")


def transaction_chain_ids(block_rlp: bytes) -> tuple[set[int], bool]:
    """(chain ids named by the block's transactions, whether it holds OP deposits). Malformed
    transactions are skipped: decoding proper happens later and reports them."""
    ids: set[int] = set()
    deposits = False
    try:
        items = rlp.decode(block_rlp)
        txs = items[1] if isinstance(items, list) and len(items) > 1 and isinstance(items[1], list) else []
    except (rlp.exceptions.DecodingError, RecursionError):
        return ids, deposits
    for tx in txs:
        try:
            if isinstance(tx, list):  # legacy
                if len(tx) == 9 and isinstance(tx[6], bytes) and _int(tx[6]) >= 35:
                    ids.add((_int(tx[6]) - 35) // 2)
            elif tx[:1] == bytes([DEPOSIT_TYPE]):
                deposits = True
            elif tx and tx[0] in _TYPED_WITH_CHAIN_ID:
                fields = rlp.decode(tx[1:])
                if isinstance(fields, list) and fields and isinstance(fields[0], bytes):
                    ids.add(_int(fields[0]))
        except (rlp.exceptions.DecodingError, IndexError, TypeError, RecursionError):
            continue
    return ids, deposits


def infer_chain_id(block_rlp: bytes) -> Optional[int]:
    """The one chain id every signed transaction of the block names, else None."""
    ids, _ = transaction_chain_ids(block_rlp)
    return next(iter(ids)) if len(ids) == 1 else None
