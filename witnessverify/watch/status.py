"""The status page and /metrics, served beside each other (`watch --metrics ADDR:PORT`).

`/` is one HTML page drawn on the server, with no script and nothing fetched from elsewhere (the
machine may be offline): the chain's name, the latest splits in detail (each wrong field with
every culprit's claim and the engine's value, the diagnosis, where the evidence was saved), a
client health panel (latest verdict, head and lag, last answer, last failure and why, the build
it runs), two charts with time and value axes (charts.py), and the last blocks with each
client's verdict. `/split/<id>` shows one split alone. `/metrics` is the Prometheus exposition.
`/healthz` answers 200 while the process runs. Everything is read from the history database
and a few numbers the watcher keeps; nothing grows in memory.
"""

from __future__ import annotations

import html
import json
import time
from typing import Callable, Optional

from ..store import History
from .charts import COLOURS, agreement_plot, mgas_plot
from .httpserve import BoundedHTTPServer

STATUS_DAY = 86400.0  # the health panel and the counts look back this far


def _e(x) -> str:
    return html.escape(str(x))


def _ago(t: Optional[float], now: float) -> str:
    if t is None:
        return "never"
    s = int(now - t)
    return f"{s}s ago" if s < 120 else f"{s // 60}m ago" if s < 7200 else f"{s // 3600}h ago"


def _report(row: dict) -> dict:
    r = row.get("report")
    try:
        return json.loads(r) if isinstance(r, str) else (r or {})
    except ValueError:
        return {}


def client_health(history: History, state: dict, recent: list[dict], now: float) -> str:
    """Per client: its latest verdict, its head and lag (stalled marked: not followed), when it
    last answered, when it last did not and why, and the build it runs (web3_clientVersion)."""
    health = history.client_health(state.get("chain_id"), now - STATUS_DAY)
    heads, lags, stalled = state.get("client_heads") or {}, state.get("client_lags") or {}, state.get("stalled") or []
    versions: dict[str, str] = {}
    for row in recent[:20]:  # the newest report that names a client's build
        for v in _report(row).get("clients") or []:
            if isinstance(v, dict) and v.get("version") and v.get("client") not in versions:
                versions[v["client"]] = v["version"]
    names = sorted(set(health) | set(heads))
    if not names:
        return '<p id="clients">no client judged yet</p>'
    rows = []
    for name in names:
        h = health.get(name, {})
        head = ""
        if name in heads:
            head = f"<b>{_e(heads[name])}</b>" + (
                f" ({_e(lags[name])} behind" + (", stalled: not followed" if name in stalled else "") + ")"
                if lags.get(name) else "")
        latest = h.get("latest") or ""
        error = (f'{_ago(h["last_error"], now)}: {_e((h.get("error") or "")[:160])}' if h.get("last_error") else "none")
        rows.append(
            f'<tr class="client{" stalled" if name in stalled else ""}" data-client="{_e(name)}"><td>{_e(name)}</td>'
            f'<td class="v" style="background:{COLOURS.get(latest, "#fff")}">{_e(latest)}</td><td>{head}</td>'
            f'<td class="ok">{_ago(h.get("last_ok"), now)}</td><td class="error">{error}</td>'
            f'<td class="version">{_e(versions.get(name, ""))}</td></tr>')
    return ('<table id="clients"><tr><th>client</th><th>latest</th><th>head</th><th>last answered</th>'
            '<th>last unavailable (24 h)</th><th>runs</th></tr>' + "".join(rows) + "</table>")


