"""Paging an SRE can trust and a CLI that behaves like the tools operators run (issue 21), with
real parts: Anvil and a lying proxy, the CLI as a process that gets real signals, a socket that
never answers, the shipped alert rules evaluated over real scrapes, systemd-analyze on the
shipped units."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from witnessverify.chains import chain_label, dev_chain
from witnessverify.cli.options import headers_from
from witnessverify.store import History
from witnessverify.tiebreak.rpc import RpcClient
from witnessverify.watch.alerts import said
from witnessverify.watch.metrics import Metrics
from witnessverify.watch.run import build
from witnessverify.watch.schedule import Schedule

from tests.helpers.anvil import lie_about_header
from tests.helpers.fixtures import BUNDLES, REPO
from tests.helpers.promql import Scrapes, evaluate

DEPLOY = REPO / "deploy"
RULES = {r["alert"]: r["expr"] for g in yaml.safe_load((DEPLOY / "prometheus-alerts.yml").read_text())["groups"]
         for r in g["rules"]}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "witnessverify.cli", *args]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=timeout)


def samples(exposition: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(exposition) for s in f.samples}


class RecordingServer:
    """A JSON-RPC endpoint on 127.0.0.1 that records each request's headers and answers `body`."""

    def __init__(self, body: bytes) -> None:
        self.seen: list[dict] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                seen.append(dict(self.headers))
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()




