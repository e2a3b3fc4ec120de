"""The tie-breaker against real HTTP servers on 127.0.0.1 answering with real fixture data:
honest clients, a client that rejected a valid block, a client that accepted an invalid one,
and faults (timeouts, 5xx, 429, garbage, truncated bodies, RPC errors, a reorg, an endpoint down)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify.tiebreak.rpc import RpcClient
from witnessverify.tiebreak import AGREE, AGREES, DISAGREES, INCONCLUSIVE, NO_SOURCE, REJECTED, SPLIT, UNAVAILABLE, check

from tests.helpers.fixtures import KEEPER_HOODI, ZEVM_HOODI, load_one, node_map, trie_path
from tests.helpers.rpc_fixture import FakeClient, header_json, serve_block

HOODI = 560048


def keeper_data():
    b = load_one(KEEPER_HOODI)
    geth_witness = {"headers": [header_json(h) for h in b.headers], "codes": ["0x" + c.hex() for c in b.codes],
                    "state": ["0x" + n.hex() for n in b.state], "keys": None}
    reth_witness = {"headers": ["0x" + h.hex() for h in b.headers], "codes": sorted("0x" + c.hex() for c in b.codes),
                    "state": sorted("0x" + n.hex() for n in b.state), "keys": []}
    return b, geth_witness, reth_witness


def rpc(c: FakeClient, **kw) -> RpcClient:
    kw.setdefault("timeout", 5)
    kw.setdefault("backoff", 0.05)
    return RpcClient(c.name, c.url, **kw)


def verdicts(report):
    return {v.client: v.verdict for v in report.clients}


def test_two_honest_clients_agree(servers):
    b, geth_w, reth_w = keeper_data()
    geth, reth = servers("geth"), servers("reth")
    serve_block(geth, b.block_rlp, geth_w, HOODI)
    serve_block(reth, b.block_rlp, reth_w, HOODI, witness_by_hash=True)
    report = check("1151683", [rpc(geth), rpc(reth)])
    assert report.overall == AGREE and report.exit_code == 0
    assert verdicts(report) == {"geth": AGREES, "reth": AGREES}
    assert report.block_hash.hex() == "678e9770bebc2ecc6db9919b052da83c01b9360d8222eda5242e87c19ca288cd"
    # everything after the hash is fixed is fetched by hash
    assert "debug_getRawBlock" in geth.calls and "eth_getBlockByHash" in reth.calls


def test_a_client_that_rejected_a_valid_block_is_named(servers):
    b, geth_w, _ = keeper_data()
    good, bad = servers("op-geth"), servers("op-reth")
    serve_block(good, b.block_rlp, geth_w, HOODI)
    serve_block(bad, b.block_rlp, None, HOODI, holds_block=False, bad_block=True)
    report = check("0x678e9770bebc2ecc6db9919b052da83c01b9360d8222eda5242e87c19ca288cd", [rpc(good), rpc(bad)])
    assert report.overall == SPLIT and report.exit_code == 1
    assert verdicts(report) == {"op-geth": AGREES, "op-reth": REJECTED}
    assert "invalid merkle root" in [v for v in report.clients if v.client == "op-reth"][0].detail


def zevm_data():
    witness = json.loads((ZEVM_HOODI / "test_block_witness.json").read_text())
    raw = bytes.fromhex(json.loads((ZEVM_HOODI / "test_block.json").read_text())["result"][2:])
    return witness, raw


def test_a_client_that_accepted_an_invalid_block_is_named_with_a_diagnosis(servers):
    """Hoodi #51632 with a wrong receipts root: one client holds it, the other rejected it; the
    holder's receipts differ from ours at transaction 3."""
    witness, raw = zevm_data()
    items = rlp.decode(raw)
    items[0][5] = b"\x77" * 32  # receiptsRoot
    bad_block = rlp.encode(items)
    liar, honest = servers("liar"), servers("honest")
    state = {}

    def receipts(p):  # the liar's receipts: ours, but transaction 3 failed
        ours = state["ours"]
        out = [{"status": "0x1" if r.state_root == b"\x01" else "0x0", "cumulativeGasUsed": hex(r.gas_used),
                "logs": [{}] * len(r.logs)} for r in ours]
        out[3]["status"] = "0x0"
        return out

    serve_block(liar, bad_block, witness, HOODI)
    liar.methods["eth_getBlockReceipts"] = receipts
    serve_block(honest, bad_block, None, HOODI, holds_block=False, bad_block=True)
    from witnessverify.pipeline import verify_bundle
    from witnessverify.sources import bundle_from_witness_json

    state["ours"] = verify_bundle(bundle_from_witness_json(witness, bad_block, "x", HOODI)).receipts
    report = check(hex(51632), [rpc(liar, timeout=30), rpc(honest)])
    assert report.overall == SPLIT and report.reason == "wrong: liar"
    v = {x.client: x for x in report.clients}
    assert v["liar"].verdict == DISAGREES and "receiptsRoot" in v["liar"].fields
    assert v["honest"].verdict == AGREES
    assert v["liar"].diagnosis["firstDivergingTransaction"] == 3
    assert v["liar"].diagnosis["ours"]["status"] == 1 and v["liar"].diagnosis["theirs"]["status"] == 0


