"""`check`: the tie-breaker over live clients."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .main import main
from .options import CHAIN_NAMES, chain_option, endpoints, hex32, HEADER


@main.command()
@click.argument("block")
@click.option("--rpc", "rpcs", multiple=True, envvar="WITNESSVERIFY_RPC", required=True, help="NAME=URL of a client (repeat).")
@click.option("--rpc-header", "rpc_headers", multiple=True, envvar="WITNESSVERIFY_RPC_HEADER", type=HEADER, help="NAME=Header: value sent to that client.")
@click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}, or dev:<fork>); default: from eth_chainId.")
@click.option("--witness-from", help="Ask this client for the witness first.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False), help="Write the bundle and the claims here.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--rps", type=float, default=0.0, help="Requests per second per client (0: no limit).")
@click.option("--timeout", type=float, default=60.0, help="Seconds per request.")
@click.option("--rollup-rpc", "rollup_rpcs", multiple=True, envvar="WITNESSVERIFY_ROLLUP_RPC",
              help="NAME=URL of a rollup node (op-node, kona-node, base-consensus; repeat): its "
              "optimism_outputAtBlock answer is judged against the engine's output root.")
@click.option("--output-root", "output_root", callback=lambda c, p, v: hex32(v, "--output-root"),
              help="An output root claimed for the block (e.g. a dispute game's root claim) to judge.")
def check(block, rpcs, rpc_headers, chain, witness_from, save_dir, as_json, rps, timeout, rollup_rpcs,
          output_root) -> None:
    """Tie-breaker: fetch BLOCK (number, hash, latest/safe/finalized) from every client, judge it
    with the independent engine and name the client that is wrong.

    Exit 0 all clients agree with the engine, 1 a client is wrong, 3 inconclusive, 4 no usable source.
    """
    from ..tiebreak import check as run_check
    from ..tiebreak import human as check_human
    from ..tiebreak import to_json as check_json

    clients, rollup_nodes = endpoints(rpcs, rollup_rpcs, rpc_headers, timeout, rps, witness_from)
    if save_dir and Path(save_dir).is_dir() and any(Path(save_dir).iterdir()):
        raise click.BadParameter(f"{save_dir} is not empty: one incident's evidence must not mix with another's; "
                                 f"give a new or empty folder", param_hint="--save")
    if block not in ("latest", "safe", "finalized"):
        try:
            int(block, 0)
        except ValueError:
            if not (block.startswith("0x") and len(block) == 66):
                raise click.BadParameter("a number, a 32-byte hash, or latest/safe/finalized", param_hint="BLOCK")
    from .. import progress

    meter = progress.Steps("check")  # which client is asked what, and for how long
    progress.set_current(meter)
    try:
        report = run_check(block, clients, chain, witness_from, save_dir, rollup_nodes, output_root)
    finally:
        progress.set_current(None)
        meter.close()
    if as_json:
        import json

        click.echo(json.dumps(check_json(report), default=str))
    else:
        click.echo(check_human(report))
    sys.exit(report.exit_code)
