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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from ..errors import InputError
from .reads import Reads

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


# SQLite's primary result codes (sqlite3.h) that mean the file cannot be used as it is: it is
# damaged, not a database, cannot be written or opened. Another pass would fail the same way, so a
# daemon stops on them. Every other error (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, …) is transient:
# the block was not recorded, its cursor did not move, and the next pass judges it again.
FATAL_CODES = {8: "SQLITE_READONLY", 11: "SQLITE_CORRUPT", 14: "SQLITE_CANTOPEN", 26: "SQLITE_NOTADB"}


class HistoryError(InputError):
    """The history database failed. `fatal`: it cannot be used until someone repairs or replaces it
    (corrupt, not a database, read-only); otherwise the failed write can succeed later (disk full,
    I/O error, locked). The message carries SQLite's own error text."""

    def __init__(self, message: str, where: Optional[str] = None, fatal: bool = True,
                 code: Optional[str] = None) -> None:
        super().__init__(message, where)
        self.fatal, self.code = fatal, code


def history_error(path: Path, what: str, exc: BaseException) -> HistoryError:
    """The one-line error of `what` failing on `path` with SQLite's (or the OS's) error `exc`."""
    if isinstance(exc, OSError):
        return HistoryError(f"{path}: cannot {what} ({exc.strerror or exc})", str(path), fatal=True)
    primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    name = getattr(exc, "sqlite_errorname", None)
    text = str(exc)
    # (Python 3.10 has no sqlite_errorcode: SQLite's messages for the same codes then decide)
    unusable = primary in (8, 14) or "readonly" in text or "unable to open" in text
    fatal = unusable or primary in FATAL_CODES or "malformed" in text or "not a database" in text
    hint = "; repair or move the file away" if fatal else "; the block is judged again on the next pass"
    if unusable:  # READONLY, CANTOPEN: say why, where the filesystem can tell
        hint = f"{unwritable(path)}; make it writable or choose another --db"
    return HistoryError(f"{path}: cannot {what}: {text}" + (f" ({name})" if name else "") + hint, str(path),
                        fatal=fatal, code=name)


def unwritable(path: Path) -> str:
    """Why `path` (a database) cannot be written, as a clause ('' when nothing here says why)."""
    import os

    folder = path.parent if path.parent.exists() else Path(".")
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"; {folder} is on a read-only filesystem"
    except OSError:
        pass
    for p in (folder, path):
        if p.exists() and not os.access(p, os.W_OK):
            return f"; {p} is not writable by this user"
    return ""


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


class History(Reads):
    """`readonly`: open for reading only (`history`, the status page): no WAL switch, no migration,
    and a file on a read-only mount or without write permission can still be read."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path, self.readonly = Path(path), readonly
        try:
            if readonly:
                self.db = self._open_readonly()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise history_error(self.path, "open the history database", exc) from None

    def _open_readonly(self) -> sqlite3.Connection:
        """mode=ro reads a WAL database when its -shm can be used; on a read-only mount it cannot,
        and `immutable=1` reads the main file as it is (a run on such a mount wrote nothing since)."""
        if not self.path.is_file():
            raise HistoryError(f"{self.path}: no history database here", str(self.path))
        uri = "file:" + quote(str(self.path.resolve()))
        last: Optional[sqlite3.Error] = None
        for flags in ("?mode=ro", "?mode=ro&immutable=1"):
            db = sqlite3.connect(uri + flags, uri=True, timeout=30, isolation_level=None)
            try:
                version = self._version_of(db)
            except sqlite3.Error as exc:
                db.close()
                last = exc
                if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (11, 26):  # damaged: no use retrying
                    break
                continue
            if version != SCHEMA_VERSION:
                db.close()
                raise HistoryError(f"{self.path}: history schema version {version}, this witnessverify reads "
                                   f"{SCHEMA_VERSION}" + ("; open it once with watch to migrate it" if version <
                                                         SCHEMA_VERSION else "; upgrade witnessverify"), str(self.path))
            return db
        assert last is not None
        raise last

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def schema_version(self) -> int:
        return self._version_of(self.db)

    @staticmethod
    def _version_of(db: sqlite3.Connection) -> int:
        has_meta = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return 0
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One write transaction. On any failure it is rolled back only if SQLite still holds it open
        (SQLITE_FULL may already have rolled it back), and the original error is the one raised."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:  # the first error is what the operator must see
                    pass
            if isinstance(exc, sqlite3.Error):
                raise history_error(self.path, what, exc) from None
            raise

    @contextmanager
    def _reading(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise history_error(self.path, what, exc) from None

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise InputError(f"{self.path}: history schema version {version} is newer than this witnessverify "
                             f"understands ({SCHEMA_VERSION}); upgrade witnessverify")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction(f"migrate the history to schema version {target}"):
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(target),))

    # -- writing --------------------------------------------------------------------------------
    def record(self, rec: CheckRecord, cursor: Optional[tuple[str, int]] = None) -> bool:
        """Write one judged block (and move `cursor` (name, number) with it) in one transaction.
        False if this block was already recorded (then only the cursor moves)."""
        with self._transaction(f"record block #{rec.number}"):
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
        return fresh

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction(f"keep {key}"):
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> Optional[str]:
        with self._reading(f"read {key}"):
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]

    def _set_cursor(self, chain_id: int, name: str, number: int) -> None:
        self.db.execute("INSERT INTO cursors (chain_id, name, number) VALUES (?, ?, ?) "
                        "ON CONFLICT (chain_id, name) DO UPDATE SET number = max(number, excluded.number)",
                        (chain_id, name, number))

    def set_cursor(self, chain_id: int, name: str, number: int) -> None:
        with self._transaction(f"move the cursor to #{number}"):
            self._set_cursor(chain_id, name, number)

    def cursor(self, chain_id: int, name: str) -> Optional[int]:
        with self._reading("read the cursor"):
            row = self.db.execute("SELECT number FROM cursors WHERE chain_id=? AND name=?", (chain_id, name)).fetchone()
        return None if row is None else row[0]

    def mark_abandoned(self, chain_id: int, number: int, block_hash: str) -> bool:
        with self._transaction(f"mark block #{number} abandoned"):
            cur = self.db.execute("UPDATE checks SET abandoned=1 WHERE chain_id=? AND number=? AND block_hash=? "
                                  "AND abandoned=0", (chain_id, number, block_hash))
        return cur.rowcount > 0

    # -- reading --------------------------------------------------------------------------------
    def recorded(self, chain_id: int, number: int) -> list[dict]:
        return list(self.query(chain_id=chain_id, number=number, include_abandoned=True))

    def recent_live(self, chain_id: int, since_number: int) -> list[tuple[int, str, Optional[str]]]:
        """(number, hash, engine verdict) of the blocks recorded from `since_number` on that are not
        abandoned."""
        with self._reading("read recent checks"):
            return self.db.execute("SELECT number, block_hash, engine_verdict FROM checks WHERE chain_id=? AND number>=? "
                                   "AND abandoned=0 AND block_hash != '' ORDER BY number",
                                   (chain_id, since_number)).fetchall()


def default_path() -> Path:
    """$WITNESSVERIFY_DB, else $XDG_STATE_HOME/witnessverify/history.sqlite (~/.local/state/…)."""
    import os

    if os.environ.get("WITNESSVERIFY_DB"):
        return Path(os.environ["WITNESSVERIFY_DB"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "witnessverify" / "history.sqlite"


__all__ = ["History", "HistoryError", "CheckRecord", "SCHEMA_VERSION", "default_path"]
