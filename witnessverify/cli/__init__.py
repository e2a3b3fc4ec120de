"""The witnessverify command line: the group and its guard (main.py), options shared by commands
(options.py), and one module per command group: verify and convert (verify.py), check (check.py),
watch, spot-check and history (watch.py), audit and bench (audit.py), build (build.py), blocktest
(conformance.py), chains (chains.py). Each holds its options, one call, the printing and the
exit code (verdicts.py has the table); the work is done below the command line. A command's
module is imported when the command is asked for (main.COMMAND_MODULES).

Exit codes of `verify` (for several blocks, the first that applies):
  1 any MISMATCH, 5 an internal error, 4 any input unreadable (ERROR),
  3 any WITNESS_INVALID / WITNESS_INCOMPLETE / UNSUPPORTED (inconclusive), 0 all VALID; 2 usage errors.
"""

from .main import DEFAULT_WITNESSES, internal_error_line, main

__all__ = ["DEFAULT_WITNESSES", "all_commands", "internal_error_line", "main"]


def all_commands() -> dict:
    """Every command by name, each module loaded (commands load on demand: main.COMMAND_MODULES)."""
    return {name: main.get_command(None, name) for name in main.list_commands(None)}
