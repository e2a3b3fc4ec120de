"""`witnessverify blocktest`: the Ethereum blockchain tests (execution-spec-tests fixtures) run
through the same stateless pipeline as every other block (after geth's `evm blocktest`).

Per test: the chain config comes from the fixture's network and `config` (chain id, blob
schedule); the genesis pre-state is written into a trie, whose nodes are the first witness; each
block is a bundle with its ancestors' headers and every node known so far (the pre-state's and
those earlier blocks wrote; a union is safe, every node is looked up by hash), judged by
`verify_bundle`. A block the fixture accepts must be VALID with the fixture's hash; a block with
`expectException` must not be VALID (MISMATCH or, for bytes that are not a block, ERROR).
Blocks are chained by parent hash, so side chains and reorgs follow the fixture. At the end the
fixture's `lastblockhash` must be a block that was accepted (or the genesis), and its state root
the root of `postState`.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from trie import HexaryTrie

from .bundle import Bundle
from .chains import chain_from_chain_config
from .errors import InputError
from .hexjson import hex_bytes, quantity
from .pipeline import verify_bundle
from .safeparse import read_json_file
from .verdict import ERROR, MISMATCH, UNSUPPORTED, VALID


@dataclass
class TestResult:
    name: str
    file: str
    network: str
    passed: bool
    error: str = ""
    blocks: int = 0
    seconds: float = 0.0
    # the rule this tool does not implement that a block of the test needs (the test is neither
    # passed nor failed: a fork such as Amsterdam is named, never guessed)
    unsupported: str = ""

    def to_json(self) -> dict:
        out = {"name": self.name, "fork": self.network, "pass": self.passed, "error": self.error or None}
        if self.unsupported:
            out["unsupported"] = self.unsupported
        return out


def state_trie(alloc: dict, what: str) -> tuple[bytes, dict[bytes, bytes]]:
    """The state root of a fixture's account allocation, and every node and code by hash."""
    db: dict[bytes, bytes] = {}
    accounts = HexaryTrie(db)
    if not isinstance(alloc, dict):
        raise InputError(f"{what}: expected an object of accounts")
    for address_hex, a in alloc.items():
        address = hex_bytes(address_hex, f"{what}: address")
        if not isinstance(a, dict) or not isinstance(a.get("storage") or {}, dict):
            raise InputError(f"{what}: {address_hex}: expected an account object with a storage object")
        storage = HexaryTrie(db)
        for slot, value in (a.get("storage") or {}).items():
            v = quantity(value, f"{what}: {address_hex} storage")
            if v:
                storage[keccak(quantity(slot, f"{what}: slot").to_bytes(32, "big"))] = rlp.encode(v)
        code = hex_bytes(a.get("code", "0x"), f"{what}: {address_hex} code")
        if code:
            db[keccak(code)] = code
        account = Account(nonce=quantity(a.get("nonce", "0x0"), f"{what}: nonce"),
                          balance=quantity(a.get("balance", "0x0"), f"{what}: balance"),
                          storage_root=storage.root_hash, code_hash=keccak(code) if code else EMPTY_SHA3)
        accounts[keccak(address)] = rlp.encode(account, sedes=Account)
    return accounts.root_hash, db


# What a fixture's `expectException` says about *why* the block is invalid, as the header field or
# body part the engine must name (a rejection for another reason is a failure: it would hide a
# missing rule behind an unrelated difference). An exception name not listed accepts any
# rejection; "|" separates alternatives, any of which may match.
_BLOCK_EXCEPTION_FIELDS = {
    "INVALID_BLOCK_NUMBER": ("number",),
    "INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT": ("timestamp",),
    "INVALID_GASLIMIT": ("gasLimit",),
    "GASLIMIT_TOO_BIG": ("gasLimit",),
    "INVALID_BASEFEE_PER_GAS": ("baseFeePerGas",),
    "INCORRECT_EXCESS_BLOB_GAS": ("excessBlobGas",),
    "EXTRA_DATA_TOO_BIG": ("extraData",),
    "INVALID_GAS_USED": ("gasUsed",),
    "INVALID_LOG_BLOOM": ("logsBloom",),
    "INVALID_STATE_ROOT": ("stateRoot",),
    "INVALID_RECEIPTS_ROOT": ("receiptsRoot",),
    "INVALID_TRANSACTIONS_ROOT": ("transactionsRoot",),
    "INVALID_WITHDRAWALS_ROOT": ("withdrawalsRoot",),
    "INVALID_BLOCK_HASH": ("blockHash",),
    "INVALID_REQUESTS": ("requests", "requestsHash"),
    "INVALID_DEPOSIT_EVENT_LAYOUT": ("requests",),
    "SYSTEM_CONTRACT_CALL_FAILED": ("requests",),
    "SYSTEM_CONTRACT_EMPTY": ("requests",),
    "IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS": ("uncles", "sha3Uncles"),
    "IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS": ("difficulty",),
    "INCORRECT_BLOB_GAS_USED": ("blobGasUsed",),
    "BLOB_GAS_USED_ABOVE_LIMIT": ("blobGasUsed", "block"),
    "RLP_BLOCK_LIMIT_EXCEEDED": ("block",),
}


