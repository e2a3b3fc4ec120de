"""Progress and log levels on every command (issue 21): a meter on a real terminal (a pty) that
names the client a check waits for and counts an audit down to its ETA; silence on a pipe and
under --quiet; -v / -vv / --log-level on every command, against a real Anvil."""

from __future__ import annotations

import re

from witnessverify.cli import all_commands

from tests.helpers.fixtures import BUNDLES
from tests.helpers.tty import run_on_tty
from tests.watch.test_conventions import run

COMMON = {"-v", "--verbose", "--log-level", "-q", "--quiet"}


def test_every_command_takes_the_log_and_progress_options():
    for name, command in all_commands().items():
        given = {o for p in command.params for o in p.opts}
        assert COMMON <= given, (name, COMMON - given)


def test_check_on_a_terminal_names_the_client_it_waits_for(anvil, proxy):
    anvil.rpc("evm_mine")
    proxy.faults["eth_getBlockByHash"] = {"delay": 3.2}  # a client that hangs on the claim
    args = ["check", "2", "--rpc", f"honest={anvil.url}", "--rpc", f"slow={proxy.url}", "--timeout", "30"]
    code, out, tty = run_on_tty(args)
    assert code == 0 and "AGREE" in out, (out, tty)
    # the line names the client and the request, and its seconds grow while the request hangs
    waits = set(re.findall(r"check: slow: eth_getBlockByHash \((\d)s;", tty))
    assert {"1", "2", "3"} <= waits, tty
    assert "check: executing block #2 on the engine" in tty
    assert tty.endswith("\r\x1b[K") and "check:" not in out  # taken away at the end; stdout untouched
    code, out, tty = run_on_tty(args + ["--quiet"])
    assert code == 0 and "check:" not in tty


def test_check_logs_its_stages_with_v_and_its_requests_with_vv(anvil):
    anvil.rpc("evm_mine")
    args = ["check", "2", "--rpc", f"anvil={anvil.url}"]
    plain = run(*args)
    assert plain.returncode == 0 and plain.stderr == "", plain.stderr  # a pipe: no meter, no log
    v = run(*args, "-v")
    assert "INFO asking 1 client(s) their chain id" in v.stderr and "executing block #2" in v.stderr
    assert "anvil: eth_chainId" not in v.stderr
    vv = run(*args, "-vv")
    assert "DEBUG anvil: eth_chainId" in vv.stderr and "DEBUG anvil: web3_clientVersion" in vv.stderr
    explicit = run(*args, "-v", "--log-level", "error")  # a level given outright wins
    assert explicit.stderr == "" and explicit.stdout == plain.stdout


def test_audit_on_a_terminal_counts_to_its_total_with_an_eta():
    code, out, tty = run_on_tty(["audit", str(BUNDLES), "--workers", "2"])
    n = len(out.splitlines())
    assert code == 0 and n >= 20
    assert re.search(rf"audit: \d+/{n} block\(s\).*ETA \d+s", tty), tty  # the total, known from the start
    assert f"audit: {n}/{n} block(s)" in tty  # the summary
    code, out, tty = run_on_tty(["audit", str(BUNDLES), "--workers", "2", "-q"])
    assert code == 0 and "ETA" not in tty and f"audit: {n}/{n} block(s)" in tty  # only the summary
    piped = run("audit", str(BUNDLES), "--workers", "2")
    assert piped.stderr.count("audit:") == 1  # a pipe gets the summary alone
