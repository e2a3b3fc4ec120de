"""The tie-breaker: fetch one block from N live clients, judge it with the independent engine,
and say which client is wrong.

Everything is fetched by block hash once the hash is fixed, so a reorg between calls cannot mix
two blocks (if the hash at the height changes during the check, the answer is INCONCLUSIVE).

Per client: AGREES (it holds the block and the engine confirms it, or it rejected a block the
engine also finds invalid), DISAGREES (it holds a block the engine finds wrong: which fields),
REJECTED (it rejected a block the engine finds valid), UNAVAILABLE (why). Overall: AGREE, SPLIT
(culprits named) or INCONCLUSIVE (why). Exit codes: 0 agree, 1 a client is wrong, 3
inconclusive, 4 no usable source.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import rlp
from eth_hash.auto import keccak

from .bundle import Bundle
from .errors import InputError, WitnessInvalid
from .hexjson import hex_bytes
from .pipeline import verify_bundle
from .rpc import RpcClient, RpcError
from .sources import bundle_from_witness_json
from .sources.blockjson import block_rlp_from_json, header_fields
from .verdict import MISMATCH, VALID, Outcome

AGREES, DISAGREES, REJECTED, UNAVAILABLE = "AGREES", "DISAGREES", "REJECTED", "UNAVAILABLE"
AGREE, SPLIT, INCONCLUSIVE, NO_SOURCE = "AGREE", "SPLIT", "INCONCLUSIVE", "NO_SOURCE"
EXIT = {AGREE: 0, SPLIT: 1, INCONCLUSIVE: 3, NO_SOURCE: 4}


@dataclass
class Claim:
    client: str
    kind: str  # "header" | "rejected" | "none" | "unavailable"
    header_json: Optional[dict] = None
    reason: str = ""
    block_rlp: Optional[bytes] = None  # from a bad-block entry


@dataclass
class ClientVerdict:
    client: str
    verdict: str
    detail: str = ""
    fields: list = field(default_factory=list)
    diagnosis: dict = field(default_factory=dict)


@dataclass
class CheckReport:
    overall: str
    reason: str = ""
    block_number: Optional[int] = None
    block_hash: Optional[bytes] = None
    outcome: Optional[Outcome] = None
    clients: list[ClientVerdict] = field(default_factory=list)
    witness_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chain: Optional[str] = None  # the chain name the engine used (dev chains: as read from the node)

    @property
    def exit_code(self) -> int:
        return EXIT[self.overall]


def _is_hash(ref: str) -> bool:
    return ref.startswith("0x") and len(ref) == 66


def _header_hash(header: dict, where: str) -> bytes:
    return keccak(rlp.encode(header_fields(header, where)))


def _try(client: RpcClient, method: str, *params):
    """(result, None) or (None, RpcError)."""
    try:
        return client.call(method, *params), None
    except RpcError as exc:
        return None, exc


def resolve(ref: str, clients: list[RpcClient], notes: list[str]) -> tuple[Optional[bytes], Optional[int]]:
    """The block hash (and number) to check: from the hash given, or what most clients report."""
    candidates, number = resolve_all(ref, clients, notes)
    return (candidates[0] if candidates else None), number


def resolve_all(ref: str, clients: list[RpcClient], notes: list[str]) -> tuple[list[bytes], Optional[int]]:
    """Every block hash the clients hold at `ref` (most held first), and the height."""
    if _is_hash(ref):
        for c in clients:
            header, _ = _try(c, "eth_getBlockByHash", ref, False)
            if isinstance(header, dict) and "number" in header:
                return [bytes.fromhex(ref[2:])], int(header["number"], 16)
        return [bytes.fromhex(ref[2:])], None
    tag = ref if ref in ("latest", "safe", "finalized") else hex(int(ref, 0))
    seen: dict[bytes, int] = {}
    number = None
    for c in clients:
        header, err = _try(c, "eth_getBlockByNumber", tag, False)
        if err or not isinstance(header, dict):
            notes.append(f"{c.name}: no block at {ref}" + (f" ({err})" if err else ""))
            continue
        h = bytes.fromhex(header["hash"][2:])
        seen[h] = seen.get(h, 0) + 1
        number = int(header["number"], 16)
    if not seen:
        return [], None
    if len(seen) > 1:
        notes.append(f"clients hold different blocks at {ref}: " + ", ".join("0x" + h.hex()[:16] for h in seen))
    return sorted(seen, key=lambda h: -seen[h]), number


def gather_claim(c: RpcClient, block_hash: bytes) -> Claim:
    h = "0x" + block_hash.hex()
    header, err = _try(c, "eth_getBlockByHash", h, False)
    if err is not None and err.kind != "rpc":
        return Claim(c.name, "unavailable", reason=str(err))
    if isinstance(header, dict):
        return Claim(c.name, "header", header_json=header)
    bad, err = _try(c, "debug_getBadBlocks")
    if isinstance(bad, list):
        # execution-apis BadBlock {block, hash, rlp}; older geth {hash, header, blockrlp};
        # besu/nethermind put the hash inside `block`; a reason where the client gives one
        for entry in bad:
            if not isinstance(entry, dict):
                continue
            block = entry.get("block") if isinstance(entry.get("block"), dict) else {}
            entry_hash = entry.get("hash") or block.get("hash") or ""
            if str(entry_hash).lower() == h:
                raw = entry.get("rlp") or entry.get("blockrlp")
                if raw and not str(raw).startswith("0x"):
                    raw = "0x" + raw
                reason = entry.get("reason") or block.get("reason") or entry.get("error") or ""
                return Claim(c.name, "rejected", reason=str(reason)[:300],
                             block_rlp=hex_bytes(raw, f"{c.name}: bad block rlp") if raw else None)
    return Claim(c.name, "none", reason="does not hold the block and lists no bad block for it")


def fetch_block_rlp(clients: list[RpcClient], claims: list[Claim], block_hash: bytes) -> tuple[Optional[bytes], list[str]]:
    h = "0x" + block_hash.hex()
    notes = []
    for c in clients:
        raw, err = _try(c, "debug_getRawBlock", h)
        if isinstance(raw, str):
            data = hex_bytes(raw, f"{c.name}: debug_getRawBlock")
            if keccak(rlp.encode(rlp.decode(data)[0])) == block_hash:
                return data, notes
            notes.append(f"{c.name}: debug_getRawBlock returned a block that does not hash to {h}")
    for claim in claims:
        if claim.block_rlp and keccak(rlp.encode(rlp.decode(claim.block_rlp)[0])) == block_hash:
            return claim.block_rlp, notes
    for c in clients:
        full, err = _try(c, "eth_getBlockByHash", h, True)
        if isinstance(full, dict):
            try:
                data = block_rlp_from_json(full, f"{c.name}: eth_getBlockByHash")
            except InputError as exc:
                notes.append(str(exc))
                continue
            if keccak(rlp.encode(rlp.decode(data)[0])) == block_hash:
                return data, notes
    return None, notes


def fetch_witnesses(clients: list[RpcClient], block_hash: bytes, number: Optional[int]) -> list[tuple[str, dict]]:
    out = []
    h = "0x" + block_hash.hex()
    for c in clients:
        w, err = _try(c, "debug_executionWitnessByBlockHash", h)
        if not isinstance(w, dict) and number is not None:
            # by number only if this client's block at that height is the one being checked
            at, _ = _try(c, "eth_getBlockByNumber", hex(number), False)
            if isinstance(at, dict) and str(at.get("hash", "")).lower() == h:
                w, err = _try(c, "debug_executionWitness", hex(number))
        if isinstance(w, dict):
            out.append((c.name, w))
    return out


def assembled_witness(clients: list[RpcClient], block_hash: bytes, number: Optional[int], notes: list[str]):
    """(client, ProofWitness, parent RLP) from the first client serving proofs and a prestate trace."""
    from .assemble import assemble

    if number is None or number == 0:
        return None
    h = "0x" + block_hash.hex()
    last_invalid = None
    for c in clients:
        block, _ = _try(c, "eth_getBlockByHash", h, False)
        if not isinstance(block, dict):
            continue
        parent, _ = _try(c, "eth_getBlockByHash", block["parentHash"], False)
        if not isinstance(parent, dict):
            continue
        try:
            parent_rlp = rlp.encode(header_fields(parent, f"{c.name}: parent header"))
            if keccak(parent_rlp) != bytes.fromhex(block["parentHash"][2:]):
                notes.append(f"{c.name}: its parent header does not hash to the block's parentHash")
                continue
            extra = [block["miner"]] + [w["address"] for w in block.get("withdrawals") or []]
            w = assemble(c, number, int(block["timestamp"], 16), bytes.fromhex(parent["stateRoot"][2:]), extra)
        except RpcError as exc:
            notes.append(f"{c.name}: cannot assemble a witness from proofs ({exc.kind}: {exc.detail})")
            continue
        except WitnessInvalid as exc:
            # a client whose proofs do not authenticate: try the next; if none does, inconclusive
            notes.append(str(exc))
            last_invalid = exc
            continue
        notes.append(f"witness assembled from {c.name}'s eth_getProof and prestate trace")
        return c, w, parent_rlp
    if last_invalid is not None:
        raise last_invalid
    return None


def _merge(bundles: list[Bundle]) -> Bundle:
    base = bundles[0]
    state, codes, headers, keys = [], [], [], []
    for b in bundles:
        state += b.state
        codes += b.codes
        headers += [h for h in b.headers if h not in headers]
        keys += b.keys
    return Bundle(chain_id=base.chain_id, block_rlp=base.block_rlp, state=list(dict.fromkeys(state)),
                  codes=list(dict.fromkeys(codes)), headers=headers, keys=list(dict.fromkeys(keys)),
                  origin="merged witness of " + ", ".join(b.origin for b in bundles))


def diagnose(c: RpcClient, block_hash: bytes, outcome_receipts: list) -> dict:
    """First transaction whose receipt (status, cumulative gas, log count) differs from ours."""
    theirs, err = _try(c, "eth_getBlockReceipts", "0x" + block_hash.hex())
    if not isinstance(theirs, list):
        return {"receipts": f"not available ({err})"}
    for i, ours in enumerate(outcome_receipts):
        if i >= len(theirs):
            return {"firstDivergingTransaction": i, "why": "the client has fewer receipts"}
        t = theirs[i]
        mine = {"status": 1 if ours.state_root == b"\x01" else 0, "cumulativeGasUsed": ours.gas_used, "logs": len(ours.logs)}
        got = {"status": int(t.get("status", "0x0"), 16), "cumulativeGasUsed": int(t.get("cumulativeGasUsed", "0x0"), 16),
               "logs": len(t.get("logs") or [])}
        if mine != got:
            return {"firstDivergingTransaction": i, "ours": mine, "theirs": got}
    return {"receipts": "all receipts agree"}


def compare_roots(ours: list, theirs: list) -> dict:
    """The first transaction after which the client's state root differs from ours."""
    for i, mine in enumerate(ours):
        if i >= len(theirs):
            return {"firstDivergingTransaction": i, "why": "the client has fewer roots"}
        if mine is None:
            continue  # our witness could not settle this intermediate root
        if "0x" + mine.hex() != str(theirs[i]).lower():
            return {"firstDivergingTransaction": i, "ours": "0x" + mine.hex(), "theirs": theirs[i]}
    return {"roots": "every intermediate root we could compute agrees"}


