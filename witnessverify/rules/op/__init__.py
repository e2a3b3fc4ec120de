"""OP Stack rules: deposits (`deposits.py`), the L1 data fee and operator fee (`l1cost.py`,
`fastlz.py`), fee vaults and per-fork VM classes (`vm.py`), Holocene/Jovian extraData and base fee
(`holocene.py`), OP block decoding (`blocks.py`)."""