def rejected_for(expected: str, outcome) -> bool:
    """Whether the engine's rejection names a reason `expectException` allows: for a transaction
    exception an invalid transaction (or the block as a whole, where a per-block limit is what a
    transaction broke), for a block exception its header field; bytes that are not a block
    (ERROR) match the RLP and format exceptions and a parent the witness does not hold."""
    fields = [m["field"] for m in outcome.mismatches]
    for alternative in expected.split("|"):
        kind, _, name = alternative.strip().partition(".")
        if outcome.verdict == ERROR:
            if name.startswith(("RLP_", "INCORRECT_BLOCK_FORMAT", "UNKNOWN_PARENT")) or kind != "BlockException" \
                    and name.startswith("TYPE_"):
                return True
            continue
        if kind == "TransactionException":
            if any(f.startswith("transactions[") or f == "block" for f in fields):
                return True
        elif name in _BLOCK_EXCEPTION_FIELDS:
            if set(fields) & set(_BLOCK_EXCEPTION_FIELDS[name]):
                return True
        else:
            return True  # an exception this table does not map: any rejection will do
    return False


def _ancestors(headers: dict[bytes, bytes], parent_hash: bytes) -> list[bytes]:
    """The parent's header and up to 255 more ancestors (BLOCKHASH's window)."""
    out, h = [], parent_hash
    while h in headers and len(out) < 256:
        out.append(headers[h])
        h = rlp.decode(headers[h])[0]
    return out


def _header_of_block(raw: bytes, what: str) -> bytes:
    """The header RLP of a block RLP, which must be a list whose first item is a header (a list
    of at least 15 byte strings)."""
    try:
        block = rlp.decode(raw)
    except (rlp.exceptions.DecodingError, RecursionError):
        raise InputError(f"{what}: not RLP") from None
    if not isinstance(block, list) or not block or not isinstance(block[0], list) or len(block[0]) < 15 \
            or not all(isinstance(x, bytes) for x in block[0]):
        raise InputError(f"{what}: not a block (a list whose first item is a header of 15 or more fields)")
    return rlp.encode(block[0])


def run_test(name: str, test: dict, file: str = "") -> TestResult:
    started = time.perf_counter()
    network = str(test.get("network", "?")) if isinstance(test, dict) else "?"
    result = TestResult(name=name, file=file, network=network, passed=False)
    try:
        if not isinstance(test, dict) or not isinstance(test.get("config") or {}, dict):
            raise InputError(f"{name}: a test is an object, with a config object")
        chain = chain_from_chain_config({**(test.get("config") or {}), "network": network}, f"{name}: config")
        genesis_header = _header_of_block(hex_bytes(test.get("genesisRLP"), f"{name}: genesisRLP"),
                                          f"{name}: genesisRLP")
        root, nodes = state_trie(test.get("pre"), f"{name}: pre")
        if root != rlp.decode(genesis_header)[3] and not (root == BLANK_ROOT_HASH and not test["pre"]):
            raise InputError(f"{name}: the pre-state's root is not the genesis header's state root")
        if not isinstance(test.get("blocks") or [], list) or not all(isinstance(b, dict) for b in test.get("blocks") or []):
            raise InputError(f"{name}: blocks: expected a list of block objects")
    except InputError as exc:
        result.error = f"cannot set up: {exc}"
        return result
    try:
        _run_blocks(name, test, chain, genesis_header, nodes, result)
    except InputError as exc:  # a malformed block entry or post-state: this test fails, the run goes on
        result.passed, result.error = False, f"malformed fixture: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def _run_blocks(name: str, test: dict, chain, genesis_header: bytes, nodes: dict, result: TestResult) -> None:
    headers = {keccak(genesis_header): genesis_header}
    states: dict[bytes, dict] = {}  # accepted block hash -> nodes after it (a shared, growing dict)
    accepted = {keccak(genesis_header)}
    for i, block in enumerate(test.get("blocks") or []):
        result.blocks += 1
        expect_invalid = "expectException" in block
        raw = hex_bytes(block.get("rlp", "0x"), f"{name}: blocks[{i}].rlp") if isinstance(block.get("rlp"), str) else b""
        try:
            parent_hash = rlp.decode(raw)[0][0]
        except (rlp.exceptions.DecodingError, RecursionError, IndexError, TypeError):
            parent_hash = None
        if not isinstance(parent_hash, bytes):
            parent_hash = None  # no block: the engine's verdict on `raw` says what it is
        known = states.get(parent_hash, nodes)
        bundle = Bundle(chain_id=chain.chain_id, block_rlp=raw, state=[], codes=[],
                        headers=_ancestors(headers, parent_hash) if parent_hash is not None else [],
                        preimages=known, origin=f"{name} block {i}")
        outcome = verify_bundle(bundle, chain, keep_nodes=True)
        if outcome.verdict == UNSUPPORTED:
            result.unsupported = outcome.reason.removeprefix(f"{bundle.origin}: ")[:500]
            break
        if expect_invalid:
            if outcome.verdict not in (MISMATCH, ERROR) or outcome.internal:
                result.error = (f"block {i} must be rejected ({block['expectException']}) but the engine says "
                                f"{outcome.verdict}{': ' + outcome.reason if outcome.reason else ''}")
                break
            if not rejected_for(str(block["expectException"]), outcome):
                named = ", ".join(m["field"] for m in outcome.mismatches) or outcome.reason
                result.error = (f"block {i} is rejected, but for another reason than {block['expectException']}: "
                                f"{outcome.verdict} {named}")[:500]
                break
            continue
        header_json = block.get("blockHeader") or {}
        want = str(header_json.get("hash", "") if isinstance(header_json, dict) else "").lower()
        got = outcome.computed.get("blockHash")
        if outcome.verdict != VALID or (want and got != want):
            detail = outcome.reason or "; ".join(f"{m['field']}: header {m['expected']} computed {m['computed']}"
                                                 for m in outcome.mismatches[:3])
            result.error = f"block {i} is valid but the engine says {outcome.verdict}: {detail}"[:500]
            break
        block_hash = bytes.fromhex(got[2:])
        headers[block_hash] = rlp.encode(rlp.decode(raw)[0])
        states[block_hash] = outcome.nodes
        accepted.add(block_hash)
    else:
        result.passed = _post_state_matches(test, name, accepted, headers, result)