def base_fee_split(servers):
    """The keeper block with a base fee its parent contradicts: a liar holds it, honest rejected it."""
    b, geth_w, _ = keeper_data()
    items = rlp.decode(b.block_rlp)
    items[0][15] = (int.from_bytes(items[0][15], "big") + 1).to_bytes(8, "big").lstrip(b"\0")
    block = rlp.encode(items)
    liar, honest = servers("liar"), servers("honest")
    serve_block(liar, block, geth_w, HOODI)
    serve_block(honest, block, None, HOODI, holds_block=False, bad_block=True)
    return liar, honest


def test_a_wrong_base_fee_is_blamed_even_beside_a_witness_gap(servers):
    """The keeper witness lacks one exclusion proof; a base fee the parent contradicts is still wrong."""
    liar, honest = base_fee_split(servers)
    report = check("1151683", [rpc(liar), rpc(honest)])
    assert report.overall == SPLIT
    v = {x.client: x for x in report.clients}
    assert v["liar"].verdict == DISAGREES and "baseFeePerGas" in v["liar"].fields


def test_a_state_root_the_witness_cannot_settle_is_inconclusive(servers):
    """Never blame on bad grounds: with the keeper witness's gap, a wrong state root claim is unjudged."""
    b, geth_w, _ = keeper_data()
    items = rlp.decode(b.block_rlp)
    items[0][3] = b"\x66" * 32
    c = servers("c")
    serve_block(c, rlp.encode(items), geth_w, HOODI)
    report = check("1151683", [rpc(c)])
    assert report.overall == INCONCLUSIVE and report.exit_code == 3
    assert "WITNESS_INCOMPLETE" in report.reason


def test_an_incomplete_witness_is_merged_with_another_clients(servers):
    b, geth_w, reth_w = keeper_data()
    parent_state_root = rlp.decode(b.headers[0])[3]
    sender_path = trie_path(node_map(b), parent_state_root, keccak(bytes.fromhex("cec048be2bb61993d6ac7e03cd26a2323d8ca0dd")))
    dropped = "0x" + node_map(b)[sender_path[-1]].hex()
    partial = dict(geth_w, state=[n for n in geth_w["state"] if n != dropped])
    other = "0x" + node_map(b)[sender_path[-2]].hex()  # b lacks the branch above that leaf
    partial_b = dict(reth_w, state=[n for n in reth_w["state"] if n.lower() != other])
    a, c2 = servers("a"), servers("b")
    serve_block(a, b.block_rlp, partial, HOODI)
    serve_block(c2, b.block_rlp, partial_b, HOODI, witness_by_hash=True)
    report = check("1151683", [rpc(a), rpc(c2)], witness_from="a")
    assert report.overall == AGREE, report.reason
    assert report.witness_sources == ["a", "b"]


def test_a_complete_witness_alone_is_used_before_any_merge(servers):
    b, geth_w, reth_w = keeper_data()
    a, c2 = servers("a"), servers("b")
    serve_block(a, b.block_rlp, dict(geth_w, state=["0xzz"]), HOODI)  # a malformed witness
    serve_block(c2, b.block_rlp, reth_w, HOODI, witness_by_hash=True)
    report = check("1151683", [rpc(a), rpc(c2)], witness_from="a")
    assert report.overall == AGREE and report.witness_sources == ["b"]
    assert any("unreadable" in n for n in report.notes)


@pytest.mark.parametrize("fault", [
    {"delay": 3},                 # hangs past the timeout
    {"status": 500},              # server error, every time
    {"status": 429},              # rate limited, every time
    {"garbage": True},            # not JSON
    {"truncate": True},           # body cut short
])
def test_one_faulty_endpoint_never_blames_on_bad_grounds(servers, fault):
    b, geth_w, _ = keeper_data()
    good, flaky = servers("good"), servers("flaky")
    serve_block(good, b.block_rlp, geth_w, HOODI)
    serve_block(flaky, b.block_rlp, geth_w, HOODI)
    flaky.faults["*"] = dict(fault, times=10**6)
    report = check("1151683", [rpc(good), rpc(flaky, timeout=1, retries=1)])
    assert report.overall == AGREE
    assert verdicts(report) == {"good": AGREES, "flaky": UNAVAILABLE}


