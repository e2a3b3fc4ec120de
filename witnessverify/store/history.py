"""The history of checks: one SQLite file (stdlib, WAL), written once per block, never lost.

Each judged block is one transaction: its row in `checks`, one row per client (and per rollup
node or root given by hand) in `verdicts`, and the mode's cursor in `cursors` move together, so
a process killed at any point (SIGTERM, SIGKILL, power loss: `synchronous=FULL`) either recorded
the block and moved past it, or did neither and checks it again after a restart — no gap, no
double. A block is unique by (chain id, number, hash): recording it twice is refused.

Schema (version 1; `meta.schema_version`, migrations in MIGRATIONS, applied in order at open):

    meta(key TEXT PRIMARY KEY, value TEXT)
    checks(id INTEGER PRIMARY KEY, chain_id INTEGER, number INTEGER, block_hash TEXT ('' if no
           block could be named), checked_at REAL (unix s), mode TEXT (watch|spot-check|audit),
           overall TEXT (AGREE|SPLIT|INCONCLUSIVE|NO_SOURCE, or an audit's engine verdict),
           reason TEXT, engine_verdict TEXT, fork TEXT, gas_used INTEGER, seconds REAL,
           mgas_per_s REAL, output_root TEXT, saved_dir TEXT, abandoned INTEGER (1: the chain
           reorganised it away), report TEXT (the full JSON report),
           UNIQUE(chain_id, number, block_hash))
    verdicts(check_id INTEGER REFERENCES checks(id), client TEXT, kind TEXT (client|output),
             verdict TEXT, detail TEXT, fields TEXT (JSON list), PRIMARY KEY(check_id, client, kind))
    cursors(chain_id INTEGER, name TEXT, number INTEGER, PRIMARY KEY(chain_id, name))
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from ..errors import InputError

SCHEMA_VERSION = 1
MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            chain_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            block_hash TEXT NOT NULL,
            checked_at REAL NOT NULL,
            mode TEXT NOT NULL,
            overall TEXT NOT NULL,
            reason TEXT,
            engine_verdict TEXT,
            fork TEXT,
            gas_used INTEGER,
            seconds REAL,
            mgas_per_s REAL,
            output_root TEXT,
            saved_dir TEXT,
            abandoned INTEGER NOT NULL DEFAULT 0,
            report TEXT NOT NULL,
            UNIQUE (chain_id, number, block_hash))""",
        "CREATE INDEX checks_time ON checks (checked_at)",
        "CREATE INDEX checks_number ON checks (chain_id, number)",
        """CREATE TABLE verdicts (
            check_id INTEGER NOT NULL REFERENCES checks (id),
            client TEXT NOT NULL,
            kind TEXT NOT NULL,
            verdict TEXT NOT NULL,
            detail TEXT,
            fields TEXT,
            PRIMARY KEY (check_id, client, kind))""",
        """CREATE TABLE cursors (
            chain_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            number INTEGER NOT NULL,
            PRIMARY KEY (chain_id, name))""",
    ],
}


@dataclass
class CheckRecord:
    """One judged block, as plain data (see the schema above)."""

    chain_id: int
    number: int
    block_hash: str
    mode: str
    overall: str
    report: dict
    reason: str = ""
    engine_verdict: Optional[str] = None
    fork: Optional[str] = None
    gas_used: Optional[int] = None
    seconds: Optional[float] = None
    mgas_per_s: Optional[float] = None
    output_root: Optional[str] = None
    saved_dir: Optional[str] = None
    checked_at: float = field(default_factory=time.time)
    # (client, kind, verdict, detail, fields)
    verdicts: list[tuple[str, str, str, str, list]] = field(default_factory=list)


