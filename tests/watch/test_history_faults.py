"""The history store under the faults a months-long daemon meets: a damaged page, a full disk, a
read-only mount. Each is produced for real (bytes overwritten in the file, a tmpfs that fills up,
a read-only bind mount in a private mount namespace), never simulated by patching SQLite.

What must hold: a damaged or unwritable database stops `watch` with one line and exit 4 (another
pass would fail the same way); a full disk is reported with SQLite's own error (SQLITE_FULL, not a
ROLLBACK error that masks it) and the block is judged again once there is room, with no gap and no
double; `history` reads a database it cannot write.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from witnessverify.store import CheckRecord, History, HistoryError

from tests.helpers.anvil import Anvil

PAGE = 4096  # SQLite's default page size, which History keeps


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "witnessverify.cli", *args]


def _fill(path: Path, blocks: range) -> None:
    with History(path) as h:
        for n in blocks:
            h.record(CheckRecord(chain_id=31337, number=n, block_hash="0x%064x" % n, mode="watch", overall="AGREE",
                                 report={"pad": "x" * 3000}, verdicts=[("a", "client", "AGREES", "", [])]), ("watch", n))


def _private_mounts() -> bool:
    """Whether this machine lets an unprivileged process mount in its own namespace (unshare -rm)."""
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode == 0


def _one_error_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert "Traceback" not in text, text
    errors = [ln for ln in lines if "ERROR" in ln or '"level": "error"' in ln or '"level":"error"' in ln]
    assert errors, text
    return errors[-1]


def test_a_damaged_page_stops_watch_and_history_with_one_line(tmp_path):
    db = tmp_path / "h.sqlite"
    _fill(db, range(1, 40))
    con = sqlite3.connect(db)
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name='checks'").fetchone()
    con.close()
    with open(db, "r+b") as f:  # the checks table's root page: meta and cursors stay readable
        f.seek((root - 1) * PAGE)
        f.write(b"\xa5" * PAGE)

    hist = subprocess.run(_cli("history", "--db", str(db)), capture_output=True, text=True, timeout=60)
    assert hist.returncode == 4, hist.stdout + hist.stderr
    line = _one_error_line(hist.stdout + hist.stderr)
    assert str(db) in line and "malformed" in line and "repair or move the file away" in line

    node = Anvil()
    try:
        node.rpc("evm_mine")
        started = time.monotonic()
        # no --max-blocks: before, this logged "malformed" every pass and never exited
        w = subprocess.run(_cli("watch", "--rpc", f"a={node.url}", "--db", str(db), "--poll", "0.2", "--rps", "0"),
                           capture_output=True, text=True, timeout=120)
    finally:
        node.close()
    assert w.returncode == 4, w.stdout + w.stderr
    assert time.monotonic() - started < 60
    line = _one_error_line(w.stdout + w.stderr)
    assert "database disk image is malformed" in line and "SQLITE_CORRUPT" in line


def test_a_full_disk_reports_sqlite_full_and_loses_no_block(tmp_path):
    if not _private_mounts():
        pytest.skip("no private mount namespace here (unshare -rm): cannot make a small real filesystem")
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    node = Anvil("--block-time", "1")
    watch = " ".join(_cli("watch", "--rpc", f"a={node.url}", "--db", f"{mnt}/h.sqlite", "--from", "2", "--poll", "0.2",
                          "--rps", "0", "--max-blocks", "8", "--log-format", "json"))
    # inside a mount namespace of its own: a 512 KiB tmpfs; the watch records its first blocks, then
    # a filler takes every free byte (a real ENOSPC), and is removed once SQLite has said so
    script = f"""
        set -u
        mount -t tmpfs -o size=512k tmpfs {mnt}
        {watch} >{out}/stdout 2>{out}/log &
        pid=$!
        for i in $(seq 600); do grep -q '"block": 3' {out}/log 2>/dev/null && break; sleep 0.1; done
        cat /dev/zero > {mnt}/filler 2>/dev/null
        for i in $(seq 600); do grep -q 'SQLITE_FULL' {out}/log && break; sleep 0.1; done
        sleep 2
        rm -f {mnt}/filler
        wait $pid; echo $? >{out}/rc
        {" ".join(_cli("history", "--db", f"{mnt}/h.sqlite", "--json"))} >{out}/history
    """
    try:
        r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=240,
                           cwd=os.getcwd())
    finally:
        node.close()
    log = (out / "log").read_text()
    assert r.returncode == 0 and (out / "rc").read_text().strip() == "0", r.stderr + log
    assert "Traceback" not in log and "cannot rollback" not in log
    full = [json.loads(ln) for ln in log.splitlines() if "SQLITE_FULL" in ln]
    assert full, log
    assert "database or disk is full" in full[0]["message"] and "judged again on the next pass" in full[0]["message"]
    rows = [json.loads(ln) for ln in (out / "history").read_text().splitlines()]
    numbers = [row["number"] for row in rows]
    assert numbers == list(range(2, 2 + len(numbers))) and len(numbers) >= 8, numbers  # no gap, no double


def test_sqlite_full_inside_a_transaction_is_the_error_raised(tmp_path):
    """SQLITE_FULL rolls SQLite's transaction back by itself; a second ROLLBACK then failed with "no
    transaction is active" and hid it. max_page_count makes the same SQLITE_FULL in-process."""
    with History(tmp_path / "h.sqlite") as h:
        h.record(CheckRecord(1, 1, "0x01", "watch", "AGREE", {}), ("watch", 1))
        (pages,) = h.db.execute("PRAGMA page_count").fetchone()
        h.db.execute(f"PRAGMA max_page_count={pages}")
        with pytest.raises(HistoryError, match=r"record block #2: database or disk is full \(SQLITE_FULL\)") as e:
            h.record(CheckRecord(1, 2, "0x02", "watch", "AGREE", {"pad": "y" * 100_000}), ("watch", 2))
        assert not e.value.fatal and not h.db.in_transaction
        assert h.count() == 1 and h.cursor(1, "watch") == 1  # neither the row nor the cursor
        h.db.execute(f"PRAGMA max_page_count={pages * 100}")
        assert h.record(CheckRecord(1, 2, "0x02", "watch", "AGREE", {"pad": "y" * 100_000}), ("watch", 2))
        assert h.cursor(1, "watch") == 2