def test_transient_errors_are_retried(servers):
    b, geth_w, _ = keeper_data()
    c = servers("c")
    serve_block(c, b.block_rlp, geth_w, HOODI)
    c.faults["*"] = {"status": 503, "times": 2}
    report = check("1151683", [rpc(c, retries=3)])
    assert report.overall == AGREE


def test_an_endpoint_down_and_no_source_at_all(servers):
    down = RpcClient("down", "http://127.0.0.1:9", timeout=1, retries=0)
    report = check("1151683", [down])
    assert report.overall == NO_SOURCE and report.exit_code == 4
    b, geth_w, _ = keeper_data()
    up = servers("up")
    serve_block(up, b.block_rlp, geth_w, HOODI)
    report = check("1151683", [down, rpc(up)])
    assert report.overall == AGREE and verdicts(report) == {"down": UNAVAILABLE, "up": AGREES}


def test_a_client_without_the_debug_api(servers):
    b, geth_w, _ = keeper_data()
    plain = servers("provider")
    serve_block(plain, b.block_rlp, None, HOODI)  # no witness method
    report = check("1151683", [rpc(plain)])
    assert report.overall == NO_SOURCE and "witness" in report.reason


def test_a_reorg_between_calls_is_inconclusive(servers):
    b, geth_w, _ = keeper_data()
    c = servers("c")
    serve_block(c, b.block_rlp, geth_w, HOODI)
    honest = c.methods["eth_getBlockByNumber"]
    seen = {"n": 0}

    def moving(p):
        seen["n"] += 1
        hdr = honest(p)
        if seen["n"] > 2 and hdr:  # later answers name another block at the same height
            hdr = dict(hdr, hash="0x" + "ab" * 32)
        return hdr

    c.methods["eth_getBlockByNumber"] = moving
    report = check("1151683", [rpc(c)])
    assert report.overall == INCONCLUSIVE and report.exit_code == 3 and "reorg" in report.reason


def test_save_reproduces_the_verdict_offline(servers, tmp_path):
    b, geth_w, _ = keeper_data()
    c = servers("c")
    serve_block(c, b.block_rlp, geth_w, HOODI)
    report = check("1151683", [rpc(c)], save_dir=str(tmp_path / "saved"))
    assert report.overall == AGREE
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "saved" / "bundle.json"), "--json"],
                       capture_output=True, text=True, timeout=120)
    offline = json.loads(r.stdout)
    assert r.returncode == 0 and offline["verdict"] == report.outcome.verdict
    assert offline["computed"] == {k: v for k, v in offline["computed"].items()}
    assert offline["computed"]["stateRoot"] == report.outcome.computed["stateRoot"]


def test_the_cli_check_command(servers):
    b, geth_w, _ = keeper_data()
    c = servers("geth")
    serve_block(c, b.block_rlp, geth_w, HOODI)
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "1151683", "--rpc", f"geth={c.url}",
                        "--rpc-header", "geth=Authorization: Bearer x", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["overall"] == "AGREE" and doc["clients"][0]["verdict"] == "AGREES"
    assert doc["engine"]["verdict"] == "VALID"
    for arg in ("nourl", "a=ftp://x", "a=notaurl"):
        bad = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "1151683", "--rpc", arg],
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr, arg
    # a URL that passes the scheme check but cannot be parsed: the client is unavailable, no traceback
    odd = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "1151683", "--rpc", "a=http://[::1"],
                         capture_output=True, text=True, timeout=60)
    assert odd.returncode == 4 and "Traceback" not in odd.stdout + odd.stderr


def test_replay_of_the_real_reth_debug_api_answers(servers):
    """The recorded debug_executionWitness / debug_getRawBlock answers of Hoodi #51632."""
    witness, raw = zevm_data()
    reth = servers("reth")
    serve_block(reth, raw, witness, HOODI)
    report = check("51632", [rpc(reth, timeout=30)])
    assert report.overall == AGREE and report.outcome.verdict == "VALID"
    assert report.outcome.gas_used == 35959373


def test_a_saved_split_replays_offline_byte_for_byte(servers, tmp_path):
    from witnessverify.tiebreak import human

    liar, honest = base_fee_split(servers)
    live = check("1151683", [rpc(liar), rpc(honest)], save_dir=str(tmp_path / "split"))
    assert live.overall == SPLIT
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "split")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == live.exit_code == 1
    assert r.stdout.rstrip("\n") == human(live)
    # the folder also holds a plain bundle for `verify FILE`
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "split" / "bundle.json")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stdout.startswith("MISMATCH")


