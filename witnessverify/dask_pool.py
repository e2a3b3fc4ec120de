"""`audit --scheduler`: blocks judged on a Dask distributed cluster, whose workers need only this
package. The address is checked before any connection (`tcp://HOST:PORT`, `tls://HOST:PORT` or
`HOST:PORT`; a usage error otherwise), and the scheduler is proven one before Dask is handed the
address: a TCP connection within CONNECT_SECONDS, then, for tcp://, the handshake a Dask server
sends first (an 8-byte length, then msgpack naming its pickle protocol) within HANDSHAKE_SECONDS.
A port that is silent, speaks HTTP, or sends anything else is refused in one line, never a
hang of minutes nor a traceback; the Client itself is bounded by CLIENT_SECONDS.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Iterator, Optional
from urllib.parse import urlsplit

from .audit import MAX_IN_FLIGHT_PER_WORKER, Job, _error
from .errors import InputError

SCHEMES = ("tcp", "tls")
CONNECT_SECONDS = 10.0
HANDSHAKE_SECONDS = 10.0
CLIENT_SECONDS = 30.0
MAX_HANDSHAKE = 1 << 20


def parse_address(address: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a scheduler address; ValueError saying what is wrong."""
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"{address!r}: not HOST:PORT") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"{address!r}: a Dask scheduler is reached over tcp:// or tls://, not {parts.scheme}://")
    if not parts.hostname:
        raise ValueError(f"{address!r}: no host")
    if port is None:
        raise ValueError(f"{address!r}: no port (a Dask scheduler listens on 8786 by default: {parts.hostname}:8786)")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError(f"{address!r}: a scheduler address has no path")
    return parts.scheme, parts.hostname, port


def _read_exactly(sock: socket.socket, n: int, deadline: float) -> bytes:
    out = bytearray()
    while len(out) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(min(65536, n - len(out)))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return bytes(out)


def probe(scheme: str, host: str, port: int) -> None:
    """Raise InputError unless a Dask server answers at host:port."""
    where = f"--scheduler {scheme}://{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"{where}: cannot reach the Dask scheduler ({type(exc).__name__}: {exc})") from None
    with sock:
        if scheme != "tcp":
            return  # TLS: the handshake is under the encryption; the Client's bound applies
        deadline = time.monotonic() + HANDSHAKE_SECONDS
        try:
            (size,) = struct.unpack("<Q", _read_exactly(sock, 8, deadline))
            if not 0 < size <= MAX_HANDSHAKE:
                raise InputError(f"{where}: not a Dask scheduler (its first bytes are no Dask handshake)")
            body = _read_exactly(sock, size, deadline)
        except TimeoutError:
            raise InputError(f"{where}: not a Dask scheduler (it sent no handshake within {HANDSHAKE_SECONDS:g}s; "
                             f"an HTTP or other server?)") from None
        except (ConnectionError, OSError) as exc:
            raise InputError(f"{where}: not a Dask scheduler (the connection ended: {exc})") from None
        if b"pickle-protocol" not in body:
            raise InputError(f"{where}: not a Dask scheduler (its handshake is not Dask's)")


class DaskPool:
    """A Dask distributed cluster (`--scheduler tcp://HOST:PORT`)."""

    def __init__(self, scheduler: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--scheduler needs Dask distributed: pip install 'witnessverify[dask]'") from None
        try:
            scheme, host, port = parse_address(scheduler)
        except ValueError as exc:
            raise InputError(f"--scheduler {exc}") from None
        probe(scheme, host, port)
        made: dict = {}

        def connect() -> None:
            try:
                made["client"] = Client(f"{scheme}://{host}:{port}", timeout=CLIENT_SECONDS)
            except Exception as exc:  # noqa: BLE001 - whatever Dask raises, one line
                made["error"] = exc

        t = threading.Thread(target=connect, name="dask-connect", daemon=True)
        t.start()
        t.join(CLIENT_SECONDS + 5)
        if "client" not in made:
            exc = made.get("error")
            why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}" if exc else \
                f"no answer within {CLIENT_SECONDS:g}s"
            raise InputError(f"--scheduler {scheduler}: cannot use the Dask scheduler ({why})")
        self.client = made["client"]

    @property
    def workers(self) -> int:
        """The workers the scheduler knows now (its identity, refreshed by the Client)."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(self, jobs: Iterator[Job], chain: Optional[str]) -> Iterator[tuple[Job, dict]]:
        """Bundle files reach the workers as paths (each reads its own), other jobs as bytes; the
        blocks in flight follow the current worker count, so workers that join get work."""
        from distributed import as_completed

        flying = as_completed()
        owner: dict = {}
        for job in jobs:
            if job.error:
                yield job, _error(job)
                continue
            fn, args = job.task(chain)
            fut = self.client.submit(fn, *args, pure=False)
            owner[fut.key] = job
            flying.add(fut)
            while flying.count() >= self.workers * MAX_IN_FLIGHT_PER_WORKER:
                yield self._one(next(flying), owner)
        for fut in flying:
            yield self._one(fut, owner)

    @staticmethod
    def _one(fut, owner: dict) -> tuple[Job, dict]:
        job = owner.pop(fut.key)
        try:
            return job, fut.result()
        except Exception as exc:  # noqa: BLE001 - a worker lost: this block's result says so
            return job, _error(job, f"worker failed: {type(exc).__name__}: {exc}", internal=True)

    def close(self) -> None:
        self.client.close()
