"""A guarded JSON-RPC client: one request at a time (never batched), a per-read timeout and a
total deadline per request, bounded retries with backoff, a rate limit, auth headers and a
response-size cap, so a client that hangs, drips, floods or lies about its answer's shape
cannot hang or crash the tool. Built on `requests`.

The total deadline is kept by one watchdog thread for all requests (deadline.py; no thread per
request): if a request (all its reads together) outlives it, the connection is shut, which ends
the read at once. The body is streamed into one
buffer and refused as soon as it passes the cap (after decompression), so a gzip bomb or a huge
answer never holds more than the cap in memory.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import requests

from .. import progress
from ..errors import InputError
from ..safeparse import load_json
from .deadline import DEADLINES


def _socket_of(resp):
    """The socket under a streamed `requests` response (urllib3 / http.client internals; None if
    they change, and then only the per-read timeout bounds the request)."""
    try:
        return resp.raw._fp.fp.raw._sock
    except AttributeError:
        return None


class RpcError(Exception):
    """A call failed; `kind` says how (timeout, http, rpc, garbage, too-large, connection)."""

    def __init__(self, endpoint: str, method: str, kind: str, detail: str) -> None:
        super().__init__(f"{endpoint}: {method}: {kind}: {detail}")
        self.endpoint, self.method, self.kind, self.detail = endpoint, method, kind, detail


# JSON-RPC error codes and messages that mean "this method is not served here"
_UNSUPPORTED_CODES = {-32601}
_RETRY_STATUS = {429, 500, 502, 503, 504}
_CHUNK = 1 << 16


@dataclass
class RpcClient:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0  # per request, all reads together (and per socket read)
    retries: int = 2
    backoff: float = 0.5
    rps: float = 0.0  # 0: no limit
    max_bytes: int = 256 * 1024 * 1024
    _last: float = 0.0
    _id: int = 0
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    _pace: threading.Lock = field(default_factory=threading.Lock, repr=False)  # threads share the limit

    def _throttle(self) -> None:
        with self._pace:
            if self.rps > 0:
                wait = self._last + 1.0 / self.rps - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self._last = time.monotonic()

    def call(self, method: str, *params: Any) -> Any:
        last_error: Optional[RpcError] = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                return self._call_once(method, params)
            except RpcError as exc:
                last_error = exc
                if exc.kind not in ("timeout", "connection", "http-retry"):
                    raise
        assert last_error is not None
        raise last_error

    def _call_once(self, method: str, params: tuple) -> Any:
        self._throttle()
        progress.step(f"{self.name}: {method}")
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip", **self.headers}
        where = self.name
        current: dict = {}

        def abort() -> None:  # the watchdog: past the deadline, shut the socket under the read
            sock = current.get("sock")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once
                except OSError:
                    pass

        watchdog = DEADLINES.arm(self.timeout, abort)
        expired = watchdog.fired
        try:
            with self.session.post(self.url, json=body, headers=headers, timeout=self.timeout, stream=True) as resp:
                current["sock"] = _socket_of(resp)
                if expired.is_set():  # the deadline passed before the headers came
                    raise RpcError(where, method, "timeout", f"no whole answer within {self.timeout}s")
                if resp.status_code in _RETRY_STATUS:
                    raise RpcError(where, method, "http-retry", f"HTTP {resp.status_code}")
                if resp.status_code != 200:
                    raise RpcError(where, method, "http", f"HTTP {resp.status_code}")
                raw = bytearray()
                for chunk in resp.iter_content(chunk_size=_CHUNK):
                    raw += chunk
                    if len(raw) > self.max_bytes:
                        raise RpcError(where, method, "too-large", f"answer over {self.max_bytes} bytes")
                    if expired.is_set():
                        break
            if expired.is_set():
                raise RpcError(where, method, "timeout", f"no whole answer within {self.timeout}s")
        except RpcError:
            raise
        except requests.Timeout:
            raise RpcError(where, method, "timeout", f"no answer within {self.timeout}s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError, AttributeError, ValueError, OSError) as exc:
            if expired.is_set():
                raise RpcError(where, method, "timeout", f"no whole answer within {self.timeout}s") from None
            raise RpcError(where, method, "connection", type(exc).__name__) from None
        except requests.RequestException as exc:  # a URL requests cannot use, and the like
            raise RpcError(where, method, "request", str(exc).splitlines()[0][:200]) from None
        finally:
            watchdog.cancel()
        try:
            doc = load_json(bytes(raw), where)
        except InputError:
            raise RpcError(where, method, "garbage", f"answer is not JSON ({len(raw)} bytes)") from None
        if not isinstance(doc, dict) or doc.get("id") != body["id"] and "error" not in doc:
            raise RpcError(where, method, "garbage", "answer is not a JSON-RPC response to this request")
        if doc.get("error") is not None:
            err = doc["error"]
            code = err.get("code") if isinstance(err, dict) else None
            msg = err.get("message") if isinstance(err, dict) else str(err)
            kind = "unsupported" if code in _UNSUPPORTED_CODES or "not exist" in str(msg) or "not available" in str(msg) else "rpc"
            raise RpcError(where, method, kind, f"{code}: {str(msg)[:200]}")
        if "result" not in doc:
            raise RpcError(where, method, "garbage", "JSON-RPC response without result")
        return doc["result"]
