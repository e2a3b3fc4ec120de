"""Base after Jovian: Azul's rules proven against the Ethereum execution specs' Osaka (the same
blocks judged as Base Azul blocks must execute exactly as on L1), each difference from OP's Karst
on its own, the schedule, and the refusals of Beryl's and Cobalt's unimplemented features on
blocks built for the purpose."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
import rlp

from witnessverify.bundle import Bundle
from witnessverify.chains import BASE, BASE_SEPOLIA, OP_MAINNET
from witnessverify.rules.base.precompiles import (
    ACTIVATION_REGISTRY, B20_FACTORY, NONCE_MANAGER, POLICY_REGISTRY, TX_CONTEXT,
)
from witnessverify.rules.base.native.calls import fixed_addresses, is_token

from tests.helpers.evm_asm import asm, prober
from tests.helpers.spec_diff import Acct, Case, assert_l2_executes_like_l1, base_alloc, differential, tx
from tests.differential.test_osaka_differential import CLZ_VALUES, MODEXP, P256

PROBER = bytes.fromhex("5000000000000000000000000000000000000001")
CONTRACT = bytes.fromhex("5000000000000000000000000000000000000002")
# the chains as they are, with chain id 1 so the specs' transactions are valid on them
BASE_1 = dataclasses.replace(BASE, chain_id=1)
OP_1 = dataclasses.replace(OP_MAINNET, chain_id=1)
AZUL = BASE.op_forks["azul"] + 120
BERYL = BASE.op_forks["beryl"] + 120
COBALT = BASE.op_forks["cobalt"]
KARST = OP_MAINNET.op_forks["karst"] + 120


def probe(target: int, data: bytes, time: int = AZUL, call_gas: int = 2_000_000, tx_gas: int = 5_000_000) -> Case:
    alloc = base_alloc({PROBER: Acct(code=prober(call_gas))})
    return Case(fork="osaka", alloc=alloc, txs=[tx("osaka", 0, 0, PROBER, target.to_bytes(32, "big") + data, gas=tx_gas)],
                time=time, parent_base_fee=0)


# -- the schedule ------------------------------------------------------------------------------------
def test_chains_command_shows_base_forks_at_their_times():
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "chains", "base", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    forks = {f["fork"]: f["timestamp"] for f in json.loads(r.stdout)["forks"]}
    assert (forks["azul"], forks["beryl"], forks["cobalt"]) == (1_779_991_200, 1_782_410_400, 1_790_791_200)
    assert "karst" not in forks
    sepolia = {k: BASE_SEPOLIA.op_forks[k] for k in ("azul", "beryl", "cobalt")}
    assert sepolia == {"azul": 1_776_708_000, "beryl": 1_781_805_600, "cobalt": 1_790_186_400}
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "chains", "base", "--timestamp", "1779991199"],
                       capture_output=True, text=True, timeout=60)
    assert "at timestamp 1779991199: jovian" in r.stdout


def test_fork_lines():
    from witnessverify.chains import l2_at_least

    assert l2_at_least("azul", "jovian") and l2_at_least("cobalt", "azul")
    assert not l2_at_least("azul", "karst") and not l2_at_least("karst", "azul")
    assert BASE.op_fork_at(AZUL) == "azul" and BASE.op_fork_at(AZUL - 10**6) == "jovian"


# -- Azul = the Osaka EVM, differentially against the specs -------------------------------------------
def test_clz_on_azul():
    code = b"".join(asm(v, "CLZ", i, "SSTORE") for i, v in enumerate(CLZ_VALUES)) + asm("STOP")
    case = Case(fork="osaka", alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx("osaka", 0, 0, CONTRACT)],
                time=AZUL, parent_base_fee=0)
    spec, out = assert_l2_executes_like_l1(case, BASE_1)
    assert out.fork == "base-azul"


def test_clz_is_not_an_opcode_at_jovian():
    code = asm(1, "CLZ", 0, "SSTORE", "STOP")
    case = Case(fork="osaka", alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx("osaka", 0, 0, CONTRACT)],
                time=AZUL - 10**6, parent_base_fee=0)
    spec, out = differential(case, BASE_1)
    assert out.fork == "base-jovian"
    assert out.gas_used == 1_000_000 != spec.gas_used  # an invalid opcode there: all gas consumed


@pytest.mark.parametrize("name", ["valid", "high_s_valid", "wrong_hash", "not_on_curve", "short"])
def test_p256verify_on_azul_is_osakas(name):
    assert_l2_executes_like_l1(probe(0x100, P256[name]), BASE_1)


def test_p256verify_costs_6900_on_azul_and_3450_on_jovian():
    case = probe(0x100, P256["valid"], call_gas=5000)  # enough for Fjord's price, not Osaka's
    assert_l2_executes_like_l1(case, BASE_1)  # fails the call, as on L1 Osaka
    spec, jovian = differential(dataclasses.replace(case, time=AZUL - 10**6), BASE_1)
    assert jovian.computed["stateRoot"] != "0x" + spec.state_root.hex()  # at Jovian the call succeeds


@pytest.mark.parametrize("name", ["small", "exponent_40_bytes", "at_bound_1024", "base_over_bound",
                                  "modulus_over_bound", "empty_base_zero_exponent"])
def test_modexp_on_azul_is_osakas(name):
    assert_l2_executes_like_l1(probe(5, MODEXP[name], call_gas=3_000_000), BASE_1)


@pytest.mark.parametrize("gas,valid", [(2**24, True), (2**24 + 1, False)])
def test_transaction_gas_cap_on_azul(gas, valid):
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, CONTRACT, gas=gas)], time=AZUL,
                parent_base_fee=0)
    spec, _ = assert_l2_executes_like_l1(case, BASE_1)
    assert spec.valid is valid


# -- Azul is not Karst: the bn256Pairing cap ----------------------------------------------------------
PAIRS_301 = bytes(192 * 301)  # 301 pairs of points at infinity: 57,792 bytes, a valid pairing


def test_pairing_between_karsts_and_jovians_caps_runs_on_azul():
    assert 57_600 < len(PAIRS_301) <= 81_984
    case = probe(8, PAIRS_301, call_gas=11_000_000, tx_gas=15_000_000)
    spec, out = assert_l2_executes_like_l1(case, BASE_1)
    assert spec.valid


def test_the_same_pairing_fails_on_karst():
    case = dataclasses.replace(probe(8, PAIRS_301, call_gas=11_000_000, tx_gas=15_000_000), time=KARST)
    spec, out = differential(case, OP_1)
    assert out.fork == "op-karst"
    assert out.computed["stateRoot"] != "0x" + spec.state_root.hex()  # the input is over Karst's cap


def test_input_caps_at_azul_are_jovians():
    from witnessverify.chains import l2_at_least as at_least
    from witnessverify.rules.op.precompiles import INPUT_CAPS

    def cap(address, fork):
        steps = [limit for f, limit in INPUT_CAPS[address] if at_least(fork, f)]
        return steps[-1] if steps else None

    assert [cap(a, "azul") for a in (0x08, 0x0C, 0x0E, 0x0F)] == [81_984, 288_960, 278_784, 156_672]
    assert cap(0x08, "karst") == 57_600


# -- Beryl and Cobalt: what is refused, named, exit 3 (the native precompiles that are judged:
# test_native_blocks.py) ----------------------------------------------------------------------------
def test_native_precompile_addresses():
    assert fixed_addresses("azul") == () and not is_token(bytes([0xB2]) + bytes(19), "azul")
    assert set(fixed_addresses("beryl")) == {B20_FACTORY, ACTIVATION_REGISTRY, POLICY_REGISTRY}
    assert set(fixed_addresses("cobalt")) == {B20_FACTORY, ACTIVATION_REGISTRY, POLICY_REGISTRY, NONCE_MANAGER, TX_CONTEXT}
    asset = bytes([0xB2]) + bytes(9) + b"\x00" + b"\x12" * 9
    stable = bytes([0xB2]) + bytes(9) + b"\x01" + b"\x34" * 9
    other = bytes([0xB2]) + bytes(9) + b"\x02" + b"\x34" * 9
    assert is_token(asset, "beryl") and is_token(stable, "beryl")
    assert not is_token(other, "beryl")  # an ordinary account (not a variant)


def _judge(case: Case, chain=BASE_1):
    _, out = differential(case, chain)
    return out


def test_a_b20_prefix_without_a_known_variant_is_an_ordinary_account():
    """0xb2 ‖ 00×9 ‖ 0x00 routes to an Asset token, 0x01 to a Stablecoin; any other variant byte
    is no precompile (variant.rs `from_address`): the call runs as on L1."""
    target = bytes([0xB2]) + bytes(9) + b"\x02" + b"\x77" * 9
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, target, b"\x01\x02")], time=BERYL,
                parent_base_fee=0)
    assert_l2_executes_like_l1(case, BASE_1)


def test_the_same_call_before_beryl_is_an_ordinary_call():
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, B20_FACTORY, b"\x01")], time=AZUL,
                parent_base_fee=0)
    assert_l2_executes_like_l1(case, BASE_1)


def test_a_cobalt_precompile_is_an_empty_account_before_cobalt():
    """The NonceManager is installed from Cobalt (test_native_blocks.py judges it there)."""
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, NONCE_MANAGER, b"")], time=BERYL,
                parent_base_fee=0)
    assert_l2_executes_like_l1(case, BASE_1)  # at Beryl: an empty account


def test_a_beryl_block_touching_none_of_them_is_judged_normally():
    code = asm(7, 0, "SSTORE", "STOP")
    case = Case(fork="osaka", alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx("osaka", 0, 0, CONTRACT)],
                time=COBALT + 120, parent_base_fee=0)
    spec, out = assert_l2_executes_like_l1(case, BASE_1)
    assert out.fork == "base-cobalt" and out.verdict != "UNSUPPORTED"


def test_the_cobalt_activation_block_is_judged_as_any_other():
    """base/base PR #4924 moved the EIP-8130 system-account stub (the NonceManager's 0xEF code)
    to Zenith: the first Cobalt block changes no state beyond its transactions, as L1 would."""
    code = asm(7, 0, "SSTORE", "STOP")
    case = Case(fork="osaka", alloc=base_alloc({CONTRACT: Acct(code=code)}), txs=[tx("osaka", 0, 0, CONTRACT)],
                time=COBALT, parent_base_fee=0)  # the parent is 12 s earlier: before Cobalt
    spec, out = assert_l2_executes_like_l1(case, BASE_1)
    assert out.fork == "base-cobalt" and out.verdict != "UNSUPPORTED"


@pytest.mark.parametrize("tx_type", [0x7B, 0x79])
def test_an_eip8130_transaction_at_cobalt_is_unsupported_exit_3(tmp_path, tx_type):
    """A block built for the purpose: a Cobalt block whose body holds an EIP-8130 transaction
    (the header is a real one of the harness; the refusal comes before anything is compared)."""
    case = Case(fork="osaka", alloc=base_alloc(), txs=[tx("osaka", 0, 0, CONTRACT)], time=COBALT + 120,
                parent_base_fee=0)
    spec, out = differential(case, BASE_1)
    assert out.fork == "base-cobalt"
    from tests.helpers.spec_diff import build_bundle

    bundle: Bundle = build_bundle(case, spec, case.time)
    block = rlp.decode(bundle.block_rlp)
    block[1].append(bytes([tx_type]) + rlp.encode([1, 0, b"\x00" * 20]))
    bundle.block_rlp, bundle.chain_id = rlp.encode(block), None
    path = tmp_path / "cobalt.json"
    path.write_text(bundle.dumps())
    chain = tmp_path / "rollup.json"
    chain.write_text(json.dumps({"l2_chain_id": 1, "azul_time": BASE.op_forks["azul"],
                                 "beryl_time": BASE.op_forks["beryl"], "cobalt_time": COBALT,
                                 "chain_op_config": {"eip1559Elasticity": 6, "eip1559Denominator": 50,
                                                     "eip1559DenominatorCanyon": 250}}))
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(path), "--rollup-config", str(chain)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stdout.startswith("UNSUPPORTED") and "EIP-8130" in r.stdout and "Traceback" not in r.stdout + r.stderr


# -- Jovian's rules go on at Azul; deposits are exempt from the gas cap -------------------------------
L1_BLOCK = bytes.fromhex("4200000000000000000000000000000000000015")


def test_azul_blocks_carry_the_da_footprint_in_blob_gas_used():
    from witnessverify.rules.op.l1cost import da_footprint

    alloc = base_alloc({L1_BLOCK: Acct(storage={8: 400 << 96})})  # daFootprintGasScalar 400
    t = tx("osaka", 0, 0, CONTRACT, b"\x01" * 200)
    case = Case(fork="osaka", alloc=alloc, txs=[t], time=AZUL, parent_base_fee=0)
    spec, out = assert_l2_executes_like_l1(case, BASE_1)
    assert out.computed["blobGasUsed"] == da_footprint(t.encode(), 400) > 0


def _deposit(sender: bytes, gas: int) -> bytes:
    return b"\x7e" + rlp.encode([b"\x99" * 32, sender, CONTRACT, 0, 0, gas, 0, b""])


def test_a_deposit_above_the_gas_cap_is_valid_on_azul_a_transaction_is_not():
    """base/base handler.rs `validate_env`: deposits return before the EIP-7825 check."""
    from witnessverify.build import build

    from tests.helpers.spec_diff import SENDERS, witness_from_alloc

    alloc = base_alloc()
    root, nodes, codes = witness_from_alloc(alloc)
    parent = [b"\x11" * 32, bytes.fromhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"),
              b"\x00" * 20, root, b"\x00" * 32, b"\x00" * 32, bytes(256), 0, 999, 60_000_000, 0, AZUL - 2,
              b"\x01" + (250).to_bytes(4, "big") + (6).to_bytes(4, "big") + bytes(8), b"\x22" * 32, bytes(8), 0,
              b"\x00" * 32, 0, 0, b"\x33" * 32, b"\x00" * 32]
    attributes = {"timestamp": hex(AZUL), "prevRandao": "0x" + "44" * 32, "suggestedFeeRecipient": "0x" + "00" * 20,
                  "parentBeaconBlockRoot": "0x" + "55" * 32, "gasLimit": hex(60_000_000), "minBaseFee": "0x0",
                  "eip1559Params": "0x" + "00" * 8, "transactions": ["0x" + _deposit(SENDERS[0], 20_000_000).hex()]}
    built = build(BASE_1, rlp.encode(parent), attributes, nodes + codes, None, "azul-deposit")
    assert built.invalid is None and not built.missing and built.fork == "base-azul"
    attributes["transactions"] = ["0x" + tx("osaka", 1, 0, CONTRACT, gas=20_000_000).encode().hex()]
    built = build(BASE_1, rlp.encode(parent), attributes, nodes + codes, None, "azul-tx")
    assert built.invalid and "EIP-7825" in built.invalid
