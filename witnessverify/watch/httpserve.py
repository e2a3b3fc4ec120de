"""A small HTTP server that no peer can exhaust, for the status page and /metrics.

One thread reads every connection without blocking (a selector) and a fixed pool renders the
answers, so threads never grow with connections. Bounds, each a constructor argument:
- at most `max_connections` open at once; when full, the connection that has waited longest
  without sending a whole request is closed to make room (a slowloris holds nothing for long),
  and a new connection's request is read as it is accepted, so a real reader, whose request is
  there already, is served even while a flood churns the places;
- a request's head must arrive within `header_seconds` and fit in `max_header` bytes; bodies are
  not read (GET and HEAD only: anything else is answered 405 and closed);
- an answer must be taken by the peer within `write_seconds`;
- at most `workers` answers are rendered at once and `backlog` wait; beyond that, 503.
One request per connection (HTTP/1.0 style, `Connection: close`).
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from ..threadsig import leave_stop_signals_to_main

log = logging.getLogger("witnessverify.status")

# handler(method, path) -> (status, content type, body)
Handler = Callable[[str, str], tuple[int, str, bytes]]
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
           503: "Service Unavailable"}


def response(status: int, kind: str, body: bytes, head_only: bool = False) -> bytes:
    head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n")
    return head.encode() + (b"" if head_only else body)


class _Conn:
    __slots__ = ("sock", "buf", "deadline", "out", "busy")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.buf, self.deadline = sock, bytearray(), deadline
        self.out: Optional[memoryview] = None  # the answer being written
        self.busy = False  # handed to a worker


class BoundedHTTPServer:
    def __init__(self, addr: str, port: int, handler: Handler, max_connections: int = 64,
                 header_seconds: float = 5.0, write_seconds: float = 10.0, max_header: int = 8192,
                 workers: int = 2, backlog: int = 8) -> None:
        self.handler = handler
        self.max_connections, self.header_seconds, self.write_seconds = max_connections, header_seconds, write_seconds
        self.max_header, self.backlog = max_header, backlog
        self.listener = socket.create_server((addr, port), backlog=128, reuse_port=False)
        self.listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.waker_r, self.waker_w = socket.socketpair()
        self.waker_r.setblocking(False)
        self.selector.register(self.waker_r, selectors.EVENT_READ)
        self.conns: OrderedDict[int, _Conn] = OrderedDict()  # oldest first
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="status-render")
        self.in_flight = 0
        self.done: list[tuple[_Conn, bytes]] = []
        self.lock = threading.Lock()
        self.stopping = False
        self.closed_early = 0  # connections dropped by a bound (a number for tests and logs)
        self.thread = threading.Thread(target=self._loop, name="status", daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    # -- the loop ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        leave_stop_signals_to_main()
        while not self.stopping:
            try:
                events = self.selector.select(timeout=0.5)
            except OSError:  # pragma: no cover - a descriptor closed under us
                continue
            for key, mask in events:
                if key.fileobj is self.listener:
                    self._accept()
                elif key.fileobj is self.waker_r:
                    try:
                        self.waker_r.recv(4096)
                    except OSError:
                        pass
                else:
                    conn = key.data
                    if mask & selectors.EVENT_READ:
                        self._read(conn)
                    if mask & selectors.EVENT_WRITE and conn.out is not None:
                        self._write(conn)
            self._collect()
            self._expire()

    def _accept(self) -> None:
        for _ in range(64):  # a burst at a time, then the others get a turn
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors: shed the oldest waiting connection
                log.warning("status server: accept failed (%s); dropping the oldest idle connection", exc)
                self._evict()
                return
            sock.setblocking(False)
            if len(self.conns) >= self.max_connections and not self._evict():
                self.closed_early += 1
                sock.close()
                continue
            conn = _Conn(sock, time.monotonic() + self.header_seconds)
            self.conns[sock.fileno()] = conn
            self.selector.register(sock, selectors.EVENT_READ, conn)
            self._read(conn)  # a real reader's request is mostly here already: it is never evicted

    def _evict(self) -> bool:
        """Close the connection that has waited longest for its request; False if none waits."""
        for fd, conn in self.conns.items():
            if not conn.busy and conn.out is None:
                self._close(conn)
                self.closed_early += 1
                return True
        return False

    def _read(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        if conn.busy or conn.out is not None:
            return  # a request body or a second request: not read, closed with the answer
        conn.buf += data
        end = conn.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(conn.buf) > self.max_header:
                self._answer(conn, response(431, "text/plain", b"request head too large\n"))
            return
        line = bytes(conn.buf[:conn.buf.find(b"\r\n")]).decode("latin-1")
        parts = line.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self._answer(conn, response(400, "text/plain", b"bad request line\n"))
            return
        method, path = parts[0], parts[1]
        if method not in ("GET", "HEAD"):
            self._answer(conn, response(405, "text/plain", b"GET or HEAD only\n"))
            return
        with self.lock:
            full = self.in_flight >= self.backlog
            if not full:
                self.in_flight += 1
        if full:
            self._answer(conn, response(503, "text/plain", b"busy\n"))
            return
        conn.busy = True
        self.pool.submit(self._render, conn, method, path)

    def _render(self, conn: _Conn, method: str, path: str) -> None:
        try:
            status, kind, body = self.handler(method, path)
        except Exception as exc:  # noqa: BLE001 - the page fails, never the server
            status, kind, body = 500, "text/plain", f"status unavailable: {type(exc).__name__}\n".encode()
        with self.lock:
            self.in_flight -= 1
            self.done.append((conn, response(status, kind, body, head_only=method == "HEAD")))
        try:
            self.waker_w.send(b"x")
        except OSError:
            pass

    def _collect(self) -> None:
        with self.lock:
            done, self.done = self.done, []
        for conn, data in done:
            conn.busy = False
            if conn.sock.fileno() in self.conns:
                self._answer(conn, data)

    def _answer(self, conn: _Conn, data: bytes) -> None:
        conn.out = memoryview(data)
        conn.deadline = time.monotonic() + self.write_seconds
        try:
            self.selector.modify(conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)
        except (KeyError, ValueError, OSError):
            return
        self._write(conn)

    def _write(self, conn: _Conn) -> None:
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        conn.out = conn.out[sent:]
        if not len(conn.out):
            self._close(conn)

    def _expire(self) -> None:
        now = time.monotonic()
        for conn in [c for c in self.conns.values() if not c.busy and c.deadline < now]:
            self._close(conn)
            self.closed_early += 1

    def _close(self, conn: _Conn) -> None:
        fd = conn.sock.fileno()
        if fd in self.conns:
            del self.conns[fd]
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        try:
            conn.sock.close()
        except OSError:
            pass

    def close(self) -> None:
        self.stopping = True
        try:
            self.waker_w.send(b"x")
        except OSError:
            pass
        self.thread.join(5)
        for conn in list(self.conns.values()):
            self._close(conn)
        self.pool.shutdown(wait=False)
        for s in (self.listener, self.waker_r, self.waker_w):
            s.close()
        self.selector.close()
