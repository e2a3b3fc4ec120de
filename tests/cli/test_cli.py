"""The command contract: verdict lines, JSON fields and exit codes, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import rlp

from tests.helpers.fixtures import BUNDLES, KEEPER_HOODI, REPO, SBV_MAINNET, load_one


def run(*args, timeout=600):
    r = subprocess.run([sys.executable, "-m", "witnessverify.cli", *args], capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in r.stdout + r.stderr
    return r


def test_json_lines_carry_the_contract_fields():
    r = run("verify", str(BUNDLES / "1-23587691.json"), str(BUNDLES / "560048-1151683.json"), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["block"]["number"] for d in docs] == [23587691, 1151683]
    for d in docs:
        assert d["verdict"] == "VALID"
        for key in ("chainId", "block", "verdict", "computed", "expected", "mismatches", "missing", "gasUsed", "seconds", "mgasPerSecond", "fork"):
            assert key in d, key
        for key in ("stateRoot", "receiptsRoot", "gasUsed", "logsBloom", "withdrawalsRoot", "requestsHash", "blobGasUsed", "blockHash"):
            assert d["computed"][key] == d["expected"][key], key
    mainnet = docs[0]
    # values from the chain (the block's header in the fixture)
    assert mainnet["expected"]["stateRoot"] == "0xbc9739571d28afc0a1ae21d7f1869b84cd0eb648db01457dd80a7be1de718287"
    assert mainnet["gasUsed"] == 1429580 and mainnet["chainId"] == 1 and mainnet["fork"] == "prague"


def test_mismatch_exits_1_and_names_the_field(tmp_path):
    b = load_one(SBV_MAINNET)
    block = rlp.decode(b.block_rlp)
    block[0][5] = b"\x33" * 32  # receiptsRoot
    b.block_rlp = rlp.encode(block)
    (tmp_path / "m.json").write_text(b.dumps())
    r = run("verify", str(tmp_path / "m.json"))
    assert r.returncode == 1
    assert r.stdout.startswith("MISMATCH") and "receiptsRoot" in r.stdout


def test_incomplete_exits_3(tmp_path):
    b = load_one(KEEPER_HOODI)
    b.chain_id = 560048
    b.codes = []
    (tmp_path / "i.json").write_text(b.dumps())
    r = run("verify", str(tmp_path / "i.json"))
    assert r.returncode == 3 and r.stdout.startswith("WITNESS_INCOMPLETE") and "missing: code" in r.stdout


def test_worst_verdict_decides_the_exit_code(tmp_path):
    (tmp_path / "bad.json").write_text("[")
    r = run("verify", str(BUNDLES / "560048-1151683.json"), str(tmp_path / "bad.json"))
    assert r.returncode == 4
    assert r.stdout.splitlines()[0].startswith("VALID")


def test_usage_errors_exit_2():
    assert run("verify", "--chain").returncode == 2
    assert run("verify", "--format", "nonsense", str(KEEPER_HOODI)).returncode == 2
    r = run("verify", str(KEEPER_HOODI), "--chain", "nowhere")
    assert r.returncode == 2 and "unknown chain" in r.stderr  # a usage error, before the input is read


def test_a_bad_interpreter_choice_is_a_usage_error_not_a_traceback():
    import os

    r = subprocess.run([sys.executable, "-m", "witnessverify", "verify", str(KEEPER_HOODI)], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, WV_INTERPRETER="fastest"))
    assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr
    assert "WV_INTERPRETER must be one of 'compiled', 'fast', 'py-evm', not 'fastest'" in r.stderr


def test_no_such_path_exits_4():
    r = run("verify", "/nonexistent/witness.json")
    assert r.returncode == 4 and "no such file" in r.stdout


def test_convert_writes_a_bundle_that_verifies(tmp_path):
    r = run("convert", str(KEEPER_HOODI), "-o", str(tmp_path), "--chain-id", "560048")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "560048-1151683.json"
    assert out.exists()
    assert run("verify", str(out)).returncode == 0


def test_repeated_runs_in_one_process_agree():
    """Checkpoint ids are process-wide in py-evm: a second block must not trip over the first."""
    from witnessverify.pipeline import verify_bundle

    for _ in range(2):
        assert verify_bundle(load_one(SBV_MAINNET)).verdict == "VALID"
        assert verify_bundle(load_one(KEEPER_HOODI), chain_name="hoodi").verdict == "VALID"


def test_the_readme_usage_section_matches_every_commands_options():
    """The README's usage block names every command, every option of each (watch and
    spot-check through WATCH-OPTIONS, the common ones once) and no option a command lacks;
    each required argument is shown."""
    import re

    from witnessverify.cli import all_commands

    readme = (REPO / "README.md").read_text()
    block = readme.split("## Usage\n", 1)[1].split("\n`PATH`", 1)[0]
    entries: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        head = re.match(r"\s{4}witnessverify (\S+)|\s{4}(WATCH-OPTIONS):|\s{4}(Every command):", line)
        if head:
            name = next(g for g in head.groups() if g)
            entries[name] = ""
        if name is not None:
            entries[name] += " " + line

    def options(text: str) -> set[str]:
        return set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", text)) - {"-vv"}

    common = options(entries.pop("Every command"))
    shared = options(entries.pop("WATCH-OPTIONS"))
    commands = all_commands()
    assert set(entries) == set(commands), set(entries) ^ set(commands)
    for command_name, command in commands.items():
        text = entries[command_name]
        shown = options(text) | (shared if "WATCH-OPTIONS" in text else set())
        has = {o for p in command.params if p.param_type_name == "option" for o in p.opts} | {"-h", "--help"}
        assert shown - has == set(), (command_name, "in the README, not in the command", shown - has)
        assert has - shown - common == set(), (command_name, "not in the README", has - shown - common)
        for p in command.params:
            if p.param_type_name == "argument" and p.required:
                assert p.name.upper().rstrip("S") in text, (command_name, p.name)


def test_commands_load_on_demand_and_every_one_is_listed():
    """`verify` imports only its own command module (not the watcher's store, the audit or the
    conformance runner), and every command a module defines is in the table that loads it."""
    from witnessverify.cli import all_commands
    from witnessverify.cli.main import COMMAND_MODULES

    probe = ("import json, sys\nfrom witnessverify.cli import main\ntry:\n    main(['verify', sys.argv[1]])\n"
             "except SystemExit as exc:\n    print(json.dumps([exc.code, sorted(sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", probe, str(BUNDLES / "560048-1151683.json")], capture_output=True,
                          text=True, timeout=120)
    code, modules = json.loads(done.stdout.splitlines()[-1])
    assert code == 0, done.stdout + done.stderr
    assert "witnessverify.cli.verify" in modules and "witnessverify.pipeline" in modules
    later = {f"witnessverify.cli.{m}" for m in ("audit", "watch", "check", "build", "conformance")}
    assert not later & set(modules) and not any(m.startswith("witnessverify.store") for m in modules), modules
    commands = all_commands()
    assert set(commands) == set(COMMAND_MODULES) and all(c is not None for c in commands.values())
