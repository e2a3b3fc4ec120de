"""`check` against faulty clients (each example found by fault injection, as a regression test,
with the faulty client first and last): a client's garbage makes that client UNAVAILABLE and the
others are still judged; no fault hangs the check or holds more memory than the answer cap."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from witnessverify.tiebreak import AGREE, AGREES, SPLIT, UNAVAILABLE, check, human
from witnessverify.tiebreak.rpc import RpcClient, RpcError

from tests.helpers.rpc_fixture import serve_block
from tests.tiebreak.test_check import HOODI, base_fee_split, keeper_data, rpc, verdicts


def _pair(servers, faulty_first: bool, fault):
    b, geth_w, _ = keeper_data()
    good, bad = servers("good"), servers("bad")
    serve_block(good, b.block_rlp, geth_w, HOODI)
    serve_block(bad, b.block_rlp, geth_w, HOODI)
    fault(bad)
    clients = [rpc(good), rpc(bad, timeout=2, retries=0)]
    return clients[::-1] if faulty_first else clients


FAULTS = {
    "header_without_hash": lambda c: c.methods.update(
        eth_getBlockByNumber=lambda p, f=c.methods["eth_getBlockByNumber"]: {k: v for k, v in (f(p) or {}).items() if k != "hash"}),
    "header_with_a_non_hex_hash": lambda c: c.methods.update(
        eth_getBlockByNumber=lambda p, f=c.methods["eth_getBlockByNumber"]: dict(f(p) or {}, hash="0xzz" + "0" * 62)),
    "witness_with_non_hex_nodes": lambda c: c.methods.update(debug_executionWitness=lambda p: {"state": ["0xnothex"], "codes": []}),
    "witness_of_wrong_types": lambda c: c.methods.update(debug_executionWitness=lambda p: {"state": 5, "codes": {"a": 1}}),
    "raw_block_0x1234": lambda c: c.methods.update(debug_getRawBlock=lambda p: "0x1234"),
    "chain_id_0xzz": lambda c: c.methods.update(eth_chainId=lambda p: "0xzz"),
    "another_chains_id": lambda c: c.methods.update(eth_chainId=lambda p: "0x1"),
    "html_answers": lambda c: c.faults.update({"*": {"garbage": True, "times": 10**6}}),
    "wrong_ids": lambda c: c.faults.update({"*": {"wrong_id": True, "times": 10**6}}),
    "proofs_and_traces_of_garbage": lambda c: c.methods.update(
        debug_executionWitness=lambda p: None, eth_getProof=lambda p: [1, 2], debug_traceBlockByNumber=lambda p: {"x": 1}),
}


@pytest.mark.parametrize("faulty_first", [True, False], ids=["faulty-first", "faulty-last"])
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_a_faulty_client_is_unavailable_and_the_others_are_judged(servers, name, faulty_first):
    clients = _pair(servers, faulty_first, FAULTS[name])
    report = check("1151683", clients)
    assert report.overall == AGREE, (report.reason, report.notes)
    v = verdicts(report)
    assert v["good"] == AGREES
    # a fault in the witness or the raw block leaves the client's own claim (its header) standing
    assert v["bad"] in (UNAVAILABLE, AGREES), v


def test_a_client_on_another_chain_is_never_taken_as_agreeing(servers):
    clients = _pair(servers, False, FAULTS["another_chains_id"])
    report = check("1151683", clients)
    by = {x.client: x for x in report.clients}
    assert by["bad"].verdict == UNAVAILABLE and "serves chain 1" in by["bad"].detail


def test_a_dripping_client_is_cut_off_at_the_total_deadline(servers):
    b, geth_w, _ = keeper_data()
    drip = servers("drip")
    serve_block(drip, b.block_rlp, geth_w, HOODI)
    drip.faults["eth_chainId"] = {"drip": 0.2, "times": 10**6}
    client = RpcClient("drip", drip.url, timeout=1.5, retries=0)
    started = time.monotonic()
    with pytest.raises(RpcError) as err:
        client.call("eth_chainId")
    assert err.value.kind == "timeout" and time.monotonic() - started < 4


def test_a_huge_answer_and_a_gzip_bomb_are_refused_within_bounded_memory(servers):
    """600 MB answers against a 256 MB cap: refused, and the process never holds much more."""
    big = servers("big")
    big.faults["eth_chainId"] = {"stream": 600 << 20, "times": 10**6}
    bomb = servers("bomb")
    bomb.faults["eth_chainId"] = {"stream": 600 << 20, "gzip_bomb": True, "times": 10**6}
    code = (
        "import resource, sys\n"
        "from witnessverify.tiebreak.rpc import RpcClient, RpcError\n"
        "for url in sys.argv[1:]:\n"
        "    try:\n"
        "        RpcClient('x', url, timeout=120, retries=0).call('eth_chainId')\n"
        "        print('accepted')\n"
        "    except RpcError as e:\n"
        "        print(e.kind)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, big.url, bomb.url], capture_output=True, text=True, timeout=300)
    lines = r.stdout.split()
    assert lines[:2] == ["too-large", "too-large"], r.stdout + r.stderr
    assert int(lines[2]) < 900, f"peak RSS {lines[2]} MB"


def test_a_split_across_blocks_is_saved_and_replays_the_same(servers, tmp_path):
    """Two clients hold different blocks at one height (the split that matters most): the check is
    saved, and `verify DIR` prints the same report."""
    import rlp

    b, geth_w, _ = keeper_data()
    items = rlp.decode(b.block_rlp)
    items[0][15] = (int.from_bytes(items[0][15], "big") + 1).to_bytes(8, "big").lstrip(b"\0")
    other = rlp.encode(items)
    honest, liar = servers("honest"), servers("liar")
    serve_block(honest, b.block_rlp, geth_w, HOODI)
    serve_block(liar, other, geth_w, HOODI)
    live = check("1151683", [rpc(honest), rpc(liar)], save_dir=str(tmp_path / "split"))
    assert live.overall == SPLIT and verdicts(live) == {"honest": AGREES, "liar": "DISAGREES"}
    assert len(list((tmp_path / "split").glob("bundle-*.json"))) == 2
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "split")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == live.exit_code == 1
    assert r.stdout.rstrip("\n") == human(live)


def test_an_unjudged_check_replays_with_its_client_lines(servers, tmp_path):
    b, geth_w, _ = keeper_data()
    items = rlp_state_root_lie(b)
    c = servers("c")
    serve_block(c, items, geth_w, HOODI)
    live = check("1151683", [rpc(c)], save_dir=str(tmp_path / "saved"))
    assert live.overall == "INCONCLUSIVE" and [v.verdict for v in live.clients] == ["UNJUDGED"]
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "saved"), "--json"],
                       capture_output=True, text=True, timeout=120)
    replay = json.loads(r.stdout)
    from witnessverify.tiebreak import to_json

    assert replay == json.loads(json.dumps(to_json(live), default=str))


def rlp_state_root_lie(b) -> bytes:
    import rlp

    items = rlp.decode(b.block_rlp)
    items[0][3] = b"\x66" * 32
    return rlp.encode(items)


def test_the_saved_base_fee_split_still_replays(servers, tmp_path):
    liar, honest = base_fee_split(servers)
    live = check("1151683", [rpc(liar), rpc(honest)], save_dir=str(tmp_path / "s"))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "s")],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.rstrip("\n") == human(live)
