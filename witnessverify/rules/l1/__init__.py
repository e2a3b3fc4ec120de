"""Ethereum L1 rules: one witness-backed py-evm VM class per fork (`forks.py`), Osaka and the
blob-parameter-only forks (`osaka.py`, `clz.py`, `p256verify.py`, `modexp.py`, `blobs.py`), and
the header rules that follow from the parent (`header_checks.py`)."""
