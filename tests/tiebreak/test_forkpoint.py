"""The split the tie-breaker exists for: clients that have diverged for several blocks, each
serving a self-consistent chain of its own (every later header re-linked, each later block valid
on its own parent), against a real node (Anvil) behind proxies. The fork point found must be the
one built into the test, the culprit named by executing its block there, in every client order;
a client alone on a chain whose fork point cannot be reached is never taken as agreeing."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from witnessverify.tiebreak import AGREE, AGREES, DISAGREES, INCONCLUSIVE, SPLIT, check
from witnessverify.tiebreak.claims import DIFFERENT_CHAIN, human
from witnessverify.tiebreak.rpc import RpcClient

from tests.helpers.anvil import Anvil, FakeChain, LyingProxy

BACK = 6  # the liar's chain parts this many blocks below the height asked for


def started(*args: str) -> Anvil:
    n = Anvil(*args)
    a = n.accounts()
    for i in range(14):  # a transfer in every block, so every block changes the state
        n.mine_block([{"from": a[i % 5], "to": "0x" + f"{i + 0x30:02x}" * 20, "value": 1000 + i}])
    return n


@pytest.fixture(scope="module")
def node():
    n = started()
    yield n
    n.close()


@pytest.fixture(scope="module")
def cancun():
    """Before Prague no block's state holds its parent's hash (EIP-2935), so a chain re-linked
    onto another parent can be valid in every block: the fake chain a lying client can serve."""
    n = started("--hardfork", "cancun")
    yield n
    n.close()


@pytest.fixture
def proxies(node, cancun):
    made = []

    def make(n=1, upstream=node):
        ps = [LyingProxy(upstream.url) for _ in range(n)]
        made.extend(ps)
        return ps

    yield make
    for p in made:
        p.close()


def rpc(url: str, name: str) -> RpcClient:
    return RpcClient(name, url, timeout=30, backoff=0.05)


def head(node) -> int:
    return int(node.rpc("eth_blockNumber"), 16)


def wrong_root_at(number: int):
    """The liar's chain: its block at `number` claims a wrong state root; every later block is
    re-linked onto it and carries the right roots, so it is valid on its own parent."""
    def alter(header: dict) -> dict:
        if int(header["number"], 16) == number:
            header["stateRoot"] = "0x" + "5a" * 32
        return header
    return alter


def other_extra(header: dict) -> dict:  # a valid block all the same: another extraData
    header["extraData"] = "0x" + b"another chain".hex()
    return header


def by_name(report):
    return {v.client: v for v in report.clients}


@pytest.mark.parametrize("names", [list(p) for p in itertools.permutations(["honest", "liar"])]
                         + [list(p) for p in itertools.permutations(["h1", "h2", "liar"])])
def test_a_diverged_chain_is_traced_to_its_fork_point_and_its_culprit(node, proxies, names):
    n = head(node)
    point = n - BACK
    ps = dict(zip(names, proxies(len(names))))
    fake = FakeChain(ps["liar"], point + 1, wrong_root_at(point + 1))
    clients = [rpc(ps[name].url, name) for name in names]
    report = check(str(n), clients)
    v = by_name(report)
    assert report.fork is not None and report.fork.point == point, (report.reason, report.fork and report.fork.to_json())
    assert report.overall == SPLIT and report.reason == "wrong: liar", (report.reason, [x.__dict__ for x in report.clients])
    assert v["liar"].verdict == DISAGREES and "stateRoot" in v["liar"].fields
    assert f"forked after #{point}" in v["liar"].detail
    assert all(v[x].verdict == AGREES for x in names if x != "liar")
    liar_chain = next(c for c in report.fork.chains if "liar" in c.clients)
    assert liar_chain.first_block.hex() == fake.fake_hash(point + 1)[2:]
    # gallop 1, 2, 4, 8 back, then bisect: a handful of header requests per client
    assert 0 < report.fork.requests <= 4 * 2 * len(names)
    assert f"fork-point search: {report.fork.requests} request(s)" in human(report)


@pytest.mark.parametrize("liar_at", [0, 1])
def test_two_clients_on_chains_whose_fork_point_is_out_of_reach(cancun, proxies, liar_at):
    """The liar's block sits on a parent no other client holds, every hash and the execution
    right, and it serves nothing below: both clients hold different chains, and that is said."""
    n = head(cancun)
    honest, liar = proxies(2, cancun)
    FakeChain(liar, n - 2, other_extra, refuse_below=n - 2)
    clients = [rpc(honest.url, "honest"), rpc(liar.url, "liar")]
    if liar_at == 0:
        clients.reverse()
    report = check(str(n), clients)
    assert report.overall == INCONCLUSIVE and report.exit_code == 3, report.reason
    assert {v.client: v.verdict for v in report.clients} == {"honest": DIFFERENT_CHAIN, "liar": DIFFERENT_CHAIN}
    assert "fork point was not reached" in report.reason and f"serves no block at #{n - 3} or below, and the chains differ at #{n - 2}" in report.reason


@pytest.mark.parametrize("liar_at", [0, 1, 2])
def test_three_clients_the_one_alone_on_its_chain_is_named(cancun, proxies, liar_at):
    n = head(cancun)
    h1, h2, liar = proxies(3, cancun)
    FakeChain(liar, n - 2, other_extra, refuse_below=n - 2)
    clients = [rpc(h1.url, "h1"), rpc(h2.url, "h2")]
    clients.insert(liar_at, rpc(liar.url, "liar"))
    report = check(str(n), clients)
    assert report.overall == INCONCLUSIVE and report.overall != AGREE, report.reason
    v = by_name(report)
    assert v["liar"].verdict == DIFFERENT_CHAIN and "no other client holds" in v["liar"].detail
    assert v["h1"].verdict == AGREES and v["h2"].verdict == AGREES
    assert [x.client for x in report.clients] == [c.name for c in clients]


def test_a_valid_fork_is_a_fork_choice_difference_never_agree(cancun, proxies):
    """Both sides of the fork valid (the liar's blocks differ only in extraData): the engine
    cannot settle it, and says so; the minority chain is named."""
    n = head(cancun)
    h1, h2, other = proxies(3, cancun)
    FakeChain(other, n - 3, other_extra)
    report = check(str(n), [rpc(h1.url, "h1"), rpc(other.url, "other"), rpc(h2.url, "h2")])
    v = by_name(report)
    assert report.fork.point == n - 4
    assert report.overall == INCONCLUSIVE and "fork-choice difference" in report.reason
    assert v["other"].verdict == DIFFERENT_CHAIN and v["h1"].verdict == AGREES == v["h2"].verdict


def test_since_prague_a_re_linked_chain_is_refuted_by_its_own_history_contract(node, proxies):
    """From Prague each block writes its parent's hash into the EIP-2935 history contract: the
    liar's block on a parent no other client holds then has a wrong state root of its own, and
    the engine names it even though its fork point cannot be reached."""
    n = head(node)
    honest, liar = proxies(2)
    FakeChain(liar, n - 2, other_extra, refuse_below=n - 2)
    report = check(str(n), [rpc(liar.url, "liar"), rpc(honest.url, "honest")])
    v = by_name(report)
    assert report.overall == SPLIT and report.reason.startswith("wrong: liar"), report.reason
    assert v["liar"].verdict == DISAGREES and "stateRoot" in v["liar"].fields and v["honest"].verdict == AGREES
    history = "0x0000f90827f1c53a10cb7a02335b175320002935"
    assert {d["account"] for d in v["liar"].diagnosis["stateDiff"]} == {history}


def test_a_traced_split_is_saved_and_replays_the_same(node, proxies, tmp_path):
    n = head(node)
    honest, liar = proxies(2)
    FakeChain(liar, n - BACK + 1, wrong_root_at(n - BACK + 1))
    live = check(str(n), [rpc(honest.url, "honest"), rpc(liar.url, "liar")], save_dir=str(tmp_path / "split"))
    assert live.overall == SPLIT and live.fork.point == n - BACK
    doc = json.loads((tmp_path / "split" / "claims.json").read_text())
    assert doc["fork"]["search"]["chains"] and doc["fork"]["blocks"]
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "split")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == live.exit_code == 1, r.stderr
    assert r.stdout.rstrip("\n") == human(live)
