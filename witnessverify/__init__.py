"""witnessverify: re-execute a block statelessly from its execution witness and judge its header."""

from . import lazy_imports, native

__version__ = "0.1.0"

native.configure()  # before anything hashes (see native.py)
lazy_imports.install()  # before anything imports `eth` (see lazy_imports.py)