def state_diff(c: RpcClient, number: int, outcome: Outcome, limit: int = 50) -> list[dict]:
    """Each account and slot our execution changed, where the client's post-state differs."""
    slots_of: dict[bytes, list[int]] = {}
    for (address, slot) in outcome.post_storage:
        slots_of.setdefault(address, []).append(slot)
    diffs: list[dict] = []
    for address in sorted(set(outcome.post_accounts) | set(slots_of)):
        ours = outcome.post_accounts.get(address, "unchanged")
        slots = sorted(slots_of.get(address, []))
        proof, err = _try(c, "eth_getProof", "0x" + address.hex(), ["0x" + s.to_bytes(32, "big").hex() for s in slots], hex(number))
        if not isinstance(proof, dict):
            return diffs + [{"account": "0x" + address.hex(), "error": str(err)}]
        if ours != "unchanged":
            mine = (0, 0) if ours is None else (ours.balance, ours.nonce)
            theirs = (int(proof.get("balance", "0x0"), 16), int(proof.get("nonce", "0x0"), 16))
            if mine != theirs:
                diffs.append({"account": "0x" + address.hex(), "field": "balance, nonce", "ours": list(mine), "theirs": list(theirs)})
        for entry in proof.get("storageProof") or []:
            slot = int(entry["key"], 16)
            mine = outcome.post_storage.get((address, slot))
            theirs = int(entry.get("value", "0x0"), 16)
            if mine is not None and mine != theirs:
                diffs.append({"account": "0x" + address.hex(), "slot": hex(slot), "ours": hex(mine), "theirs": hex(theirs)})
        if len(diffs) >= limit:
            break
    return diffs[:limit]


