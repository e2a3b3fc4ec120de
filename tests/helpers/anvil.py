"""A real Anvil node (npm package @foundry-rs/anvil-linux-amd64, installed on first use) on
127.0.0.1, and an HTTP proxy in front of it that can lie."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

import requests

from .fixtures import REPO

PACKAGE = "@foundry-rs/anvil-linux-amd64"
PREFIX = REPO / ".anvil"
BINARY = PREFIX / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def anvil_binary() -> Path:
    if not BINARY.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install Anvil for these tests")
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), PACKAGE],
                       check=True, capture_output=True, timeout=600)
    return BINARY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Anvil:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([str(anvil_binary()), "--port", str(self.port), "--silent", *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self.rpc("eth_chainId")
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("anvil did not start")

    def rpc(self, method: str, *params):
        r = requests.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=30)
        doc = r.json()
        if "error" in doc:
            raise RuntimeError(f"{method}: {doc['error']}")
        return doc["result"]

    def accounts(self) -> list[str]:
        return self.rpc("eth_accounts")

    def send(self, **tx) -> str:
        return self.rpc("eth_sendTransaction",
                        {k: (hex(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in tx.items()})

    def mine_block(self, txs: list[dict]) -> int:
        """Put all `txs` into one new block; its number."""
        self.rpc("evm_setAutomine", False)
        try:
            hashes = [self.send(**t) for t in txs]
            self.rpc("evm_mine")
        finally:  # a refused transaction must not leave the next test without automine
            self.rpc("evm_setAutomine", True)
        return int(self.receipt(hashes[-1])["blockNumber"], 16)

    def receipt(self, tx_hash: str, wait: float = 10.0) -> dict:
        """The receipt of `tx_hash`, waiting for Anvil to mine it (automine answers before the
        block is sealed on a loaded machine: CI saw `None` straight after eth_sendTransaction)."""
        deadline = time.monotonic() + wait
        while True:
            receipt = self.rpc("eth_getTransactionReceipt", tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise RuntimeError(f"anvil mined no receipt for {tx_hash} within {wait} s")
            time.sleep(0.05)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def assembled_bundle(node: Anvil, number: int):
    """Anvil's block `number` as a bundle whose witness is assembled from Anvil's proofs (the
    path `check` takes for a node without debug_executionWitness); chain id 31337."""
    import rlp

    from witnessverify.sources import bundle_from_witness_json
    from witnessverify.sources.blockjson import block_rlp_from_json, header_fields
    from witnessverify.tiebreak.assemble import assemble
    from witnessverify.tiebreak.rpc import RpcClient

    block = node.rpc("eth_getBlockByNumber", hex(number), True)
    parent = node.rpc("eth_getBlockByHash", block["parentHash"], False)
    extra = [block["miner"]] + [t["to"] for t in block["transactions"] if t.get("to")]
    witness = assemble(RpcClient("anvil", node.url, timeout=60, backoff=0.05), number, int(block["timestamp"], 16),
                       bytes.fromhex(parent["stateRoot"][2:]), extra)
    return bundle_from_witness_json(witness.as_witness([rlp.encode(header_fields(parent, "parent"))]),
                                    block_rlp_from_json(block, "anvil block"), "anvil", 31337)


class _QuietServer(ThreadingHTTPServer):
    """A client that hung up (a timeout on our side) or an upstream gone is no test failure."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, requests.ConnectionError)):
            super().handle_error(request, client_address)


