"""One watchdog for every request's total deadline: a single long-lived thread and a heap of
deadlines, so a request costs no thread of its own (a process near its task limit, say under a
flood of connections to the status port, still fetches and judges blocks).

`DEADLINES.arm(seconds, on_expiry)` returns a handle; `handle.cancel()` before it fires. The
callback runs on the watchdog thread and must be quick (rpc.py shuts a socket).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Callable, Optional

from ..threadsig import leave_stop_signals_to_main


class Handle:
    __slots__ = ("cancelled", "fired")

    def __init__(self) -> None:
        self.cancelled = False
        self.fired = threading.Event()

    def cancel(self) -> None:
        self.cancelled = True


class Deadlines:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Handle, Callable[[], None]]] = []
        self._wake = threading.Condition()
        self._count = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def arm(self, seconds: float, on_expiry: Callable[[], None]) -> Handle:
        handle = Handle()
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + seconds, next(self._count), handle, on_expiry))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rpc-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
        return handle

    def pending(self) -> int:
        with self._wake:
            return sum(1 for _, _, h, _ in self._heap if not h.cancelled)

    def _run(self) -> None:
        leave_stop_signals_to_main()
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].cancelled:  # cancelled ones leave as they surface
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait(60)
                    continue
                when, _, handle, callback = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if not handle.cancelled:
                handle.fired.set()
                try:
                    callback()
                except Exception:  # noqa: BLE001 - one bad callback must not stop every deadline
                    pass


DEADLINES = Deadlines()
