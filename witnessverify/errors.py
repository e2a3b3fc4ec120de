"""Exceptions that end a verification with a verdict instead of a traceback."""


class InputError(Exception):
    """Input cannot be read or understood (verdict ERROR, exit code 4).

    The message is one line naming the file and what is wrong with it.
    """


class WitnessInvalid(Exception):
    """The witness does not authenticate against the block (verdict WITNESS_INVALID)."""
