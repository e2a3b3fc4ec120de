"""The history's reads (a mixin of History, store/history.py): checks by filter, by id, counts
and client health for the status page, and the keys a resumed audit skips. Each is one or a few
SQL queries; none holds anything per block in memory."""

from __future__ import annotations

import json
from typing import Optional


class Reads:
    """Needs `db` (an open sqlite3 connection) and `_reading(what)` (errors as HistoryError)."""

    def query(self, since: Optional[float] = None, overall: Optional[str] = None, client: Optional[str] = None,
              chain_id: Optional[int] = None, number: Optional[int] = None, limit: Optional[int] = None,
              include_abandoned: bool = True, newest_first: bool = False) -> list[dict]:
        with self._reading("read the history"):
            return self._query(since, overall, client, chain_id, number, limit, include_abandoned, newest_first)

    def _query(self, since, overall, client, chain_id, number, limit, include_abandoned, newest_first) -> list[dict]:
        given = [(clause, value) for clause, value in (
            ("checked_at >= ?", since), ("overall = ?", overall), ("chain_id = ?", chain_id), ("number = ?", number),
            ("id IN (SELECT check_id FROM verdicts WHERE client = ?)", client)) if value is not None]
        where, args = [clause for clause, _ in given], [value for _, value in given]
        if not include_abandoned:
            where.append("abandoned = 0")
        sql = "SELECT * FROM checks" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY checked_at DESC, id DESC" if newest_first else " ORDER BY checked_at, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._checks(sql, args)

    def counts_since(self, chain_id: Optional[int], since: float) -> dict[str, int]:
        """Checks per overall answer since `since` (one aggregate query: the status page)."""
        with self._reading("count checks"):
            rows = self.db.execute("SELECT overall, count(*) FROM checks WHERE checked_at >= ? AND (? IS NULL OR chain_id = ?) "
                                   "GROUP BY overall", (since, chain_id, chain_id)).fetchall()
        return dict(rows)

    def by_id(self, check_id: int) -> Optional[dict]:
        """One recorded check (the status page's split view), or None."""
        with self._reading("read a check"):
            found = self._checks("SELECT * FROM checks WHERE id = ?", (check_id,))
        return found[0] if found else None

    def _checks(self, sql: str, args) -> list[dict]:
        """Rows of `checks` as dicts, each with its verdicts."""
        cur = self.db.execute(sql, args)
        names = [d[0] for d in cur.description]
        items = [dict(zip(names, row)) for row in cur.fetchall()]
        for item in items:
            item["verdicts"] = self._verdicts_of(item["id"])
        return items

    def _verdicts_of(self, check_id: int) -> list[dict]:
        return [{"client": c, "kind": k, "verdict": v, "detail": d, "fields": json.loads(f or "[]")}
                for c, k, v, d, f in self.db.execute("SELECT client, kind, verdict, detail, fields FROM verdicts "
                                                     "WHERE check_id=? ORDER BY kind, client", (check_id,))]

    def client_health(self, chain_id: Optional[int], since: float) -> dict[str, dict]:
        """Per client (and rollup node) since `since`: when it last answered (any verdict but
        UNAVAILABLE), when it last did not and why, and its latest verdict. Aggregate queries over
        the time index: nothing is held per block."""
        window = ("FROM verdicts v JOIN checks c ON c.id = v.check_id WHERE c.checked_at >= ? "
                  "AND (? IS NULL OR c.chain_id = ?)")
        args = (since, chain_id, chain_id)
        out: dict[str, dict] = {}
        with self._reading("read client health"):
            for client, kind, ok, bad, checks in self.db.execute(
                    "SELECT v.client, v.kind, max(CASE WHEN v.verdict != 'UNAVAILABLE' THEN c.checked_at END), "
                    f"max(CASE WHEN v.verdict = 'UNAVAILABLE' THEN c.checked_at END), count(*) {window} "
                    "GROUP BY v.client, v.kind", args):
                out[client] = {"kind": kind, "last_ok": ok, "last_error": bad, "checks": checks, "error": None,
                               "latest": None}
            for client, info in out.items():
                if info["last_error"] is not None:
                    info["error"] = self.db.execute(
                        f"SELECT v.detail {window} AND v.client = ? AND v.verdict = 'UNAVAILABLE' "
                        "ORDER BY c.checked_at DESC LIMIT 1", args + (client,)).fetchone()[0]
                info["latest"] = self.db.execute(
                    f"SELECT v.verdict {window} AND v.client = ? ORDER BY c.checked_at DESC, c.id DESC LIMIT 1",
                    args + (client,)).fetchone()[0]
        return out

    def keys(self, mode: Optional[str] = None) -> set[tuple[int, int, str]]:
        """(chain id, number, hash) of every recorded block (of one mode): what a resumed run skips."""
        sql, args = "SELECT chain_id, number, block_hash FROM checks", ()
        if mode is not None:
            sql, args = sql + " WHERE mode = ?", (mode,)
        with self._reading("read recorded blocks"):
            return set(self.db.execute(sql, args).fetchall())

    def audited_files(self) -> dict[str, tuple[int, int]]:
        """Bundle files an audit judged: path -> (size, modification time in ns), as recorded
        with each result that named a block (an unreadable file is tried again)."""
        sql = ("SELECT json_extract(report, '$.file.path'), json_extract(report, '$.file.size'), "
               "json_extract(report, '$.file.mtimeNs') FROM checks WHERE mode = 'audit' AND block_hash != '' "
               "AND json_extract(report, '$.file.path') IS NOT NULL")
        with self._reading("read audited files"):
            return {path: (size, mtime) for path, size, mtime in self.db.execute(sql)}

    def count(self, chain_id: Optional[int] = None) -> int:
        with self._reading("count checks"):
            if chain_id is None:
                return self.db.execute("SELECT count(*) FROM checks").fetchone()[0]
            return self.db.execute("SELECT count(*) FROM checks WHERE chain_id=?", (chain_id,)).fetchone()[0]
