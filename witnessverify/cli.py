"""witnessverify command line.

Exit codes of `verify` (for several blocks, the first that applies):
  1 any MISMATCH, 5 an internal error, 4 any input unreadable (ERROR),
  3 any WITNESS_INVALID / WITNESS_INCOMPLETE (inconclusive), 0 all VALID; 2 usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from . import sources
from .chains import CHAINS
from .errors import InputError
from .safeparse import read_json_file
from .pipeline import verify_path
from .report import human, json_line
from .verdict import ERROR, MISMATCH, VALID

DEFAULT_WITNESSES = Path(__file__).resolve().parent.parent / "witnesses"
_CHAIN_NAMES = ", ".join(CHAINS)


def _root(ctx, param, value: Optional[str]) -> Optional[bytes]:
    if value is None:
        return None
    s = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        b = bytes.fromhex(s)
    except ValueError:
        raise click.BadParameter("not a hex string") from None
    if len(b) != 32:
        raise click.BadParameter(f"a state root is 32 bytes, got {len(b)}")
    return b


def _hex32(value: Optional[str], hint: str) -> Optional[str]:
    if value is None:
        return None
    s = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        b = bytes.fromhex(s)
    except ValueError:
        raise click.BadParameter("not a hex string", param_hint=hint) from None
    if len(b) != 32:
        raise click.BadParameter(f"an output root is 32 bytes, got {len(b)}", param_hint=hint)
    return "0x" + b.hex()


def _replay(folder: str, as_json: bool) -> int:
    """A folder saved by `check --save`: re-judge it offline, printing the check's report."""
    import json

    from .tiebreak import human as check_human
    from .tiebreak import replay_saved
    from .tiebreak import to_json as check_json

    try:
        report = replay_saved(folder)
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        return 4
    click.echo(json.dumps(check_json(report), default=str) if as_json else check_human(report))
    return report.exit_code


def exit_code(verdicts: list[str], internal: bool) -> int:
    if MISMATCH in verdicts:
        return 1
    if internal:
        return 5
    if ERROR in verdicts:
        return 4
    if any(v != VALID for v in verdicts):
        return 3
    return 0


def internal_error_line(exc: BaseException) -> str:
    """One line for a bug of ours (or of a library): what and where, never a traceback."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"INTERNAL_ERROR {type(exc).__name__}: {text}{where} — a bug in witnessverify; please report it"


class _Guarded(click.Group):
    """Every command: an unexpected exception is a one-line INTERNAL_ERROR and exit 5."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except RecursionError as exc:
            click.echo(f"ERROR input nested too deeply to read ({exc})")
            sys.exit(4)
        except Exception as exc:  # noqa: BLE001 - the documented exit 5
            click.echo(internal_error_line(exc))
            sys.exit(5)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="witnessverify")
