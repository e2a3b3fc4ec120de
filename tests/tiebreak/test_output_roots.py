"""OP Stack output roots (issue 15): the hash against independent answers, the message passer's
storage root from real blocks' post-states against their own headers, and the tie-breaker's
judgement of rollup nodes (fake op-nodes on loopback answering right, each part wrong, garbage,
slow) and of roots given by hand.

Oracles: `tests/vectors/output_roots.json` (op-node's own computation over real Ethereum mainnet
data, and a real OP Sepolia optimism_outputAtBlock answer, with provenance), the real mainnet
account proof in the same file, and the bundled OP blocks' headers (from Isthmus on the header's
withdrawalsRoot is the message passer's storage root, so the chain itself says what it is).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify import sources
from witnessverify.pipeline import verify_bundle
from witnessverify.rules.op.output_root import (
    L2_TO_L1_MESSAGE_PASSER, Output, ProofInvalid, account_storage_root, from_post_state, output_root,
    proven_storage_root,
)
from witnessverify.tiebreak import AGREE, AGREES, DISAGREES, SPLIT, UNAVAILABLE, UNJUDGED, check, replay_saved
from witnessverify.tiebreak.output import OutputAnswers, complete, judge_answer
from witnessverify.tiebreak.rpc import RpcClient
from witnessverify.engine import execute_block
from witnessverify.pipeline import prepare
from witnessverify.chains import resolve_chain

from tests.helpers.fixtures import BUNDLES, VECTORS as VECTORS_DIR, trie_path
from tests.helpers.rpc_fixture import FakeClient, header_json, serve_block

VECTORS = json.loads((VECTORS_DIR / "output_roots.json").read_text())
ISTHMUS_BLOCKS = ["42220-43396452", "42220-75046581", "11142220-20465049", "11142220-2265803", "11142220-2343822",
                  "11142220-2346038", "11142220-2346450", "11142220-6750121", "11142220-9558619"]
PRE_ISTHMUS_BLOCKS = ["10-120794432", "10-121003241", "10-121049889", "10-121057303", "42220-31071493",
                      "42220-31128957"]
CELO_ISTHMUS = "42220-43396452"
CELO_GRANITE = "42220-31071493"


def h(s: str) -> bytes:
    return bytes.fromhex(s[2:])


def bundle(name: str):
    (b,) = sources.load(BUNDLES / f"{name}.json")
    return b


@pytest.mark.parametrize("v", VECTORS["outputs"], ids=lambda v: v["from"])
def test_the_hash_is_the_one_op_node_and_a_real_chain_compute(v):
    assert output_root(h(v["stateRoot"]), h(v["withdrawalStorageRoot"]), h(v["blockHash"]), h(v["version"])) == \
        h(v["outputRoot"])
    # and a root of other parts is another root (the test can fail)
    assert output_root(h(v["blockHash"]), h(v["withdrawalStorageRoot"]), h(v["stateRoot"])) != h(v["outputRoot"])


def test_an_account_proof_proves_the_storage_root_and_nothing_else():
    p = VECTORS["accountProof"]
    proof = [h(n) for n in p["accountProof"]]
    assert proven_storage_root(proof, h(p["stateRoot"]), h(p["address"])) == h(p["storageHash"])
    with pytest.raises(ProofInvalid, match="does not reach its leaf"):  # against another root
        proven_storage_root(proof, keccak(b"another state"), h(p["address"]))
    with pytest.raises(ProofInvalid):  # a node missing from the middle
        proven_storage_root(proof[:3] + proof[4:], h(p["stateRoot"]), h(p["address"]))
    # an address the proof does not cover stops on a node it lacks
    with pytest.raises(ProofInvalid):
        proven_storage_root(proof, h(p["stateRoot"]), L2_TO_L1_MESSAGE_PASSER)


@pytest.mark.parametrize("name", ISTHMUS_BLOCKS)
def test_isthmus_output_roots_from_the_chains_own_headers(name):
    b = bundle(name)
    o = verify_bundle(b)
    assert o.verdict == "VALID" and o.output is not None
    header = rlp.decode(b.block_rlp)[0]
    state_root, withdrawals_root = header[3], header[16]
    want = keccak(bytes(32) + state_root + withdrawals_root + keccak(rlp.encode(header)))
    assert o.output.root == want and o.output.source.startswith("withdrawalsRoot")


@pytest.mark.parametrize("name", ISTHMUS_BLOCKS)
def test_the_post_state_walk_finds_the_storage_root_the_header_commits_to(name):
    """The pre-Isthmus path (the storage root read from the post-state trie) on blocks whose header
    says what the root is: Isthmus blocks, whose witness must reach the message passer."""
    b = bundle(name)
    chain = resolve_chain(None, b.chain_id, name)
    prepared = prepare(b, chain)
    result = execute_block(prepared.block, prepared.rules, prepared.execution_context())
    header = rlp.decode(b.block_rlp)[0]
    walked = from_post_state(result.nodes, result.state_root, keccak(rlp.encode(header)), None)
    assert walked.source == "post-state" and walked.storage_root == header[16]
    assert result.state_root == header[3]


@pytest.mark.parametrize("name", PRE_ISTHMUS_BLOCKS)
def test_pre_isthmus_witnesses_that_miss_the_message_passer_say_unknown(name):
    o = verify_bundle(bundle(name))
    assert o.verdict == "VALID"
    assert o.output.root is None and o.output.storage_root is None
    assert "does not reach the L2ToL1MessagePasser" in o.output.unknown and "trie node 0x" in o.output.unknown


def _real_post_state(name: str):
    b = bundle(name)
    chain = resolve_chain(None, b.chain_id, name)
    prepared = prepare(b, chain)
    result = execute_block(prepared.block, prepared.rules, prepared.execution_context())
    return rlp.decode(b.block_rlp)[0], result


def test_a_fetched_proof_completes_an_unknown_output_only_if_it_authenticates():
    """The message passer's real post-state path of a Celo block (its header's stateRoot) served as
    a proof: taken; the same proof against another state root, or mangled: refused, with a note."""
    header, result = _real_post_state(CELO_ISTHMUS)
    state_root, block_hash = header[3], keccak(rlp.encode(header))
    path = [result.nodes[x] for x in trie_path(result.nodes, state_root, keccak(L2_TO_L1_MESSAGE_PASSER))]
    assert account_storage_root({keccak(n): n for n in path}, state_root) == header[16]
    unknown = Output(state_root, block_hash, None, "", "the witness does not reach the L2ToL1MessagePasser")
    proof = ["0x" + n.hex() for n in path]
    notes: list[str] = []
    done = complete(unknown, OutputAnswers(proofs=[{"client": "liar", "accountProof": proof[:-1]},
                                                   {"client": "junk", "accountProof": "0xzz"},
                                                   {"client": "down", "error": "timeout"},
                                                   {"client": "honest", "accountProof": proof}]), notes)
    assert done.storage_root == header[16] and "honest" in done.source
    assert done.root == keccak(bytes(32) + state_root + header[16] + block_hash)
    assert [n.split(":")[0] for n in notes] == ["liar", "junk", "down"]
    other = Output(keccak(b"x"), block_hash, None, "", "the witness does not reach the L2ToL1MessagePasser")
    assert complete(other, OutputAnswers(proofs=[{"client": "c", "accountProof": proof}]), []).root is None


def _answer(o: Output, number: int, **change) -> dict:
    parts = {"version": bytes(32), "stateRoot": o.state_root, "withdrawalStorageRoot": o.storage_root,
             "blockHash": o.block_hash}
    parts.update(change)
    root = change.pop("outputRoot", None) or keccak(b"".join(parts[k] for k in ("version", "stateRoot",
                                                                                 "withdrawalStorageRoot", "blockHash")))
    return {"version": "0x" + parts["version"].hex(), "outputRoot": "0x" + root.hex(),
            "blockRef": {"hash": "0x" + parts["blockHash"].hex(), "number": number, "parentHash": "0x" + "00" * 32,
                         "timestamp": 0, "l1origin": {"hash": "0x" + "00" * 32, "number": 1}, "sequenceNumber": 0},
            "withdrawalStorageRoot": "0x" + parts["withdrawalStorageRoot"].hex(),
            "stateRoot": "0x" + parts["stateRoot"].hex(), "syncStatus": {}}


def test_each_part_of_a_rollup_answer_is_judged():
    o = verify_bundle(bundle(CELO_ISTHMUS)).output
    n = 43396452
    assert judge_answer("ok", _answer(o, n), o, n).verdict == AGREES
    other = keccak(b"other")
    for part in ("stateRoot", "withdrawalStorageRoot", "blockHash"):
        v = judge_answer("liar", _answer(o, n, **{part: other}), o, n)
        assert v.verdict == DISAGREES and v.fields == [part], part
    v = judge_answer("liar", _answer(o, n, outputRoot=other), o, n)  # a root that is not the hash of its parts
    assert v.verdict == DISAGREES and v.fields == ["outputRoot"]
    assert judge_answer("liar", _answer(o, n + 1), o, n).fields == ["blockRef.number"]
    assert judge_answer("liar", _answer(o, n, version=b"\x01" * 32), o, n).fields == ["version"]
    for junk in (None, [], "0x", {"outputRoot": "0x12"}, {**_answer(o, n), "blockRef": None},
                 {**_answer(o, n), "blockRef": {"hash": "0x" + "11" * 32, "number": "ten"}}):
        assert judge_answer("junk", junk, o, n).verdict == UNAVAILABLE, junk
    # an unknown storage root: agreeing parts are unjudged, a wrong state root still disagrees
    half = Output(o.state_root, o.block_hash, None, "", "unknown here")
    assert judge_answer("n", _answer(o, n), half, n).verdict == UNJUDGED
    assert judge_answer("n", _answer(o, n, stateRoot=other), half, n).fields == ["stateRoot"]


def _rpc(c: FakeClient, timeout: float = 5) -> RpcClient:
    return RpcClient(c.name, c.url, timeout=timeout, retries=0, backoff=0.05)


def _serve_el(servers, name: str, b) -> FakeClient:
    el = servers("geth")
    witness = {"headers": [header_json(x) for x in b.headers], "codes": ["0x" + c.hex() for c in b.codes],
               "state": ["0x" + x.hex() for x in b.state], "keys": None}
    serve_block(el, b.block_rlp, witness, b.chain_id)
    return el


def _op_node(servers, name: str, answer) -> FakeClient:
    node = servers(name)
    node.methods["optimism_outputAtBlock"] = lambda p: answer
    return node


def test_check_names_a_lying_rollup_node_and_never_an_honest_one(servers, tmp_path):
    b = bundle(CELO_ISTHMUS)
    o = verify_bundle(b).output
    n = 43396452
    el = _serve_el(servers, "geth", b)
    honest = _op_node(servers, "op-node", _answer(o, n))
    liars = {f"bad-{part}": _op_node(servers, f"bad-{part}", _answer(o, n, **{part: keccak(part.encode())}))
             for part in ("stateRoot", "withdrawalStorageRoot", "blockHash")}
    garbage = servers("garbage")
    garbage.faults["*"] = {"garbage": True}
    slow = _op_node(servers, "slow", _answer(o, n))
    slow.faults["optimism_outputAtBlock"] = {"delay": 3}
    nodes = [_rpc(honest)] + [_rpc(c) for c in liars.values()] + [_rpc(garbage), _rpc(slow, timeout=0.5)]
    report = check(str(n), [_rpc(el)], rollup_nodes=nodes, output_root="0x" + o.root.hex(),
                   save_dir=str(tmp_path / "saved"))
    got = {v.client: (v.verdict, v.fields) for v in report.outputs}
    assert got["op-node"] == (AGREES, []) and got["--output-root"] == (AGREES, [])
    for part, c in liars.items():
        assert got[c.name] == (DISAGREES, [part[4:]])
    assert got["garbage"][0] == UNAVAILABLE and got["slow"][0] == UNAVAILABLE
    assert report.overall == SPLIT and report.exit_code == 1
    assert set(report.reason.removeprefix("wrong: ").split(", ")) == set(liars)
    assert report.output.root == o.root and [v.verdict for v in report.clients] == [AGREES]
    # the saved check replays the same verdicts offline
    again = replay_saved(str(tmp_path / "saved"))
    assert [(v.client, v.verdict, v.fields) for v in again.outputs] == \
        [(v.client, v.verdict, v.fields) for v in report.outputs]
    assert again.overall == SPLIT


def test_check_with_only_honest_output_claims_agrees(servers):
    b = bundle(CELO_ISTHMUS)
    o = verify_bundle(b).output
    el = _serve_el(servers, "geth", b)
    honest = _op_node(servers, "kona-node", _answer(o, 43396452))
    report = check("43396452", [_rpc(el)], rollup_nodes=[_rpc(honest)])
    assert report.overall == AGREE and report.exit_code == 0
    assert [(v.client, v.verdict) for v in report.outputs] == [("kona-node", AGREES)]
    wrong = check("43396452", [_rpc(el)], output_root="0x" + keccak(b"a dispute game's bad claim").hex())
    assert wrong.overall == SPLIT and wrong.outputs[0].verdict == DISAGREES


def test_pre_isthmus_check_fetches_a_proof_and_refuses_one_that_does_not_authenticate(servers):
    """Celo Granite #31071493: its witness does not reach the message passer. A client whose proof
    does not prove against the computed root is not believed: the root stays unknown, an honest
    answer is UNJUDGED (never blamed), an answer with a wrong block hash is still DISAGREES."""
    b = bundle(CELO_GRANITE)
    o = verify_bundle(b).output
    assert o.root is None
    el = _serve_el(servers, "geth", b)
    p = VECTORS["accountProof"]
    el.methods["eth_getProof"] = lambda params: {"accountProof": p["accountProof"], "storageHash": p["storageHash"]}
    fake_storage = keccak(b"storage")
    answer = _answer(Output(o.state_root, o.block_hash, fake_storage, ""), 31071493)
    node = _op_node(servers, "op-node", answer)
    bad = _op_node(servers, "bad", _answer(Output(o.state_root, keccak(b"h"), fake_storage, ""), 31071493))
    report = check("31071493", [_rpc(el)], rollup_nodes=[_rpc(node), _rpc(bad)])
    assert "eth_getProof" in el.calls
    assert report.output.root is None
    assert any("geth: its proof of the message passer is not taken" in n for n in report.notes)
    got = {v.client: (v.verdict, v.fields) for v in report.outputs}
    assert got["op-node"][0] == UNJUDGED and got["bad"] == (DISAGREES, ["blockHash"])
    assert report.overall == SPLIT and report.reason == "wrong: bad"


def test_the_cli_options(servers):
    b = bundle(CELO_ISTHMUS)
    o = verify_bundle(b).output
    el = _serve_el(servers, "geth", b)
    node = _op_node(servers, "op-node", _answer(o, 43396452, stateRoot=keccak(b"x")))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "43396452", "--rpc", f"geth={el.url}",
                        "--rollup-rpc", f"op-node={node.url}", "--json"], capture_output=True, text=True, timeout=120)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["overall"] == "SPLIT"
    assert doc["output"]["outputRoot"] == "0x" + o.root.hex()
    assert doc["outputClaims"][0]["verdict"] == "DISAGREES" and doc["outputClaims"][0]["fields"] == ["stateRoot"]
    human = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "43396452", "--rpc",
                            f"geth={el.url}", "--rollup-rpc", f"op-node={node.url}"], capture_output=True, text=True,
                           timeout=120)
    assert "op-node" in human.stdout and "state root differs" in human.stdout
    for bad in (["--rollup-rpc", "x"], ["--rollup-rpc", "geth=http://127.0.0.1:1"], ["--output-root", "0x12"]):
        r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", "1", "--rpc", f"geth={el.url}", *bad],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "Traceback" not in r.stderr, bad
    path = str(BUNDLES / f"{CELO_ISTHMUS}.json")
    ok = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", path, "--output-root", "0x" + o.root.hex(),
                         "--json"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["outputClaim"]["verdict"] == "AGREES"
    no = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", path, "--output-root", "0x" + "ab" * 32],
                        capture_output=True, text=True, timeout=120)
    assert no.returncode == 1 and "DISAGREES" in no.stdout
    unknown = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(BUNDLES / f"{CELO_GRANITE}.json"),
                              "--output-root", "0x" + "ab" * 32], capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 3 and "UNJUDGED" in unknown.stdout


def test_a_verdict_of_an_l1_block_carries_no_output_root():
    (b,) = sources.load(BUNDLES / "560048-51632.json")
    o = verify_bundle(b)
    assert o.verdict == "VALID" and o.output is None
