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


def _bytes32(value: str, what: str, hint: Optional[str] = None) -> bytes:
    """A 32-byte option value given in hex (0x optional), or a usage error naming `what`."""
    s = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        b = bytes.fromhex(s)
    except ValueError:
        raise click.BadParameter("not a hex string", param_hint=hint) from None
    if len(b) != 32:
        raise click.BadParameter(f"{what} is 32 bytes, got {len(b)}", param_hint=hint)
    return b


def _root(ctx, param, value: Optional[str]) -> Optional[bytes]:
    return None if value is None else _bytes32(value, "a state root")


def _hex32(value: Optional[str], hint: str) -> Optional[str]:
    return None if value is None else "0x" + _bytes32(value, "an output root", hint).hex()


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
    from .interpreter import environment_problem

    problem = environment_problem()
    if problem:
        raise click.UsageError(problem)


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
              help='A chain config JSON: blockchain-test style {"network", "chainid", "blobSchedule"}, or '
              'geth style (genesis.json or its "config": chainId, <fork>Block, <fork>Time such as amsterdamTime).')
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
        from .chains import chain_from_chain_config, chain_from_geth_config, is_geth_config

        try:
            doc = read_json_file(chain_config, f"{chain_config} (chain config)")
            chain = (chain_from_geth_config if is_geth_config(doc) else chain_from_chain_config)(doc, chain_config)
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
    from .witness.headers import block_header  # local: only needed here

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
    from .tiebreak import check as run_check
    from .tiebreak import human as check_human
    from .tiebreak import to_json as check_json

    urls = _rpc_pairs(rpcs, "--rpc")
    rollup_urls = _rpc_pairs(rollup_rpcs, "--rollup-rpc")
    _check_urls(urls, "--rpc")
    _check_urls(rollup_urls, "--rollup-rpc")
    if set(urls) & set(rollup_urls):
        raise click.BadParameter(f"a name given to both --rpc and --rollup-rpc: {', '.join(set(urls) & set(rollup_urls))}",
                                 param_hint="--rollup-rpc")
    headers = _headers(rpc_headers)
    if block not in ("latest", "safe", "finalized"):
        try:
            int(block, 0)
        except ValueError:
            if not (block.startswith("0x") and len(block) == 66):
                raise click.BadParameter("a number, a 32-byte hash, or latest/safe/finalized", param_hint="BLOCK")
    clients = _clients(urls, headers, timeout, rps, "--rpc")
    rollup_nodes = _clients(rollup_urls, headers, timeout, rps, "--rollup-rpc")
    report = run_check(block, clients, chain, witness_from, save_dir, rollup_nodes, output_root)
    if as_json:
        import json

        click.echo(json.dumps(check_json(report), default=str))
    else:
        click.echo(check_human(report))
    sys.exit(report.exit_code)


def _check_urls(pairs: dict[str, str], hint: str) -> None:
    for name, url in pairs.items():
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{name}: the URL must start with http:// or https://, got {url!r}", param_hint=hint)


def _clients(pairs: dict[str, str], headers: dict[str, dict[str, str]], timeout: float, rps: float, hint: str):
    from .tiebreak.rpc import RpcClient

    _check_urls(pairs, hint)
    return [RpcClient(name, url, headers.get(name, {}), timeout=timeout, rps=rps) for name, url in pairs.items()]


def _headers(rpc_headers) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {}
    for name, header in _rpc_pairs(rpc_headers, "--rpc-header").items():
        key, sep, value = header.partition(":")
        if not sep:
            raise click.BadParameter(f"expected NAME=Header: value, got {header!r}", param_hint="--rpc-header")
        headers.setdefault(name, {})[key.strip()] = value.strip()
    return headers


