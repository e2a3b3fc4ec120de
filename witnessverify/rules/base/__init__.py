"""Base's own forks after Jovian (base/base, base-reth-node), on top of the OP rules:

  Azul    the Osaka EVM (CLZ, MODEXP bounds and repricing, P256VERIFY at 6900, the EIP-7825
          gas cap with deposits exempt) with Jovian's precompile input caps: `vm.py` builds it
          from the L1 Osaka VM and the OP Jovian rules, writing no Osaka rule again.
  Beryl   native stateful precompiles (B20 tokens and factory, PolicyRegistry,
          ActivationRegistry) whose logic exists only in base-reth-node: `precompiles.py`
          names them; a block that calls one is UNSUPPORTED until they are implemented.
  Cobalt  B20 "V2" logic, the NonceManager and TransactionContext precompiles, and (in the
          design, later moved to Zenith) EIP-8130 transactions: refused the same way.
"""
