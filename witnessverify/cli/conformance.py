"""`blocktest`: the Ethereum blockchain tests through the stateless pipeline."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .main import main


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

    from .. import blocktest as bt
    from ..progress import Counter

    unsupported_reasons: dict[str, str] = {}  # each reason once, with the first test that needs it
    results: list = []
    failed = lambda: sum(not r.passed and not r.unsupported for r in results)  # noqa: E731
    meter = Counter("blocktest", unit="test(s)", extra=lambda t: f", {len(results) / t:.1f} tests/s, {failed()} failed")
    try:
        files = bt.fixture_files(paths)
        for r in bt.run(files, run_filter, fork, workers, sample, seed, on_total=meter.learn):
            results.append(r)
            if as_json or not r.passed:
                meter.clear()
            if as_json:
                click.echo(json.dumps(r.to_json()))
            elif r.unsupported:
                unsupported_reasons.setdefault(r.unsupported, r.name)
            elif not r.passed:
                click.echo(f"FAIL  {r.network:<24} {r.name}\n      {r.error}")
            meter.add()
    except InputError as exc:
        meter.clear()
        click.echo(f"ERROR {exc}")
        sys.exit(4)
    meter.clear()
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
