"""Recorded consensus exceptions (witnessverify/recorded.py), each tested on the exact case its
source names: the transaction as the clients' own tests rebuild it (celo-org/op-geth
`TestChainIDExceptionTxs`, celo-org/celo-kona `build_*_exception_tx`), in a block of its chain at
its height, sealed from a pre-state by the engine and judged; and the same transaction in a block
of another chain or at another height, still refused."""

from __future__ import annotations

import json

import rlp
from eth_hash.auto import keccak

from witnessverify.build import build
from witnessverify.bundle import Bundle
from witnessverify.chains import CELO, CELO_SEPOLIA
from witnessverify.pipeline import verify_bundle
from witnessverify.chains.recorded import CHAIN_ID, EXCEPTIONS, exception_for

from tests.helpers.spec_diff import Acct, witness_from_alloc

# Celo mainnet block 53619115, tx index 1 (celo-org/op-geth issue #446): type 0x01, chain id 44787
MAINNET_TX = bytes.fromhex(
    "01f86e82aef3058506fc23ac0082753094c04b2ffacc30c7fe19741e27ea150cccc212e07286b5e620f4800080c001a0197400aceb14"
    "cacc9a75710ebb4d3cba85538fc96a2b254d51a0db742c24ad08a02c18b58821fe02d107ff1fa9f4fd157bafb571bb83867d56618de3e"
    "1045141bb")
MAINNET_SENDER = bytes.fromhex("5421E1E4fcc98AF133059723BA049B4ea1e9DE91")
# Celo Sepolia block 12531083: type 0x01, chain id 11162320
SEPOLIA_TX = bytes.fromhex(
    "01f86983aa52d0808505d22cfc408252089452bcbd8bf68ee24a15adcd05951a49ae6c168a140180c080a0c96e8be6c653d8eb6f0384"
    "2ffdc29347745c8122893f9cc9b64809d1bc49302da049b51c8d25cff880327495cb1f322ebfbcb42151e9b617466eee2c737737f259")
SEPOLIA_SENDER = bytes.fromhex("EaD1E32D7D783f37d464d223Aa4E4C88f02Ae52f")
SEQUENCER_FEE_VAULT = "0x4200000000000000000000000000000000000011"
EMPTY_OMMERS = keccak(rlp.encode([]))


def test_the_transactions_are_the_ones_the_sources_pin():
    assert keccak(MAINNET_TX).hex() == "d6bdf3261df7e7a4db6bbc486bf091eb62dfd2883e335c31219b6a37d3febca1"
    assert keccak(SEPOLIA_TX).hex() == "4564b9903cfe18814ffc2696e1ad141d9cc3a549dc4f5726e15f7be2e0ccaa25"
    assert rlp.decode(MAINNET_TX[1:])[0] == (44787).to_bytes(2, "big")
    assert rlp.decode(SEPOLIA_TX[1:])[0] == (11162320).to_bytes(3, "big")
    assert all(e.source and e.what for e in EXCEPTIONS)


def _celo_block(chain, number: int, raw_tx: bytes, sender: bytes, nonce: int) -> Bundle:
    """A Celo Isthmus block at `number` holding `raw_tx`, sealed by the engine from a pre-state in
    which the sender can pay; the bundle the chain would hold if the block is canonical."""
    alloc = {sender: Acct(balance=10**18, nonce=nonce)}
    root, nodes, codes = witness_from_alloc(alloc)
    timestamp = chain.op_forks["isthmus"] + 10_000_000
    parent = [b"\x11" * 32, EMPTY_OMMERS, bytes.fromhex(SEQUENCER_FEE_VAULT[2:]), root, b"\x00" * 32, b"\x00" * 32,
              bytes(256), 0, number - 1, 30_000_000, 0, timestamp - 1,
              b"\x00" + chain.eip1559_denominator_canyon.to_bytes(4, "big") + chain.eip1559_elasticity.to_bytes(4, "big"),
              b"\x22" * 32, bytes(8), 25_000_000_000, b"\x00" * 32, 0, 0, b"\x33" * 32, b"\x00" * 32]
    attributes = {"timestamp": hex(timestamp), "prevRandao": "0x" + "44" * 32,
                  "suggestedFeeRecipient": SEQUENCER_FEE_VAULT, "parentBeaconBlockRoot": "0x" + "55" * 32,
                  "gasLimit": hex(30_000_000), "eip1559Params": "0x" + "00" * 8, "transactions": ["0x" + raw_tx.hex()]}
    built = build(chain, rlp.encode(parent), attributes, nodes + codes, None, f"{chain.name}-{number}")
    return built, Bundle(chain_id=chain.chain_id, block_rlp=built.block_rlp, state=list(built.preimages), codes=[],
                         headers=[built.parent_rlp], origin=f"{chain.name} #{number}")


