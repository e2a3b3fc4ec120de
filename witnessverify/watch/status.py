"""The status page and /metrics, served beside each other (`watch --metrics ADDR:PORT`).

`/` is one HTML page drawn on the server — the last blocks with each client's verdict, the lag,
and two small SVG plots (Mgas/s per block, and agreement over time) — with no script and nothing
fetched from elsewhere (the machine may be offline). `/metrics` is the Prometheus exposition.
`/healthz` answers 200 while the process runs. Everything is read from the history database
and a few numbers the watcher keeps; nothing grows in memory.
"""

from __future__ import annotations

import html
import time
from typing import Callable, Optional

from ..store import History
from .httpserve import BoundedHTTPServer

COLOURS = {"AGREE": "#2e9d4f", "AGREES": "#2e9d4f", "SPLIT": "#d12c2c", "DISAGREES": "#d12c2c",
           "REJECTED": "#d12c2c", "INCONCLUSIVE": "#e0a020", "UNJUDGED": "#e0a020", "NO_SOURCE": "#888888",
           "UNAVAILABLE": "#888888", "VALID": "#2e9d4f", "MISMATCH": "#d12c2c",
           "DIFFERENT_CHAIN": "#7c3aed"}


def _e(x) -> str:
    return html.escape(str(x))


def _ago(t: Optional[float], now: float) -> str:
    if t is None:
        return "never"
    s = int(now - t)
    return f"{s}s ago" if s < 120 else f"{s // 60}m ago" if s < 7200 else f"{s // 3600}h ago"


