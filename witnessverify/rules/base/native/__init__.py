"""Base's native stateful precompiles (Beryl on), as base-reth-node defines them in
base/base `crates/common/precompiles/` and `crates/common/precompile-storage/` (read at
commit 84ef08becd309c7a386230d195efa2c59a80fbc4 through github.com/katiecoin/base).

One module per concern, named as there:
  abi.py         the ABI codec: encoding, and decoding as alloy's `abi_decode_validate` does, with
                 its error texts (consensus data)
  errors.py      typed reverts (selector ‖ ABI arguments) and event topics
  host.py        what a precompile may do to the state (SLOAD, SSTORE, LOG, set_code), metered
                 as `EvmPrecompileStorageProvider` meters it, with the revert kinds
  slots.py       storage slot derivation (ERC-7201 roots, mappings)
  activation.py  the ActivationRegistry (0x8453…01): feature flags, the Beryl static admin
  policy.py      the PolicyRegistry (0x8453…02), V1 (Beryl)
  policy_v2.py   its V2 (Cobalt): composite policies
  policy_dispatch.py  the dispatcher of both
  factory.py     the B20 factory (0xB20F…00), V1
  b20_storage.py a B20 token's storage layout
  b20_token.py   the tokens' ERC-20 core, mint/burn, pause, permit (V1)
  b20_admin.py   the tokens' supply cap, metadata, policy scopes, roles, reads (V1)
  b20_asset.py   the Asset's and Stablecoin's own functions, surfaces, routing, dispatch (V1)
  b20_v2.py      the tokens' V2 (Cobalt); b20_dispatch.py picks V1 or V2 by fork
  eip8130.py     the NonceManager and TransactionContext (Cobalt), as ordinary transactions see them
  calls.py       which precompile answers a call (fixed addresses, the B20 lookup) and the
                 prologue every one shares (no DELEGATECALL / CALLCODE)
  evm_host.py    the Host on py-evm's state and how a call ends there (the engine's adapter)

The logic is proven against base/base's golden tests (tests/unit/rules/base/test_native_*.py,
vectors in tests/vectors/base/); blocks that call it are judged against the Ethereum execution
specs running the same logic (test_native_blocks.py). What is not implemented raises
Unsupported by name.
"""
