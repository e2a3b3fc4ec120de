"""The tie-breaker against a real revm node (Anvil) through witnesses assembled from
eth_getProof + prestate traces: transfers, deploys, storage writes, a storage deletion that
collapses a trie branch, a self-destruct, Anvil's lying genesis header, and lying proxies."""

from __future__ import annotations

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify.tiebreak.rpc import RpcClient
from witnessverify.tiebreak import AGREE, AGREES, DISAGREES, INCONCLUSIVE, SPLIT, check, human

from tests.helpers.anvil import Anvil, LyingProxy, lie_about_header
from tests.helpers.evm_asm import asm

STORE = asm(0, "CALLDATALOAD", 32, "CALLDATALOAD", "SWAP1", "SSTORE", "STOP")  # slot, value from calldata
BIG = 2**255 + 12345  # long values: storage leaves are stored by hash


def deploy_code(runtime: bytes, prefix: bytes = b"") -> bytes:
    tail_len = 0
    while True:
        tail = asm(len(runtime), len(prefix) + tail_len, 0, "CODECOPY", len(runtime), 0, "RETURN")
        if len(tail) == tail_len:
            return prefix + tail + runtime
        tail_len = len(tail)


def slot_with_nibble(nibble: int, skip=()) -> int:
    return next(i for i in range(1, 10_000) if keccak(i.to_bytes(32, "big"))[0] >> 4 == nibble and i not in skip)


def word(n: int) -> str:
    return n.to_bytes(32, "big").hex()


def deploy_store(node, sender: str, s1: int, s2: int) -> str:
    """Deploy the slot-writing contract with two long values in s1 and s2; its address."""
    init = deploy_code(STORE, asm(BIG, s1, "SSTORE", BIG + 1, s2, "SSTORE"))
    node.mine_block([{"from": sender, "data": "0x" + init.hex(), "gas": 300_000}])
    tx = node.rpc("eth_getBlockByNumber", "latest", False)["transactions"][0]
    return node.receipt(tx)["contractAddress"]


@pytest.fixture(scope="module")
def anvil():
    node = Anvil()
    yield node
    node.close()


def client(node, name="anvil") -> RpcClient:
    return RpcClient(name, node.url, timeout=30, backoff=0.05)


def test_block_1_is_inconclusive_because_anvils_genesis_header_lies(anvil):
    a = anvil.accounts()
    n = anvil.mine_block([{"from": a[0], "to": "0x" + "11" * 20, "value": 5}])
    assert n == 1
    report = check("1", [client(anvil)])
    assert report.overall == INCONCLUSIVE and report.exit_code == 3
    assert "does not authenticate" in report.reason and "not the parent header's" in report.reason


def test_transfers_deploys_and_storage_writes_agree(anvil):
    a = anvil.accounts()
    s1, s2 = slot_with_nibble(1), slot_with_nibble(2)
    init = deploy_code(STORE, asm(BIG, s1, "SSTORE", BIG + 1, s2, "SSTORE"))
    n = anvil.mine_block([
        {"from": a[1], "to": "0x" + "22" * 20, "value": 10**18},
        {"from": a[2], "data": "0x" + init.hex(), "gas": 300_000},
        {"from": a[3], "to": a[4], "value": 1},
    ])
    report = check(str(n), [client(anvil)])
    assert report.overall == AGREE, (report.reason, report.notes)
    assert report.outcome.verdict == "VALID" and report.outcome.transactions == 3
    # the witness source says how it was had: assembled from proofs, not debug_executionWitness
    assert report.outcome.origin == "anvil: eth_getProof and a prestate trace", report.outcome.origin


def test_a_storage_deletion_that_collapses_a_branch(anvil):
    """Clearing a slot collapses the storage root's branch: the sibling leaf is fetched by a proof
    of a key under its path. Anvil 1.7.1 keeps the zeroed slot in its storage trie (a
    non-canonical root; foundry-rs/foundry#15934 fixed the same for eth_simulateV1 only): the
    tie-breaker names it, and the storage roots below show why."""
    from trie import HexaryTrie

    a = anvil.accounts()
    s1, s2 = slot_with_nibble(1), slot_with_nibble(2)
    contract = deploy_store(anvil, a[5], s1, s2)
    # clear s1: the storage root's branch keeps one child and collapses into s2's leaf
    n = anvil.mine_block([{"from": a[6], "to": contract, "data": "0x" + word(s1) + word(0), "gas": 100_000}])
    report = check(str(n), [client(anvil)])
    assert any("branch collapse" in note for note in report.notes)
    assert report.outcome.missing == []

    def root(items):
        t = HexaryTrie({})
        for slot, value in items:
            t[keccak(slot.to_bytes(32, "big"))] = value
        return "0x" + t.root_hash.hex()

    canonical = root([(s2, rlp.encode(BIG + 1))])
    with_zero_leaf = root([(s1, rlp.encode(0)), (s2, rlp.encode(BIG + 1))])
    anvils = anvil.rpc("eth_getProof", contract, [], hex(n))["storageHash"]
    if anvils == canonical:  # a fixed Anvil: its roots are confirmed
        assert report.overall == AGREE, (report.reason, report.notes)
    else:
        assert anvils == with_zero_leaf
        assert report.overall == SPLIT and report.reason == "wrong: anvil"
        (v,) = report.clients
        assert v.verdict == DISAGREES and v.fields == ["stateRoot", "blockHash"]


