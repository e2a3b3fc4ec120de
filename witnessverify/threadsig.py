"""Helper threads leave SIGINT and SIGTERM to the main thread.

Python runs signal handlers in the main thread only. When the kernel delivers a process's
signal to another thread (the RPC watchdog, the progress line, the alert sender, the status
server), the main thread's blocking read is not interrupted and the handler waits until that
read ends: `check` against a node that never answers would then ignore Ctrl-C for up to its
--timeout. A helper thread blocks both signals as it starts (threads it starts inherit that),
so the kernel picks the main thread.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def leave_stop_signals_to_main() -> None:
    """Block SIGINT and SIGTERM in the calling thread (not the main thread)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
