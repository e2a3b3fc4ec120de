"""Run the CLI with its stderr on a real pseudo-terminal (stdout stays a pipe), as an operator's
shell runs it: what the progress line draws there, as bytes read from the terminal's far end."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading


def run_on_tty(args: list[str], timeout: float = 300, env=None) -> tuple[int, str, str]:
    """(exit code, stdout, everything written to the terminal)."""
    master, slave = pty.openpty()
    seen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the far end closed: every writer has exited
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        p = subprocess.run([sys.executable, "-m", "witnessverify.cli", *args], stdout=subprocess.PIPE, stderr=slave,
                           stdin=subprocess.DEVNULL, text=True, timeout=timeout, env=env)
    finally:
        os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return p.returncode, p.stdout, seen.decode(errors="replace")
