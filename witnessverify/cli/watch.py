"""`watch`, `spot-check` and `history`: continuous checking and what it recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..verdicts import Overall
from ..timespec import parse_since
from .main import main
from .options import CHAIN_NAMES, chain_option, endpoints, HEADER


def _watch_options(f):
    """The options `watch` and `spot-check` share."""
    from ..store import default_path

    opts = [
        click.option("--rpc", "rpcs", multiple=True, envvar="WITNESSVERIFY_RPC", required=True, help="NAME=URL of a client (repeat)."),
        click.option("--rpc-header", "rpc_headers", multiple=True, envvar="WITNESSVERIFY_RPC_HEADER", type=HEADER, help="NAME=Header: value sent to that client."),
        click.option("--rollup-rpc", "rollup_rpcs", multiple=True, envvar="WITNESSVERIFY_ROLLUP_RPC", help="NAME=URL of a rollup node whose output roots "
                     "are judged too (OP Stack; repeat)."),
        click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}, or dev:<fork>); default: from eth_chainId."),
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
        click.option("--webhook", envvar="WITNESSVERIFY_WEBHOOK", help="Webhook URL for alerts."),
        click.option("--webhook-format", type=click.Choice(["slack", "json"]), default="slack", show_default=True,
                     help='slack: {"text": ...} with what endpoints say escaped and quoted; json: {"key", "kind", '
                     '"text"}.'),
        click.option("--stall-after", type=click.IntRange(min=1), default=8, show_default=True,
                     help="Flag a client stalled when its head is more than this many blocks behind the leader's "
                     "(then it is not followed)."),
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
    from .. import logs
    from ..watch.run import build
    from ..watch.schedule import Schedule

    logs.setup(o["log_format"], o["log_level"])
    clients, rollup = endpoints(o["rpcs"], o["rollup_rpcs"], o["rpc_headers"], o["timeout"], o["rps"])
    if o["webhook"] and not o["webhook"].startswith(("http://", "https://")):
        raise click.BadParameter("the URL must start with http:// or https://", param_hint="--webhook")
    try:
        schedule = Schedule.parse(o["every"], o["sample"], o["all_blocks"], o["seed"])
    except InputError as exc:  # a usage error, found before any request
        raise click.UsageError(str(exc)) from None
    try:
        return build(clients, rollup, o["db"], schedule, mode, o["chain"], o["follow"], o["lag"], o["webhook"],
                     o["alert_after"], o["alert_interval"], o["save_dir"], o["start"], o["stall_after"],
                     o["webhook_format"])
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
    from ..watch.run import watch as run_watch

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
    from ..watch.run import spot_check as run_spot_check

    watcher, history, metrics, alerter = _watcher(o, "spot-check")
    sys.exit(run_spot_check(watcher, history, metrics, alerter, textfile, o["max_blocks"]))


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help="History database (default as for watch).")
@click.option("--since", help="Only checks since: a unix time, an ISO date/time (UTC), or an age like 90m, 6h, 7d.")
@click.option("--verdict", "overall", type=click.Choice([str(w) for w in Overall], case_sensitive=False),
              help="Only this overall answer (any case).")
@click.option("--client", help="Only checks in which this client (or rollup node) was judged.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (newest).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per check.")
@click.option("--export", type=click.Path(dir_okay=False), help="Write every selected check to this JSON Lines file.")
def history(db, since, overall, client, limit, as_json, export) -> None:
    """What was checked, when, each client's verdict, Mgas/s."""
    import json

    from ..store import History, default_path

    def fail(message: str) -> None:  # one line; a JSON object with --json, as every other answer
        click.echo(json.dumps({"error": message, "exit": 4}) if as_json else f"ERROR {message}")
        sys.exit(4)

    try:
        since_t = parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    path = Path(db) if db else default_path()
    if not path.exists():
        fail(f"{path}: no history database here")
    overall = overall.upper() if overall else None
    try:
        with History(path, readonly=True) as h:
            rows = list(h.query(since=since_t, overall=overall, client=client, limit=limit, newest_first=True))
    except InputError as exc:
        fail(str(exc))
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


def _history_json(r: dict) -> dict:
    import json

    out = {k: r[k] for k in ("chain_id", "number", "block_hash", "checked_at", "mode", "overall", "reason",
                             "engine_verdict", "fork", "gas_used", "seconds", "mgas_per_s", "output_root",
                             "saved_dir")}
    out["abandoned"] = bool(r["abandoned"])
    out["verdicts"] = r["verdicts"]
    out["report"] = json.loads(r["report"]) if isinstance(r["report"], str) else r["report"]
    return out
