"""The few PromQL forms deploy/prometheus-alerts.yml uses, evaluated over scraped samples, for
tests where promtool cannot be installed (it is not on the package registries). Prometheus's
semantics kept where they decide whether a rule fires:

- `increase(m{...}[r])` needs two samples of a series inside the window; a series born at 1 has
  one, so its first step is invisible (Prometheus extrapolates, which only scales a positive
  increase, so `> 0` is decided the same way); counter resets are added back;
- `sum by (l) (...)`, comparisons with a number (`> == <`), and `time() - m`.

Forms outside this subset raise, so a new rule cannot pass untested.
"""

from __future__ import annotations

import re
from typing import Callable

from prometheus_client.parser import text_string_to_metric_families

Series = tuple[str, tuple[tuple[str, str], ...]]


class Scrapes:
    """Samples of every series, by scrape time."""

    def __init__(self) -> None:
        self.points: dict[Series, list[tuple[float, float]]] = {}
        self.now = 0.0

    def add(self, at: float, exposition: str) -> None:
        self.now = max(self.now, at)
        for family in text_string_to_metric_families(exposition):
            for s in family.samples:
                self.points.setdefault((s.name, tuple(sorted(s.labels.items()))), []).append((at, s.value))


_MATCHER = re.compile(r'(\w+)\s*(=~|!=|=)\s*"([^"]*)"')
_SELECTOR = re.compile(r"(witnessverify_\w+)(?:\{([^}]*)\})?")


def _select(scrapes: Scrapes, text: str) -> dict[Series, list[tuple[float, float]]]:
    m = _SELECTOR.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a selector: {text!r}")
    name, matchers = m.group(1), _MATCHER.findall(m.group(2) or "")
    tests: list[Callable[[dict], bool]] = []
    for label, op, value in matchers:
        if op == "=":
            tests.append(lambda ls, label=label, value=value: ls.get(label, "") == value)
        elif op == "!=":
            tests.append(lambda ls, label=label, value=value: ls.get(label, "") != value)
        else:
            tests.append(lambda ls, label=label, value=value: re.fullmatch(value, ls.get(label, "")) is not None)
    return {k: v for k, v in scrapes.points.items() if k[0] == name and all(t(dict(k[1])) for t in tests)}


def _increase(points: list[tuple[float, float]], start: float, end: float):
    inside = [v for t, v in points if start <= t <= end]
    if len(inside) < 2:
        return None
    total = 0.0
    for a, b in zip(inside, inside[1:]):
        total += b - a if b >= a else b  # a reset: the counter started again from 0
    return total


_RANGE = {"s": 1, "m": 60, "h": 3600}


def evaluate(expr: str, scrapes: Scrapes) -> dict[tuple, float]:
    """The series for which `expr` holds at the last scrape, with their values (labels -> value)."""
    expr = expr.strip()
    m = re.fullmatch(r"(.*?)\s*(>|==|<)\s*(-?[\d.]+)", expr)
    if not m:
        raise ValueError(f"outside the tested subset: {expr!r}")
    values = _vector(m.group(1), scrapes)
    threshold = float(m.group(3))
    op = {">": lambda a: a > threshold, "==": lambda a: a == threshold, "<": lambda a: a < threshold}[m.group(2)]
    return {k: v for k, v in values.items() if op(v)}


def _vector(text: str, scrapes: Scrapes) -> dict[tuple, float]:
    text = text.strip()
    m = re.fullmatch(r"sum by \((\w+)\) \((.*)\)", text)
    if m:
        out: dict[tuple, float] = {}
        for labels, v in _vector(m.group(2), scrapes).items():
            key = tuple((k, x) for k, x in labels if k == m.group(1))
            out[key] = out.get(key, 0.0) + v
        return out
    m = re.fullmatch(r"increase\((.*)\[(\d+)([smh])\]\)", text)
    if m:
        window = int(m.group(2)) * _RANGE[m.group(3)]
        out = {}
        for (name, labels), points in _select(scrapes, m.group(1)).items():
            inc = _increase(points, scrapes.now - window, scrapes.now)
            if inc is not None:
                out[labels] = inc
        return out
    m = re.fullmatch(r"time\(\) - (.*)", text)
    if m:
        return {labels: scrapes.now - v for labels, v in _vector(m.group(1), scrapes).items()}
    return {labels: points[-1][1] for (name, labels), points in _select(scrapes, text).items()
            if points[-1][0] == scrapes.now}