def check(
    ref: str,
    clients: list[RpcClient],
    chain: Optional[str] = None,
    witness_from: Optional[str] = None,
    save_dir: Optional[str] = None,
) -> CheckReport:
    notes: list[str] = []
    if witness_from:
        clients = sorted(clients, key=lambda c: c.name != witness_from)
    candidates, number = resolve_all(ref, clients, notes)
    if not candidates:
        return CheckReport(NO_SOURCE, reason=f"no client could name the block {ref}", notes=notes)
    if len(candidates) == 1:
        return check_hash(ref, candidates[0], number, clients, chain, save_dir, notes)
    # clients hold different blocks at this height: judge each block, each client by the one it holds
    reports = [check_hash(ref, h, number, clients, chain, None, list(notes)) for h in candidates]
    merged = CheckReport(INCONCLUSIVE, block_number=number, block_hash=candidates[0], notes=notes,
                         outcome=reports[0].outcome, witness_sources=reports[0].witness_sources)
    def rank(v: ClientVerdict) -> int:  # a judgement of the block the client holds comes first
        return 1 if v.verdict == DISAGREES and v.fields == ["blockHash"] else 0

    for c in clients:
        mine = [v for r in reports for v in r.clients if v.client == c.name and v.verdict not in (UNAVAILABLE, "UNJUDGED")]
        verdict = min(mine, key=rank) if mine else None
        if verdict is None:
            verdict = ClientVerdict(c.name, UNAVAILABLE, "holds none of the blocks at this height")
        else:
            holding = next(r for r in reports if verdict in r.clients)
            verdict.detail += f" (block 0x{holding.block_hash.hex()[:16]}…, engine {holding.outcome.verdict if holding.outcome else '?'})"
        merged.clients.append(verdict)
    wrong = [v.client for v in merged.clients if v.verdict in (DISAGREES, REJECTED)]
    if wrong:
        merged.overall, merged.reason = SPLIT, "wrong: " + ", ".join(wrong)
    elif any(r.overall == INCONCLUSIVE for r in reports):
        merged.reason = "; ".join(r.reason for r in reports if r.reason)
    else:
        merged.overall = AGREE
        merged.notes.append("every block at this height is valid: a fork-choice difference, not an execution one")
    return merged


