"""Celo's execution rules on top of the OP Stack ones (celo-org/celo-kona, celo-org/op-geth):
CIP-64 fee-currency transactions (`cip64.py`), the fee-currency directory and exchange rates
(`fee_currency.py`), the debit and credit of fee currencies (`cip64.py`), the token-duality
transfer precompile (`transfer.py`), the base-fee floor (`base_fee.py`), fee routing and code-size
limits (`vm.py`)."""
