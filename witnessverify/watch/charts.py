"""The status page's two charts, drawn as SVG on the server (no script, nothing fetched): Mgas/s
per judged block and the overall answer per block, each over time, with labelled axes (time in
UTC below, the value at the left) and a legend."""

from __future__ import annotations

import html
import time

COLOURS = {"AGREE": "#2e9d4f", "AGREES": "#2e9d4f", "SPLIT": "#d12c2c", "DISAGREES": "#d12c2c",
           "REJECTED": "#d12c2c", "INCONCLUSIVE": "#e0a020", "UNJUDGED": "#e0a020", "NO_SOURCE": "#888888",
           "UNAVAILABLE": "#888888", "VALID": "#2e9d4f", "MISMATCH": "#d12c2c",
           "DIFFERENT_CHAIN": "#7c3aed"}
OVERALLS = ("AGREE", "SPLIT", "INCONCLUSIVE", "NO_SOURCE")
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 10, 34  # the plot area's margins: axis labels live there
TEXT = 'font-size="11" fill="#444"'


def _e(x) -> str:
    return html.escape(str(x))


def _frame(kind: str, label: str, width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{_e(label)}" class="plot" id="plot-{kind}">'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fafafa" stroke="#ccc"/>')


def _when(t: float, span: float) -> str:
    return time.strftime("%H:%M:%S" if span < 600 else "%H:%M" if span < 86400 else "%m-%d %H:%M", time.gmtime(t))


def time_axis(times: list[float], xs: list[float], width: int, height: int) -> str:
    """The x axis: its line, up to five ticks labelled with the UTC time of the block there, and
    its title."""
    y = height - BOTTOM
    out = [f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{width - RIGHT}" y2="{y}" stroke="#666"/>']
    if times:
        span = times[-1] - times[0]
        picks = sorted({round(i * (len(times) - 1) / 4) for i in range(5)}) if len(times) > 1 else [0]
        for i in picks:  # the outer labels lean inwards, so none is cut at the frame
            anchor = "start" if i == 0 and len(times) > 1 else "end" if i == len(times) - 1 and i else "middle"
            out.append(f'<line x1="{xs[i]:.1f}" y1="{y}" x2="{xs[i]:.1f}" y2="{y + 4}" stroke="#666"/>'
                       f'<text class="tick-x" x="{xs[i]:.1f}" y="{y + 15}" text-anchor="{anchor}" {TEXT}>'
                       f'{_when(times[i], span)}</text>')
    out.append(f'<text class="axis-title" x="{(LEFT + width - RIGHT) / 2:.0f}" y="{height - 4}" text-anchor="middle" '
               f'{TEXT}>time (UTC)</text>')
    return "".join(out)


def _xs(n: int, width: int) -> list[float]:
    inner = width - LEFT - RIGHT
    return [LEFT + inner * (i / max(1, n - 1)) if n > 1 else LEFT + inner / 2 for i in range(n)]


def mgas_plot(rows: list[dict], width: int = 640, height: int = 180) -> str:
    """Mgas/s of each executed block, oldest left: a line over a value axis with three ticks."""
    points = [(r["checked_at"], r["mgas_per_s"]) for r in rows if r.get("mgas_per_s")]
    out = _frame("mgas", "Mgas/s per block over time", width, height)
    if not points:
        return out + f'<text x="{LEFT}" y="{height // 2}" font-size="12" fill="#666">no blocks executed yet</text></svg>'
    top = max(v for _, v in points) * 1.1 or 1.0
    xs = _xs(len(points), width)
    base, inner = height - BOTTOM, height - BOTTOM - TOP
    ys = [base - inner * (v / top) for _, v in points]
    out += f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#666"/>'
    for frac in (0.0, 0.5, 1.0):
        y = base - inner * frac
        out += (f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#e4e4e4"/>'
                f'<text class="tick-y" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" {TEXT}>{top * frac:.1f}</text>')
    out += (f'<text class="axis-title" x="12" y="{(TOP + base) / 2:.0f}" text-anchor="middle" {TEXT} '
            f'transform="rotate(-90 12 {(TOP + base) / 2:.0f})">Mgas/s</text>')
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#2563eb"/>' for x, y in zip(xs, ys))
    out += f'<polyline points="{line}" fill="none" stroke="#2563eb" stroke-width="1.5"/>{dots}'
    out += time_axis([t for t, _ in points], xs, width, height)
    return out + (f'<g class="legend"><line x1="{width - 150}" y1="18" x2="{width - 130}" y2="18" stroke="#2563eb" '
                  f'stroke-width="2"/><text x="{width - 126}" y="22" {TEXT}>Mgas/s of a block</text></g></svg>')


def agreement_plot(rows: list[dict], width: int = 640, height: int = 84) -> str:
    """One bar per judged block, oldest left, coloured by the overall answer, with the legend."""
    out = _frame("agreement", "overall answer per block over time", width, height)
    legend = "".join(
        f'<rect x="{LEFT + i * 120}" y="6" width="10" height="10" fill="{COLOURS[k]}"/>'
        f'<text class="legend-item" x="{LEFT + 14 + i * 120}" y="15" {TEXT}>{k}</text>' for i, k in enumerate(OVERALLS))
    if not rows:
        return out + legend + "</svg>"
    inner = width - LEFT - RIGHT
    w = inner / len(rows)
    top, base = 22, height - BOTTOM
    bars = "".join(
        f'<rect x="{LEFT + i * w:.2f}" y="{top}" width="{max(w - 1, 1):.2f}" height="{base - top}" '
        f'fill="{COLOURS.get(r["overall"], "#888")}"><title>#{r["number"]} {_e(r["overall"])}</title></rect>'
        for i, r in enumerate(rows))
    xs = [LEFT + (i + 0.5) * w for i in range(len(rows))]
    return out + legend + bars + time_axis([r["checked_at"] for r in rows], xs, width, height) + "</svg>"