def _watch_options(f):
    """The options `watch` and `spot-check` share."""
    from .store import default_path

    opts = [
        click.option("--rpc", "rpcs", multiple=True, required=True, help="NAME=URL of a client (repeat)."),
        click.option("--rpc-header", "rpc_headers", multiple=True, help="NAME=Header: value sent to that client."),
        click.option("--rollup-rpc", "rollup_rpcs", multiple=True, help="NAME=URL of a rollup node whose output roots "
                     "are judged too (OP Stack; repeat)."),
        click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}, or dev:<fork>); default: from eth_chainId."),
        click.option("--every", type=int, help="Judge every Nth block (numbers divisible by N)."),
        click.option("--sample", help="Judge a seeded random sample of K blocks per hour, e.g. 60/hour."),
        click.option("--all", "all_blocks", is_flag=True, help="Judge every block (the default)."),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample."),
        click.option("--follow", type=click.Choice(["latest", "safe", "finalized"]), default="latest",
                     show_default=True, help="The head to follow."),
        click.option("--lag", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Stay this many blocks behind the followed head."),
        click.option("--from", "start", type=click.IntRange(min=0),
                     help="First block, when the history has no cursor yet (default: the head, no backfill)."),
        click.option("--db", type=click.Path(dir_okay=False), default=lambda: str(default_path()),
                     show_default="$WITNESSVERIFY_DB or ~/.local/state/witnessverify/history.sqlite",
                     help="History database (SQLite)."),
        click.option("--webhook", help="Slack-compatible webhook URL for alerts."),
        click.option("--alert-after", type=click.IntRange(min=1), default=3, show_default=True,
                     help="Alert after this many consecutive inconclusive checks, or unavailable answers of one client."),
        click.option("--alert-interval", type=float, default=300.0, show_default=True,
                     help="Seconds between two alerts of the same kind (splits always alert)."),
        click.option("--rps", type=float, default=5.0, show_default=True, help="Requests per second per client (0: no limit)."),
        click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request."),
        click.option("--save-dir", type=click.Path(file_okay=False), help="Keep each split's bundle and claims here "
                     "(replay: witnessverify verify DIR)."),
        click.option("--max-blocks", type=click.IntRange(min=1), help="Stop after judging this many blocks."),
        click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True),
        click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
                     show_default=True),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _watcher(o: dict, mode: str):
    from .watch import logs
    from .watch.run import build
    from .watch.schedule import Schedule

    logs.setup(o["log_format"], o["log_level"])
    headers = _headers(o["rpc_headers"])
    urls, rollup_urls = _rpc_pairs(o["rpcs"], "--rpc"), _rpc_pairs(o["rollup_rpcs"], "--rollup-rpc")
    clients = _clients(urls, headers, o["timeout"], o["rps"], "--rpc")
    rollup = _clients(rollup_urls, headers, o["timeout"], o["rps"], "--rollup-rpc")
    if o["webhook"] and not o["webhook"].startswith(("http://", "https://")):
        raise click.BadParameter("the URL must start with http:// or https://", param_hint="--webhook")
    try:
        schedule = Schedule.parse(o["every"], o["sample"], o["all_blocks"], o["seed"])
        return build(clients, rollup, o["db"], schedule, mode, o["chain"], o["follow"], o["lag"], o["webhook"],
                     o["alert_after"], o["alert_interval"], o["save_dir"], o["start"])
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)


@main.command()
@_watch_options
@click.option("--metrics", "listen", help="ADDR:PORT to serve the status page (/) and Prometheus /metrics on.")
@click.option("--poll", type=float, default=4.0, show_default=True, help="Seconds between two looks at the head.")
def watch(listen, poll, **o) -> None:
    """Follow a chain and judge its blocks with the tie-breaker, for as long as it runs.

    Each judged block is written to the history once, with each client's verdict; a split alerts
    at once, a run of inconclusive checks or of one client's unavailability after --alert-after.
    SIGTERM finishes the block in hand and stops; a restart resumes where the history ends.
    """
    from .watch.run import watch as run_watch

    where = None
    if listen:
        host, sep, port = listen.rpartition(":")
        if not sep or not port.isdigit():
            raise click.BadParameter(f"expected ADDR:PORT, got {listen!r}", param_hint="--metrics")
        where = (host or "127.0.0.1", int(port))
    watcher, history, metrics, alerter = _watcher(o, "watch")
    sys.exit(run_watch(watcher, history, metrics, alerter, where, poll, o["max_blocks"]))


@main.command("spot-check")
@_watch_options
@click.option("--textfile", type=click.Path(dir_okay=False),
              help="Write the metrics here for node_exporter's textfile collector.")
