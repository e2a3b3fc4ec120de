"""`verify` and `convert`: judge bundles and witness files offline, or write canonical bundles."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import sources
from ..errors import InputError
from ..inputs import load_bundles, verify_path
from ..report import human, json_line
from ..safeparse import read_json_file
from ..verdicts import exit_code
from .main import DEFAULT_WITNESSES, main
from .options import CHAIN_NAMES, hex32, root_option, chain_option


def _replay(folder: str, as_json: bool) -> int:
    """A folder saved by `check --save`: re-judge it offline, printing the check's report."""
    import json

    from ..tiebreak import human as check_human
    from ..tiebreak import replay_saved
    from ..tiebreak import to_json as check_json

    try:
        report = replay_saved(folder)
    except InputError as exc:
        click.echo(f"ERROR {exc}")
        return 4
    click.echo(json.dumps(check_json(report), default=str) if as_json else check_human(report))
    return report.exit_code


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sources.FORMATS), help="Force the input format.")
@click.option("--chain", callback=chain_option, help=f"Chain name ({CHAIN_NAMES}, or dev:<fork>); default: the input's chain id, "
              "else the chain its transactions are signed for.")
@click.option("--parent-state-root", callback=root_option, help="Pre-state root, for inputs without a parent header.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block (JSON Lines).")
@click.option("--strict", is_flag=True, help="Treat unproven absences of read-only accounts as missing data.")
@click.option("--rollup-config", type=click.Path(), help="op-node rollup config JSON of an OP Stack chain.")
@click.option("--chain-config", type=click.Path(),
              help='A chain config JSON: blockchain-test style {"network", "chainid", "blobSchedule"}, or '
              'geth style (genesis.json or its "config": chainId, <fork>Block, <fork>Time such as amsterdamTime).')
@click.option("--output-root", "output_root", callback=lambda c, p, v: hex32(v, "--output-root"),
              help="OP Stack: an output root claimed for the block (one block only) to judge; exit 1 if it "
              "is not the block's, 3 if the block's is unknown.")
def verify(paths, fmt, chain, parent_state_root, as_json, strict, rollup_config, chain_config, output_root) -> None:
    """Verify each block found at PATH (files or folders; default: the bundled witnesses/)."""
    if not paths:
        if not DEFAULT_WITNESSES.is_dir():
            raise click.UsageError(f"no PATH given and no bundled witnesses at {DEFAULT_WITNESSES}")
        paths = (str(DEFAULT_WITNESSES),)
    if rollup_config:
        from ..chains import chain_from_rollup_config

        try:
            chain = chain_from_rollup_config(read_json_file(rollup_config, f"{rollup_config} (rollup config)"),
                                             rollup_config)
        except InputError as exc:
            click.echo(f"ERROR {exc}")
            sys.exit(4)
    if chain_config:
        from ..chains import chain_from_chain_config, chain_from_geth_config, is_geth_config

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

    from ..report import to_json
    from ..tiebreak.claims import AGREES, DISAGREES
    from ..tiebreak.output import judge_by_hand

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
@click.option("--parent-state-root", callback=root_option, help="Pre-state root to record, for inputs without a parent header.")
def convert(path, fmt, out_dir, chain_id, note, parent_state_root) -> None:
    """Convert witness artefacts at PATH into canonical bundle files in OUT."""
    try:
        bundles = load_bundles(path, fmt)
    except InputError as exc:
        click.echo(f"ERROR {exc}", err=True)
        sys.exit(4)
    out = Path(out_dir)
    from ..witness.headers import block_header  # local: only needed here

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