def _post_state_matches(test: dict, name: str, accepted: set, headers: dict, result: TestResult) -> bool:
    """The fixture's last block is one the engine accepted, and its state root is postState's."""
    last = hex_bytes(test.get("lastblockhash", "0x"), f"{name}: lastblockhash")
    if last not in accepted:
        result.error = f"lastblockhash 0x{last.hex()} is not a block the engine accepted"
        return False
    if isinstance(test.get("postState"), dict):
        post_root, _ = state_trie(test["postState"], f"{name}: postState")
        if post_root != rlp.decode(headers[last])[3]:
            result.error = "postState's root is not the last block's state root"
            return False
    return True


def fixture_files(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(x for x in path.rglob("*.json") if x.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{p}: no such file or folder")
    return files


def select(files: list[Path], run: Optional[str], fork: Optional[str], per_file: Optional[int],
           seed: int) -> Iterator[tuple[Path, str]]:
    """(file, test name) of every selected test: `run` a regex on names, `fork` a network name
    (a transition network counts for both forks), `per_file` a seeded sample of each file."""
    pattern = re.compile(run) if run else None
    rng = random.Random(seed)
    for f in files:
        doc = read_json_file(f)
        if not isinstance(doc, dict):
            raise InputError(f"{f}: not a blockchain-test fixture (not an object)")
        names = [n for n, t in doc.items() if isinstance(t, dict) and "blocks" in t
                 and (pattern is None or pattern.search(n))
                 and (fork is None or _network_has(str(t.get("network", "")), fork))]
        if per_file is not None and len(names) > per_file:
            names = rng.sample(names, per_file)
        for n in names:
            yield f, n


def _network_has(network: str, fork: str) -> bool:
    return fork.lower() in re.split(r"to|attime15k|at\d+", network.lower())


CHUNK = 8  # tests per job of a worker process


def _run_file_tests(job: tuple[str, list[str]]) -> list[dict]:
    path, names = job
    doc = read_json_file(path)
    return [asdict(run_test(n, doc[n], path)) for n in names]


def run(files: list[Path], run_filter: Optional[str] = None, fork: Optional[str] = None, workers: int = 1,
        per_file: Optional[int] = None, seed: int = 0,
        on_total: Optional[Callable[[int], None]] = None) -> Iterator[TestResult]:
    """Every selected test's result, each as soon as it is known (`on_total` learns how many
    there are before the first runs)."""
    jobs: dict[str, list[str]] = {}
    for f, n in select(files, run_filter, fork, per_file, seed):
        jobs.setdefault(str(f), []).append(n)
    if on_total is not None:
        on_total(sum(map(len, jobs.values())))
    if workers <= 1:
        for path, names in jobs.items():
            doc = read_json_file(path)
            for n in names:
                yield run_test(n, doc[n], path)
        return
    # a few names per job, so results (and the progress line) come while a big file runs
    items = [(path, names[i:i + CHUNK]) for path, names in jobs.items() for i in range(0, len(names), CHUNK)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(_run_file_tests, items):
            for r in batch:
                yield TestResult(**r)


def summary(results: list[TestResult]) -> list[dict]:
    """Per network: tests, passed, failed, unsupported (a rule this tool does not implement),
    seconds."""
    by: dict[str, dict] = {}
    for r in results:
        row = by.setdefault(r.network, {"network": r.network, "tests": 0, "passed": 0, "failed": 0, "unsupported": 0,
                                        "seconds": 0.0})
        row["tests"] += 1
        row["passed" if r.passed else "unsupported" if r.unsupported else "failed"] += 1
        row["seconds"] += r.seconds
    return [by[k] for k in sorted(by)]
