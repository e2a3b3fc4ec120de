"""Progress of a long run, on stderr: on a terminal one line rewritten in place; nothing when
stderr is not a terminal or under --quiet (a log or a pipe gets the result, not the meter). With
-v (log level info or lower) each progress line also goes to the log, at most every few seconds,
so an unattended run shows where it is.

Two shapes: `Counter` for runs over many items (blocks, tests: done, total, rate, ETA) and
`Steps` for one slow task made of steps (a check: which client is asked what, for how long; a
thread redraws the line each second, so a hung request shows its seconds growing)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Callable, Optional

from .threadsig import leave_stop_signals_to_main

log = logging.getLogger("witnessverify.progress")

_quiet = {"on": False}
LOG_EVERY = 5.0  # seconds between two progress lines in the log


def configure(quiet: bool) -> None:
    """--quiet: no progress line, whatever stderr is."""
    _quiet["on"] = quiet


def on_terminal(stream) -> bool:
    return not _quiet["on"] and hasattr(stream, "isatty") and stream.isatty()


class _Line:
    """The one line: drawn in place on a terminal, logged every LOG_EVERY seconds otherwise."""

    def __init__(self, stream) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = on_terminal(self.stream)
        self.logged = time.monotonic()
        self.drawn = False
        self.lock = threading.Lock()

    def draw(self, text: str) -> None:
        with self.lock:
            if self.tty:
                self.stream.write("\r\x1b[K" + text)
                self.stream.flush()
                self.drawn = True
            elif time.monotonic() - self.logged >= LOG_EVERY and log.isEnabledFor(logging.INFO):
                self.logged = time.monotonic()
                log.info(text)

    def clear(self) -> None:
        with self.lock:
            if self.drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.drawn = False


def _seconds(s: float) -> str:
    s = int(round(s))
    return f"{s}s" if s < 120 else f"{s // 60}m{s % 60:02d}s" if s < 7200 else f"{s // 3600}h{s // 60 % 60:02d}m"


class Counter:
    """`what`: done[/total] item(s), rate, elapsed and ETA; `extra()` adds the caller's figures.
    The total may be learnt (or corrected) while the run goes."""

    def __init__(self, what: str, total: Optional[int] = None, unit: str = "item(s)", stream=None,
                 extra: Optional[Callable[[float], str]] = None, interval: float = 0.2) -> None:
        self.what, self.total, self.unit, self.extra, self.interval = what, total, unit, extra, interval
        self.line = _Line(stream)
        self.started = self.last = time.monotonic()
        self.done = 0

    def add(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        # redrawn at once after a result line took it away, else at most every interval
        if now - self.last >= self.interval or (self.line.tty and not self.line.drawn and self.done > 1):
            self.last = now
            self.line.draw(self.text())

    def learn(self, more: int) -> None:
        """More items found (or, negative, fewer to do: skipped when resuming)."""
        self.total = (self.total or 0) + more

    def eta(self, elapsed: float) -> str:
        if self.total and 0 < self.done < self.total:
            return f", ETA {_seconds((self.total - self.done) * elapsed / self.done)}"
        return ""

    def text(self) -> str:
        t = max(time.monotonic() - self.started, 1e-9)
        of = f"/{self.total}" if self.total else ""
        more = self.extra(t) if self.extra else f", {self.done / t:.2f}/s"
        return f"{self.what}: {self.done}{of} {self.unit}{more}, {_seconds(t)}{self.eta(t)}"

    def clear(self) -> None:
        """Take the line away (before a result line is printed, and at the end)."""
        self.line.clear()


class Steps:
    """The step in hand and how long it has taken, redrawn each second while it lasts."""

    def __init__(self, what: str, stream=None, every: float = 1.0) -> None:
        self.what, self.every = what, every
        self.line = _Line(stream)
        self.started = time.monotonic()
        self.current, self.since = "", self.started
        self.stopped = threading.Event()
        self.thread: Optional[threading.Thread] = None
        if self.line.tty:
            self.thread = threading.Thread(target=self._redraw, name="progress", daemon=True)
            self.thread.start()

    def text(self) -> str:
        now = time.monotonic()
        return f"{self.what}: {self.current} ({_seconds(now - self.since)}; {_seconds(now - self.started)} in all)"

    def step(self, text: str) -> None:
        self.current, self.since = text, time.monotonic()
        if self.line.tty:
            self.line.draw(self.text())

    def _redraw(self) -> None:
        leave_stop_signals_to_main()
        while not self.stopped.wait(self.every):
            if self.current:
                self.line.draw(self.text())

    def close(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=2)
        self.line.clear()


# the check's meter, when one runs: the RPC client names each request in it (set by the CLI)
_steps: dict[str, Optional[Steps]] = {"current": None}


def set_current(steps: Optional[Steps]) -> None:
    _steps["current"] = steps


def step(text: str, level: int = logging.DEBUG) -> None:
    """Name the step in hand: drawn when a meter runs, logged at `level` (a request at debug, a
    stage of the check at info)."""
    log.log(level, text)
    steps = _steps["current"]
    if steps is not None:
        steps.step(text)
