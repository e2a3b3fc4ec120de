"""`audit` and `bench`: many blocks at once, and what one block costs."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..verdicts import exit_code
from .main import DEFAULT_WITNESSES, main
from .options import CHAIN_NAMES, chain_option, endpoints, HEADER


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Verifications per block; the best is kept.")
@click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}); default: each input's.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block.")
def bench(paths, rounds, chain, as_json) -> None:
    """Measure each block (default: the bundled witnesses/): gas, CPU and wall seconds, Mgas/s,
    ingest MB/s, peak RSS, fork. Each block runs alone in a fresh child process."""
    import json

    from .. import bench as b

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
@click.option("--rpc", "rpcs", multiple=True, envvar="WITNESSVERIFY_RPC", help="NAME=URL of a node to fetch the range from (repeat).")
@click.option("--rpc-header", "rpc_headers", multiple=True, envvar="WITNESSVERIFY_RPC_HEADER", type=HEADER, help="NAME=Header: value sent to that node.")
@click.option("--from", "start", type=click.IntRange(min=0), help="First block of the range (with --rpc).")
@click.option("--to", "end", type=click.IntRange(min=0), help="Last block of the range (with --rpc).")
@click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}, or dev:<fork>); default: each block's.")
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

    from .. import audit as au

    if bool(paths) == bool(rpcs):
        raise click.UsageError("give either PATHS or --rpc NAME=URL ... --from A --to B")
    if rpcs and (start is None or end is None or end < start):
        raise click.UsageError("--rpc needs --from A --to B with A <= B")
    if scheduler:
        from ..dask_pool import parse_address

        try:
            parse_address(scheduler)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--scheduler") from None
    history = None
    if db:
        from ..store import History

        try:
            history = History(db)
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    done_keys, done_files = set(), {}
    if history is not None:
        done_keys = history.keys("audit")
        done_files = history.audited_files()

    notes: list[str] = []
    if rpcs:
        from ..tiebreak.chainvote import dev_chain_of, majority_chain_id

        clients, _ = endpoints(rpcs, (), rpc_headers, timeout, rps)
        hint = majority_chain_id(clients)
        chain = dev_chain_of(clients, chain, hint, notes)  # an Anvil-style dev chain names its fork
        from ..audit_fetch import range_jobs

        meter = au.Progress(end - start + 1)
        done: dict[int, set] = {}
        for cid, number, h in done_keys:
            if cid == (hint or 0):
                done.setdefault(number, set()).add(h)
        # the workers fetch (audit_fetch.py), each within its share of --rps; the pool is made below
        jobs = range_jobs(clients, start, end, hint, done, lambda: pool.workers)
    else:
        meter = au.Progress(None)
        jobs = au.resumable(au.jobs_from_paths(list(paths), meter), done_keys, done_files,
                            lambda: meter.learn(-1))  # in the history already: not to do
    try:
        from ..dask_pool import DaskPool

        pool = DaskPool(scheduler) if scheduler else au.LocalPool(workers or os.cpu_count() or 1)
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    verdicts, internal = [], False
    try:
        for job, result in pool.run(jobs, chain):
            if result.get("skipped"):  # in the history already (known once its hash was fetched)
                meter.learn(-1)
                continue
            verdicts.append(result["verdict"])
            internal = internal or bool(result.get("internal"))
            if history is not None:
                au.record(history, result)
            meter.clear()
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
            meter.add(result)
    finally:
        pool.close()
        if history is not None:
            history.close()
    meter.summary()
    if not verdicts:
        click.echo("nothing to audit (every block already in the history, or none found)", err=True)
        sys.exit(0 if history is not None else 4)
    sys.exit(exit_code(verdicts, internal))
