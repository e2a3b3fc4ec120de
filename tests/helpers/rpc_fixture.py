"""Loopback JSON-RPC servers that answer like execution clients, from real fixture data.

Each `FakeClient` is a real HTTP server on 127.0.0.1 with a table of method -> handler; faults
(delays, HTTP errors, garbage, truncated bodies) are set per method.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import rlp
from eth_hash.auto import keccak

HEADER_NAMES = [
    "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
    "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
    "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash",
]
QUANTITIES = {"difficulty", "number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "blobGasUsed", "excessBlobGas"}


def header_json(raw: bytes) -> dict:
    out = {}
    for name, value in zip(HEADER_NAMES, rlp.decode(raw)):
        out[name] = hex(int.from_bytes(value, "big")) if name in QUANTITIES else "0x" + value.hex()
    out["hash"] = "0x" + keccak(raw).hex()
    return out


class FakeClient:
    def __init__(self, name: str) -> None:
        self.name = name
        self.methods: dict[str, Callable[[list], Any]] = {}
        self.faults: dict[str, dict] = {}
        self.calls: list[str] = []
        self.headers_seen: list[dict] = []
        self.gzip = False
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        client = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                req = json.loads(self.rfile.read(length))
                method, params = req["method"], req.get("params", [])
                client.calls.append(method)
                client.headers_seen.append(dict(self.headers))
                fault = client.faults.get(method) or client.faults.get("*") or {}
                if fault.get("times", 1) <= 0:
                    fault = {}
                elif "times" in fault:
                    fault["times"] -= 1
                if fault.get("delay"):
                    time.sleep(fault["delay"])
                if fault.get("status"):
                    self.send_response(fault["status"])
                    self.end_headers()
                    return
                if fault.get("drip"):  # a body that trickles in one byte at a time, for ever
                    self.send_response(200)
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    try:
                        for _ in range(10**6):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(fault["drip"])
                    except OSError:
                        pass
                    return
                if fault.get("stream"):  # a huge body, streamed (optionally a gzip bomb)
                    self._stream(fault["stream"], fault.get("gzip_bomb", False))
                    return
                if fault.get("garbage"):
                    body = b"<html>not json"
                elif fault.get("wrong_id"):
                    body = json.dumps({"jsonrpc": "2.0", "id": 99999, "result": None}).encode()
                elif method not in client.methods:
                    body = json.dumps({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32601, "message": f"the method {method} does not exist/is not available"}}).encode()
                else:
                    try:
                        result = client.methods[method](params)
                        body = json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": result}).encode()
                    except Exception as exc:  # an RPC error answer
                        body = json.dumps({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32000, "message": str(exc)}}).encode()
                if fault.get("truncate"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if client.gzip:
                    import gzip

                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, size: int, bomb: bool):
                chunk = b" " * (1 << 20)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if bomb:
                    import zlib

                    self.send_header("Content-Encoding", "gzip")
                    self.end_headers()
                    z = zlib.compressobj(9, zlib.DEFLATED, 31)
                    try:
                        for _ in range(size // len(chunk)):
                            self.wfile.write(z.compress(chunk))
                        self.wfile.write(z.flush())
                    except OSError:
                        pass
                    return
                self.send_header("Content-Length", str(size))
                self.end_headers()
                try:
                    for _ in range(size // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    pass

        return Handler


def serve_block(client: FakeClient, block_rlp: bytes, witness: Optional[dict], chain_id: int,
                holds_block: bool = True, bad_block: bool = False, witness_by_hash: bool = False,
                receipts: Optional[list] = None) -> None:
    """Answer like a client that holds (or rejected) the block, with an execution witness."""
    items = rlp.decode(block_rlp)
    header_raw = rlp.encode(items[0])
    hdr = header_json(header_raw)
    h = hdr["hash"]
    number = hdr["number"]
    client.methods["eth_chainId"] = lambda p: hex(chain_id)

    def by_number(p):
        return hdr if holds_block and p[0] in (number, "latest", "safe", "finalized") else None

    def by_hash(p):
        return hdr if holds_block and p[0].lower() == h else None

    client.methods["eth_getBlockByNumber"] = by_number
    client.methods["eth_getBlockByHash"] = by_hash
    if holds_block:
        client.methods["debug_getRawBlock"] = lambda p: "0x" + block_rlp.hex() if p[0].lower() in (h, number) else None
        if receipts is not None:
            client.methods["eth_getBlockReceipts"] = lambda p: receipts
    client.methods["debug_getBadBlocks"] = lambda p: ([{"hash": h, "rlp": "0x" + block_rlp.hex(), "block": hdr,
                                                        "reason": "invalid merkle root (remote: x local: y)"}]
                                                      if bad_block else [])
    if witness is not None:
        if witness_by_hash:
            client.methods["debug_executionWitnessByBlockHash"] = lambda p: witness if p[0].lower() == h else None
        else:
            client.methods["debug_executionWitness"] = lambda p: witness if p[0] == number else None
