"""Exceptions that end a verification with a verdict instead of a traceback, each carrying the data
it names (the file, the node, the fork, the part of the block), besides its one-line message."""

from __future__ import annotations

from typing import Optional


class InputError(Exception):
    """Input cannot be read or understood (verdict ERROR, exit code 4).

    The message is one line naming the file and what is wrong with it; `where` is that file (or
    input) when the raiser knows it apart from the text.
    """

    def __init__(self, message: str, where: Optional[str] = None) -> None:
        super().__init__(message)
        self.where = where


class WitnessInvalid(Exception):
    """The witness does not authenticate against the block (verdict WITNESS_INVALID). `node`: the
    hash of the witness node or header at fault, or the root no node proves."""

    def __init__(self, message: str, node: Optional[bytes] = None) -> None:
        super().__init__(message)
        self.node = node


class Unsupported(Exception):
    """The block needs a rule this tool does not implement (a fork, a transaction type, a
    precompile): verdict UNSUPPORTED (exit 3), naming what is missing. Never a guess.
    `fork`: the fork the block is in, where that is what is not implemented."""

    def __init__(self, message: str, fork: Optional[str] = None) -> None:
        super().__init__(message)
        self.fork = fork


class InvalidBlock(Exception):
    """The block breaks a rule that needs no execution (an undecodable transaction, a transaction
    type not valid at its fork, uncles after the merge): verdict MISMATCH naming the part."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part, self.reason = part, reason