def split_detail(row: dict) -> str:
    """One split: per culprit each wrong field with what the client claims and what the engine
    computes, the diagnosis, the engine's judgement and where the evidence is."""
    from ..tiebreak.claims import diagnosis_text

    rep = _report(row)
    engine = rep.get("engine") or {}
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(row["checked_at"]))
    lines = []
    for v in rep.get("clients") or []:
        if not isinstance(v, dict):
            continue
        values = v.get("values") or {}
        fields = v.get("fields") or []
        cells = "".join(
            f'<tr class="field"><td>{_e(f)}</td><td class="hash">{_e((values.get(f) or {}).get("claimed", ""))}</td>'
            f'<td class="hash">{_e((values.get(f) or {}).get("computed", ""))}</td></tr>' for f in fields)
        diagnosis = diagnosis_text(v["diagnosis"]) if isinstance(v.get("diagnosis"), dict) and v["diagnosis"] else ""
        lines.append(
            f'<div class="culprit" data-client="{_e(v.get("client"))}"><p><b>{_e(v.get("client"))}</b> '
            f'<span class="word" style="color:{COLOURS.get(v.get("verdict"), "#222")}">{_e(v.get("verdict"))}</span> '
            f'{_e(v.get("detail") or "")}' + (f' <i>runs {_e(v["version"])}</i>' if v.get("version") else "") + "</p>"
            + (f'<table class="fields"><tr><th>field</th><th>the client claims</th><th>the engine computes</th></tr>'
               f'{cells}</table>' if cells else "")
            + (f'<p class="diagnosis">diagnosis: {_e(diagnosis)}</p>' if diagnosis else "") + "</div>")
    evidence = (f'<p class="evidence">evidence saved in <code>{_e(row["saved_dir"])}</code> (replay: '
                f'<code>witnessverify verify {_e(row["saved_dir"])}</code>)</p>' if row.get("saved_dir") else
                '<p class="evidence">evidence not saved (watch --save-dir DIR keeps each split\'s bundle and claims)</p>')
    return (f'<section class="split-detail" id="split-{row["id"]}"><h3>{_e(row["overall"])} at #{row["number"]} '
            f'<span class="hash">{_e(row["block_hash"])}</span></h3>'
            f'<p>{when}: {_e(row.get("reason") or "")}; engine {_e(engine.get("verdict", "?"))} '
            f'({_e(engine.get("fork", "?"))})</p>{"".join(lines)}{evidence}</section>')


