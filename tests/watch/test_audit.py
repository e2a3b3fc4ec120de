"""`audit` (a process pool, and Dask distributed on a LocalCluster over loopback) and `bench`,
over the bundled real witnesses with one bundle corrupted: its result says so, the others are
unaffected; results stream into the history and an interrupted audit resumes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from witnessverify import audit
from witnessverify.store import History

from tests.helpers.anvil import Anvil
from tests.helpers.fixtures import BUNDLES

# small real blocks of four families (OP, Celo, L1 Hoodi) keep the runs short
PICK = ["10-120794432.json", "10-121049889.json", "11142220-2346038.json", "11142220-2343822.json",
        "42220-31128957.json", "560048-1151683.json"]
CORRUPTED = "10-121003241.json"


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "witnessverify.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.startswith("{")]


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "bundles"
    d.mkdir()
    for name in PICK + [CORRUPTED]:
        shutil.copy(BUNDLES / name, d / name)
    # one bundle corrupted: a witness node changed by one byte (it no longer hashes into the trie)
    doc = json.loads((d / CORRUPTED).read_text())
    node = doc["witness"]["state"][0]
    doc["witness"]["state"][0] = node[:-2] + ("00" if node[-2:] != "00" else "01")
    (d / CORRUPTED).unlink()
    (d / "corrupted.json").write_text(json.dumps(doc))
    (d / "not-json.json").write_text("{ this is not json")
    return d


def _by_source(results: list[dict]) -> dict[str, str]:
    return {Path(r["source"].split("!")[-1]).name: r["verdict"] for r in results}


def test_audit_in_a_process_pool_resumes_from_the_history(folder, tmp_path):
    db = str(tmp_path / "h.sqlite")
    r = cli("audit", str(folder), "--workers", "2", "--json", "--db", db)
    results = lines(r.stdout)
    got = _by_source(results)
    assert {k: v for k, v in got.items() if k in PICK} == {k: "VALID" for k in PICK}
    assert got["corrupted.json"] in ("WITNESS_INCOMPLETE", "WITNESS_INVALID")  # its own words, not the others'
    assert got["not-json.json"] == "ERROR"
    assert r.returncode == 4 and "audit: 7/7 block(s), 1 unreadable input(s)" in r.stderr  # an unreadable input: exit 4, like verify
    with History(db) as h:
        assert h.count() == 8 and {x["mode"] for x in h.query()} == {"audit"}
    again = cli("audit", str(folder), "--workers", "2", "--json", "--db", db)
    redone = _by_source(lines(again.stdout))
    # only what cannot be keyed (the unreadable file) is tried again; the rest is skipped
    assert set(redone) == {"not-json.json"}
    with History(db) as h:
        assert h.count() == 8


def test_a_resumed_audit_skips_recorded_files_without_reading_them(folder, tmp_path, monkeypatch):
    """The client never opens a bundle file it has judged (a month of files is terabytes): it
    skips by the path, size and modification time the result recorded; a file changed since is
    judged again."""
    db = str(tmp_path / "h.sqlite")
    assert cli("audit", str(folder), "--workers", "2", "--json", "--db", db).returncode == 4
    with History(db) as h:
        done_keys, done_files = h.keys("audit"), h.audited_files()
    assert {Path(p).name for p in done_files} == set(PICK) | {"corrupted.json"}  # the unreadable one is tried again

    def no_reading(*a, **k):
        raise AssertionError("the client read a bundle file")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    skipped = []
    left = [j.name for j in audit.resumable(audit.jobs_from_paths([str(folder)]), done_keys, done_files,
                                            lambda: skipped.append(1))]
    assert [Path(n).name for n in left] == ["not-json.json"] and len(skipped) == len(PICK) + 1
    monkeypatch.undo()
    changed = folder / PICK[0]
    changed.write_bytes(changed.read_bytes() + b"\n")  # the same block, but the file is not as judged
    left = [Path(j.name).name for j in audit.resumable(audit.jobs_from_paths([str(folder)]), done_keys, done_files,
                                                        lambda: None)]
    assert sorted(left) == sorted(["not-json.json", PICK[0]])


def test_audit_reads_tar_and_zip_archives(folder, tmp_path):
    tar = tmp_path / "b.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        for name in PICK[:3]:
            t.add(folder / name, arcname=f"blocks/{name}")
    z = tmp_path / "b.zip"
    with zipfile.ZipFile(z, "w") as f:
        for name in PICK[3:]:
            f.write(folder / name, arcname=name)
    r = cli("audit", str(tar), str(z), "--workers", "2", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _by_source(lines(r.stdout)) == {k: "VALID" for k in PICK}


def test_bundle_files_travel_as_paths_and_workers_read_them(folder, tmp_path):
    """A file job carries its absolute path, not its bytes (a cluster's workers read their own
    inputs); archive members, which a worker cannot open alone, still carry bytes. A file gone
    before its worker reads it is an ERROR naming the path."""

    jobs = list(audit.jobs_from_paths([str(folder)]))
    files = [j for j in jobs if not j.error]
    assert files and all(j.data == b"" and Path(j.path).is_absolute() for j in files)
    fn, args = files[0].task(None)
    assert fn is audit.verify_path and args[1] == files[0].path and not any(isinstance(a, bytes) for a in args)
    assert audit.verify_path(*args)["verdict"] in ("VALID", "ERROR", "WITNESS_INCOMPLETE", "WITNESS_INVALID")
    gone = audit.verify_path("gone.json", str(tmp_path / "gone.json"))
    assert gone["verdict"] == "ERROR" and str(tmp_path / "gone.json") in gone["reason"]
    tar = tmp_path / "b.tar"
    with tarfile.open(tar, "w") as t:
        t.add(folder / PICK[0], arcname=PICK[0])
    (member,) = audit.jobs_from_paths([str(tar)])
    assert member.path is None and member.data and member.task(None)[0] is audit.verify_bytes


def test_the_dask_window_follows_the_workers_that_join():
    """The blocks in flight are sized from the workers the scheduler has now, not at start."""
    distributed = pytest.importorskip("distributed")
    from witnessverify.dask_pool import DaskPool

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        pool = DaskPool(cluster.scheduler_address)
        try:
            assert pool.workers == 1
            cluster.scale(3)
            pool.client.wait_for_workers(3, timeout=120)
            deadline = time.monotonic() + 30
            while pool.workers < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert pool.workers == 3
        finally:
            pool.close()


def test_audit_on_a_dask_local_cluster(folder):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        r = cli("audit", str(folder), "--scheduler", cluster.scheduler_address, "--json")
    got = _by_source(lines(r.stdout))
    assert {k: v for k, v in got.items() if k in PICK} == {k: "VALID" for k in PICK}
    assert got["corrupted.json"] in ("WITNESS_INCOMPLETE", "WITNESS_INVALID") and got["not-json.json"] == "ERROR"
    # the same verdicts and computed roots as the process pool
    local = {Path(x["source"]).name: x.get("computed") for x in lines(cli("audit", str(folder), "--json").stdout)}
    assert all(local[Path(x["source"]).name] == x.get("computed") for x in lines(r.stdout))
    bad = cli("audit", str(folder), "--scheduler", "tcp://127.0.0.1:1", timeout=120)
    assert bad.returncode == 4 and "cannot reach the Dask scheduler" in bad.stdout


def test_audit_of_a_range_fetched_from_a_node():
    node = Anvil()
    try:
        a = node.accounts()
        node.rpc("evm_mine")
        for i in range(3):
            node.mine_block([{"from": a[i], "to": "0x" + "71" * 20, "value": i + 1}])
        r = cli("audit", "--rpc", f"anvil={node.url}", "--from", "2", "--to", "4", "--workers", "2", "--json",
                "--rps", "0")
    finally:
        node.close()
    results = lines(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(x["block"]["number"] for x in results) == [2, 3, 4] and {x["verdict"] for x in results} == {"VALID"}
    usage = cli("audit", "--rpc", "a=http://127.0.0.1:1", "--from", "5", "--to", "4")
    assert usage.returncode == 2


def test_a_range_is_fetched_by_the_workers_within_the_rate_limit():
    """Range mode hands heights to the workers, which fetch their own blocks in parallel (each
    over its own connection), and --rps stays the limit for the node over the whole audit: each
    of the two workers takes half."""
    from tests.helpers.anvil import LyingProxy

    node = Anvil()
    proxy = LyingProxy(node.url)
    try:
        a = node.accounts()
        node.rpc("evm_mine")
        for i in range(4):
            node.mine_block([{"from": a[i], "to": "0x" + "72" * 20, "value": i + 1}])
        rps = 20
        r = cli("audit", "--rpc", f"p={proxy.url}", "--from", "2", "--to", "5", "--workers", "2", "--json",
                "--rps", str(rps))
    finally:
        proxy.close()
        node.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(x["block"]["number"] for x in lines(r.stdout)) == [2, 3, 4, 5]
    fetchers = {port for _, port, method in proxy.seen if method == "eth_getProof"}
    assert len(fetchers) >= 2, proxy.seen  # proofs asked from two processes, not the client alone
    times = sorted(t for t, _, _ in proxy.seen)
    assert len(times) > 2 * rps  # enough requests for the limit to bind
    busiest = max(sum(1 for u in times if t <= u < t + 1.0) for t in times)
    assert busiest <= rps + 2, busiest  # both workers together (one request of slack per worker)


def test_bench_measures_each_block_in_its_own_process():
    path = str(BUNDLES / "11142220-2346038.json")
    r = cli("bench", path, "--rounds", "2", "--json")
    assert r.returncode == 0, r.stderr
    (row,) = lines(r.stdout)
    verified = json.loads(cli("verify", path, "--json").stdout)
    assert row["gas"] == verified["gasUsed"] and row["verdict"] == "VALID" and row["fork"] == verified["fork"]
    assert row["cpuSeconds"] > 0 and row["mgasPerSecond"] == pytest.approx(row["gas"] / row["cpuSeconds"] / 1e6, rel=0.01)
    assert row["peakRssMB"] > 20 and row["ingestMBPerSecond"] > 0 and row["rounds"] == 2
    table = cli("bench", path, "--rounds", "1")
    assert "Mgas/s" in table.stdout and "#2346038" in table.stdout


def test_bench_names_a_missing_path_and_measures_the_rest():
    path = str(BUNDLES / "11142220-2346038.json")
    r = cli("bench", "/nonexistent/blocks", path, "--rounds", "1", "--json")
    assert r.returncode == 4 and "Traceback" not in r.stdout + r.stderr and "INTERNAL_ERROR" not in r.stdout
    rows = lines(r.stdout)
    assert rows[0] == {"source": "/nonexistent/blocks", "error": "/nonexistent/blocks: no such file or folder"}
    assert rows[1]["verdict"] == "VALID" and len(rows) == 2


class _Port:
    """A listening port on 127.0.0.1 that answers each connection as `mode` says: silent, an
    HTTP server, garbage at once, or a Dask-like length prefix followed by garbage."""

    def __init__(self, mode: str) -> None:
        import socket
        import threading

        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.held: list = []
        self.mode = mode
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import struct

        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(c)
            try:
                if self.mode == "garbage":
                    c.sendall(bytes(range(256)) * 64)
                elif self.mode == "prefixed":
                    c.sendall(struct.pack("<Q", 40) + b"\x93\xa5hello" * 10)
                elif self.mode == "http":
                    c.recv(65536)  # an HTTP server waits for a request, then answers one
                    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


@pytest.mark.parametrize("mode", ["silent", "http", "garbage", "prefixed"])
def test_audit_scheduler_at_a_port_that_is_no_dask_answers_in_one_line(folder, mode):
    import time

    port = _Port(mode)
    try:
        t = time.monotonic()
        r = cli("audit", str(folder), "--scheduler", f"tcp://127.0.0.1:{port.port}", timeout=120)
        took = time.monotonic() - t
    finally:
        port.close()
    assert r.returncode == 4 and took < 60, (r.returncode, took, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stdout.strip().splitlines()) == 1
    assert "not a Dask scheduler" in r.stdout and f"127.0.0.1:{port.port}" in r.stdout


@pytest.mark.parametrize("address, says", [
    ("http://127.0.0.1:8786", "not http://"), ("ftp://127.0.0.1:8786", "not ftp://"),
    ("127.0.0.1", "no port"), ("tcp://:8786", "no host"), ("tcp://127.0.0.1:99999", "not HOST:PORT"),
    ("tcp://127.0.0.1:8786/x", "no path"),
])
def test_audit_scheduler_addresses_that_cannot_be_one_are_usage_errors(folder, address, says):
    r = cli("audit", str(folder), "--scheduler", address, timeout=60)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr, (r.stdout, r.stderr)
