"""`build`: seal an OP Stack block from payload attributes and compare its hash."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .main import main
from .options import CHAIN_NAMES, chain_option


@main.command()
@click.argument("path", type=click.Path())
@click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}); default: the fixture's rollup_config.")
@click.option("--rollup-config", type=click.Path(), help="op-node rollup config JSON of the chain.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def build(path, chain, rollup_config, as_json) -> None:
    """Build an OP Stack block from parent header + payload attributes + witness (kona style).

    Exit 0 when the built hash equals the fixture's expected hash (or none is given), 1 when it
    differs, 3 when the witness lacks data, 4 when the input is unreadable.
    """
    from ..build import build_from_file
    from ..errors import InvalidBlock, Unsupported

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
    verdict, code = built.verdict()
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
