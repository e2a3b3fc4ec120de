"""The witness: its check against the block (`check.py`), the state backed by it (`state.py`),
and what it lacked (`missing.py`)."""
