"""Witness bounds (limits.py): a padded witness is refused in one line, exit 4, before its junk is
decoded or hashed; real witnesses stay far inside the bounds and are judged as before.

Before the bound, 3 million junk 4-byte nodes beside BPO2 #24628607 took 12.96 s and 844 MB to
judge VALID (the junk simply went unused); now the same file is refused in about 1.3 s, most of it
the JSON parse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from witnessverify import limits
from witnessverify.pipeline import verify_bundle
from witnessverify.sources import load

from tests.helpers.fixtures import KEEPER_HOODI, SHARED

BPO2 = SHARED / "zisk-eth-client-mainnet" / "24628607"


def _verify(path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "witnessverify.cli", "verify", str(path)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


def _padded(tmp_path, junk: int):
    shutil.copy(BPO2 / "24628607_block.json", tmp_path)
    doc = json.loads((BPO2 / "24628607_witness.json").read_text())
    witness = doc.get("result", doc)
    real = len(witness["state"])
    witness["state"] = witness["state"] + ["0x%08x" % i for i in range(junk)]
    (tmp_path / "24628607_witness.json").write_text(json.dumps(doc))
    return real


def test_a_witness_padded_past_the_default_bound_is_refused_in_one_line(tmp_path):
    real = _padded(tmp_path, limits.MAX_WITNESS_ITEMS + 1)
    r = _verify(tmp_path)
    assert r.returncode == 4, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert (f"24628607_witness.json: state: {real + limits.MAX_WITNESS_ITEMS + 1} entries, over the bound of "
            f"{limits.MAX_WITNESS_ITEMS}") in r.stdout


def test_the_bound_is_exact_and_a_real_witness_at_it_is_judged(tmp_path):
    real = _padded(tmp_path, 0)
    at = _verify(tmp_path, WV_MAX_WITNESS_ITEMS=str(real))
    assert at.returncode == 0 and "VALID" in at.stdout, at.stdout + at.stderr
    over = _verify(tmp_path, WV_MAX_WITNESS_ITEMS=str(real - 1))
    assert over.returncode == 4 and f"state: {real} entries, over the bound of {real - 1}" in over.stdout


def test_the_decoded_size_bound(tmp_path):
    _padded(tmp_path, 0)
    doc = json.loads((tmp_path / "24628607_witness.json").read_text())
    state = sum(len(x) // 2 - 1 for x in doc.get("result", doc)["state"])
    r = _verify(tmp_path, WV_MAX_WITNESS_BYTES=str(state - 1))
    assert r.returncode == 4 and f"state: {state} bytes decoded, over the bound of {state - 1}" in r.stdout


def test_geth_rlp_witnesses_are_bounded_too(tmp_path):
    r = _verify(KEEPER_HOODI / "1192c3_witness.rlp", WV_MAX_WITNESS_ITEMS="3")
    assert r.returncode == 4 and "ExtWitness" in r.stdout and "over the bound of 3" in r.stdout, r.stdout


def test_a_bundle_built_in_memory_is_bounded_before_its_nodes_are_hashed(monkeypatch):
    """Sources that build a Bundle without hex lists (RPC answers assembled from proofs, blocktest
    states) meet the same bound in the pipeline."""
    (bundle,) = load(KEEPER_HOODI)
    assert verify_bundle(bundle).verdict == "VALID"
    monkeypatch.setattr(limits, "MAX_WITNESS_ITEMS", len(bundle.state) - 1)
    out = verify_bundle(bundle)
    assert out.verdict == "ERROR" and f"witness state: {len(bundle.state)} entries" in out.reason
    monkeypatch.setattr(limits, "MAX_WITNESS_ITEMS", 10**9)
    monkeypatch.setattr(limits, "MAX_WITNESS_BYTES", bundle.witness_bytes() - 1)
    out = verify_bundle(bundle)
    assert out.verdict == "ERROR" and f"witness: {bundle.witness_bytes()} bytes decoded" in out.reason


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_setting_keeps_the_default(value):
    code = "from witnessverify import limits; print(limits.MAX_WITNESS_ITEMS, limits.MAX_WITNESS_BYTES)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "WV_MAX_WITNESS_ITEMS": value, "WV_MAX_WITNESS_BYTES": value})
    assert r.stdout.split() == ["1000000", str(1 << 30)]


def test_a_bad_setting_is_refused_by_name(tmp_path):
    _padded(tmp_path, 0)
    r = _verify(tmp_path, WV_MAX_WITNESS_ITEMS="lots")
    assert r.returncode == 4 and "WV_MAX_WITNESS_ITEMS='lots': not a positive whole number" in r.stdout, r.stdout
