"""Isthmus's header commitments (specs isthmus/exec-engine.md): the withdrawalsRoot is the
L2ToL1MessagePasser's (0x4200…0016) storage root after the block, and EIP-7685 requests are not
adopted, so the requests hash is always sha256('')."""

from __future__ import annotations

from typing import Optional

L2_TO_L1_MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
EMPTY_REQUESTS_HASH = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")  # sha256('')


def withdrawals_root(l2_fork, account_db) -> Optional[bytes]:
    """From Isthmus, the header's withdrawalsRoot (call after the post-state root is made)."""
    if not l2_fork.at_least("isthmus"):
        return None
    return account_db.storage_root_of(L2_TO_L1_MESSAGE_PASSER)