def check_hash(ref, block_hash: bytes, number, clients, chain, save_dir, notes) -> CheckReport:
    report = CheckReport(INCONCLUSIVE, block_number=number, block_hash=block_hash, notes=notes)
    claims = [gather_claim(c, block_hash) for c in clients]
    block_rlp, more = fetch_block_rlp(clients, claims, block_hash)
    notes += more
    if block_rlp is None:
        report.overall, report.reason = NO_SOURCE, "no client served the block's body"
        report.clients = [ClientVerdict(cl.client, UNAVAILABLE, cl.reason or cl.kind) for cl in claims]
        return report
    chain_id = None
    for c in clients:
        cid, _ = _try(c, "eth_chainId")
        if isinstance(cid, str):
            chain_id = int(cid, 16)
            break
    if chain is None and chain_id == 31337:  # an Anvil-style dev chain: ask it for its fork
        for c in clients:
            info, _ = _try(c, "anvil_nodeInfo")
            if isinstance(info, dict) and info.get("hardFork"):
                chain = f"dev:{str(info['hardFork']).lower()}"
                notes.append(f"dev chain: fork {chain[4:]} as {c.name} reports it")
                break
    witnesses = fetch_witnesses(clients, block_hash, number)
    assembled = None
    if not witnesses:
        try:
            assembled = assembled_witness(clients, block_hash, number, notes)
        except WitnessInvalid as exc:
            report.reason = f"the witness does not authenticate: {exc}"
            report.clients = [ClientVerdict(cl.client, "UNJUDGED" if cl.kind == "header" else UNAVAILABLE, cl.reason)
                              for cl in claims]
            return report
        if assembled is None:
            report.overall, report.reason = NO_SOURCE, "no client served an execution witness or proofs to assemble one"
            report.clients = [ClientVerdict(cl.client, UNAVAILABLE, "no judgement without a witness") for cl in claims]
            return report
        source, proof_witness, parent_rlp = assembled
        witnesses = [(source.name, proof_witness.as_witness([parent_rlp]))]
    bundles = [bundle_from_witness_json(w, block_rlp, f"{name}: debug_executionWitness", chain_id) for name, w in witnesses]
    report.chain = chain if isinstance(chain, str) else None
    outcome = verify_bundle(bundles[0], chain)
    report.witness_sources = [witnesses[0][0]]
    if assembled is not None:
        # deletions that collapse branches need siblings no touched key's proof contains
        from .assemble import fill_collapse_siblings

        for _ in range(4):
            if outcome.verdict != "WITNESS_INCOMPLETE":
                break
            asked = fill_collapse_siblings(proof_witness, outcome.missing)
            if not asked:
                break
            notes.append(f"fetched {asked} more proof(s) for nodes a branch collapse needs")
            bundles = [bundle_from_witness_json(proof_witness.as_witness([parent_rlp]), block_rlp,
                                                f"{source.name}: proofs", chain_id)]
            outcome = verify_bundle(bundles[0], chain)
    if outcome.verdict not in (VALID, MISMATCH) and len(bundles) > 1:
        # every node authenticates by hash: the union of several clients' witnesses is safe
        outcome = verify_bundle(_merge(bundles), chain)
        report.witness_sources = [name for name, _ in witnesses]
    report.outcome = outcome
    # a reorg while we fetched: the height no longer holds this block
    if number is not None and not _is_hash(ref):
        again, _ = resolve_all(hex(number), clients, [])
        if again and block_hash not in again:
            report.reason = f"the block at #{number} changed during the check (reorg): inconclusive"
            report.clients = [ClientVerdict(cl.client, UNAVAILABLE, "reorg during the check") for cl in claims]
            return _save(report, save_dir, bundles, claims)

    if outcome.verdict not in (VALID, MISMATCH):
        report.reason = f"the engine cannot judge: {outcome.verdict}: {outcome.reason}"
        report.clients = [ClientVerdict(cl.client, UNAVAILABLE if cl.kind in ("none", "unavailable") else "UNJUDGED",
                                        cl.reason) for cl in claims]
        return _save(report, save_dir, bundles, claims)

    diagnoses = {}
    ours_per_tx = None
    for c, v in zip(clients, judge_claims(outcome, claims, block_hash)):
        if v.verdict == DISAGREES and v.fields != ["blockHash"]:
            diagnosis = diagnose(c, block_hash, outcome.receipts)
            if "stateRoot" in v.fields:
                theirs, _ = _try(c, "debug_intermediateRoots", "0x" + block_hash.hex())
                if isinstance(theirs, list):
                    if ours_per_tx is None:  # a second run, computing the root after each transaction
                        ours_per_tx = verify_bundle(bundles[0] if len(report.witness_sources) == 1 else _merge(bundles),
                                                    chain, intermediate_roots=True).intermediate_roots
                    diagnosis["intermediateRoots"] = compare_roots(ours_per_tx, theirs)
                if number is not None:
                    diagnosis["stateDiff"] = state_diff(c, number, outcome)
            diagnoses[v.client] = diagnosis
    conclude(report, judge_claims(outcome, claims, block_hash, diagnoses))
    return _save(report, save_dir, bundles, claims, diagnoses)


