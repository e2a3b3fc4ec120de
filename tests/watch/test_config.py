"""The TOML config file (issue 21): clients, rollup nodes, headers and the chain from one file,
secrets from the environment or from a private file; the command line wins; every fault a
usage error (exit 2) naming the file and key before any request. Against a real Anvil, a lying
proxy and a recording endpoint."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.helpers.anvil import lie_about_header
from tests.watch.test_conventions import RecordingServer, cli, run

NO = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no"}}'


def write(path, text: str, mode: int = 0o600):
    path.write_text(text)
    path.chmod(mode)
    return str(path)


def test_a_split_judged_from_clients_named_in_the_config(tmp_path, anvil, proxy):
    anvil.rpc("evm_mine")
    n = anvil.mine_block([{"from": anvil.accounts()[1], "to": "0x" + "44" * 20, "value": 3}])
    lie_about_header(proxy, n, "stateRoot", "0x" + "55" * 32)
    cfg = write(tmp_path / "wv.toml", f'[clients.honest]\nurl = "{anvil.url}"\n[clients.liar]\nurl = "{proxy.url}"\n',
                0o644)  # no secret in it: any mode will do
    r = run("check", str(n), "--config", cfg, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["overall"] == "SPLIT" and doc["reason"] == "wrong: liar", r.stdout + r.stderr
    # --rpc replaces the file's clients
    alone = run("check", str(n), "--config", cfg, "--rpc", f"solo={anvil.url}", "--json")
    assert alone.returncode == 0 and [c["client"] for c in json.loads(alone.stdout)["clients"]] == ["solo"]
    # and the file from the environment, as a systemd unit would give it
    env = dict(os.environ, WITNESSVERIFY_CONFIG=cfg)
    again = subprocess.run(cli("check", str(n)), capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 1 and "wrong: liar" in again.stdout


def test_headers_from_the_file_and_from_the_environment_reach_the_endpoint(tmp_path):
    server = RecordingServer(NO)
    try:
        cfg = write(tmp_path / "wv.toml", f'[clients.node]\nurl = "{server.url}"\nheaders = {{ X-Api-Key = "k3y" }}\n'
                    f'header_env = {{ Authorization = "NODE_AUTH" }}\n')
        env = dict(os.environ, NODE_AUTH="Bearer s3cret")
        r = subprocess.run(cli("check", "latest", "--timeout", "5", "--config", cfg, "--rpc-header", "node=X-Extra: 1"),
                           capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 4 and "Traceback" not in r.stderr, r.stdout + r.stderr
        assert server.seen and all(h.get("Authorization") == "Bearer s3cret" and h.get("X-Api-Key") == "k3y"
                                   and h.get("X-Extra") == "1" for h in server.seen)
    finally:
        server.close()


@pytest.mark.parametrize("text, mode, says", [
    ('[clients.a]\nurl = "http://127.0.0.1:1"\nheaders = { Authorization = "Bearer x" }\n', 0o644,
     "holds header values but others may read it (mode 0644)"),
    ('[clients.a]\nurl = "http://127.0.0.1:1"\nheader_env = { Authorization = "WV_TEST_UNSET_VARIABLE" }\n', 0o600,
     "the environment variable WV_TEST_UNSET_VARIABLE is not set"),
    ('[clients.a]\nurl = "http://127.0.0.1:1"\ntoken = "x"\n', 0o600, "[clients.a]: unknown key 'token'"),
    ('[clients.a]\nheaders = {}\n', 0o600, "[clients.a] has no url"),
    ('[client.a]\nurl = "http://127.0.0.1:1"\n', 0o600, "unknown key 'client'"),
    ('chain = "nowhere"\n[clients.a]\nurl = "http://127.0.0.1:1"\n', 0o600, "chain: unknown chain 'nowhere'"),
    ('[clients.a]\nurl = "ftp://127.0.0.1:1"\n', 0o600, "must start with http:// or https://"),
    ('[clients.a\nurl = 1', 0o600, "not TOML"),
    ('[clients.a]\nurl = "http://127.0.0.1:1"\n[rollup.a]\nurl = "http://127.0.0.1:2"\n', 0o600,
     "'a' is both a client and a rollup node"),
])
def test_every_fault_in_the_file_is_a_usage_error_before_any_request(tmp_path, text, mode, says):
    cfg = write(tmp_path / "wv.toml", text, mode)
    r = run("check", "latest", "--config", cfg, timeout=60)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "wv.toml" in r.stderr  # the file named


def test_a_missing_file_and_no_client_at_all_are_usage_errors(tmp_path):
    r = run("check", "latest", "--config", str(tmp_path / "none.toml"), timeout=60)
    assert r.returncode == 2 and "none.toml: cannot read" in r.stderr
    r = run("watch", "--max-blocks", "1", timeout=60)
    assert r.returncode == 2 and "no client: give --rpc NAME=URL" in r.stderr
