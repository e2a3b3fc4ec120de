"""Ethereum's rules: the rule set (`rules.py`), one witness-backed py-evm VM class per fork
(`vm.py`), the transaction rules py-evm lacks (`transactions.py`), the body (`body.py`), the
header rules against the parent and alone (`header.py`), the block-level system calls and requests
(`system_calls.py`, `requests.py`), Osaka and the blob-parameter-only forks (`osaka.py`, `clz.py`,
`p256verify.py`, `modexp.py`, `blobs.py`), the precompiles on native backends
(`point_evaluation.py`, `bls12_381.py`)."""
