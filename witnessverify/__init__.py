"""witnessverify: re-execute a block statelessly from its execution witness and judge its header."""

from . import native

__version__ = "0.1.0"

native.configure()  # before anything hashes (see native.py)