class History:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: not a usable history database ({exc})") from None
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open the history database ({exc.strerror or exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def schema_version(self) -> int:
        has_meta = self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise InputError(f"{self.path}: history schema version {version} is newer than this witnessverify "
                             f"understands ({SCHEMA_VERSION}); upgrade witnessverify")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(target),))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # -- writing --------------------------------------------------------------------------------
    def record(self, rec: CheckRecord, cursor: Optional[tuple[str, int]] = None) -> bool:
        """Write one judged block (and move `cursor` (name, number) with it) in one transaction.
        False if this block was already recorded (then only the cursor moves)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            try:
                cur = self.db.execute(
                    """INSERT INTO checks (chain_id, number, block_hash, checked_at, mode, overall, reason,
                       engine_verdict, fork, gas_used, seconds, mgas_per_s, output_root, saved_dir, report)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (rec.chain_id, rec.number, rec.block_hash, rec.checked_at, rec.mode, rec.overall, rec.reason,
                     rec.engine_verdict, rec.fork, rec.gas_used, rec.seconds, rec.mgas_per_s, rec.output_root,
                     rec.saved_dir, json.dumps(rec.report, default=str, separators=(",", ":"))))
                fresh = True
            except sqlite3.IntegrityError:  # UNIQUE (chain, number, hash): already recorded
                fresh = False
            if fresh:  # any failure here rolls the whole block back, the check row included
                self.db.executemany(
                    "INSERT INTO verdicts (check_id, client, kind, verdict, detail, fields) VALUES (?, ?, ?, ?, ?, ?)",
                    [(cur.lastrowid, c, k, v, d, json.dumps(f)) for c, k, v, d, f in rec.verdicts])
            if cursor is not None:
                self._set_cursor(rec.chain_id, *cursor)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return fresh

    def _set_cursor(self, chain_id: int, name: str, number: int) -> None:
        self.db.execute("INSERT INTO cursors (chain_id, name, number) VALUES (?, ?, ?) "
                        "ON CONFLICT (chain_id, name) DO UPDATE SET number = max(number, excluded.number)",
                        (chain_id, name, number))

    def set_cursor(self, chain_id: int, name: str, number: int) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self._set_cursor(chain_id, name, number)
        self.db.execute("COMMIT")

    def cursor(self, chain_id: int, name: str) -> Optional[int]:
        row = self.db.execute("SELECT number FROM cursors WHERE chain_id=? AND name=?", (chain_id, name)).fetchone()
        return None if row is None else row[0]

    def mark_abandoned(self, chain_id: int, number: int, block_hash: str) -> bool:
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute("UPDATE checks SET abandoned=1 WHERE chain_id=? AND number=? AND block_hash=? AND abandoned=0",
                              (chain_id, number, block_hash))
        self.db.execute("COMMIT")
        return cur.rowcount > 0

    # -- reading --------------------------------------------------------------------------------
    def recorded(self, chain_id: int, number: int) -> list[dict]:
        return list(self.query(chain_id=chain_id, number=number, include_abandoned=True))

    def recent_live(self, chain_id: int, since_number: int) -> list[tuple[int, str, Optional[str]]]:
        """(number, hash, engine verdict) of the blocks recorded from `since_number` on that are not
        abandoned."""
        return self.db.execute("SELECT number, block_hash, engine_verdict FROM checks WHERE chain_id=? AND number>=? "
                               "AND abandoned=0 AND block_hash != '' ORDER BY number", (chain_id, since_number)).fetchall()

    def query(self, since: Optional[float] = None, overall: Optional[str] = None, client: Optional[str] = None,
              chain_id: Optional[int] = None, number: Optional[int] = None, limit: Optional[int] = None,
              include_abandoned: bool = True, newest_first: bool = False) -> Iterator[dict]:
        where, args = [], []
        if since is not None:
            where.append("checked_at >= ?")
            args.append(since)
        if overall is not None:
            where.append("overall = ?")
            args.append(overall)
        if chain_id is not None:
            where.append("chain_id = ?")
            args.append(chain_id)
        if number is not None:
            where.append("number = ?")
            args.append(number)
        if client is not None:
            where.append("id IN (SELECT check_id FROM verdicts WHERE client = ?)")
            args.append(client)
        if not include_abandoned:
            where.append("abandoned = 0")
        sql = "SELECT * FROM checks" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY checked_at DESC, id DESC" if newest_first else " ORDER BY checked_at, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        cur = self.db.execute(sql, args)
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            item = dict(zip(names, row))
            item["verdicts"] = [
                {"client": c, "kind": k, "verdict": v, "detail": d, "fields": json.loads(f or "[]")}
                for c, k, v, d, f in self.db.execute(
                    "SELECT client, kind, verdict, detail, fields FROM verdicts WHERE check_id=? ORDER BY kind, client",
                    (item["id"],))
            ]
            yield item

    def counts_since(self, chain_id: Optional[int], since: float) -> dict[str, int]:
        """Checks per overall answer since `since` (one aggregate query: the status page)."""
        rows = self.db.execute("SELECT overall, count(*) FROM checks WHERE checked_at >= ? AND (? IS NULL OR chain_id = ?) "
                               "GROUP BY overall", (since, chain_id, chain_id)).fetchall()
        return dict(rows)

    def keys(self, mode: Optional[str] = None) -> set[tuple[int, int, str]]:
        """(chain id, number, hash) of every recorded block (of one mode): what a resumed run skips."""
        sql, args = "SELECT chain_id, number, block_hash FROM checks", ()
        if mode is not None:
            sql, args = sql + " WHERE mode = ?", (mode,)
        return set(self.db.execute(sql, args).fetchall())

    def count(self, chain_id: Optional[int] = None) -> int:
        if chain_id is None:
            return self.db.execute("SELECT count(*) FROM checks").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM checks WHERE chain_id=?", (chain_id,)).fetchone()[0]


def default_path() -> Path:
    """$WITNESSVERIFY_DB, else $XDG_STATE_HOME/witnessverify/history.sqlite (~/.local/state/…)."""
    import os

    if os.environ.get("WITNESSVERIFY_DB"):
        return Path(os.environ["WITNESSVERIFY_DB"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "witnessverify" / "history.sqlite"


__all__ = ["History", "CheckRecord", "SCHEMA_VERSION", "default_path"]
