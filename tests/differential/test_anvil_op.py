"""Anvil 1.7.1 with `--optimism` as a differential oracle for OP transaction execution
(../shared/chains/base-forks.md, "Anvil 1.7.1 as an OP Stack oracle"): seeded random blocks of
EIP-1559 and legacy transfers, calls with random calldata (the FastLZ-priced L1 data fee), and
deposits with mint and value, under random L1Block fee parameters (slots 1, 3, 7, 8). The engine
re-executes each block statelessly from a witness assembled from Anvil's proofs; the post-state
root, gas, bloom, every changed balance and nonce, and every transaction's gas must equal Anvil's.

Anvil is no oracle for OP headers: its own bugs are pinned here as evidence (empty extraData, an
empty-trie withdrawalsRoot, Isthmus rules under `--hardfork jovian`, the post-execution nonce in
`depositNonce`), so a fixed Anvil makes these tests say so.

`WV_ANVIL_OP_COUNT=N` runs N random blocks (CI: 3).
"""

from __future__ import annotations

import os
import random

import pytest
import rlp

from witnessverify.chains import dev_chain
from witnessverify.pipeline import verify_bundle
from witnessverify.rules.op.l1cost import operator_fee

from tests.helpers.anvil import Anvil, assembled_bundle

COUNT = int(os.environ.get("WV_ANVIL_OP_COUNT", "3"))
L1_BLOCK = "0x4200000000000000000000000000000000000015"
SEQUENCER_FEE_VAULT = "0x4200000000000000000000000000000000000011"
MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"
OPERATOR_FEE_VAULT = "0x420000000000000000000000000000000000001b"
# header fields Anvil leaves un-OP (pinned below), and those that follow from them
ANVIL_HEADER_QUIRKS = {"extraData", "withdrawalsRoot", "baseFeePerGas", "blobGasUsed", "blockHash", "receiptsRoot"}


