"""The command group: every command runs guarded (an unexpected exception is one line and exit
5, never a traceback); the commands live one module per group beside this one."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

DEFAULT_WITNESSES = Path(__file__).resolve().parent.parent.parent / "witnesses"


def internal_error_line(exc: BaseException) -> str:
    """One line for a bug of ours (or of a library): what and where, never a traceback."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"INTERNAL_ERROR {type(exc).__name__}: {text}{where} — a bug in witnessverify; please report it"


# a command stopped by a signal exits as shells and systemd expect: 128 + the signal's number
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM reached a command that has no handler of its own (watch has one: it finishes the
    block in hand)."""


def _on_sigterm(main_pid: int):
    def handler(signum, frame):
        if os.getpid() != main_pid:  # a forked pool worker: die of the signal, quietly
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated()
    return handler


def _print_version(ctx) -> None:
    """The package, the engine (py-evm) and the git commit when run from a checkout."""
    from ..provenance import line

    click.echo(line())
    ctx.exit(0)


LOG_LEVELS = ["debug", "info", "warning", "error"]


class _Command(click.Command):
    """Every command also takes -v/--verbose, --log-level and -q/--quiet: the log goes to
    stderr (default: warnings; -v info, -vv debug, which names every request), and --quiet
    silences the progress line. A command with a --log-level of its own (watch, spot-check)
    keeps it, and -v raises it when it was not given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.own_log_level = any(p.name == "log_level" for p in self.params)
        if not self.own_log_level:
            self.params.append(click.Option(["--log-level"], type=click.Choice(LOG_LEVELS),
                                            help="Log to stderr from this level on (default: warning)."))
        self.params.append(click.Option(["-v", "--verbose"], count=True,
                                        help="More log lines on stderr: -v info (the check's stages), -vv debug "
                                        "(every request)."))
        self.params.append(click.Option(["-q", "--quiet"], is_flag=True, help="No progress line on stderr."))
        rpcs = next((p for p in self.params if p.name == "rpcs"), None)
        self.needs_clients = bool(rpcs is not None and rpcs.required)
        if rpcs is not None:  # the clients may come from a config file instead (cli/config.py)
            rpcs.required = False
            self.params.append(click.Option(["--config"], type=click.Path(dir_okay=False), envvar="WITNESSVERIFY_CONFIG",
                                            help="TOML file naming the clients (and rollup nodes) with their headers; "
                                            "--rpc and --rollup-rpc replace its entries."))

    def invoke(self, ctx):
        from .. import progress

        verbose, quiet = ctx.params.pop("verbose", 0), ctx.params.pop("quiet", False)
        progress.configure(quiet)
        given = ctx.get_parameter_source("log_level") not in (None, click.core.ParameterSource.DEFAULT)
        level = ctx.params["log_level"] if self.own_log_level else ctx.params.pop("log_level")
        if verbose and not given:
            level = "debug" if verbose > 1 or self.own_log_level else "info"
            if self.own_log_level:
                ctx.params["log_level"] = level
        if not self.own_log_level:
            from .. import logs

            logs.setup("text", level or "warning")
        if "config" in ctx.params:
            from . import config

            config.apply(ctx, ctx.params.pop("config"))
            if self.needs_clients and not ctx.params["rpcs"]:
                raise click.UsageError("no client: give --rpc NAME=URL (repeat), or --config FILE with [clients.NAME] "
                                       "tables")
        return super().invoke(ctx)


# each command -> the module beside this one that defines it, imported when the command is
# asked for: `verify` of one block loads neither the watcher's store nor the audit's pool
COMMAND_MODULES = {"verify": "verify", "convert": "verify", "audit": "audit", "bench": "audit", "build": "build",
                   "chains": "chains", "check": "check", "blocktest": "conformance", "watch": "watch",
                   "spot-check": "watch", "history": "watch"}


class _Guarded(click.Group):
    """Every command: an unexpected exception is a one-line INTERNAL_ERROR and exit 5; Ctrl-C
    is "interrupted", exit 130; SIGTERM "terminated", exit 143 (never a traceback). Commands
    are loaded on demand (COMMAND_MODULES); `--help` lists them all."""

    command_class = _Command

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"{__package__}.{COMMAND_MODULES[name]}")
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("interrupted", err=True)
            sys.exit(EXIT_SIGINT)
        except Terminated:
            click.echo("terminated", err=True)
            sys.exit(EXIT_SIGTERM)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except RecursionError as exc:
            click.echo(f"ERROR input nested too deeply to read ({exc})")
            sys.exit(4)
        except Exception as exc:  # noqa: BLE001 - the documented exit 5
            click.echo(internal_error_line(exc))
            sys.exit(5)


# every option can come from the environment, WITNESSVERIFY_<COMMAND>_<NAME> (click's
# auto_envvar_prefix); the endpoint options also from one name for every command
# (WITNESSVERIFY_RPC, _RPC_HEADER, _ROLLUP_RPC, _WEBHOOK): tokens stay out of `ps`
@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "WITNESSVERIFY"})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, help="Show the version and exit.",
              callback=lambda ctx, param, value: _print_version(ctx) if value else None)
def main() -> None:
    """Re-execute blocks statelessly from their execution witness and judge their headers."""
    import threading

    from .. import gcpolicy

    gcpolicy.apply()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm(os.getpid()))
    from ..interpreter import environment_problem

    problem = environment_problem()
    if problem:
        raise click.UsageError(problem)
