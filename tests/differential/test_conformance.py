"""Consensus conformance: the Ethereum blockchain tests (EEST v5.4.0, ../shared/conformance/) run
through `witnessverify blocktest`. CI runs a seeded sample of two tests per fixture file of the
non-static set, and every cause of a past failure by name; `WV_CONFORMANCE=all` runs every
non-static test, `WV_CONFORMANCE=static` the ported static tests too (about an hour on 2 cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile

import pytest

from witnessverify import blocktest as bt

from tests.helpers.fixtures import REPO

ARCHIVES = REPO.parent / "shared" / "conformance"
CACHE = REPO / ".cache" / "eest-v5.4.0"
MODE = os.environ.get("WV_CONFORMANCE", "sample")


def _unpacked(archive: str, folder: str):
    target = CACHE / folder
    marker = target / ".unpacked"
    if not marker.exists():
        path = ARCHIVES / archive
        if not path.exists():
            pytest.skip(f"{path} is not beside the checkout")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path) as tar:
            tar.extractall(target, filter="data")
        marker.write_text("ok\n")
    return target


@pytest.fixture(scope="session")
def fixtures():
    return _unpacked("eest-v5.4.0-blockchain_tests.tar.xz", "nonstatic") / "blockchain_tests"


@pytest.fixture(scope="session")
def static_fixtures():
    return _unpacked("eest-v5.4.0-blockchain_tests-static.tar.xz", "static")


def _run(paths, **kw):
    results = list(bt.run(bt.fixture_files([str(p) for p in paths]), **kw))
    failed = [f"{r.name}: {r.error}" for r in results if not r.passed]
    return results, failed


def test_a_sample_of_every_fixture_file(fixtures):
    """Two tests of each of the 341 files (seeded), every network from Frontier to BPO4."""
    per_file = None if MODE in ("all", "static") else 2
    results, failed = _run([fixtures], per_file=per_file, seed=0, workers=2)
    assert len(results) >= (6000 if per_file is None else 600)
    assert not failed, "\n".join(failed[:20])
    networks = {r.network for r in results}
    assert {"Cancun", "Prague", "Osaka", "BPO2ToBPO3AtTime15k", "BPO3ToBPO4AtTime15k"} <= networks or per_file


@pytest.mark.skipif(MODE != "static", reason="WV_CONFORMANCE=static runs the ported static tests")
def test_the_static_tests(static_fixtures):
    results, failed = _run([static_fixtures], workers=2)
    assert not failed, "\n".join(failed[:20])


# each cause of a past failure, by name (file, a part of the test's name)
CAUSES = {
    "eip7610_collision_with_storage": ("paris/eip7610_create_collision/test_init_collision_create_tx.json",
                                       "fork_Osaka-tx_type_0-blockchain_test_from_state_test-non-empty-balance-correct-initcode"),
    "eip7002_system_call_reverts": ("prague/eip7002_el_triggerable_withdrawals/test_system_contract_errors.json",
                                    "fork_Osaka-blockchain_test-system_contract_reverts"),
    "eip7251_system_call_throws": ("prague/eip7251_consolidations/test_system_contract_errors.json",
                                   "fork_Prague-blockchain_test-system_contract_throws"),
    "request_contract_without_code": ("prague/eip7002_el_triggerable_withdrawals/test_system_contract_deployment.json",
                                      "deploy_after_fork-zero_balance"),
    "eip3860_oversized_initcode": ("shanghai/eip3860_initcode/test_contract_creating_tx.json",
                                   "fork_Cancun-blockchain_test_from_state_test-over_limit_ones"),
    "blob_tx_before_cancun": ("cancun/eip4844_blobs/test_blob_type_tx_pre_fork.json", "ShanghaiToCancunAtTime15k"),
    "set_code_tx_before_prague": ("prague/eip7702_set_code_tx/test_set_code_type_tx_pre_fork.json", "CancunToPragueAtTime15k"),
    "eip1559_tx_before_london": ("london/eip1559_fee_market_change/test_eip1559_tx_validity.json", "fork_Berlin-invalid"),
    "eip3607_sender_with_code": ("prague/eip7702_set_code_tx/test_set_code_from_account_with_non_delegating_code.json",
                                 "fork_Osaka"),
    "eip7623_gas_below_floor": ("prague/eip7623_increase_calldata_cost/test_transaction_validity_type_0.json",
                                "floor_gas_greater_than_intrinsic_gas"),
    "deposit_event_layout": ("prague/eip6110_deposits/test_invalid_layout.json", "fork_Osaka"),
    "header_without_blob_fields": ("cancun/eip4844_blobs/test_invalid_post_fork_block_without_blob_fields.json",
                                   "ShanghaiToCancunAtTime15k"),
    "bpo3_blob_schedule_from_the_config": ("osaka/eip7918_blob_reserve_price/test_reserve_price_at_transition.json",
                                           "BPO2ToBPO3"),
    "gas_limit_below_minimum": ("frontier/validation/test_gas_limit_below_minimum.json", "fork_Osaka"),
    # found when blocktest began to check *why* a block is rejected: py-evm charges EIP-3860's
    # initcode cost while executing, so a gas limit between its intrinsic gas and the specs' ran
    "eip3860_initcode_cost_is_intrinsic": ("prague/eip7623_increase_calldata_cost/test_transaction_validity_type_0.json",
                                           "contract_creating-type_0-protected-insufficient_gas-floor_gas_less_than"),
    # and py-evm admits a priority fee above the max fee, and checks the balance against the
    # effective price (London) or without the value (Cancun), not gas x maxFeePerGas + value
    "eip1559_priority_fee_above_max_fee": ("prague/eip7702_set_code_tx/test_set_code_transaction_fee_validations.json",
                                           "fork_Prague"),
}


@pytest.mark.parametrize("cause", sorted(CAUSES))
def test_each_cause_of_a_past_failure(fixtures, cause):
    path, part = CAUSES[cause]
    doc = json.loads((fixtures / path).read_text())
    names = [n for n in doc if part in n or part in str(doc[n].get("network"))]
    assert names, f"no test matching {part!r} in {path}"
    for name in names:
        r = bt.run_test(name, doc[name], path)
        assert r.passed, f"{name}: {r.error}"


def test_blocktest_cli_json_and_exit_codes(fixtures, tmp_path):
    path = fixtures / CAUSES["eip7610_collision_with_storage"][0]
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "blocktest", str(path), "--json",
                        "--run", "fork_Osaka-tx_type_0"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and all(set(x) == {"name", "fork", "pass", "error"} and x["pass"] for x in rows)
    # a fixture whose last block is claimed wrongly: the run fails, exit 1
    doc = json.loads(path.read_text())
    name = next(iter(doc))
    doc[name]["lastblockhash"] = "0x" + "ab" * 32
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({name: doc[name]}))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "blocktest", str(bad)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "FAIL" in r.stdout and "lastblockhash" in r.stdout
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "blocktest", str(tmp_path / "none.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 4 and r.stdout.startswith("ERROR") and "Traceback" not in r.stderr


def test_a_failing_block_replays_with_verify_and_its_chain_config(fixtures, tmp_path):
    """--chain-config: the test's config makes any of its blocks replayable as a bundle."""
    from witnessverify.bundle import Bundle

    path, part = CAUSES["eip7002_system_call_reverts"]
    doc = json.loads((fixtures / path).read_text())
    name = next(n for n in doc if part in n)
    test = doc[name]
    root, nodes = bt.state_trie(test["pre"], "pre")
    genesis = bytes.fromhex(test["genesisRLP"][2:])
    import rlp

    bundle = Bundle(chain_id=1, block_rlp=bytes.fromhex(test["blocks"][0]["rlp"][2:]), state=list(nodes.values()),
                    codes=[], headers=[rlp.encode(rlp.decode(genesis)[0])])
    (tmp_path / "block.json").write_text(bundle.dumps())
    (tmp_path / "chain.json").write_text(json.dumps({**test["config"], "network": test["network"]}))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(tmp_path / "block.json"),
                        "--chain-config", str(tmp_path / "chain.json")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stdout.startswith("MISMATCH") and "EIP-7002" in r.stdout


def test_blocktest_on_a_terminal_counts_tests_to_their_total(fixtures):
    """A big fixture file no longer runs silent: on a terminal (a pty) the meter counts the
    tests as they finish, with the total and an ETA, also from worker processes."""
    import re

    from tests.helpers.tty import run_on_tty

    path = fixtures / CAUSES["eip7610_collision_with_storage"][0]
    doc = json.loads(path.read_text())
    total = sum(1 for n in doc if "fork_Osaka" in n)
    assert total >= 4
    code, out, tty = run_on_tty(["blocktest", str(path), "--run", "fork_Osaka", "--workers", "2"])
    assert code == 0, out + tty
    counts = {int(x) for x in re.findall(rf"blocktest: (\d+)/{total} test\(s\)", tty)}
    assert counts and max(counts) <= total and "ETA" in tty, tty
    assert tty.endswith("\r\x1b[K") and "blocktest:" not in out
