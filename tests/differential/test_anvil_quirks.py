"""Two bugs of Anvil 1.7.1's state, pinned as evidence: in each, the engine computes the state
root the Ethereum rules give and Anvil's header claims another, and the engine names the field
(stateRoot alone: gas, receipts and every written account agree). The cause is shown from Anvil's
own proofs, and a control block without the trigger is VALID, so a fixed Anvil makes these tests
say so. Found while building benchmarks/test_snark_block.py, whose contract calls the BN254
precompiles.

  touched precompiles   a STATICCALL to a precompile whose account does not exist leaves an
                        empty account there; EIP-161 (Spurious Dragon) deletes every empty
                        account a transaction touched
  zero into an empty    SSTORE of 0 into a slot of an account set with anvil_setCode keeps the
  slot                  slot in the storage trie with the value RLP(0) = 0x80; a trie holds no
                        zero value (a zero write deletes the key)
"""

from __future__ import annotations

import pytest
import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from witnessverify.chains import dev_chain
from witnessverify.pipeline import verify_bundle

from tests.helpers.anvil import Anvil, assembled_bundle
from tests.helpers.evm_asm import asm

ECMUL = "0x" + (7).to_bytes(20, "big").hex()
G1_TIMES_3 = bytes.fromhex("0769bf9ac56bea3ff40232bcb1b6bd159315d84715b8e679f2d355961915abf0"
                           "2ab799bee0489429554fdb7c8d086475319e63b40b9c5b57cdf1ff3dd9fe2261")  # [3]G1


@pytest.fixture
def node():
    n = Anvil()
    yield n
    n.close()


def _judge(node, code: bytes, data: bytes = b"", before=()):
    """Set `code` at a fresh address, run `before` on the node, mine an empty block, then one
    calling the code; (outcome, block number, address)."""
    target = "0x" + keccak(code)[:20].hex()
    node.rpc("anvil_setCode", target, "0x" + code.hex())
    for step in before:
        step(node)
    node.rpc("evm_mine")
    n = node.mine_block([{"from": node.accounts()[0], "to": target, "gas": 300_000, "data": "0x" + data.hex()}])
    chain = dev_chain(node.rpc("anvil_nodeInfo")["hardFork"].lower())
    return verify_bundle(assembled_bundle(node, n), chain), n, target


def _exists(node, address: str, number: int) -> bool:
    """Whether Anvil's state trie at `number` holds a leaf for `address` (an empty account is
    indistinguishable from none in eth_getProof's fields)."""
    proof = node.rpc("eth_getProof", address, [], hex(number))["accountProof"]
    last = rlp.decode(bytes.fromhex(proof[-1][2:]))
    if len(last) != 2 or last[0][0] >> 4 not in (2, 3):
        return False
    path = last[0].hex()[2:] if last[0][0] >> 4 == 2 else last[0].hex()[1:]
    return keccak(bytes.fromhex(address[2:])).hex().endswith(path)


ECMUL_CALL = asm(64, 0, 0, "CALLDATACOPY", 3, 64, "MSTORE", 64, 0x100, 96, 0, 7, "GAS", "STATICCALL",
                 0, "SSTORE", "STOP")


def test_anvil_keeps_a_touched_precompile_as_an_empty_account(node):
    outcome, n, _ = _judge(node, ECMUL_CALL, G1_TIMES_3)
    assert outcome.verdict == "MISMATCH" and [m.field for m in outcome.mismatches] == ["stateRoot", "blockHash"]
    assert not _exists(node, ECMUL, n - 1) and _exists(node, ECMUL, n)  # created by the call, and kept
    proof = node.rpc("eth_getProof", ECMUL, [], hex(n))
    assert int(proof["balance"], 16) == int(proof["nonce"], 16) == 0 and proof["codeHash"] == "0x" + keccak(b"").hex()


def test_the_same_call_is_valid_when_the_precompile_is_no_empty_account(node):
    fund = (lambda nd: nd.rpc("anvil_setBalance", ECMUL, "0x1"),)
    outcome, _, _ = _judge(node, ECMUL_CALL, G1_TIMES_3, before=fund)
    assert outcome.verdict == "VALID", outcome.reason


def test_anvil_keeps_a_zero_written_into_an_empty_slot(node):
    outcome, n, target = _judge(node, asm(0, 0, "SSTORE", 0, 1, "SSTORE", "STOP"))
    assert outcome.verdict == "MISMATCH" and [m.field for m in outcome.mismatches] == ["stateRoot", "blockHash"]
    kept = HexaryTrie({})
    for slot in (0, 1):
        kept[keccak(slot.to_bytes(32, "big"))] = rlp.encode(0)
    proof = node.rpc("eth_getProof", target, [], hex(n))
    assert proof["storageHash"] == "0x" + kept.root_hash.hex()  # both zeros kept, as 0x80
    assert node.rpc("eth_getProof", target, [], hex(n - 1))["storageHash"] == "0x" + HexaryTrie({}).root_hash.hex()


def test_a_non_zero_write_into_an_empty_slot_is_valid(node):
    outcome, _, _ = _judge(node, asm(1, 0, "SSTORE", "STOP"))
    assert outcome.verdict == "VALID", outcome.reason