def mgas_plot(rows: list[dict], width: int = 560, height: int = 140) -> str:
    """Mgas/s of each judged block, oldest left: a polyline with its scale."""
    points = [(r["checked_at"], r["mgas_per_s"]) for r in rows if r.get("mgas_per_s")]
    frame = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Mgas/s per block" class="plot" id="plot-mgas">'
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fafafa" stroke="#ccc"/>')
    if len(points) < 1:
        return frame + f'<text x="10" y="{height // 2}" font-size="12" fill="#666">no blocks executed yet</text></svg>'
    top = max(v for _, v in points) * 1.1 or 1.0
    n = len(points)
    pad = 34
    xs = [pad + (width - pad - 8) * (i / max(1, n - 1)) for i in range(n)]
    ys = [height - 18 - (height - 30) * (v / top) for _, v in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#2563eb"/>' for x, y in zip(xs, ys))
    return (frame + f'<polyline points="{line}" fill="none" stroke="#2563eb" stroke-width="1.5"/>{dots}'
            f'<text x="4" y="14" font-size="11" fill="#444">{top:.1f}</text>'
            f'<text x="4" y="{height - 6}" font-size="11" fill="#444">0 Mgas/s</text></svg>')


def agreement_plot(rows: list[dict], width: int = 560, height: int = 40) -> str:
    """One bar per judged block, oldest left, coloured by the overall answer."""
    frame = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="agreement over time" class="plot" id="plot-agreement">'
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fafafa" stroke="#ccc"/>')
    if not rows:
        return frame + '</svg>'
    w = (width - 4) / len(rows)
    bars = "".join(
        f'<rect x="{2 + i * w:.2f}" y="4" width="{max(w - 1, 1):.2f}" height="{height - 8}" '
        f'fill="{COLOURS.get(r["overall"], "#888")}"><title>#{r["number"]} {_e(r["overall"])}</title></rect>'
        for i, r in enumerate(rows))
    return frame + bars + "</svg>"


def client_heads(state: dict) -> str:
    """Each client's head and its lag behind the leader; a stalled one is marked (not followed)."""
    heads, lags, stalled = state.get("client_heads") or {}, state.get("client_lags") or {}, state.get("stalled") or []
    if not heads:
        return ""
    cells = "".join(
        f'<span class="client{" stalled" if name in stalled else ""}" data-client="{_e(name)}">{_e(name)} '
        f'<b>{_e(heads[name])}</b>' + (f" ({_e(lags[name])} behind" + (", stalled: not followed" if name in stalled
                                                                        else "") + ")" if lags.get(name) else "")
        + "</span>" for name in sorted(heads))
    return f'<p class="facts" id="clients">clients: {cells}</p>'


def page(history: History, state: dict, limit: int = 50, plot_points: int = 200) -> str:
    now = time.time()
    chain_id = state.get("chain_id")
    recent = list(history.query(chain_id=chain_id, limit=plot_points, newest_first=True))
    plotted = list(reversed(recent))
    counts = history.counts_since(chain_id, now - 86400)
    head, last = state.get("head"), state.get("last")
    lag = (head - last) if head is not None and last is not None else None
    splits = counts.get("SPLIT", 0)
    banner = (f'<p class="banner split">{splits} split(s) in the last 24 h</p>' if splits
              else '<p class="banner ok">no split in the last 24 h</p>')
    clients = sorted({v["client"] for r in recent[:limit] for v in r["verdicts"]})
    rows_html = []
    for r in recent[:limit]:
        by = {v["client"]: v for v in r["verdicts"]}
        cells = "".join(
            f'<td class="v" style="background:{COLOURS.get(by[c]["verdict"], "#fff") if c in by else "#fff"}" '
            f'title="{_e(by[c]["detail"]) if c in by else ""}">{_e(by[c]["verdict"]) if c in by else ""}</td>'
            for c in clients)
        mgas = "" if r["mgas_per_s"] is None else f"{r['mgas_per_s']:.2f}"
        rows_html.append(
            f'<tr class="row {_e(r["overall"].lower())}{" abandoned" if r["abandoned"] else ""}">'
            f'<td>{time.strftime("%H:%M:%S", time.gmtime(r["checked_at"]))}</td><td>{r["number"]}</td>'
            f'<td class="hash">{_e(r["block_hash"][:18])}</td>'
            f'<td class="v" style="background:{COLOURS.get(r["overall"], "#fff")}">{_e(r["overall"])}'
            f'{" (abandoned)" if r["abandoned"] else ""}</td>{cells}'
            f'<td>{mgas}</td>'
            f'<td class="reason">{_e((r["reason"] or "")[:140])}</td></tr>')
    summary = ", ".join(f"{_e(k)} {v}" for k, v in sorted(counts.items())) or "nothing yet"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>witnessverify status</title>
<style>
body{{font-family:system-ui,sans-serif;margin:18px;color:#222}} h1{{font-size:20px;margin:0 0 6px}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border:1px solid #ddd;padding:3px 6px;text-align:left}}
td.v{{color:#fff;font-weight:600}} .hash{{font-family:monospace}} .banner{{padding:6px 10px;font-weight:600;color:#fff;display:inline-block}}
.banner.ok{{background:#2e9d4f}} .banner.split{{background:#d12c2c}} .facts span{{margin-right:18px}}
.abandoned td{{opacity:.55}} .client.stalled{{color:#d12c2c;font-weight:600}}
</style></head><body>
<h1>witnessverify — chain {_e(chain_id)}</h1>
{banner}
<p class="facts"><span>head <b id="head">{_e(head)}</b> ({_e(state.get("follow"))})</span>
<span>last checked <b id="last">{_e(last)}</b></span><span>lag <b id="lag">{_e(lag)}</b> blocks</span>
<span>mode {_e(state.get("mode"))}: {_e(state.get("schedule"))}</span>
<span>up {_ago(state.get("started"), now).replace(" ago", "")}</span></p>
{client_heads(state)}
<p>last 24 h: <span id="counts">{summary}</span></p>
<h2 style="font-size:15px">Mgas/s per block</h2>{mgas_plot(plotted)}
<h2 style="font-size:15px">Agreement over time</h2>{agreement_plot(plotted)}
<h2 style="font-size:15px">Last blocks</h2>
<table id="blocks"><tr><th>time (UTC)</th><th>block</th><th>hash</th><th>overall</th>
{"".join(f"<th>{_e(c)}</th>" for c in clients)}<th>Mgas/s</th><th>reason</th></tr>
{"".join(rows_html)}
</table></body></html>"""


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
            return 404, "text/plain", b"not found\n"
        except Exception as exc:  # noqa: BLE001 - the page fails, never the watcher
            return 500, "text/plain", f"status unavailable: {type(exc).__name__}: {exc}".encode()

    @property
    def port(self) -> int:
        return self.httpd.port

    def close(self) -> None:
        self.httpd.close()