def _word(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def set_l1_params(node, l1_base_fee: int, base_scalar: int, blob_scalar: int, blob_base_fee: int,
                  op_scalar: int, op_constant: int, da_scalar: int = 0) -> None:
    node.rpc("anvil_setStorageAt", L1_BLOCK, _word(1), _word(l1_base_fee))
    node.rpc("anvil_setStorageAt", L1_BLOCK, _word(3), _word((base_scalar << 96) | (blob_scalar << 64)))
    node.rpc("anvil_setStorageAt", L1_BLOCK, _word(7), _word(blob_base_fee))
    node.rpc("anvil_setStorageAt", L1_BLOCK, _word(8), _word((da_scalar << 96) | (op_scalar << 64) | op_constant))
    # Anvil writes storage into its latest state without a block: an empty block commits it, so
    # the next block's parent header proves it
    node.rpc("evm_mine")


@pytest.fixture(scope="module")
def op_anvil():
    node = Anvil("--optimism", "--hardfork", "isthmus")
    node.rpc("anvil_setCoinbase", SEQUENCER_FEE_VAULT)  # OP: priority fees go to the SequencerFeeVault
    node.rpc("evm_mine")  # block 1: Anvil's genesis header claims the empty state root (README)
    yield node
    node.close()


def re_execute(node, number: int, fork: str = "op-isthmus", keep_nodes: bool = False):
    """The engine's outcome for Anvil's block `number`, from a witness of Anvil's proofs."""
    block = node.rpc("eth_getBlockByNumber", hex(number), True)
    return block, verify_bundle(assembled_bundle(node, number), dev_chain(fork), keep_nodes=keep_nodes)


def random_block(node, rng: random.Random) -> int:
    a = node.accounts()
    set_l1_params(node, rng.randrange(1, 60) * 10**9, rng.randrange(0, 5000), rng.randrange(0, 2_000_000),
                  rng.randrange(1, 10**6), rng.randrange(0, 3_000_000), rng.randrange(0, 100_000))
    txs = []
    for i in range(rng.randrange(1, 4)):
        txs.append({"from": a[rng.randrange(0, 5)], "to": "0x" + rng.randbytes(20).hex(),
                    "value": rng.randrange(0, 10**18), "maxPriorityFeePerGas": rng.randrange(0, 3 * 10**9),
                    "maxFeePerGas": 10 * 10**9})
    size = rng.randrange(0, 600)
    calldata = bytes(rng.choice([0, 0, 0, rng.randrange(256)]) for _ in range(size))
    txs.append({"from": a[5], "to": a[6], "data": "0x" + calldata.hex(), "gas": 200_000})
    txs.append({"from": a[7], "to": a[8], "value": rng.randrange(1, 10**6), "gasPrice": 3 * 10**9})  # legacy
    for _ in range(rng.randrange(0, 3)):
        txs.append({"type": "0x7e", "from": a[rng.randrange(0, 9)], "to": "0x" + rng.randbytes(20).hex(),
                    "mint": rng.randrange(0, 10**17), "value": rng.randrange(0, 10**15), "gas": 100_000,
                    "sourceHash": "0x" + rng.randbytes(32).hex(), "isSystemTx": False})
    return node.mine_block(txs)


@pytest.mark.parametrize("seed", range(COUNT))
def test_random_op_blocks_agree_with_anvil(op_anvil, seed):
    rng = random.Random(seed)
    number = random_block(op_anvil, rng)
    block, out = re_execute(op_anvil, number)
    assert not out.missing, [m.describe() for m in out.missing]
    # the post-state, gas and logs are Anvil's (its trie quirks need zeroed slots or self-destructs)
    for name in ("stateRoot", "gasUsed", "logsBloom", "transactionsRoot"):
        assert out.computed[name] == out.expected[name], name
    assert {m["field"] for m in out.mismatches} <= ANVIL_HEADER_QUIRKS, out.mismatches
    receipts = op_anvil.rpc("eth_getBlockReceipts", hex(number))
    assert [int(r["cumulativeGasUsed"], 16) for r in receipts] == [r.gas_used for r in out.receipts]
    assert [int(r["status"], 16) for r in receipts] == [1 if r.state_root == b"\x01" else 0 for r in out.receipts]
    for address, account in out.post_accounts.items():
        proof = op_anvil.rpc("eth_getProof", "0x" + address.hex(), [], hex(number))
        theirs = (int(proof["balance"], 16), int(proof["nonce"], 16))
        assert (account.balance, account.nonce) == theirs, "0x" + address.hex()


def test_fee_vaults_are_credited_as_anvil_credits_them(op_anvil):
    """A block with a non-zero L1 data fee and operator fee: the L1FeeVault and OperatorFeeVault
    balances after it are Anvil's (so both rules run on the same inputs)."""
    a = op_anvil.accounts()
    set_l1_params(op_anvil, 3 * 10**9, 2269, 1_055_731, 5, 2_000_000, 1000)
    number = op_anvil.mine_block([{"from": a[1], "to": a[2], "value": 1, "data": "0x" + "ab" * 300, "gas": 100_000}])
    _, out = re_execute(op_anvil, number)
    vaults = {bytes.fromhex("420000000000000000000000000000000000001a"), bytes.fromhex(OPERATOR_FEE_VAULT[2:])}
    for address in vaults:
        assert address in out.post_accounts
        balance = int(op_anvil.rpc("eth_getBalance", "0x" + address.hex(), hex(number)), 16)
        assert out.post_accounts[address].balance == balance > 0


# -- Anvil's own bugs, pinned as evidence -----------------------------------------------------------
def test_evidence_anvil_puts_the_post_execution_nonce_in_deposit_receipts(op_anvil):
    a = op_anvil.accounts()
    before = int(op_anvil.rpc("eth_getTransactionCount", a[9], "latest"), 16)
    h = op_anvil.send(type="0x7e", **{"from": a[9]}, to=a[1], value=1, mint=0, gas=50_000,
                      sourceHash="0x" + "22" * 32, isSystemTx=False)
    receipt = op_anvil.receipt(h)
    # the specs, op-geth, op-revm and this engine: the nonce *before* execution
    assert int(receipt["depositNonce"], 16) == before + 1, "Anvil now reports the spec's depositNonce"
    _, out = re_execute(op_anvil, int(receipt["blockNumber"], 16))
    assert out.receipts[0].extra[0] == before
    assert "receiptsRoot" in {m["field"] for m in out.mismatches}  # only the nonce differs...
    fixed = rlp.decode(out.receipts[0].encode()[1:])
    fixed[4] = before + 1
    trie_root = _receipts_root([b"\x7e" + rlp.encode(fixed)])
    assert "0x" + trie_root.hex() == receipt_root_of(op_anvil, int(receipt["blockNumber"], 16))  # ...as pinned


def _receipts_root(encoded: list[bytes]) -> bytes:
    from trie import HexaryTrie

    t = HexaryTrie({})
    for i, e in enumerate(encoded):
        t[rlp.encode(i)] = e
    return t.root_hash


def receipt_root_of(node, number: int) -> str:
    return node.rpc("eth_getBlockByNumber", hex(number), False)["receiptsRoot"]


def test_evidence_anvil_leaves_op_header_fields_empty(op_anvil):
    """Isthmus headers carry v0 extraData (9 bytes) and the L2ToL1MessagePasser's storage root in
    withdrawalsRoot; Anvil writes `0x` and the empty-trie root."""
    a = op_anvil.accounts()
    op_anvil.rpc("anvil_setStorageAt", MESSAGE_PASSER, _word(7), _word(12345))
    op_anvil.rpc("evm_mine")
    number = op_anvil.mine_block([{"from": a[3], "to": a[4], "value": 1}])
    block, out = re_execute(op_anvil, number)
    assert not out.missing
    assert block["extraData"] == "0x"
    fields = {m["field"] for m in out.mismatches}
    assert "extraData" in fields and "withdrawalsRoot" in fields
    storage_hash = op_anvil.rpc("eth_getProof", MESSAGE_PASSER, [], hex(number))["storageHash"]
    assert out.computed["withdrawalsRoot"] == storage_hash != block["withdrawalsRoot"]
    assert block["withdrawalsRoot"] == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"


def _account_in_trie(node, address: str, number: int):
    """The account's RLP fields if Anvil's state trie at `number` holds it (proven), else None."""
    from eth_hash.auto import keccak
    from trie import HexaryTrie

    proof = node.rpc("eth_getProof", address, [], hex(number))
    root = node.rpc("eth_getBlockByNumber", hex(number), False)["stateRoot"]
    nodes = {keccak(bytes.fromhex(n[2:])): bytes.fromhex(n[2:]) for n in proof["accountProof"]}
    value = HexaryTrie(nodes, root_hash=bytes.fromhex(root[2:])).get(keccak(bytes.fromhex(address[2:])))
    return rlp.decode(value) if value else None


@pytest.mark.parametrize("fork", ["ecotone", "isthmus"])
def test_evidence_anvil_keeps_touched_empty_accounts_and_zeroed_slots_of_op_predeploys(fork):
    """A plain transfer with a zero L1 data fee (a fresh Anvil: L1Block's fee slots unset). Anvil
    then holds in its state trie accounts that a canonical trie cannot hold: the L1FeeVault and the
    OperatorFeeVault (even before Isthmus) credited 0 and kept as empty accounts (EIP-161 deletes an
    empty account a transaction touches: op-geth's AddBalance of 0 touches, Finalise deletes), and
    the L1Block predeploy, which has no code on Anvil, with a storage trie of the fee slots op-revm
    read, each stored as zero (every slot reads 0, yet its storage root is not the empty trie's).
    The engine creates none of them. Our post-state with exactly those accounts added is Anvil's
    state root, so nothing else differs. A fixed Anvil makes this test say so."""
    from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
    from eth_hash.auto import keccak
    from trie import HexaryTrie

    node = Anvil("--optimism", "--hardfork", fork)
    try:
        node.rpc("anvil_setCoinbase", SEQUENCER_FEE_VAULT)
        node.rpc("evm_mine")
        a = node.accounts()
        number = node.mine_block([{"from": a[1], "to": a[2], "value": 1}])
        block, out = re_execute(node, number, f"op-{fork}", keep_nodes=True)
        assert not out.missing and out.computed["gasUsed"] == out.expected["gasUsed"]
        if out.computed["stateRoot"] == block["stateRoot"]:
            return  # a fixed Anvil
        predeploys = ["0x" + (0x4200000000000000000000000000000000000000 + i).to_bytes(20, "big").hex()
                      for i in range(0x30)]
        extra = {}
        for address in predeploys:
            held = _account_in_trie(node, address, number)
            if held is not None and _account_in_trie(node, address, number - 1) is None \
                    and bytes.fromhex(address[2:]) not in out.post_accounts:
                extra[address] = held
        assert "0x420000000000000000000000000000000000001a" in extra, extra  # the L1FeeVault
        for address, (nonce, balance, storage_root, code_hash) in extra.items():
            assert nonce == balance == b"" and code_hash == EMPTY_SHA3, address  # empty but for storage
            if storage_root != BLANK_ROOT_HASH:  # zeroed slots: non-empty trie, every slot 0
                assert address == L1_BLOCK and node.rpc("eth_getCode", address, hex(number)) == "0x"
                assert all(int(node.rpc("eth_getStorageAt", address, hex(i), hex(number)), 16) == 0 for i in range(16))
        ours = HexaryTrie(dict(out.nodes), root_hash=bytes.fromhex(out.computed["stateRoot"][2:]))
        for address, fields in extra.items():
            ours[keccak(bytes.fromhex(address[2:]))] = rlp.encode(fields)
        assert "0x" + ours.root_hash.hex() == block["stateRoot"]
    finally:
        node.close()


def test_evidence_anvil_runs_isthmus_rules_when_asked_for_jovian():
    node = Anvil("--optimism", "--hardfork", "jovian")
    try:
        assert node.rpc("anvil_nodeInfo")["hardFork"] == "Jovian"
        a = node.accounts()
        set_l1_params(node, 0, 0, 0, 0, 2_000_000, 1000)
        number = node.mine_block([{"from": a[1], "to": a[2], "value": 1}])
        gas = int(node.rpc("eth_getBlockByNumber", hex(number), False)["gasUsed"], 16)
        vault = int(node.rpc("eth_getBalance", OPERATOR_FEE_VAULT, hex(number)), 16)
        assert vault == operator_fee(gas, 2_000_000, 1000, jovian=False)  # Isthmus: gas*scalar/1e6+c
        assert vault != operator_fee(gas, 2_000_000, 1000, jovian=True)   # Jovian: gas*scalar*100+c
    finally:
        node.close()


def test_dev_op_chain_names():
    chain = dev_chain("op-jovian")
    assert chain.is_op and chain.op_fork_at(0) == "jovian"


def test_an_operator_fee_credit_left_out_is_caught(op_anvil, monkeypatch):
    """The mutation check of the oracle: with the operator fee taken as zero, the engine's post-state
    is no longer Anvil's."""
    from witnessverify.rules.op import fees as vm  # where the operator fee is charged

    a = op_anvil.accounts()
    set_l1_params(op_anvil, 10**9, 1000, 1000, 1, 2_000_000, 5000)
    number = op_anvil.mine_block([{"from": a[2], "to": a[3], "value": 7}])
    _, honest = re_execute(op_anvil, number)
    assert honest.computed["stateRoot"] == honest.expected["stateRoot"]
    monkeypatch.setattr(vm, "operator_fee", lambda gas, scalar, constant, jovian: 0)
    _, mutated = re_execute(op_anvil, number)
    assert mutated.computed["stateRoot"] != mutated.expected["stateRoot"]