def main() -> None:
    """Re-execute blocks statelessly from their execution witness and judge their headers."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sources.FORMATS), help="Force the input format.")
@click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}, or dev:<fork>); default: the input's chain id, "
              "else the chain its transactions are signed for.")
@click.option("--parent-state-root", callback=_root, help="Pre-state root, for inputs without a parent header.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block (JSON Lines).")
@click.option("--strict", is_flag=True, help="Treat unproven absences of read-only accounts as missing data.")
@click.option("--rollup-config", type=click.Path(), help="op-node rollup config JSON of an OP Stack chain.")
@click.option("--chain-config", type=click.Path(),
              help='A blockchain-test style chain config JSON: {"network", "chainid", "blobSchedule"}.')
@click.option("--output-root", "output_root", callback=lambda c, p, v: _hex32(v, "--output-root"),
              help="OP Stack: an output root claimed for the block (one block only) to judge; exit 1 if it "
              "is not the block's, 3 if the block's is unknown.")
def verify(paths, fmt, chain, parent_state_root, as_json, strict, rollup_config, chain_config, output_root) -> None:
    """Verify each block found at PATH (files or folders; default: the bundled witnesses/)."""
    if not paths:
        if not DEFAULT_WITNESSES.is_dir():
            raise click.UsageError(f"no PATH given and no bundled witnesses at {DEFAULT_WITNESSES}")
        paths = (str(DEFAULT_WITNESSES),)
    if rollup_config:
        from .chains import chain_from_rollup_config

        try:
            chain = chain_from_rollup_config(read_json_file(rollup_config, f"{rollup_config} (rollup config)"),
                                             rollup_config)
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    if chain_config:
        from .chains import chain_from_chain_config

        try:
            chain = chain_from_chain_config(read_json_file(chain_config, f"{chain_config} (chain config)"),
                                            chain_config)
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    verdicts, internal, outcomes = [], False, []
    for path in paths:
        if Path(path, "claims.json").is_file():
            sys.exit(_replay(path, as_json))
        for outcome in verify_path(path, fmt, chain, parent_state_root, strict):
            verdicts.append(outcome.verdict)
            internal = internal or getattr(outcome, "internal", False)
            if output_root is None:
                click.echo(json_line(outcome) if as_json else human(outcome))
            outcomes.append(outcome)
    if not verdicts:
        click.echo("no blocks found", err=True)
        sys.exit(4)
    if output_root is not None:
        sys.exit(_judge_output_root(outcomes, output_root, as_json))
    sys.exit(exit_code(verdicts, internal))


def _judge_output_root(outcomes, claimed: str, as_json: bool) -> int:
    """verify --output-root: the block's report, then the claim's verdict (its exit code wins
    unless the block itself is wrong or unreadable)."""
    import json

    from .report import to_json
    from .tiebreak.claims import AGREES, DISAGREES
    from .tiebreak.output import judge_by_hand

    if len(outcomes) != 1:
        raise click.UsageError(f"--output-root judges one block; {len(outcomes)} were found")
    (outcome,) = outcomes
    v = judge_by_hand(claimed, outcome.output)
    if as_json:
        click.echo(json.dumps({**to_json(outcome), "outputClaim": v.__dict__}))
    else:
        click.echo(human(outcome))
        click.echo(f"{'':<18} {v.client} {v.verdict}: {v.detail}")
    code = exit_code([outcome.verdict], getattr(outcome, "internal", False))
    if code in (1, 4, 5):
        return code
    return {AGREES: 0, DISAGREES: 1}.get(v.verdict, 3)


@main.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sources.FORMATS), help="Force the input format.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the bundle files.")
@click.option("--chain-id", type=int, help="Chain id to record when the input does not carry one.")
@click.option("--note", help="Provenance note to record in each bundle.")
@click.option("--parent-state-root", callback=_root, help="Pre-state root to record, for inputs without a parent header.")
def convert(path, fmt, out_dir, chain_id, note, parent_state_root) -> None:
    """Convert witness artefacts at PATH into canonical bundle files in OUT."""
    try:
        bundles = sources.load(path, fmt)
    except InputError as exc:
        click.echo(f"ERROR {exc}", err=True)
        sys.exit(4)
    out = Path(out_dir)
    from .witness.check import block_header  # local: only needed here

    written = 0
    for b in bundles:
        if b.chain_id is None:
            b.chain_id = chain_id
        if note:
            b.provenance["note"] = note
        if parent_state_root is not None and not b.headers:
            b.parent_state_root = parent_state_root
        try:
            header = block_header(b.block_rlp, b.origin)
        except InputError as exc:
            click.echo(f"ERROR {exc}", err=True)
            continue
        name = f"{b.chain_id if b.chain_id is not None else 'chain'}-{header.block_number}.json"
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(b.dumps())
        except OSError as exc:
            click.echo(f"ERROR {out / name}: cannot write: {exc.strerror or exc}", err=True)
            sys.exit(4)
        written += 1
        click.echo(f"{out / name}  (#{header.block_number}, {len(b.state)} nodes, {len(b.codes)} codes)")
    if written < len(bundles):
        sys.exit(4)


def _rpc_pairs(values, what: str) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise click.BadParameter(f"expected NAME=VALUE, got {v!r}", param_hint=what)
        out[name] = rest
    return out


@main.command()
@click.argument("block")
@click.option("--rpc", "rpcs", multiple=True, required=True, help="NAME=URL of a client (repeat).")
@click.option("--rpc-header", "rpc_headers", multiple=True, help="NAME=Header: value sent to that client.")
@click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}, or dev:<fork>); default: from eth_chainId.")
@click.option("--witness-from", help="Ask this client for the witness first.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False), help="Write the bundle and the claims here.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--rps", type=float, default=0.0, help="Requests per second per client (0: no limit).")
@click.option("--timeout", type=float, default=60.0, help="Seconds per request.")
@click.option("--rollup-rpc", "rollup_rpcs", multiple=True,
              help="NAME=URL of a rollup node (op-node, kona-node, base-consensus; repeat): its "
              "optimism_outputAtBlock answer is judged against the engine's output root.")
@click.option("--output-root", "output_root", callback=lambda c, p, v: _hex32(v, "--output-root"),
              help="An output root claimed for the block (e.g. a dispute game's root claim) to judge.")
def check(block, rpcs, rpc_headers, chain, witness_from, save_dir, as_json, rps, timeout, rollup_rpcs,
          output_root) -> None:
    """Tie-breaker: fetch BLOCK (number, hash, latest/safe/finalized) from every client, judge it
    with the independent engine and name the client that is wrong.

    Exit 0 all clients agree with the engine, 1 a client is wrong, 3 inconclusive, 4 no usable source.
    """
    from .tiebreak.rpc import RpcClient
    from .tiebreak import check as run_check
    from .tiebreak import human as check_human
    from .tiebreak import to_json as check_json

    urls = _rpc_pairs(rpcs, "--rpc")
    rollup_urls = _rpc_pairs(rollup_rpcs, "--rollup-rpc")
    for hint, pairs in (("--rpc", urls), ("--rollup-rpc", rollup_urls)):
        for name, url in pairs.items():
            if not url.startswith(("http://", "https://")):
                raise click.BadParameter(f"{name}: the URL must start with http:// or https://, got {url!r}",
                                         param_hint=hint)
    if set(urls) & set(rollup_urls):
        raise click.BadParameter(f"a name given to both --rpc and --rollup-rpc: {', '.join(set(urls) & set(rollup_urls))}",
                                 param_hint="--rollup-rpc")
    headers: dict[str, dict[str, str]] = {}
    for name, header in _rpc_pairs(rpc_headers, "--rpc-header").items():
        key, sep, value = header.partition(":")
        if not sep:
            raise click.BadParameter(f"expected NAME=Header: value, got {header!r}", param_hint="--rpc-header")
        headers.setdefault(name, {})[key.strip()] = value.strip()
    if block not in ("latest", "safe", "finalized"):
        try:
            int(block, 0)
        except ValueError:
            if not (block.startswith("0x") and len(block) == 66):
                raise click.BadParameter("a number, a 32-byte hash, or latest/safe/finalized", param_hint="BLOCK")
    clients = [RpcClient(name, url, headers.get(name, {}), timeout=timeout, rps=rps) for name, url in urls.items()]
    rollup_nodes = [RpcClient(name, url, headers.get(name, {}), timeout=timeout, rps=rps)
                    for name, url in rollup_urls.items()]
    report = run_check(block, clients, chain, witness_from, save_dir, rollup_nodes, output_root)
    if as_json:
        import json

        click.echo(json.dumps(check_json(report), default=str))
    else:
        click.echo(check_human(report))
    sys.exit(report.exit_code)


@main.command()
@click.argument("path", type=click.Path())
@click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}); default: the fixture's rollup_config.")
@click.option("--rollup-config", type=click.Path(), help="op-node rollup config JSON of the chain.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def build(path, chain, rollup_config, as_json) -> None:
    """Build an OP Stack block from parent header + payload attributes + witness (kona style).

    Exit 0 when the built hash equals the fixture's expected hash (or none is given), 1 when it
    differs, 3 when the witness lacks data, 4 when the input is unreadable.
    """
    from .build import build_from_file
    from .errors import InvalidBlock, Unsupported

    try:
        built = build_from_file(path, chain, rollup_config)
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    except Unsupported as exc:
        click.echo(f"UNSUPPORTED {exc}")
        sys.exit(3)
    except InvalidBlock as exc:
        click.echo(f"INVALID {path}: the payload's {exc}")
        sys.exit(1)
    if built.missing:
        verdict, code = "WITNESS_INCOMPLETE", 3
    elif built.invalid:
        verdict, code = "INVALID", 1
    elif built.expected_hash is None:
        verdict, code = "BUILT", 0
    elif built.expected_hash == built.block_hash:
        verdict, code = "MATCH", 0
    else:
        verdict, code = "DIFFERS", 1
    doc = {
        "verdict": verdict,
        "fork": built.fork,
        "block": {"number": built.number, "hash": "0x" + built.block_hash.hex()},
        "expectedHash": None if built.expected_hash is None else "0x" + built.expected_hash.hex(),
        "header": built.header,
        "missing": [m.to_json() for m in built.missing],
        "invalid": built.invalid,
        "seconds": round(built.seconds, 6),
        **({"output": built.output.to_json()} if built.output is not None else {}),
    }
    if as_json:
        import json

        click.echo(json.dumps(doc))
    else:
        click.echo(f"{verdict:<18} #{built.number} ({built.fork}) built 0x{built.block_hash.hex()}")
        if built.expected_hash is not None:
            click.echo(f"{'':<18} expected 0x{built.expected_hash.hex()}")
        for name, value in built.header.items():
            click.echo(f"{'':<18} {name:<17} {value}")
        for m in built.missing[:20]:
            click.echo(f"{'':<18} missing: {m.describe()}")
        if built.invalid:
            click.echo(f"{'':<18} {built.invalid}")
        if built.output is not None:
            click.echo(f"{'':<18} {'outputRoot':<17} " + (f"0x{built.output.root.hex()}" if built.output.root
                                                          else f"unknown: {built.output.unknown}"))
    sys.exit(code)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--run", "run_filter", help="Only tests whose name matches this regular expression.")
@click.option("--fork", help="Only tests of this network fork (transition networks count for both forks).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Processes.")
@click.option("--sample", type=click.IntRange(min=1), help="At most this many tests of each file (seeded).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help='One object per test: {"name", "fork", "pass", "error"}.')
def blocktest(paths, run_filter, fork, workers, sample, seed, as_json) -> None:
    """Run Ethereum blockchain-test fixtures (files or folders) through the stateless pipeline.

    Exit 0 only if every selected test passes; 1 if one fails; 4 if a fixture is unreadable.
    """
    import json

    from . import blocktest as bt

    try:
        files = bt.fixture_files(paths)
        results = []
        for r in bt.run(files, run_filter, fork, workers, sample, seed):
            results.append(r)
            if as_json:
                click.echo(json.dumps(r.to_json()))
            elif not r.passed:
                click.echo(f"FAIL  {r.network:<24} {r.name}\n      {r.error}")
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    rows = bt.summary(results)
    if not as_json:
        click.echo(f"{'network':<26} {'tests':>6} {'passed':>7} {'failed':>7} {'seconds':>9}")
        for row in rows:
            click.echo(f"{row['network']:<26} {row['tests']:>6} {row['passed']:>7} {row['failed']:>7} {row['seconds']:>9.1f}")
        total = sum(r["tests"] for r in rows)
        failed = sum(r["failed"] for r in rows)
        click.echo(f"{'all':<26} {total:>6} {total - failed:>7} {failed:>7}")
    if not results:
        click.echo("no tests selected", err=True)
        sys.exit(4)
    sys.exit(0 if all(r.passed for r in results) else 1)


@main.command()
@click.argument("name", required=False)
@click.option("--rollup-config", type=click.Path(), help="Show the chain of this op-node rollup config instead.")
@click.option("--number", type=click.IntRange(min=0), help="Say which fork this block number runs.")
@click.option("--timestamp", type=click.IntRange(min=0), help="Say which fork a block with this timestamp runs.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per chain (JSON Lines).")
def chains(name, rollup_config, number, timestamp, as_json) -> None:
    """Built-in chains and their fork schedules (L1, OP Stack, Base, Celo), or one of them."""
    import json

    from . import chains_report
    from .chains import chain_by_name, chain_from_rollup_config

    if rollup_config:
        try:
            selected = [chain_from_rollup_config(read_json_file(rollup_config, f"{rollup_config} (rollup config)"),
                                                 rollup_config)]
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    elif name:
        chain = chain_by_name(name)
        if chain is None:
            raise click.BadParameter(f"unknown chain {name!r}; known: {_CHAIN_NAMES}", param_hint="NAME")
        selected = [chain]
    else:
        selected = list(CHAINS.values())
    try:
        for chain in selected:
            if as_json:
                click.echo(json.dumps(chains_report.to_json(chain, number, timestamp)))
            else:
                click.echo(chains_report.human(chain, number, timestamp) + "\n")
    except InputError as exc:  # a timestamp before the chain's first fork
        click.echo(f"ERROR {exc}")
        sys.exit(4)


if __name__ == "__main__":
    main()