def spot_check(textfile, **o) -> None:
    """One pass for cron or a systemd timer: judge the blocks due since the history's last one.

    Exit codes as `check`: 0 all agree (or nothing due), 1 a split, 3 inconclusive, 4 no source.
    """
    from .watch.run import spot_check as run_spot_check

    watcher, history, metrics, alerter = _watcher(o, "spot-check")
    sys.exit(run_spot_check(watcher, history, metrics, alerter, textfile, o["max_blocks"]))


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help="History database (default as for watch).")
@click.option("--since", help="Only checks since: a unix time, an ISO date/time (UTC), or an age like 90m, 6h, 7d.")
@click.option("--verdict", "overall", help="Only this overall answer (AGREE, SPLIT, INCONCLUSIVE, NO_SOURCE, …).")
@click.option("--client", help="Only checks in which this client (or rollup node) was judged.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (newest).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per check.")
@click.option("--export", type=click.Path(dir_okay=False), help="Write every selected check to this JSON Lines file.")
def history(db, since, overall, client, limit, as_json, export) -> None:
    """What was checked, when, each client's verdict, Mgas/s."""
    import json

    from .store import History, default_path

    path = Path(db) if db else default_path()
    if not path.exists():
        click.echo(f"ERROR {path}: no history database here")
        sys.exit(4)
    try:
        since_t = _since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    try:
        with History(path) as h:
            rows = list(h.query(since=since_t, overall=overall, client=client, limit=limit, newest_first=True))
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    rows.reverse()
    if export:
        with open(export, "w") as f:
            for r in rows:
                f.write(json.dumps(_history_json(r)) + "\n")
        click.echo(f"{len(rows)} check(s) written to {export}")
        return
    for r in rows:
        if as_json:
            click.echo(json.dumps(_history_json(r)))
            continue
        import time as _time

        when = _time.strftime("%Y-%m-%d %H:%M:%S", _time.gmtime(r["checked_at"]))
        clients = " ".join(f"{v['client']}={v['verdict']}" for v in r["verdicts"])
        speed = f"{r['mgas_per_s']:.2f} Mgas/s" if r["mgas_per_s"] else ""
        click.echo(f"{when}  {r['chain_id']} #{r['number']} {r['block_hash'][:18]:<18} {r['overall']:<12} {clients}"
                   f"  {speed}{'  (abandoned)' if r['abandoned'] else ''}{'  saved: ' + r['saved_dir'] if r['saved_dir'] else ''}")


def _since(value: Optional[str]) -> Optional[float]:
    import re
    import time as _time
    from datetime import datetime, timezone

    if value is None:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", value.strip())
    if m:
        return _time.time() - float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    try:
        return float(value)
    except ValueError:
        pass
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r}: not a unix time, an ISO date/time or an age like 6h") from None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()