def judge_claims(outcome: Outcome, claims: list[Claim], block_hash: bytes,
                 diagnoses: Optional[dict] = None) -> list[ClientVerdict]:
    """Each client's verdict from its claim and the engine's judgement of the block (pure:
    the same from live answers and from a saved check)."""
    valid = outcome.verdict == VALID
    verdicts = []
    for cl in claims:
        if cl.kind == "header":
            try:
                claimed = _header_hash(cl.header_json, cl.client)
            except InputError as exc:
                verdicts.append(ClientVerdict(cl.client, UNAVAILABLE, f"unreadable header: {exc}"))
                continue
            if claimed != block_hash:
                verdicts.append(ClientVerdict(cl.client, DISAGREES, "returned a header that does not hash to the block's hash",
                                              fields=["blockHash"]))
            elif valid:
                verdicts.append(ClientVerdict(cl.client, AGREES, "holds the block, which the engine confirms"))
            else:
                verdicts.append(ClientVerdict(cl.client, DISAGREES, "accepted a block whose header the engine refutes",
                                              fields=[m["field"] for m in outcome.mismatches],
                                              diagnosis=(diagnoses or {}).get(cl.client, {})))
        elif cl.kind == "rejected":
            if valid:
                verdicts.append(ClientVerdict(cl.client, REJECTED, f"rejected a block the engine finds valid; its reason: {cl.reason}"))
            else:
                verdicts.append(ClientVerdict(cl.client, AGREES, f"rejected the block, rightly; its reason: {cl.reason}"))
        else:
            verdicts.append(ClientVerdict(cl.client, UNAVAILABLE, cl.reason or cl.kind))
    return verdicts