def test_intermediate_roots_pin_the_transaction_whose_state_diverged(servers):
    """Hoodi #51632 claiming a wrong state root; the liar's per-transaction roots (ours, with
    transaction 5's altered) pin the divergence to transaction 5."""
    from witnessverify.pipeline import verify_bundle
    from witnessverify.sources import bundle_from_witness_json

    witness, raw = zevm_data()
    items = rlp.decode(raw)
    items[0][3] = b"\x66" * 32  # stateRoot
    bad_block = rlp.encode(items)
    ours = verify_bundle(bundle_from_witness_json(witness, bad_block, "x", HOODI), intermediate_roots=True).intermediate_roots
    assert len(ours) == 11 and all(ours)
    theirs = ["0x" + r.hex() for r in ours]
    theirs[5] = "0x" + "ab" * 32
    liar = servers("liar")
    serve_block(liar, bad_block, witness, HOODI)
    liar.methods["debug_intermediateRoots"] = lambda p: theirs
    report = check("51632", [rpc(liar, timeout=60)])
    assert report.overall == SPLIT
    (v,) = report.clients
    assert v.diagnosis["intermediateRoots"] == {"firstDivergingTransaction": 5, "ours": "0x" + ours[5].hex(), "theirs": theirs[5]}


@pytest.mark.parametrize("shape", ["execution-apis", "old-geth", "besu"])
def test_bad_block_entries_of_every_known_shape(servers, shape):
    b, geth_w, _ = keeper_data()
    good, bad = servers("good"), servers("bad")
    serve_block(good, b.block_rlp, geth_w, HOODI)
    serve_block(bad, b.block_rlp, None, HOODI, holds_block=False)
    hdr = header_json(rlp.encode(rlp.decode(b.block_rlp)[0]))
    raw = b.block_rlp.hex()
    entry = {
        "execution-apis": {"block": hdr, "hash": hdr["hash"], "rlp": "0x" + raw},
        "old-geth": {"hash": hdr["hash"], "header": hdr, "blockrlp": raw},
        "besu": {"block": dict(hdr, reason="state root mismatch"), "rlp": "0x" + raw},
    }[shape]
    bad.methods["debug_getBadBlocks"] = lambda p: [entry]
    report = check("1151683", [rpc(good), rpc(bad)])
    assert report.overall == SPLIT and verdicts(report) == {"good": AGREES, "bad": REJECTED}


def test_http_details_gzip_auth_rate_limit_and_size_cap(servers):
    import time

    from witnessverify.tiebreak.rpc import RpcError

    b, geth_w, _ = keeper_data()
    c = servers("c")
    serve_block(c, b.block_rlp, geth_w, HOODI)
    c.gzip = True  # a large witness answer compressed on the wire
    client = rpc(c, headers={"Authorization": "Bearer s3cret"})
    assert check("1151683", [client]).overall == AGREE
    assert all(h.get("Authorization") == "Bearer s3cret" for h in c.headers_seen)
    assert all("gzip" in h.get("Accept-Encoding", "") for h in c.headers_seen)

    slow = rpc(c, rps=5)
    start = time.monotonic()
    for _ in range(6):
        slow.call("eth_chainId")
    assert time.monotonic() - start >= 1.0  # six calls at five per second

    capped = rpc(c, max_bytes=10_000)
    with pytest.raises(RpcError) as err:
        capped.call("debug_executionWitness", "0x1192c3")
    assert err.value.kind == "too-large"
    c.methods["eth_chainId"] = lambda p: (_ for _ in ()).throw(RuntimeError("internal failure"))
    with pytest.raises(RpcError) as err:
        rpc(c).call("eth_chainId")
    assert err.value.kind == "rpc" and "internal failure" in err.value.detail


def test_merged_heights_name_why_a_client_was_not_judged():
    """Clients hold different valid blocks at one height, and a third could not be reached: its
    line keeps its own reason (not "holds none of the blocks"), and the note that every block is
    valid says which client was not judged (issue 21)."""
    from witnessverify.outcome import Outcome
    from witnessverify.tiebreak.claims import CheckReport, ClientVerdict, merge_heights

    def report(block: bytes, holder: str) -> CheckReport:
        return CheckReport(AGREE, block_number=7, block_hash=block, outcome=Outcome(verdict="VALID", origin="t"),
                           clients=[ClientVerdict(holder, AGREES, "holds the block, which the engine confirms"),
                                    ClientVerdict("down", UNAVAILABLE, "timed out after 5s (http://127.0.0.1:9)")])

    merged = merge_heights([report(b"\x01" * 32, "geth"), report(b"\x02" * 32, "reth")], ["geth", "reth", "down"], [])
    down = next(v for v in merged.clients if v.client == "down")
    assert merged.overall == AGREE
    assert down.verdict == UNAVAILABLE and "timed out" in down.detail and "holds none" not in down.detail
    assert any("every block judged at this height is valid" in n and "down: not judged" in n for n in merged.notes)
