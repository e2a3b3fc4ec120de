"""The witnessverify command line: the group and its guard (main.py), options shared by commands
(options.py), and one module per command group: verify and convert (verify.py), check (check.py),
watch, spot-check and history (watch.py), audit and bench (audit.py), build (build.py), blocktest
(conformance.py), chains (chains.py). Each holds its options, one call, the printing and the
exit code (verdicts.py has the table); the work is done below the command line.

Exit codes of `verify` (for several blocks, the first that applies):
  1 any MISMATCH, 5 an internal error, 4 any input unreadable (ERROR),
  3 any WITNESS_INVALID / WITNESS_INCOMPLETE / UNSUPPORTED (inconclusive), 0 all VALID; 2 usage errors.
"""

from . import audit, build, chains, check, conformance, verify, watch  # noqa: F401 - each registers its commands
from .main import DEFAULT_WITNESSES, internal_error_line, main

__all__ = ["DEFAULT_WITNESSES", "internal_error_line", "main"]
