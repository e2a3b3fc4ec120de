"""Execution and header rules, by family: `l1/` (Ethereum forks on py-evm, Osaka and later as
this project's classes), `op/` (the OP Stack forks), `base/` (Base's own forks after Jovian),
`celo/` (Celo's rules on the OP Stack). Each rule is written once; later forks subclass it."""