def test_a_self_destruct_in_the_creating_transaction(anvil):
    """An account created and self-destructed in one transaction must not exist afterwards
    (EIP-6780, EIP-161). Anvil 1.7.1 keeps an empty leaf for it in its account trie: named."""
    a = anvil.accounts()
    init = asm(int(a[7], 16), "SELFDESTRUCT")
    n = anvil.mine_block([{"from": a[7], "data": "0x" + init.hex(), "value": 1000, "gas": 200_000}])
    report = check(str(n), [client(anvil)])
    tx = anvil.rpc("eth_getBlockByNumber", hex(n), False)["transactions"][0]
    created = anvil.receipt(tx)["contractAddress"]
    proof = anvil.rpc("eth_getProof", created, [], hex(n))["accountProof"]
    last = rlp.decode(bytes.fromhex(proof[-1][2:]))
    hashed = keccak(bytes.fromhex(created[2:])).hex()
    keeps_empty_leaf = len(last) == 2 and hashed.endswith(last[0].hex()[2:] if last[0][0] >> 4 == 2 else last[0].hex()[1:])
    if not keeps_empty_leaf:  # a fixed Anvil: its roots are confirmed
        assert report.overall == AGREE, (report.reason, report.notes)
    else:
        assert report.overall == SPLIT and report.reason == "wrong: anvil"
        assert report.clients[0].fields == ["stateRoot", "blockHash"]


@pytest.fixture
def liar(anvil):
    p = LyingProxy(anvil.url)
    yield p
    p.close()


def test_a_lying_state_root_is_named(anvil, liar):
    a = anvil.accounts()
    n = anvil.mine_block([{"from": a[8], "to": "0x" + "33" * 20, "value": 7}])
    lie_about_header(liar, n, "stateRoot", "0x" + "66" * 32)
    report = check(str(n), [client(anvil, "honest"), client(liar, "liar")])
    assert report.overall == SPLIT and report.reason == "wrong: liar"
    v = {x.client: x for x in report.clients}
    assert v["honest"].verdict == AGREES
    assert v["liar"].verdict == DISAGREES and "stateRoot" in v["liar"].fields
    # each claim carries the build that made it, as the client itself names it
    version = anvil.rpc("web3_clientVersion")
    assert version.startswith("anvil/") and v["honest"].version == v["liar"].version == version
    assert f"runs {version}" in human(report)


def test_a_lying_receipt_is_pinned_to_its_transaction(anvil, liar):
    a = anvil.accounts()
    n = anvil.mine_block([{"from": a[9], "to": "0x" + "44" * 20, "value": 9}])
    lie_about_header(liar, n, "receiptsRoot", "0x" + "77" * 32)

    def receipts(params, result):
        return [dict(r, status="0x0") for r in result]

    liar.lies["eth_getBlockReceipts"] = receipts
    report = check(str(n), [client(anvil, "honest"), client(liar, "liar")])
    assert report.overall == SPLIT
    v = {x.client: x for x in report.clients}
    assert v["liar"].verdict == DISAGREES and "receiptsRoot" in v["liar"].fields
    assert v["liar"].diagnosis.get("firstDivergingTransaction") == 0


def test_corrupted_proofs_never_blame_and_another_client_is_used(anvil, liar):
    a = anvil.accounts()
    n = anvil.mine_block([{"from": a[0], "to": "0x" + "55" * 20, "value": 3}])

    def corrupt(params, result):  # one storage value changed inside a proof node
        if result.get("accountProof"):
            node = bytearray.fromhex(result["accountProof"][-1][2:])
            node[-1] ^= 1
            result["accountProof"][-1] = "0x" + node.hex()
        return result

    liar.lies["eth_getProof"] = corrupt
    alone = check(str(n), [client(liar, "liar")])
    assert alone.overall == INCONCLUSIVE  # a witness that does not prove: no verdict, no blame
    both = check(str(n), [client(liar, "liar"), client(anvil, "honest")])
    assert both.overall == AGREE


def test_a_lying_storage_value_is_named_in_the_state_diff(anvil, liar):
    """The liar holds a block whose state root it got wrong, and its state shows one slot off."""
    a = anvil.accounts()
    s1, s2 = slot_with_nibble(3), slot_with_nibble(4)
    contract = deploy_store(anvil, a[1], s1, s2)
    n = anvil.mine_block([{"from": a[2], "to": contract, "data": "0x" + word(s2) + word(77), "gas": 100_000}])
    lie_about_header(liar, n, "stateRoot", "0x" + "99" * 32)

    def storage_lie(params, result):
        if params and params[-1] == hex(n) and str(params[0]).lower() == contract.lower():
            for entry in result.get("storageProof", []):
                if int(entry["key"], 16) == s2:
                    entry["value"] = hex(78)
        return result

    liar.lies["eth_getProof"] = storage_lie
    report = check(str(n), [client(anvil, "honest"), client(liar, "liar")])
    assert report.overall == SPLIT and report.reason == "wrong: liar"
    v = {x.client: x for x in report.clients}
    diff = v["liar"].diagnosis["stateDiff"]
    assert {"account": contract.lower(), "slot": hex(s2), "ours": hex(77), "theirs": hex(78)} in diff


def test_a_prague_dev_chain_named_on_the_command_line():
    node = Anvil("--hardfork", "prague")
    try:
        a = node.accounts()
        node.mine_block([{"from": a[0], "to": "0x" + "11" * 20, "value": 5}])
        n = node.mine_block([{"from": a[1], "to": "0x" + "12" * 20, "value": 6}])
        import subprocess
        import sys

        r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "check", str(n), "--rpc", f"anvil={node.url}",
                            "--chain", "dev:prague", "--json"], capture_output=True, text=True, timeout=120)
        import json

        doc = json.loads(r.stdout)
        assert r.returncode == 0 and doc["overall"] == "AGREE" and doc["engine"]["fork"] == "prague"
    finally:
        node.close()
