"""Every block judged as its chain judges it: rules relative to the parent are rules of the block
(never a bad witness), forks and transaction types this tool does not implement are named
(Amsterdam, OP Lagoon's 0x7D), the OP Stack coinbase fixed by derivation, OP Mainnet's pre-Bedrock
blocks refused, the DAO fork's extraData, and the EIP-1559 fee rules py-evm lacks.

The header cases are ethereum/tests' own fixtures (tests/vectors/ethereum-tests-invalid-blocks.tar.xz,
with provenance): each invalid block must be rejected naming the rule its `expectException` names."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from types import SimpleNamespace

import pytest
import rlp
from eth_hash.auto import keccak

from witnessverify import blocktest as bt
from witnessverify.bundle import Bundle
from witnessverify.chains import MAINNET, OP_MAINNET, SEPOLIA, dev_chain
from witnessverify.pipeline import verify_bundle

from tests.helpers.fixtures import BUNDLES, REPO, load_one

VECTORS = REPO / "tests" / "vectors" / "ethereum-tests-invalid-blocks.tar.xz"
AMSTERDAM = REPO.parent / "shared" / "conformance" / "eest-zkevm-v0.3.3-amsterdam-eip8025.tar.xz"


@pytest.fixture(scope="module")
def ethereum_tests(tmp_path_factory):
    target = tmp_path_factory.mktemp("ethereum-tests")
    with tarfile.open(VECTORS) as tar:
        tar.extractall(target, filter="data")
    return target / "ethereum-tests"


@pytest.fixture(scope="module")
def amsterdam(tmp_path_factory):
    if not AMSTERDAM.exists():
        pytest.fail(f"{AMSTERDAM} is missing: ../shared must lie beside the checkout")
    target = tmp_path_factory.mktemp("amsterdam")
    with tarfile.open(AMSTERDAM) as tar:
        tar.extractall(target, filter="data")
    return target


def _first_invalid_block(fixture_path):
    """(bundle of the test's first invalid block, with the headers and state of the valid blocks
    before it, its chain, its expectException)."""
    (name, test), = json.loads(fixture_path.read_text()).items()
    chain = bt.chain_from_chain_config({**(test.get("config") or {}), "network": test["network"]}, name)
    _, nodes = bt.state_trie(test["pre"], "pre")
    headers = [rlp.encode(rlp.decode(bytes.fromhex(test["genesisRLP"][2:]))[0])]
    for i, block in enumerate(test["blocks"]):
        raw = bytes.fromhex(block["rlp"][2:])
        bundle = Bundle(chain_id=chain.chain_id, block_rlp=raw, state=list(nodes.values()), codes=[],
                        headers=list(reversed(headers)), origin=f"{name} block {i}")
        if "expectException" in block:
            return bundle, chain, block["expectException"]
        out = verify_bundle(bundle, chain, keep_nodes=True)
        assert out.verdict == "VALID", (name, i, out.reason)
        nodes = out.nodes
        headers.append(rlp.encode(rlp.decode(raw)[0]))
    raise AssertionError(f"{name} has no invalid block")


# -- parent rules are block rules -------------------------------------------------------------------
def test_every_ethereum_tests_header_case_is_rejected_for_its_own_rule(ethereum_tests):
    results = list(bt.run(bt.fixture_files([str(ethereum_tests)])))
    assert len(results) == 30
    failed = [f"{r.name}: {r.error}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("name,field,rule", [
    ("wrongNumber.json", "number", "parent"), ("log1_wrongBlockNumber.json", "number", "parent"),
    ("wrongTimestamp.json", "timestamp", "parent"), ("timeDiff0.json", "timestamp", "parent"),
    ("wrongGasLimit.json", "gasLimit", "parent"), ("GasLimitIsZero.json", "gasLimit", "parent"),
    ("GasLimitHigherThan2p63m1.json", "gasLimit", "header"), ("ExtraData33.json", "extraData", "header"),
    ("wrongDifficulty.json", "difficulty", "header"), ("wrongUncleHash.json", "sha3Uncles", "header"),
])
def test_a_header_rule_broken_is_a_mismatch_naming_it_never_a_bad_witness(ethereum_tests, name, field, rule):
    bundle, chain, _ = _first_invalid_block(ethereum_tests / name)
    out = verify_bundle(bundle, chain)
    assert out.verdict == "MISMATCH" and out.exit_code == 1, (out.verdict, out.reason)
    assert {"field": field, "rule": rule} in [{"field": m["field"], "rule": m.get("rule")} for m in out.mismatches]


def test_wrong_number_through_verify_on_the_command_line(ethereum_tests, tmp_path):
    bundle, chain, _ = _first_invalid_block(ethereum_tests / "wrongNumber.json")
    (tmp_path / "block.json").write_text(bundle.dumps())
    (tmp_path / "chain.json").write_text(json.dumps({"network": "Cancun", "chainid": chain.chain_id}))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "block.json"),
                        "--chain-config", str(tmp_path / "chain.json"), "--json"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "MISMATCH"
    assert doc["mismatches"] == [{"field": "number", "expected": 0, "computed": 1, "rule": "parent"}]  # header #0, parent #0


def test_a_witness_header_that_breaks_the_chain_above_the_parent_is_still_a_bad_witness():
    b = load_one(BUNDLES / "1-25229957.json")
    parent = rlp.decode(b.headers[0])
    grand = list(parent)
    grand[8] = int.from_bytes(parent[8], "big") - 5  # the grandparent numbered 4 below the parent
    grand_rlp = rlp.encode(grand)
    parent[0] = keccak(grand_rlp)
    b.headers = [rlp.encode(parent), grand_rlp]
    block = rlp.decode(b.block_rlp)
    block[0][0] = keccak(b.headers[0])
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == "WITNESS_INVALID" and "not a hash chain" in out.reason


# -- Amsterdam: named, never guessed ---------------------------------------------------------------
def test_blocktest_over_the_amsterdam_fixtures_says_unsupported_and_exits_3(amsterdam):
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "blocktest", str(amsterdam)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 3, r.stdout[-2000:] + r.stderr
    assert "FAIL" not in r.stdout and "UNSUPPORTED" in r.stdout and "Amsterdam" in r.stdout
    total = r.stdout.strip().splitlines()[-1].split()
    assert total[0] == "all" and total[3] == "0" and total[4] == total[1]  # every test unsupported, none failed


def _amsterdam_block_bundle(amsterdam, chain_id: int) -> Bundle:
    """An Amsterdam fixture block with its own executionWitness (the debug_executionWitness shape)."""
    path = next(amsterdam.rglob("witness_codes_empty_block_has_system_contracts.json"))
    (test,) = json.loads(path.read_text()).values()
    block = test["blocks"][0]
    w = block["executionWitness"]
    return Bundle(chain_id=chain_id, block_rlp=bytes.fromhex(block["rlp"][2:]),
                  state=[bytes.fromhex(x[2:]) for x in w["state"]], codes=[bytes.fromhex(x[2:]) for x in w["codes"]],
                  headers=[bytes.fromhex(x[2:]) for x in w["headers"]], origin="amsterdam fixture")


def test_a_mainnet_header_with_amsterdams_fields_is_unsupported_naming_amsterdam(amsterdam):
    out = verify_bundle(_amsterdam_block_bundle(amsterdam, 1))
    assert out.verdict == "UNSUPPORTED" and out.exit_code == 3
    assert "Amsterdam" in out.reason and "blockAccessListHash, slotNumber" in out.reason
    assert out.fork == "amsterdam" and out.number == 1 and out.block_hash is not None


def test_the_fork_check_comes_first_even_before_the_witness(amsterdam):
    b = _amsterdam_block_bundle(amsterdam, 1)
    b.headers, b.state = [], []  # a witness that could not even authenticate
    out = verify_bundle(b)
    assert out.verdict == "UNSUPPORTED" and "Amsterdam" in out.reason


def _mainnet_block_at(timestamp: int) -> Bundle:
    b = load_one(BUNDLES / "1-25229957.json")
    block = rlp.decode(b.block_rlp)
    block[0][11] = timestamp
    b.block_rlp = rlp.encode(block)
    b.chain_id = None
    return b


def test_a_sepolia_block_past_the_activation_is_unsupported_naming_amsterdam():
    start = SEPOLIA.time_forks["amsterdam"]
    assert start == 1_791_294_816
    out = verify_bundle(_mainnet_block_at(start), "sepolia")
    assert out.verdict == "UNSUPPORTED" and out.fork == "amsterdam" and "1791294816" in out.reason
    assert not out.mismatches and not out.missing  # no other verdict about the block
    out = verify_bundle(_mainnet_block_at(start - 1), "sepolia")
    assert out.verdict != "UNSUPPORTED"  # judged as a BPO2 block (and refuted: it is mainnet's)


def test_amsterdam_time_from_a_geth_style_config(tmp_path):
    hoodi = BUNDLES / "560048-1151683.json"
    for when, verdict, code in ((1_742_999_832, "UNSUPPORTED", 3), (1_900_000_000, "VALID", 0)):
        (tmp_path / "genesis.json").write_text(json.dumps({"config": {"chainId": 560048, "amsterdamTime": when}}))
        r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(hoodi), "--chain-config",
                            str(tmp_path / "genesis.json")], capture_output=True, text=True, timeout=120)
        assert r.returncode == code and r.stdout.startswith(verdict), r.stdout + r.stderr
    assert "Amsterdam" in subprocess.run([sys.executable, "-m", "witnessverify.cli", "chains", "sepolia"],
                                         capture_output=True, text=True, timeout=60).stdout.replace("amsterdam", "Amsterdam")


# -- transaction types no implemented fork defines ----------------------------------------------------
def test_lagoons_post_exec_transaction_is_unsupported_by_name():
    b = load_one(BUNDLES / "10-121057303.json")
    block = rlp.decode(b.block_rlp)
    block[1].append(b"\x7d" + rlp.encode([1, 121057303, []]))
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == "UNSUPPORTED" and "0x7d" in out.reason and "Lagoon" in out.reason


def test_a_lagoon_time_in_a_rollup_config_refuses_the_fork():
    from witnessverify.chains import chain_from_rollup_config

    chain = chain_from_rollup_config({"l2_chain_id": 10, "regolith_time": 0, "canyon_time": 0, "delta_time": 0,
                                      "ecotone_time": 0, "lagoon_time": 1_700_000_000}, "rollup.json")
    out = verify_bundle(load_one(BUNDLES / "10-121057303.json"), chain)
    assert out.verdict == "UNSUPPORTED" and "lagoon" in out.reason


# -- the OP Stack fee recipient, fixed by derivation ---------------------------------------------------
def _op_deposit_only_block(chain, coinbase: str) -> Bundle:
    from witnessverify.build import build

    from tests.helpers.spec_diff import Acct, witness_from_alloc

    sender = b"\x51" * 20
    alloc = {sender: Acct(balance=10**18)}
    root, nodes, codes = witness_from_alloc(alloc)
    t = chain.op_forks["isthmus"] + 100
    parent = [b"\x11" * 32, keccak(rlp.encode([])), bytes.fromhex("4200000000000000000000000000000000000011"), root,
              b"\x00" * 32, b"\x00" * 32, bytes(256), 0, 140_000_000, 30_000_000, 0, t - 2,
              b"\x00" + (250).to_bytes(4, "big") + (6).to_bytes(4, "big"), b"\x22" * 32, bytes(8), 1000,
              b"\x00" * 32, 0, 0, b"\x33" * 32, b"\x00" * 32]
    deposit = b"\x7e" + rlp.encode([b"\x99" * 32, sender, b"\x52" * 20, 0, 5, 50_000, 0, b""])
    attributes = {"timestamp": hex(t), "prevRandao": "0x" + "44" * 32, "suggestedFeeRecipient": coinbase,
                  "parentBeaconBlockRoot": "0x" + "55" * 32, "gasLimit": hex(30_000_000),
                  "eip1559Params": "0x" + "00" * 8, "transactions": ["0x" + deposit.hex()]}
    built = build(chain, rlp.encode(parent), attributes, nodes + codes, None, "deposit-only")
    assert built.invalid is None and not built.missing
    return Bundle(chain_id=chain.chain_id, block_rlp=built.block_rlp, state=list(built.preimages), codes=[],
                  headers=[built.parent_rlp], origin="deposit-only")


def test_an_op_mainnet_deposit_only_block_with_another_coinbase_is_not_valid():
    assert verify_bundle(_op_deposit_only_block(OP_MAINNET, "0x4200000000000000000000000000000000000011")).verdict == "VALID"
    out = verify_bundle(_op_deposit_only_block(OP_MAINNET, "0x" + "ab" * 20))
    assert out.verdict == "MISMATCH"
    assert out.mismatches == [{"field": "coinbase", "expected": "0x" + "ab" * 20,
                               "computed": "0x4200000000000000000000000000000000000011", "rule": "derivation"}]


def test_a_dev_op_chain_mines_with_its_own_coinbase():
    chain = dev_chain("op-isthmus", chain_id=10)
    out = verify_bundle(_op_deposit_only_block(chain, "0x" + "ab" * 20), chain)
    assert out.verdict == "VALID"


def test_a_celo_deposit_only_block_with_another_coinbase_is_not_valid():
    b = load_one(BUNDLES / "11142220-2346038.json")
    block = rlp.decode(b.block_rlp)
    block[0][2] = b"\xab" * 20
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == "MISMATCH" and "coinbase" in [m["field"] for m in out.mismatches]


# -- OP Mainnet before Bedrock ------------------------------------------------------------------------
@pytest.mark.parametrize("number", [105_235_062, 105_235_063])
def test_op_mainnets_legacy_and_migration_blocks_are_unsupported(number):
    b = load_one(BUNDLES / "10-121057303.json")
    block = rlp.decode(b.block_rlp)
    block[0][8] = number
    b.block_rlp = rlp.encode(block)
    out = verify_bundle(b)
    assert out.verdict == "UNSUPPORTED" and "pre-Bedrock" in out.reason


# -- the DAO fork's extraData ----------------------------------------------------------------------
def test_the_dao_fork_blocks_carry_dao_hard_fork_in_extra_data():
    from witnessverify.rules.l1.header import check_dao_extra_data

    dao = MAINNET.dao_fork_block
    for number, extra, broken in ((dao, b"dao-hard-fork", False), (dao + 9, b"", True), (dao, b"x", True),
                                  (dao + 10, b"", False), (dao - 1, b"", False)):
        header = SimpleNamespace(block_number=number, extra_data=extra)
        assert bool(list(check_dao_extra_data(header, dao))) == broken, (number, extra)


# -- EIP-1559 fee rules py-evm checks otherwise --------------------------------------------------
def test_a_sender_that_covers_only_the_effective_price_is_refused_as_the_specs_refuse_it():
    from tests.helpers.spec_diff import SENDERS, Acct, Case, assert_agree, base_alloc, tx

    # maxFeePerGas 10 gwei x 21000 gas + value is more than the balance; the effective price
    # (base fee 7 + tip 1) x 21000 + value is not
    alloc = base_alloc({SENDERS[5]: Acct(balance=21_000 * 1000 + 10)})
    spec, out = assert_agree(Case(fork="prague", alloc=alloc, txs=[tx("prague", 5, 0, b"\x42" * 20, gas=21_000, value=10,
                                                                       max_fee=10**10)]))
    assert not spec.valid and out.mismatches[0]["field"] == "transactions[0]"
    assert "maxFeePerGas" in out.mismatches[0]["computed"]


def test_a_priority_fee_above_the_max_fee_is_refused():
    from tests.helpers.spec_diff import Case, assert_agree, base_alloc, tx

    spec, out = assert_agree(Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, b"\x42" * 20, gas=21_000,
                                                                           max_fee=10**10, tip=10**10 + 1)]))
    assert not spec.valid and "maxPriorityFeePerGas" in out.mismatches[0]["computed"]