def test_the_canonical_celo_mainnet_block_with_the_alfajores_signed_transaction_is_valid():
    built, bundle = _celo_block(CELO, 53_619_115, MAINNET_TX, MAINNET_SENDER, nonce=5)
    assert built.invalid is None, built.invalid
    out = verify_bundle(bundle)
    assert out.verdict == "VALID", (out.reason, out.mismatches)
    assert out.fork == "celo-isthmus"
    assert any("recorded exception" in n and "PR #455" in n for n in out.notes)
    assert exception_for(CHAIN_ID, 42220, 53_619_115, keccak(MAINNET_TX)) is not None


def test_the_celo_sepolia_transaction_signed_for_chaos_is_valid_at_its_block():
    built, bundle = _celo_block(CELO_SEPOLIA, 12_531_083, SEPOLIA_TX, SEPOLIA_SENDER, nonce=0)
    assert built.invalid is None, built.invalid
    assert verify_bundle(bundle).verdict == "VALID"


def test_the_same_transaction_at_another_height_is_still_refused():
    built, bundle = _celo_block(CELO, 53_619_116, MAINNET_TX, MAINNET_SENDER, nonce=5)
    assert built.invalid and "signed for chain id 44787, not this chain's 42220" in built.invalid
    out = verify_bundle(bundle)
    assert out.verdict == "MISMATCH"
    assert out.mismatches[0]["field"] == "transactions[0]" and "44787" in out.mismatches[0]["computed"]


def test_the_same_transaction_on_the_other_celo_network_is_still_refused():
    # the Sepolia exception does not carry over to mainnet (at the height of mainnet's own
    # exception, which names another transaction), nor the mainnet one to Sepolia
    built, _ = _celo_block(CELO, 53_619_115, SEPOLIA_TX, SEPOLIA_SENDER, nonce=0)
    assert built.invalid and "11162320" in built.invalid
    built, _ = _celo_block(CELO_SEPOLIA, 53_619_115, MAINNET_TX, MAINNET_SENDER, nonce=5)
    assert built.invalid and "44787" in built.invalid


def test_any_other_transaction_signed_for_another_chain_is_refused():
    from eth_keys import keys

    from witnessverify.rules.l1.vm import witness_vm_class

    key = keys.PrivateKey(b"\x07" * 32)
    unsigned = witness_vm_class("prague").get_transaction_builder().new_unsigned_access_list_transaction(
        chain_id=44787, nonce=0, gas_price=30_000_000_000, gas=21_000, to=b"\x42" * 20, value=1, data=b"",
        access_list=[])
    raw = unsigned.as_signed_transaction(key).encode()
    built, _ = _celo_block(CELO, 53_619_115, raw, key.public_key.to_canonical_address(), nonce=0)
    assert built.invalid and "signed for chain id 44787" in built.invalid


# -- the RIPEMD-160 touch of mainnet block 2,675,119 ----------------------------------------------
def test_a_failed_call_to_the_empty_ripemd160_account_still_deletes_it(tmp_path, monkeypatch):
    """Mainnet block 2,675,119 (tx 0xcf416c536ec1a19ed1fb89e4ec7ffb3cf73aa413b3aa9b77d60e4fd81a4296ba):
    a call into the empty account at 0x03 ran out of gas, and Parity kept the touch the failed
    call should have undone, so EIP-161 deleted the account; geth's journal (`ripemdMagic`),
    revm (PRECOMPILE3), the execution specs and py-evm (EIP-716) keep that touch for 0x03 alone.
    ethereum/tests' RevertPrecompiledTouch (empty precompile accounts in the pre-state; 0x03 alone
    deleted in the post-state) passes, and fails once the quirk is taken away."""
    import tarfile

    from eth.vm.forks.spurious_dragon import _utils

    from witnessverify import blocktest as bt

    from tests.helpers.fixtures import REPO

    with tarfile.open(REPO / "tests" / "vectors" / "ethereum-tests-invalid-blocks.tar.xz") as tar:
        tar.extractall(tmp_path, filter="data")
    path = tmp_path / "ethereum-tests-d27b2616" / "RevertPrecompiledTouch.json"
    doc = json.loads(path.read_text())
    names = [n for n, t in doc.items() if t["network"] in ("Istanbul", "Shanghai")]
    deleting = [n for n in names if "0x0000000000000000000000000000000000000003" not in doc[n]["postState"]]
    assert len(deleting) == 4 and len(names) == 8  # the d0 and d3 cases end with 0x03 deleted
    assert all(bt.run_test(n, doc[n]).passed for n in names)
    monkeypatch.setattr(_utils, "THREE", b"\x09".rjust(20, b"\0"))  # no quirk: the touch is undone
    assert not any(bt.run_test(n, doc[n]).passed for n in deleting)
