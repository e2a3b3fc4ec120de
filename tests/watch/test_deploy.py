"""deploy/: the alert rules and the Grafana dashboard name only metrics the tool exports, and the
systemd units and the cron line are command lines the CLI accepts."""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from witnessverify.cli import main

from tests.helpers.fixtures import REPO
from witnessverify.watch.metrics import Metrics

DEPLOY = REPO / "deploy"


def exported_names() -> set[str]:
    m = Metrics("dev")
    m.observe("SPLIT", "", [("geth", "DISAGREES"), ("reth", "UNAVAILABLE")], 1.5, 3.2)
    m.observe("INCONCLUSIVE", "the engine cannot judge", [("geth", "UNJUDGED")], 1.0, None)
    m.set_lag(100, 90)
    m.set_client_heads({"geth": 0, "reth": 12}, ["reth"])
    m.alerts.labels("split", "sent").inc()
    m.errors.labels("dev").inc()
    return {s.name for f in text_string_to_metric_families(m.exposition().decode()) for s in f.samples}


def names_in(expr: str) -> set[str]:
    return set(re.findall(r"witnessverify_[a-z_]+", expr))


def test_alert_rules_use_exported_metrics():
    doc = yaml.safe_load((DEPLOY / "prometheus-alerts.yml").read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    assert {r["alert"] for r in rules} >= {"WitnessverifySplit", "WitnessverifyClientUnavailable", "WitnessverifyStalled",
                                              "WitnessverifyClientStalled", "WitnessverifyClientOnAnotherChain"}
    exported = exported_names()
    for r in rules:
        used = names_in(r["expr"])
        assert used and used <= exported, (r["alert"], used - exported)


def test_grafana_dashboard_uses_exported_metrics():
    dash = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exported = exported_names()
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert len(exprs) >= 8
    for e in exprs:
        used = names_in(e)
        assert used and used <= exported, (e, used - exported)


def _exec_args(text: str) -> list[str]:
    line = re.search(r"ExecStart=(.*?)(?:\n(?!\s)|\Z)", text.replace("\\\n", " "), re.S).group(1)
    return shlex.split(line)[1:]


@pytest.mark.parametrize("name", ["witnessverify-watch.service", "witnessverify-spot-check.service", "crontab"])
def test_units_and_cron_line_are_accepted_by_the_cli(name):
    text = (DEPLOY / name).read_text()
    if name == "crontab":
        line = next(x for x in text.splitlines() if x and not x.startswith("#"))
        args = shlex.split(line.split(">>")[0])
        args = args[args.index("/opt/witnessverify/.venv/bin/witnessverify") + 1:]
    else:
        args = _exec_args(text)
    ctx = main.make_context("witnessverify", list(args))  # parses the group
    sub = main.get_command(ctx, args[0])
    sub.make_context(args[0], args[1:])  # raises on an unknown option or a bad value