def _shell(title: str, body: str, refresh: bool = True) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{'<meta http-equiv="refresh" content="30">' if refresh else ""}
<title>{_e(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:18px;color:#222}} h1{{font-size:20px;margin:0 0 6px}}
h2{{font-size:15px}} h3{{font-size:14px;margin:4px 0}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border:1px solid #ddd;padding:3px 6px;text-align:left}}
td.v{{color:#fff;font-weight:600}} .hash{{font-family:monospace}} .banner{{padding:6px 10px;font-weight:600;color:#fff;display:inline-block}}
.banner.ok{{background:#2e9d4f}} .banner.split{{background:#d12c2c}} .facts span{{margin-right:18px}}
.abandoned td{{opacity:.55}} .client.stalled td{{color:#d12c2c;font-weight:600}}
.split-detail{{border-left:4px solid #d12c2c;padding:2px 10px;margin:8px 0;font-size:13px;max-width:1000px}} .word{{font-weight:700}}
.fields td.hash{{word-break:break-all}}
</style></head><body>
{body}
</body></html>"""


def page(history: History, state: dict, limit: int = 50, plot_points: int = 200, splits_shown: int = 3) -> str:
    now = time.time()
    chain_id = state.get("chain_id")
    name = state.get("chain_name") or (f"chain {chain_id}" if chain_id is not None else "no chain yet")
    recent = list(history.query(chain_id=chain_id, limit=plot_points, newest_first=True))
    plotted = list(reversed(recent))
    counts = history.counts_since(chain_id, now - STATUS_DAY)
    head, last = state.get("head"), state.get("last")
    lag = (head - last) if head is not None and last is not None else None
    splits = counts.get("SPLIT", 0)
    banner = (f'<p class="banner split">{splits} split(s) in the last 24 h</p>' if splits
              else '<p class="banner ok">no split in the last 24 h</p>')
    latest_splits = list(history.query(chain_id=chain_id, overall="SPLIT", limit=splits_shown, newest_first=True))
    clients = sorted({v["client"] for r in recent[:limit] for v in r["verdicts"]})
    rows_html = []
    for r in recent[:limit]:
        by = {v["client"]: v for v in r["verdicts"]}
        cells = "".join(
            f'<td class="v" style="background:{COLOURS.get(by[c]["verdict"], "#fff") if c in by else "#fff"}" '
            f'title="{_e(by[c]["detail"]) if c in by else ""}">{_e(by[c]["verdict"]) if c in by else ""}</td>'
            for c in clients)
        mgas = "" if r["mgas_per_s"] is None else f"{r['mgas_per_s']:.2f}"
        overall = _e(r["overall"])
        if r["overall"] == "SPLIT":
            overall = f'<a style="color:#fff" href="/split/{r["id"]}">{overall}</a>'
        rows_html.append(
            f'<tr class="row {_e(r["overall"].lower())}{" abandoned" if r["abandoned"] else ""}">'
            f'<td>{time.strftime("%H:%M:%S", time.gmtime(r["checked_at"]))}</td><td>{r["number"]}</td>'
            f'<td class="hash">{_e(r["block_hash"][:18])}</td>'
            f'<td class="v" style="background:{COLOURS.get(r["overall"], "#fff")}">{overall}'
            f'{" (abandoned)" if r["abandoned"] else ""}</td>{cells}'
            f'<td>{mgas}</td>'
            f'<td class="reason">{_e((r["reason"] or "")[:140])}</td></tr>')
    summary = ", ".join(f"{_e(k)} {v}" for k, v in sorted(counts.items())) or "nothing yet"
    split_part = ("<h2>Latest splits</h2>" + "".join(split_detail(r) for r in latest_splits)) if latest_splits else ""
    body = f"""<h1>witnessverify — <span id="chain">{_e(name)}</span>{f" (chain id {_e(chain_id)})" if chain_id is not None else ""}</h1>
{banner}
<p class="facts"><span>head <b id="head">{_e(head)}</b> ({_e(state.get("follow"))})</span>
<span>last checked <b id="last">{_e(last)}</b></span><span>lag <b id="lag">{_e(lag)}</b> blocks</span>
<span>mode {_e(state.get("mode"))}: {_e(state.get("schedule"))}</span>
<span>up {_ago(state.get("started"), now).replace(" ago", "")}</span></p>
<p>last 24 h: <span id="counts">{summary}</span></p>
{split_part}
<h2>Clients</h2>{client_health(history, state, recent, now)}
<h2>Mgas/s per block</h2>{mgas_plot(plotted)}
<h2>Agreement over time</h2>{agreement_plot(plotted)}
<h2>Last blocks</h2>
<table id="blocks"><tr><th>time (UTC)</th><th>block</th><th>hash</th><th>overall</th>
{"".join(f"<th>{_e(c)}</th>" for c in clients)}<th>Mgas/s</th><th>reason</th></tr>
{"".join(rows_html)}
</table>"""
    return _shell(f"witnessverify status: {name}", body)


def split_page(history: History, state: dict, check_id: int) -> Optional[str]:
    """/split/<id>: one split alone (a link to send the on-call colleague)."""
    row = history.by_id(check_id)
    if row is None or (state.get("chain_id") is not None and row["chain_id"] != state.get("chain_id")):
        return None
    return _shell(f"witnessverify: {row['overall']} at #{row['number']}",
                  f'<p><a href="/">← status</a></p>{split_detail(row)}', refresh=False)


class StatusServer:
    """/, /metrics and /healthz on ADDR:PORT (httpserve.py: bounded connections, read and write
    times, and threads, so no peer can starve the watcher)."""

    def __init__(self, addr: str, port: int, db_path: str, state: dict, metrics_body: Callable[[], bytes],
                 **bounds) -> None:
        self.db_path, self.state, self.metrics_body = db_path, state, metrics_body
        self.httpd = BoundedHTTPServer(addr, port, self.answer, **bounds)

    def answer(self, method: str, path: str) -> tuple[int, str, bytes]:
        path = path.split("?")[0]
        try:
            if path == "/metrics":
                return 200, "text/plain; version=0.0.4; charset=utf-8", self.metrics_body()
            if path == "/healthz":
                return 200, "text/plain", b"ok\n"
            if path == "/":
                with History(self.db_path, readonly=True) as h:
                    return 200, "text/html; charset=utf-8", page(h, dict(self.state)).encode()
            if path.startswith("/split/") and path[7:].isdigit():
                with History(self.db_path, readonly=True) as h:
                    shown = split_page(h, dict(self.state), int(path[7:]))
                if shown is not None:
                    return 200, "text/html; charset=utf-8", shown.encode()
            return 404, "text/plain", b"not found\n"
        except Exception as exc:  # noqa: BLE001 - the page fails, never the watcher
            return 500, "text/plain", f"status unavailable: {type(exc).__name__}: {exc}".encode()

    @property
    def port(self) -> int:
        return self.httpd.port

    def close(self) -> None:
        self.httpd.close()