@pytest.fixture
def silent():
    """A port that accepts connections and never answers (a hung client)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()


# -- alerts that fire -----------------------------------------------------------------------------
def test_every_series_a_rule_alerts_on_exists_at_zero():
    m = Metrics("op-mainnet", ["geth", "reth"])
    got = samples(m.exposition().decode())
    for client in ("geth", "reth"):
        for verdict in ("DISAGREES", "REJECTED", "DIFFERENT_CHAIN", "UNAVAILABLE", "AGREES"):
            assert got[("witnessverify_client_verdicts_total",
                        (("chain", "op-mainnet"), ("client", client), ("verdict", verdict)))] == 0
        assert got[("witnessverify_client_stalled", (("chain", "op-mainnet"), ("client", client)))] == 0
    for overall in ("AGREE", "SPLIT", "INCONCLUSIVE", "NO_SOURCE"):
        assert got[("witnessverify_blocks_checked_total", (("chain", "op-mainnet"), ("overall", overall)))] == 0
    assert got[("witnessverify_alerts_total", (("kind", "split"), ("outcome", "failed")))] == 0
    # without --chain nothing is primed under a made-up name: the chain's own name comes first
    assert not any(k[0] == "witnessverify_blocks_checked_total" for k in samples(Metrics(None, ["a"]).exposition().decode()))


def test_the_first_split_steps_from_zero_and_the_shipped_rules_fire(tmp_path, anvil, proxy):
    """watch as deploy/ runs it (no --chain): a scrape before and after the first split. The
    SPLIT series goes 0 -> 1 under the chain's name, and WitnessverifySplit and
    WitnessverifyClientWrong fire on those scrapes; a series born at 1 would fire neither."""
    clients = [RpcClient("anvil", anvil.url, retries=1), RpcClient("liar", proxy.url, retries=1)]
    watcher, history, metrics, alerter = build(clients, [], str(tmp_path / "h.sqlite"), Schedule(), "watch", None,
                                               "latest", 0, None, 3, 300.0, None, 2)
    try:
        anvil.rpc("evm_mine")
        assert [r.overall for r in watcher.run_pass().judged] == ["AGREE"]
        assert metrics.chain == watcher.alerts.chain == "chain-31337" == chain_label(None, 31337)
        scrapes = Scrapes()
        t0 = time.time()
        scrapes.add(t0, metrics.exposition().decode())
        before = samples(metrics.exposition().decode())
        split_key = ("witnessverify_blocks_checked_total", (("chain", "chain-31337"), ("overall", "SPLIT")))
        assert before[split_key] == 0
        for rule in ("WitnessverifySplit", "WitnessverifyClientWrong"):
            assert evaluate(RULES[rule], scrapes) == {}, rule
        n = anvil.mine_block([{"from": anvil.accounts()[3], "to": "0x" + "42" * 20, "value": 1}])
        lie_about_header(proxy, n, "receiptsRoot", "0x" + "77" * 32)
        assert [r.overall for r in watcher.run_pass().judged] == ["SPLIT"]
        scrapes.add(t0 + 60, metrics.exposition().decode())
        assert samples(metrics.exposition().decode())[split_key] == 1
        assert evaluate(RULES["WitnessverifySplit"], scrapes) == {(("chain", "chain-31337"), ("overall", "SPLIT")): 1}
        wrong = evaluate(RULES["WitnessverifyClientWrong"], scrapes)
        assert [dict(k)["client"] for k in wrong] == ["liar"]
        # the counterfactual: the same scrapes without the zero samples (series born at 1) fire nothing
        unprimed = Scrapes()
        unprimed.now = scrapes.now
        unprimed.points = {k: [p for p in v if p[1] != 0] for k, v in scrapes.points.items()}
        assert evaluate(RULES["WitnessverifySplit"], unprimed) == {}
    finally:
        alerter.close()
        history.close()


def test_two_cron_passes_keep_the_counters_and_the_last_success(tmp_path, anvil):
    db, textfile = str(tmp_path / "h.sqlite"), str(tmp_path / "wv.prom")
    anvil.rpc("evm_mine")
    base = ["spot-check", "--rpc", f"anvil={anvil.url}", "--db", db, "--rps", "0", "--textfile", textfile]
    first = run(*base, "--from", "2")
    assert first.returncode == 0, first.stderr
    one = samples(open(textfile).read())
    agree = ("witnessverify_blocks_checked_total", (("chain", "chain-31337"), ("overall", "AGREE")))
    success = ("witnessverify_last_success_timestamp_seconds", (("chain", "chain-31337"),))
    assert one[agree] == 1 and one[success] > time.time() - 120
    idle = run(*base)  # nothing due: every counter and the last success survive
    assert idle.returncode == 0, idle.stderr
    two = samples(open(textfile).read())
    assert two[agree] == 1 and two[success] == one[success]
    anvil.rpc("evm_mine")
    assert run(*base).returncode == 0
    assert samples(open(textfile).read())[agree] == 2  # and they only grow
    down = run("spot-check", "--rpc", "x=http://127.0.0.1:1", "--db", db, "--textfile", textfile, "--timeout", "1")
    assert down.returncode == 4 and down.stdout == "" and down.stderr.count("\n") <= 3  # one error, on stderr
    assert samples(open(textfile).read())[agree] == 2  # a failed pass loses nothing


def test_alert_texts_name_the_chain_and_cut_at_a_word():
    assert chain_label(None, 10) == "op-mainnet" and chain_label("Base", 8453) == "base"
    cut = said("the witness does not authenticate against the parent state root of the block", 40)
    assert cut.endswith("…") and len(cut) <= 40 and cut[:-1] == "the witness does not authenticate"


# -- signals ------------------------------------------------------------------------------------
def _as_from_a_terminal() -> None:
    """The child starts with Ctrl-C's default disposition. A shell without job control starts a
    background job (`.ci/run &`) with SIGINT ignored, every descendant inherits that, and Python
    then never installs its handler: the signal tests would test how they were launched."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_check_stopped_by_a_signal_exits_128_plus_it(silent, sig, code, word):
    p = subprocess.Popen(cli("check", "latest", "--rpc", f"hung={silent}", "--timeout", "60"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal)
    time.sleep(2.0)
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert p.returncode == code and word in err and "Traceback" not in out + err, (p.returncode, out, err)


def test_helper_threads_leave_stop_signals_to_the_main_thread():
    """The kernel may deliver SIGINT to any thread that does not block it, and Python runs the
    handler only in the main thread: a helper that takes the signal leaves the main thread's
    hung read uninterrupted until the read ends. The RPC watchdog blocks both signals, the main
    thread neither (read from /proc: each thread's mask as the kernel keeps it)."""
    import threading

    from witnessverify.tiebreak.deadline import DEADLINES

    def blocked(thread) -> int:
        status = open(f"/proc/self/task/{thread.native_id}/status").read()
        return int(next(x for x in status.splitlines() if x.startswith("SigBlk:")).split()[1], 16)

    handle = DEADLINES.arm(60, lambda: None)
    try:
        time.sleep(0.2)
        (watchdog,) = [t for t in threading.enumerate() if t.name == "rpc-deadlines"]
        for sig in (signal.SIGINT, signal.SIGTERM):
            assert blocked(watchdog) >> (sig - 1) & 1, sig
            assert not blocked(threading.main_thread()) >> (sig - 1) & 1, sig
    finally:
        handle.cancel()


def test_watch_stopped_by_ctrl_c_exits_130(tmp_path, anvil):
    p = subprocess.Popen(cli("watch", "--rpc", f"anvil={anvil.url}", "--db", str(tmp_path / "h.sqlite"), "--rps", "0",
                             "--poll", "0.2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=_as_from_a_terminal)
    time.sleep(2.5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and "stopping" in err and "Traceback" not in err


def test_audit_terminated_with_its_workers_leaves_no_traceback(tmp_path):
    # the folder four times over: with the compiled loop one pass ends in about 4 s, and the
    # signal must come mid-run, not as the process exits
    p = subprocess.Popen(cli("audit", *[str(BUNDLES)] * 4, "--workers", "2"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(4.0)
    os.killpg(p.pid, signal.SIGTERM)  # as systemd stops a unit: the whole group
    out, err = p.communicate(timeout=60)
    assert p.returncode in (143, 0) and "Traceback" not in out + err, (p.returncode, err[-2000:])


# -- options that do what they say, refused before any request ----------------------------------
def test_repeated_headers_add_up_and_are_all_sent():
    server = RecordingServer(b'{"jsonrpc":"2.0","id":1,"result":"0x1"}')
    try:
        headers = headers_from(["a=Authorization: Bearer t0ken", "a=X-Api-Key: k3y", "b=X-Other: 1"])
        assert headers == {"a": {"Authorization": "Bearer t0ken", "X-Api-Key": "k3y"}, "b": {"X-Other": "1"}}
        RpcClient("a", server.url, headers["a"]).call("eth_chainId")
        assert server.seen[0]["Authorization"] == "Bearer t0ken" and server.seen[0]["X-Api-Key"] == "k3y"
    finally:
        server.close()


@pytest.mark.parametrize("args,says", [
    (["check", "1", "--rpc", "a=U", "--rpc", "a=V"], "named twice"),
    (["check", "1", "--rpc", "a=U", "--rpc-header", "typo=X: 1"], "'typo' names no client"),
    (["check", "1", "--rpc", "a=U", "--witness-from", "typo"], "'typo' names no client"),
    (["check", "1", "--rpc", "a=U", "--chain", "nochain"], "unknown chain 'nochain'"),
    (["check", "1", "--rpc", "a=U", "--chain", "dev:nofork"], "unknown fork 'nofork'"),
    (["verify", "--chain", "nochain"], "unknown chain 'nochain'"),
    (["watch", "--rpc", "a=U", "--every", "0"], "at least 1"),
    (["watch", "--rpc", "a=U", "--sample", "foo"], "expected K/HOUR"),
    (["spot-check", "--rpc", "a=U", "--every", "2", "--all"], "choose one of"),
    (["audit", "--rpc", "a=U", "--rpc", "a=V", "--from", "1", "--to", "2"], "named twice"),
    (["history", "--verdict", "bogus"], "'bogus' is not one of"),
])
def test_usage_errors_exit_2_before_any_request(silent, args, says):
    """Every URL is the silent port: a request made before the usage error would hang the run."""
    args = [a.replace("=U", f"={silent}").replace("=V", f"={silent}/v") for a in args]
    r = run(*args, timeout=60)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stdout + r.stderr, (r.stdout, r.stderr)


def test_history_verdicts_in_any_case_and_errors_in_json(tmp_path, anvil):
    db = str(tmp_path / "h.sqlite")
    anvil.rpc("evm_mine")
    assert run("spot-check", "--rpc", f"anvil={anvil.url}", "--db", db, "--rps", "0", "--from", "2").returncode == 0
    lower = run("history", "--db", db, "--verdict", "agree", "--json")
    assert lower.returncode == 0 and [json.loads(x)["overall"] for x in lower.stdout.splitlines()] == ["AGREE"]
    missing = run("history", "--db", str(tmp_path / "none.sqlite"), "--json")
    assert missing.returncode == 4 and "no history database" in json.loads(missing.stdout)["error"]
    with History(db) as h:
        assert h.count() == 1


# -- what the operator reads --------------------------------------------------------------------
def test_small_words(tmp_path, silent):
    assert dev_chain("jovian").op_fork_at(0) == "jovian"  # `anvil --optimism` reports "Jovian"
    huge = run("chains", "mainnet", "--number", "99999999999")  # a number cannot name a fork scheduled by time
    assert "at block 99999999999: paris to " in huge.stdout and "pass --timestamp" in huge.stdout
    exact = json.loads(run("chains", "mainnet", "--number", "1", "--timestamp", "1767747671", "--json").stdout)
    assert exact["at"]["fork"] == "bpo2"
    nothing = run("audit", str(tmp_path / "nonexistent"))
    assert nothing.returncode == 4 and "audit: 0 block(s), 1 unreadable input(s)" in nothing.stderr
    none = run("check", "latest", "--rpc", "down=http://127.0.0.1:1", "--timeout", "1")
    assert none.returncode == 4 and "#None" not in none.stdout and "NO_SOURCE" in none.stdout, none.stdout


# -- deploy/ ------------------------------------------------------------------------------------
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own checker on the shipped units, with the install path of install.sh made
    real in a private mount namespace (a tmpfs over /opt holding a link to this venv)."""
    if not shutil.which("systemd-analyze") or not shutil.which("unshare"):
        pytest.skip("systemd-analyze or unshare missing")
    units = [DEPLOY / n for n in ("witnessverify-watch.service", "witnessverify-spot-check.service",
                                  "witnessverify-spot-check.timer")]
    script = ("mount -t tmpfs none /opt && mkdir -p /opt/witnessverify/.venv/bin && "
              f"ln -s {sys.executable} /opt/witnessverify/.venv/bin/witnessverify && "
              f"systemd-analyze verify {' '.join(map(str, units))}")
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "witnessverify" not in r.stderr, r.stderr
    spot = (DEPLOY / "witnessverify-spot-check.service").read_text()
    assert "SuccessExitStatus=3" in spot  # exit 3 (cannot judge yet) is not a failed unit
    assert "SuccessExitStatus=143" in (DEPLOY / "witnessverify-watch.service").read_text()
    timer = (DEPLOY / "witnessverify-spot-check.timer").read_text()
    assert "Persistent=true" in timer and "OnCalendar=" in timer and "\nOnUnitActiveSec=" not in timer


def test_the_install_recipe_creates_the_user_folders_and_textfile_access():
    script = DEPLOY / "install.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    steps = subprocess.run(["bash", str(script), "--dry-run"], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, TEXTFILE_DIR="/srv/textfile")).stdout.splitlines()
    assert any(s.startswith("useradd --system") and s.endswith(" witnessverify") for s in steps)
    assert any("install -d" in s and "-o witnessverify" in s and "/var/lib/witnessverify" in s for s in steps)
    assert any(("setfacl -m u:witnessverify:rwx /srv/textfile" in s) or ("chgrp witnessverify /srv/textfile" in s)
               for s in steps)
    assert any(s.startswith("systemd-analyze verify") for s in steps) and steps[-1] == "systemctl daemon-reload"
    for unit in ("witnessverify-watch.service", "witnessverify-spot-check.service"):
        text = (DEPLOY / unit).read_text()
        assert "User=witnessverify" in text and "/opt/witnessverify/.venv/bin/witnessverify" in text


def test_a_watch_that_cannot_keep_up_says_so(tmp_path, anvil, caplog):
    """Blocks every 0.01 s of chain time against a real check that takes longer: the lag can only
    grow, and the log says so with what to change."""
    import logging

    watcher, history, metrics, alerter = build([RpcClient("anvil", anvil.url, retries=1)], [],
                                               str(tmp_path / "h.sqlite"), Schedule(), "watch", None,
                                               "latest", 0, None, 3, 300.0, None, 2)
    try:
        for _ in range(4):
            anvil.rpc("evm_mine")
        watcher.settle_chain()
        watcher.state["head"] = 0  # the block time is set by hand below, not measured
        watcher.block_time = 0.01
        with caplog.at_level(logging.WARNING, logger="witnessverify.watch"):
            assert len(watcher.run_pass().judged) >= 3
        assert any("falling behind" in r.getMessage() and "--every N" in r.getMessage() for r in caplog.records)
        caplog.clear()
        watcher.block_time = 3600.0  # an hour per block: nothing to say
        anvil.rpc("evm_mine")
        watcher._behind_warned = -1e18
        with caplog.at_level(logging.WARNING, logger="witnessverify.watch"):
            watcher.run_pass()
        assert not any("falling behind" in r.getMessage() for r in caplog.records)
    finally:
        alerter.close()
        history.close()


def test_which_code_judged_is_recorded(tmp_path, anvil):
    """--version names the engine and the commit; saved checks, the history and the metrics
    carry the same."""
    from witnessverify.provenance import provenance

    built = provenance()
    version = run("--version")
    assert version.returncode == 0 and f"py-evm {built['py-evm']}" in version.stdout
    if built["commit"]:
        assert built["commit"] in version.stdout
    anvil.rpc("evm_mine")
    save = tmp_path / "saved"
    assert run("check", "2", "--rpc", f"anvil={anvil.url}", "--save", str(save)).returncode == 0
    saved = json.loads((save / "claims.json").read_text())
    assert saved["judgedBy"] == built
    # and which build of each client made its claim, kept through a re-verification
    node = anvil.rpc("web3_clientVersion")
    assert [c["clientVersion"] for c in saved["blocks"][0]["claims"]] == [node]
    again = run("verify", str(save), "--json")
    assert json.loads(again.stdout)["clients"][0]["version"] == node, again.stdout
    db = str(tmp_path / "h.sqlite")
    assert run("spot-check", "--rpc", f"anvil={anvil.url}", "--db", db, "--rps", "0", "--from", "2").returncode == 0
    (doc,) = [json.loads(x) for x in run("history", "--db", db, "--json").stdout.splitlines()]
    assert doc["report"]["judgedBy"] == built
    info = [k for k in samples(Metrics("base").exposition().decode()) if k[0] == "witnessverify_build_info"]
    assert dict(info[0][1])["pyevm"] == built["py-evm"]


def test_endpoints_and_tokens_from_the_environment():
    """WITNESSVERIFY_RPC and WITNESSVERIFY_RPC_HEADER (one header per line): nothing on the
    command line for `ps` to show, and both headers reach the endpoint."""
    server = RecordingServer(b'{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no"}}')
    try:
        env = dict(os.environ, WITNESSVERIFY_RPC=f"node={server.url}",
                   WITNESSVERIFY_RPC_HEADER="node=Authorization: Bearer s3cret\nnode=X-Api-Key: k3y")
        r = subprocess.run(cli("check", "latest", "--timeout", "5"), capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 4 and "Traceback" not in r.stderr, r.stdout + r.stderr
        seen = server.seen
        assert seen and all(h.get("Authorization") == "Bearer s3cret" and h.get("X-Api-Key") == "k3y" for h in seen)
    finally:
        server.close()


def test_a_saved_dev_chain_check_verifies_alone_and_never_mixes(tmp_path, anvil):
    anvil.rpc("evm_mine")
    saved = tmp_path / "incident"
    assert run("check", "2", "--rpc", f"anvil={anvil.url}", "--save", str(saved)).returncode == 0
    bundles = sorted(saved.glob("bundle*.json"))
    again = run("verify", str(bundles[0]))  # no --chain: the bundle records dev:<fork>
    assert again.returncode == 0 and again.stdout.startswith("VALID"), again.stdout + again.stderr
    refused = run("check", "2", "--rpc", f"anvil={anvil.url}", "--save", str(saved))
    assert refused.returncode == 2 and "is not empty" in refused.stderr


@pytest.mark.parametrize("liar_first", [False, True])
def test_the_split_report_shows_each_clients_claim_whatever_the_order(anvil, proxy, liar_first):
    anvil.rpc("evm_mine")
    n = anvil.mine_block([{"from": anvil.accounts()[2], "to": "0x" + "43" * 20, "value": 1}])
    lie_about_header(proxy, n, "receiptsRoot", "0x" + "77" * 32)
    rpcs = [f"liar={proxy.url}", f"anvil={anvil.url}"]
    args = [x for r in (rpcs if liar_first else rpcs[::-1]) for x in ("--rpc", r)]
    text = run("check", str(n), *args)
    assert text.returncode == 1
    assert "receiptsRoot: claims 0x" + "77" * 32 + ", the engine computes 0x" in text.stdout, text.stdout
    assert "diagnosis: {" not in text.stdout  # words, not raw JSON
    doc = json.loads(run("check", str(n), *args, "--json").stdout)
    liar = next(c for c in doc["clients"] if c["client"] == "liar")
    assert liar["values"]["receiptsRoot"]["claimed"] == "0x" + "77" * 32
    assert liar["values"]["receiptsRoot"]["computed"] != liar["values"]["receiptsRoot"]["claimed"]
