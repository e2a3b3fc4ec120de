"""Base's own forks after Jovian (base/base, base-reth-node), on top of the OP rules
(rules.py applies them in order):

  Azul    the Osaka EVM (CLZ, MODEXP bounds and repricing, P256VERIFY at 6900, the EIP-7825
          gas cap with deposits exempt) with Jovian's precompile input caps: chain data only.
  Beryl   native stateful precompiles (B20 tokens and factory, PolicyRegistry,
          ActivationRegistry) whose logic exists only in base-reth-node: `precompiles.py`
          names them, `beryl.py` refuses a block that calls one (UNSUPPORTED).
  Cobalt  the NonceManager and TransactionContext precompiles and EIP-8130 transactions
          (moved to Zenith by base/base PR #4924, with their system-account stub): refused
          (`cobalt.py`); the activation block is judged as any other.
"""
