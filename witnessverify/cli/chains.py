"""`chains`: the built-in chains and their fork schedules."""

from __future__ import annotations

import sys

import click

from ..chains import CHAINS
from ..errors import InputError
from ..safeparse import read_json_file
from .main import main
from .options import CHAIN_NAMES


@main.command()
@click.argument("name", required=False)
@click.option("--rollup-config", type=click.Path(), help="Show the chain of this op-node rollup config instead.")
@click.option("--number", type=click.IntRange(min=0), help="Say which fork this block number runs.")
@click.option("--timestamp", type=click.IntRange(min=0), help="Say which fork a block with this timestamp runs.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per chain (JSON Lines).")
def chains(name, rollup_config, number, timestamp, as_json) -> None:
    """Built-in chains and their fork schedules (L1, OP Stack, Base, Celo), or one of them."""
    import json

    from .. import chains_report
    from ..chains import chain_by_name, chain_from_rollup_config

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
            raise click.BadParameter(f"unknown chain {name!r}; known: {CHAIN_NAMES}", param_hint="NAME")
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
