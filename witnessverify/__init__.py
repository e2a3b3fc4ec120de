"""witnessverify: re-execute a block statelessly from its execution witness and judge its header."""

__version__ = "0.1.0"