class LyingProxy:
    """Forwards JSON-RPC to `upstream`; `lies[method](params, result) -> result` rewrites answers;
    `faults[method or "*"]` = {"delay": s} | {"status": code} | {"garbage": True} injects faults."""

    def __init__(self, upstream: str, port: int = 0) -> None:
        self.upstream = upstream
        self.lies: dict[str, Callable] = {}
        self.faults: dict[str, dict] = {}
        self.rewrite: Optional[Callable] = None  # params -> params, before forwarding
        self.calls: list[str] = []  # the method of every request received, in order
        self.seen: list[tuple[float, int, str]] = []  # (monotonic time, the caller's port, method)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                proxy.calls.append(req.get("method"))
                proxy.seen.append((time.monotonic(), self.client_address[1], req.get("method")))
                fault = proxy.faults.get(req.get("method")) or proxy.faults.get("*") or {}
                if fault.get("delay"):
                    time.sleep(fault["delay"])
                if fault.get("status") or fault.get("garbage"):
                    body = b"<html>bad gateway" if fault.get("garbage") else b""
                    self.send_response(fault.get("status", 200))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                asked = list(req.get("params", []))
                if proxy.rewrite is not None:
                    req["params"] = proxy.rewrite(asked)
                doc = requests.post(proxy.upstream, json=req, timeout=60).json()
                lie = proxy.lies.get(req["method"])
                if lie is not None and "result" in doc:
                    doc["result"] = lie(asked, doc["result"])  # the params as asked, before any rewrite
                body = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _QuietServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def lie_about_header(proxy: LyingProxy, number: int, field: str, value: str) -> dict:
    """Make the proxy hold a block #number whose header has `field` changed (and so another hash)."""
    from eth_hash.auto import keccak
    import rlp

    from witnessverify.sources.blockjson import header_fields

    mapping = {}

    def alter(header):
        fake = dict(header, **{field: value})
        fake_hash = "0x" + keccak(rlp.encode(header_fields(fake, "lie"))).hex()
        mapping[fake_hash] = header["hash"]
        fake["hash"] = fake_hash
        return fake

    def by_number(params, result):
        return alter(result) if isinstance(result, dict) and int(result["number"], 16) == number else result

    proxy.lies["eth_getBlockByNumber"] = by_number
    proxy.lies["eth_getBlockByHash"] = by_number

    def rewrite_hash(params):  # the liar answers for its fake hash with the real block
        return [mapping.get(p, p) if isinstance(p, str) else p for p in params]

    proxy.rewrite = rewrite_hash
    return mapping


class FakeChain:
    """Make `proxy` hold a self-consistent chain of its own from block `start` on: every header
    from there is `alter(header)` with its parentHash re-linked to the previous fake header (and so
    a new hash each), answered for its fake hash by the real block; below `refuse_below` the proxy
    serves no block at all (so no common block with the real chain can be reached)."""

    def __init__(self, proxy: LyingProxy, start: int, alter: Callable[[dict], dict],
                 refuse_below: Optional[int] = None) -> None:
        self.proxy, self.start, self.alter, self.refuse_below = proxy, start, alter, refuse_below
        self.fake: dict[int, str] = {}  # number -> fake hash
        self.real: dict[str, str] = {}  # fake hash -> real hash
        proxy.lies["eth_getBlockByNumber"] = self._lie
        proxy.lies["eth_getBlockByHash"] = self._lie
        proxy.rewrite = lambda params: [self.real.get(p, p) if isinstance(p, str) else p for p in params]

    def _upstream(self, number: int) -> dict:
        r = requests.post(self.proxy.upstream, json={"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber",
                                                      "params": [hex(number), False]}, timeout=30)
        return r.json()["result"]

    def fake_hash(self, number: int) -> str:
        if number not in self.fake:
            self._faked(self._upstream(number))
        return self.fake[number]

    def _faked(self, header: dict) -> dict:
        from eth_hash.auto import keccak
        import rlp

        from witnessverify.sources.blockjson import header_fields

        number = int(header["number"], 16)
        fake = dict(self.alter(dict(header)))
        if number > self.start:
            fake["parentHash"] = self.fake_hash(number - 1)
        fake_hash = "0x" + keccak(rlp.encode(header_fields(fake, "fake"))).hex()
        self.fake[number], self.real[fake_hash] = fake_hash, header["hash"]
        fake["hash"] = fake_hash
        return fake

    def _lie(self, params, result):
        if not isinstance(result, dict):
            return result
        number = int(result["number"], 16)
        if self.refuse_below is not None and number < self.refuse_below:
            return None
        if number < self.start:
            return result
        asked = params[0] if params else None
        if isinstance(asked, str) and len(asked) == 66 and asked not in self.real:
            return None  # a block of the real chain from `start` on: this chain does not hold it
        return self._faked(result)