def conclude(report: CheckReport, verdicts: list[ClientVerdict]) -> None:
    report.clients = verdicts
    wrong = [v.client for v in verdicts if v.verdict in (DISAGREES, REJECTED)]
    judged = [v for v in verdicts if v.verdict != UNAVAILABLE]
    if wrong:
        report.overall, report.reason = SPLIT, "wrong: " + ", ".join(wrong)
    elif judged:
        report.overall = AGREE
    else:
        report.reason = "no client made a claim about the block"


CLAIMS_FORMAT = "witnessverify-claims/1"


def _save(report: CheckReport, save_dir: Optional[str], bundles: list[Bundle], claims: list[Claim],
          diagnoses: Optional[dict] = None) -> CheckReport:
    if save_dir:
        d = Path(save_dir)
        d.mkdir(parents=True, exist_ok=True)
        bundle = _merge(bundles) if len(report.witness_sources) > 1 else bundles[0]
        bundle.provenance = {"source": "witnessverify check", "clients": report.witness_sources,
                             "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        (d / "bundle.json").write_text(bundle.dumps())
        doc = {
            "format": CLAIMS_FORMAT,
            "block": {"number": report.block_number, "hash": "0x" + report.block_hash.hex()},
            "chain": report.chain,
            "claims": [{"client": c.client, "kind": c.kind, "header": c.header_json, "reason": c.reason} for c in claims],
            "diagnoses": diagnoses or {},
            "witnessFrom": report.witness_sources,
            "notes": report.notes,
        }
        (d / "claims.json").write_text(json.dumps(doc, indent=1))
    return report


def replay_saved(folder: str) -> CheckReport:
    """Re-judge a saved check offline: the saved bundle through the engine, the saved claims."""
    d = Path(folder)
    try:
        doc = json.loads((d / "claims.json").read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{d / 'claims.json'}: cannot read saved claims ({exc})") from None
    if doc.get("format") != CLAIMS_FORMAT:
        raise InputError(f"{d / 'claims.json'}: not a saved check ({CLAIMS_FORMAT})")
    from .sources import load

    (bundle,) = load(d / "bundle.json")
    outcome = verify_bundle(bundle, doc.get("chain"))
    block_hash = hex_bytes(doc["block"]["hash"], "claims.block.hash")
    report = CheckReport(INCONCLUSIVE, block_number=doc["block"].get("number"), block_hash=block_hash,
                         outcome=outcome, witness_sources=doc.get("witnessFrom", []), notes=doc.get("notes", []),
                         chain=doc.get("chain"))
    if outcome.verdict not in (VALID, MISMATCH):
        report.reason = f"the engine cannot judge: {outcome.verdict}: {outcome.reason}"
        return report
    claims = [Claim(c["client"], c["kind"], header_json=c.get("header"), reason=c.get("reason", "")) for c in doc["claims"]]
    conclude(report, judge_claims(outcome, claims, block_hash, doc.get("diagnoses")))
    return report


def to_json(r: CheckReport) -> dict[str, Any]:
    from .report import to_json as outcome_json

    return {
        "overall": r.overall,
        "reason": r.reason or None,
        "block": {"number": r.block_number, "hash": None if r.block_hash is None else "0x" + r.block_hash.hex()},
        "engine": None if r.outcome is None else outcome_json(r.outcome),
        "clients": [v.__dict__ for v in r.clients],
        "witnessFrom": r.witness_sources,
        "notes": r.notes,
    }


def human(r: CheckReport) -> str:
    lines = [f"{r.overall:<13} block #{r.block_number} 0x{r.block_hash.hex() if r.block_hash else '?'}"]
    if r.reason:
        lines.append(f"{'':<13} {r.reason}")
    if r.outcome is not None:
        lines.append(f"{'':<13} engine: {r.outcome.verdict} ({r.outcome.fork}), witness from {', '.join(r.witness_sources)}")
        for m in r.outcome.mismatches:
            lines.append(f"{'':<13}   {m['field']}: header {m['expected']} computed {m['computed']}")
    for v in r.clients:
        lines.append(f"{'':<13} {v.client:<12} {v.verdict:<12} {v.detail}" + (f" [{', '.join(v.fields)}]" if v.fields else ""))
        if v.diagnosis:
            lines.append(f"{'':<13} {'':<12} diagnosis: {json.dumps(v.diagnosis)}")
    for n in r.notes:
        lines.append(f"{'':<13} note: {n}")
    return "\n".join(lines)
