"""The fork-point search over many heights, its answers computed from the chains as built: every
fork depth from 1 to a million blocks, holes in one client's history, and the request bound. The
chains are in-memory header maps served by a real HTTP server on 127.0.0.1 (no Anvil: a million
blocks)."""

from __future__ import annotations

import json
import math
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify.tiebreak import forkpoint
from witnessverify.tiebreak.rpc import RpcClient

EMPTY = "0x" + "00" * 32


def header(number: int, parent: str, salt: str) -> dict:
    h = {"parentHash": parent, "sha3Uncles": "0x" + keccak(rlp.encode([])).hex(), "miner": "0x" + "00" * 20,
         "stateRoot": EMPTY, "transactionsRoot": EMPTY, "receiptsRoot": EMPTY, "logsBloom": "0x" + "00" * 256,
         "difficulty": "0x0", "number": hex(number), "gasLimit": "0x1c9c380", "gasUsed": "0x0",
         "timestamp": hex(1000 + number), "extraData": "0x" + salt.encode().hex(), "mixHash": EMPTY,
         "nonce": "0x0000000000000000", "baseFeePerGas": "0x7"}
    from witnessverify.sources.blockjson import header_fields

    h["hash"] = "0x" + keccak(rlp.encode(header_fields(h, "test"))).hex()
    return h


class LazyChain:
    """Headers 0..head: equal to `base` below `fork`, salted (another block, another hash) from
    `fork` on. Each header is made on demand in O(1): its parentHash is the real parent's only at
    `fork` and at the heights in `links` (the one link the search checks: the first block of each
    side of a fork must sit on the fork point), elsewhere a stand-in, so a million-block chain
    costs only the heights asked for."""

    def __init__(self, head: int, fork=None, base=None, salt="", missing=range(0), links=()):
        self.head, self.fork, self.base, self.salt, self.missing = head, fork, base, salt, missing
        self.links = set(links)
        self.made: dict[int, dict] = {}

    def at(self, n: int):
        if n > self.head or n < 0 or n in self.missing:
            return None
        if self.base is not None and n < self.fork:
            return self.base.at(n)
        if n not in self.made:
            if self.base is not None and n == self.fork:
                parent = self.base.at(n - 1)["hash"]
            elif n in self.links:
                parent = self.at(n - 1)["hash"]
            else:
                parent = "0x" + keccak(f"{self.salt}{n - 1}".encode()).hex()
            self.made[n] = header(n, parent, self.salt)
        return self.made[n]


def serve(chain: LazyChain):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            result = chain.at(int(req["params"][0], 16)) if req["method"] == "eth_getBlockByNumber" else None
            body = json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": result}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, RpcClient(f"c{srv.server_address[1]}", f"http://127.0.0.1:{srv.server_address[1]}", timeout=10)


@pytest.fixture
def servers():
    made = []

    def make(chain):
        srv, client = serve(chain)
        made.append(srv)
        return client

    yield make
    for s in made:
        s.shutdown()
        s.server_close()


@pytest.mark.parametrize("depth", [1, 2, 3, 7, 64, 1000, 65_537, 1_000_000])
def test_the_fork_point_at_every_depth_and_the_request_bound(servers, depth):
    head = depth + 10
    base = LazyChain(head, links=[head - depth + 1])
    other = LazyChain(head, fork=head - depth + 1, base=base, salt="x")
    a, b = servers(base), servers(other)
    heads = {a.name: bytes.fromhex(base.at(head)["hash"][2:]), b.name: bytes.fromhex(other.at(head)["hash"][2:])}
    found = forkpoint.search(heads, [a, b], head)
    assert found.point == head - depth, found.to_json()
    chain = next(c for c in found.chains if b.name in c.clients)
    assert chain.first_block.hex() == other.at(head - depth + 1)["hash"][2:]
    bound = 2 * (2 * math.ceil(math.log2(depth + 1)) + 2) + 2
    assert found.requests <= bound, (found.requests, bound)


def test_a_hole_in_one_clients_history_is_named(servers):
    base = LazyChain(5000, links=[4000])
    other = LazyChain(5000, fork=4000, base=base, salt="y", missing=range(3970, 4000))
    a, b = servers(base), servers(other)
    heads = {a.name: bytes.fromhex(base.at(5000)["hash"][2:]), b.name: bytes.fromhex(other.at(5000)["hash"][2:])}
    found = forkpoint.search(heads, [a, b], 5000)
    assert found.point is None
    assert f"{b.name} serves no block at #3999 or below, and the chains differ at #4000" in found.chains[1].problem


def test_a_header_that_does_not_hash_to_its_hash_is_a_chain_that_does_not_link(servers):
    base = LazyChain(300, links=[251])
    other = LazyChain(300, fork=251, base=base, salt="z")
    other.made[299] = dict(other.at(299), hash="0x" + "ab" * 32)
    a, b = servers(base), servers(other)
    heads = {a.name: bytes.fromhex(base.at(300)["hash"][2:]), b.name: bytes.fromhex(other.at(300)["hash"][2:])}
    found = forkpoint.search(heads, [a, b], 300)
    assert found.point is None
    assert "does not link: its header at #299 does not hash to the hash it claims 0xabab" in found.chains[1].problem


def test_a_first_block_off_the_fork_point_makes_its_client_unavailable(servers):
    base = LazyChain(300, links=[251])
    other = LazyChain(300, fork=251, base=base, salt="v")
    other.made[251] = header(251, "0x" + "cd" * 32, "v")  # its parent: a block no one serves
    a, b = servers(base), servers(other)
    heads = {a.name: bytes.fromhex(base.at(300)["hash"][2:]), b.name: bytes.fromhex(other.at(300)["hash"][2:])}
    found = forkpoint.search(heads, [a, b], 300)
    assert found.unlinked == {b.name: "its block #251 does not link to the fork point #250"}


def test_a_fork_deeper_than_the_bound_is_named_not_searched_for_ever(servers, monkeypatch):
    monkeypatch.setattr(forkpoint, "FORK_DEPTH", 1000)
    base = LazyChain(5000)
    other = LazyChain(5000, fork=3000, base=base, salt="w")
    a, b = servers(base), servers(other)
    heads = {a.name: bytes.fromhex(base.at(5000)["hash"][2:]), b.name: bytes.fromhex(other.at(5000)["hash"][2:])}
    found = forkpoint.search(heads, [a, b], 5000)
    assert found.point is None and "no common block within 1000 blocks below #5000" in found.chains[1].problem
    assert found.requests <= 2 * 11
