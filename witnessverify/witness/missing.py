"""What the witness lacked: missing trie nodes, contract codes and ancestor headers.

A read of something absent from the witness is never answered with an empty value that could
pass for the truth. It is recorded here, with the account (and slot) that needed it; execution
may go on speculatively only to find further gaps, and the verdict is then WITNESS_INCOMPLETE
whatever else happens. The first entry is the one certainly needed; later entries were found
after a gap and may depend on the substitute value used there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Missing:
    kind: str  # "node" (account or storage trie node), "code", "header"
    hash: Optional[bytes]  # node / code hash; None for a header known only by number
    account: Optional[bytes] = None
    slot: Optional[int] = None
    block_number: Optional[int] = None  # for headers: the block whose hash is unknown
    # "read", "write" (a trie update at the end of a transaction/block) or "commitment" (a value a
    # header field commits to, e.g. Isthmus's withdrawalsRoot)
    during: str = "read"
    path: Optional[tuple] = None  # nibble path from the trie's root to the missing node

    def describe(self) -> str:
        if self.kind == "header":
            return (
                f"hash of ancestor block #{self.block_number} (needed by BLOCKHASH; the witness "
                f"lacks header #{self.block_number + 1}, which carries it)"
            )
        what = f"{self.kind} 0x{self.hash.hex()}" if self.hash else self.kind
        if self.kind == "code":
            return f"code {('0x' + self.hash.hex()) if self.hash else ''} of account 0x{self.account.hex()}"
        if self.account is None:
            return f"account trie {what}"
        if self.slot is None:
            return f"account trie {what} for account 0x{self.account.hex()}"
        return f"storage trie {what} for account 0x{self.account.hex()} slot {hex(self.slot)}"

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind, "during": self.during}
        if self.hash is not None:
            out["hash"] = "0x" + self.hash.hex()
        if self.account is not None:
            out["account"] = "0x" + self.account.hex()
        if self.slot is not None:
            out["slot"] = hex(self.slot)
        if self.block_number is not None:
            out["blockNumber"] = self.block_number
        return out


class MissingLog:
    """Collects gaps in the order they were met, once each."""

    def __init__(self) -> None:
        self.items: list[Missing] = []
        self._seen: set[tuple] = set()

    def add(self, item: Missing) -> None:
        key = (item.kind, item.hash, item.account, item.slot, item.block_number)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(item)

    def __bool__(self) -> bool:
        return bool(self.items)