def _read_only(db_dir: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run argv with db_dir read-only: a read-only bind mount where the machine allows it, else the
    permissions (a non-root user cannot write a 0555 folder)."""
    if _private_mounts():
        script = f"mount --bind {db_dir} {db_dir} && mount -o remount,bind,ro {db_dir} && exec \"$@\""
        return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *argv], capture_output=True, text=True,
                              timeout=120)
    if os.geteuid() == 0:
        pytest.skip("root without mount namespaces: nothing here can make a folder read-only")
    for p in db_dir.iterdir():
        p.chmod(0o444)
    db_dir.chmod(0o555)
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=120)
    finally:
        db_dir.chmod(0o755)


def test_history_reads_a_database_it_cannot_write(tmp_path):
    db_dir = tmp_path / "ro"
    db_dir.mkdir()
    _fill(db_dir / "h.sqlite", range(1, 6))
    r = _read_only(db_dir, *_cli("history", "--db", str(db_dir / "h.sqlite"), "--json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert [json.loads(ln)["number"] for ln in r.stdout.splitlines()] == [1, 2, 3, 4, 5]
    assert sorted(p.name for p in db_dir.iterdir()) == ["h.sqlite"]  # nothing written beside it


def test_watch_on_a_database_it_cannot_write_stops_with_one_line(tmp_path):
    db_dir = tmp_path / "ro"
    db_dir.mkdir()
    _fill(db_dir / "h.sqlite", range(1, 3))
    node = Anvil()
    try:
        node.rpc("evm_mine")
        r = _read_only(db_dir, *_cli("watch", "--rpc", f"a={node.url}", "--db", str(db_dir / "h.sqlite"),
                                     "--poll", "0.2", "--max-blocks", "1"))
    finally:
        node.close()
    assert r.returncode == 4, r.stdout + r.stderr
    line = _one_error_line(r.stdout + r.stderr)
    assert str(db_dir / "h.sqlite") in line and ("read-only filesystem" in line or "not writable" in line), line
    assert "make it writable or choose another --db" in line