def _history_json(r: dict) -> dict:
    import json

    out = {k: r[k] for k in ("chain_id", "number", "block_hash", "checked_at", "mode", "overall", "reason",
                             "engine_verdict", "fork", "gas_used", "seconds", "mgas_per_s", "output_root",
                             "saved_dir")}
    out["abandoned"] = bool(r["abandoned"])
    out["verdicts"] = r["verdicts"]
    out["report"] = json.loads(r["report"]) if isinstance(r["report"], str) else r["report"]
    return out


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Verifications per block; the best is kept.")
@click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}); default: each input's.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block.")
def bench(paths, rounds, chain, as_json) -> None:
    """Measure each block (default: the bundled witnesses/): gas, CPU and wall seconds, Mgas/s,
    ingest MB/s, peak RSS, fork. Each block runs alone in a fresh child process."""
    import json

    from . import bench as b

    if not paths:
        paths = (str(DEFAULT_WITNESSES),)
    rows = []
    if not as_json:
        click.echo(f"{'block':<28} {'fork':<14} {'gas':>12} {'cpu s':>8} {'wall s':>8} {'Mgas/s':>8} "
                   f"{'ingest MB/s':>11} {'peak RSS MB':>11}")
    for r in b.run(list(paths), rounds, chain):
        rows.append(r)
        if as_json:
            click.echo(json.dumps(r))
        elif "error" in r:
            click.echo(f"ERROR {r['error']}")
        else:
            name = f"{r['chainId']} #{r['number']}"
            click.echo(f"{name:<28} {str(r['fork']):<14} {r['gas']:>12,} {r['cpuSeconds']:>8.3f} {r['wallSeconds']:>8.3f} "
                       f"{r['mgasPerSecond']:>8.2f} {r['ingestMBPerSecond']:>11.1f} {r['peakRssMB']:>11.0f}"
                       + ("" if r["verdict"] == "VALID" else f"  {r['verdict']}"))
    if not rows:
        click.echo("no blocks found", err=True)
        sys.exit(4)
    sys.exit(4 if any("error" in r for r in rows) else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rpc", "rpcs", multiple=True, help="NAME=URL of a node to fetch the range from (repeat).")
@click.option("--rpc-header", "rpc_headers", multiple=True, help="NAME=Header: value sent to that node.")
@click.option("--from", "start", type=click.IntRange(min=0), help="First block of the range (with --rpc).")
@click.option("--to", "end", type=click.IntRange(min=0), help="Last block of the range (with --rpc).")
@click.option("--chain", help=f"Chain name ({_CHAIN_NAMES}, or dev:<fork>); default: each block's.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes on this machine (default: its cores).")
@click.option("--scheduler", help="Run on a Dask distributed cluster: tcp://HOST:PORT of its scheduler.")
@click.option("--db", type=click.Path(dir_okay=False), help="Write results to this history; skip blocks already there.")
@click.option("--rps", type=float, default=5.0, show_default=True, help="Requests per second per node.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block (JSON Lines).")
def audit(paths, rpcs, rpc_headers, start, end, chain, workers, scheduler, db, rps, timeout, as_json) -> None:
    """Verify many blocks: bundle files, folders or tar/zip archives of them (PATHS), or a range
    fetched from nodes (--rpc ... --from A --to B), in a process pool or on Dask (--scheduler).

    Exit codes as verify: 1 any MISMATCH, 5 an internal error, 4 any ERROR, 3 inconclusive, 0 all VALID.
    """
    import json
    import os

    from . import audit as au

    if bool(paths) == bool(rpcs):
        raise click.UsageError("give either PATHS or --rpc NAME=URL ... --from A --to B")
    if rpcs and (start is None or end is None or end < start):
        raise click.UsageError("--rpc needs --from A --to B with A <= B")
    history = None
    if db:
        from .store import History

        try:
            history = History(db)
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    done_keys = set()
    if history is not None:
        done_keys = history.keys("audit")

    def skip(key) -> bool:
        return key in done_keys

    notes: list[str] = []
    if rpcs:
        from .tiebreak.fetch import chain_ids

        clients = _clients(_rpc_pairs(rpcs, "--rpc"), _headers(rpc_headers), timeout, rps, "--rpc")
        served = [cid for cid, _ in chain_ids(clients).values() if cid is not None]
        hint = max(set(served), key=served.count) if served else None
        from .tiebreak.check import _dev_chain

        chain = _dev_chain(clients, chain, hint, notes)  # an Anvil-style dev chain names its fork
        jobs = au.jobs_from_rpc(clients, start, end, hint, skip, notes)
        total = end - start + 1
    else:
        def unseen():
            for job in au.jobs_from_paths(list(paths)):
                job.key = job.key or (au.job_key(job.data) if job.data else None)
                if job.key is None or not skip(job.key):
                    yield job
        jobs, total = unseen(), None
    try:
        pool = au.DaskPool(scheduler) if scheduler else au.LocalPool(workers or os.cpu_count() or 1)
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    progress = au.Progress(total)
    verdicts, internal = [], False
    try:
        for job, result in pool.run(jobs, chain):
            verdicts.append(result["verdict"])
            internal = internal or bool(result.get("internal"))
            progress.add(result)
            if history is not None:
                au.record(history, result)
            if as_json:
                click.echo(json.dumps(result))
            else:
                block = result.get("block") or {}
                speed = f"{result.get('mgasPerSecond', 0):.2f} Mgas/s  " if result.get("mgasPerSecond") else ""
                which = f"{result.get('chain') or result.get('chainId')} #{block.get('number')} " \
                    if block.get("number") is not None else ""
                click.echo(f"{result['verdict']:<18} {which}{speed}{result.get('source')}"
                           + (f"\n{'':<18} {result['reason']}" if result.get("reason") and result["verdict"] != "VALID"
                              else ""))
    finally:
        pool.close()
        if history is not None:
            history.close()
    progress.show(final=True)
    if not verdicts:
        click.echo("nothing to audit (every block already in the history, or none found)", err=True)
        sys.exit(0 if history is not None else 4)
    sys.exit(exit_code(verdicts, internal))


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

    Exit 0 only if every selected test passes; 1 if one fails; 3 if none fails but some need a
    rule this tool does not implement (a fork such as Amsterdam: counted as unsupported); 4 if a
    fixture is unreadable.
    """
    import json

    from . import blocktest as bt

    unsupported_reasons: dict[str, str] = {}  # each reason once, with the first test that needs it
    try:
        files = bt.fixture_files(paths)
        results = []
        for r in bt.run(files, run_filter, fork, workers, sample, seed):
            results.append(r)
            if as_json:
                click.echo(json.dumps(r.to_json()))
            elif r.unsupported:
                unsupported_reasons.setdefault(r.unsupported, r.name)
            elif not r.passed:
                click.echo(f"FAIL  {r.network:<24} {r.name}\n      {r.error}")
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    rows = bt.summary(results)
    if not as_json:
        for reason, first in unsupported_reasons.items():
            click.echo(f"UNSUPPORTED  {reason[:300]}\n             (first: {first})")
        click.echo(f"{'network':<26} {'tests':>6} {'passed':>7} {'failed':>7} {'unsupported':>11} {'seconds':>9}")
        for row in rows:
            click.echo(f"{row['network']:<26} {row['tests']:>6} {row['passed']:>7} {row['failed']:>7} "
                       f"{row['unsupported']:>11} {row['seconds']:>9.1f}")
        total, failed, unsupported = (sum(r[k] for r in rows) for k in ("tests", "failed", "unsupported"))
        click.echo(f"{'all':<26} {total:>6} {total - failed - unsupported:>7} {failed:>7} {unsupported:>11}")
    if not results:
        click.echo("no tests selected", err=True)
        sys.exit(4)
    if any(not r.passed and not r.unsupported for r in results):
        sys.exit(1)
    sys.exit(3 if any(r.unsupported for r in results) else 0)


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
