"""Fetching one block from N clients, every answer read as untrusted: a client that answers
garbage (a header without a hash, a non-hex witness node, a raw block that is not RLP, a chain id
that is not a number) is noted and left out, never allowed to stop the check of the others.

Everything is fetched by block hash once the hash is fixed, so a reorg between calls cannot mix
two blocks.
"""

from __future__ import annotations

from typing import Any, Optional

import rlp
from eth_hash.auto import keccak

from ..bundle import Bundle
from ..errors import InputError, WitnessInvalid
from ..hexjson import hex_bytes, quantity
from ..safeparse import decode_rlp
from ..sources import bundle_from_witness_json
from ..sources.blockjson import block_rlp_from_json, header_fields
from .claims import Claim
from .rpc import RpcClient, RpcError


def call(client: RpcClient, method: str, *params) -> tuple[Any, Optional[RpcError]]:
    """(result, None) or (None, RpcError)."""
    try:
        return client.call(method, *params), None
    except RpcError as exc:
        return None, exc


def hash32(value: Any) -> Optional[bytes]:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")) or len(value) != 66:
        return None
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return None


def number_of(value: Any) -> Optional[int]:
    try:
        return quantity(value, "number")
    except InputError:
        return None


def rlp_block_hash(data: bytes) -> Optional[bytes]:
    """The hash of a block RLP's header, or None if the bytes are not a block."""
    try:
        items = decode_rlp(data, "block")
    except InputError:
        return None
    if not isinstance(items, list) or not items or not isinstance(items[0], list):
        return None
    return keccak(rlp.encode(items[0]))


def chain_ids(clients: list[RpcClient]) -> dict[str, tuple[Optional[int], str]]:
    """Each client's eth_chainId: (id, "") or (None, why it is unusable)."""
    out = {}
    for c in clients:
        cid, err = call(c, "eth_chainId")
        if err is not None:
            out[c.name] = (None, f"eth_chainId failed ({err.kind}: {err.detail})")
            continue
        n = number_of(cid)
        if n is None or n >= 2**64:
            out[c.name] = (None, f"eth_chainId answered {str(cid)[:40]!r}, not a chain id")
        else:
            out[c.name] = (n, "")
    return out


def resolve_all(ref: str, clients: list[RpcClient], notes: list[str],
                heads: Optional[dict[str, bytes]] = None) -> tuple[list[bytes], Optional[int]]:
    """Every block hash the clients hold at `ref` (most held first), and the height; `heads`,
    when given, gets each client's hash."""
    if hash32(ref) is not None:
        for c in clients:
            header, _ = call(c, "eth_getBlockByHash", ref, False)
            if isinstance(header, dict) and number_of(header.get("number")) is not None:
                return [hash32(ref)], number_of(header.get("number"))
        return [hash32(ref)], None
    tag = ref if ref in ("latest", "safe", "finalized") else hex(int(ref, 0))
    seen: dict[bytes, int] = {}
    number = None
    for c in clients:
        header, err = call(c, "eth_getBlockByNumber", tag, False)
        if err or not isinstance(header, dict):
            notes.append(f"{c.name}: no block at {ref}" + (f" ({err})" if err else ""))
            continue
        h, n = hash32(header.get("hash")), number_of(header.get("number"))
        if h is None or n is None:
            notes.append(f"{c.name}: its header at {ref} has no readable hash or number; left out")
            continue
        seen[h] = seen.get(h, 0) + 1
        number = n
        if heads is not None:
            heads[c.name] = h
    if not seen:
        return [], None
    if len(seen) > 1:
        notes.append(f"clients hold different blocks at {ref}: " + ", ".join("0x" + h.hex()[:16] for h in seen))
    return sorted(seen, key=lambda h: -seen[h]), number


def client_version(c: RpcClient) -> Optional[str]:
    """The client's web3_clientVersion, recorded with its claim (which build made it); None when
    it does not say. Only printable characters, at most 160 of them: it is shown and stored."""
    answer, err = call(c, "web3_clientVersion")
    if err is not None or not isinstance(answer, str):
        return None
    text = "".join(ch for ch in answer if ch.isprintable()).strip()[:160]
    return text or None


def gather_claim(c: RpcClient, block_hash: bytes) -> Claim:
    claim = _claim(c, block_hash)
    if claim.kind != "unavailable":
        claim.version = client_version(c)
    return claim


def _claim(c: RpcClient, block_hash: bytes) -> Claim:
    h = "0x" + block_hash.hex()
    header, err = call(c, "eth_getBlockByHash", h, False)
    if err is not None and err.kind != "rpc":
        return Claim(c.name, "unavailable", reason=str(err))
    if isinstance(header, dict):
        return Claim(c.name, "header", header_json=header)
    if header is not None:
        return Claim(c.name, "unavailable", reason=f"eth_getBlockByHash answered a {type(header).__name__}, not a header")
    bad, err = call(c, "debug_getBadBlocks")
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
                if isinstance(raw, str) and raw and not raw.startswith("0x"):
                    raw = "0x" + raw
                reason = entry.get("reason") or block.get("reason") or entry.get("error") or ""
                try:
                    data = hex_bytes(raw, f"{c.name}: bad block rlp") if raw else None
                except InputError:
                    data = None  # the claim stands; its unreadable copy of the block is not used
                return Claim(c.name, "rejected", reason=str(reason)[:300], block_rlp=data)
    return Claim(c.name, "none", reason="does not hold the block and lists no bad block for it")


def fetch_block_rlp(clients: list[RpcClient], claims: list[Claim], block_hash: bytes) -> tuple[Optional[bytes], list[str]]:
    h = "0x" + block_hash.hex()
    notes = []
    for c in clients:
        raw, err = call(c, "debug_getRawBlock", h)
        if isinstance(raw, str):
            try:
                data = hex_bytes(raw, f"{c.name}: debug_getRawBlock")
            except InputError as exc:
                notes.append(str(exc))
                continue
            if rlp_block_hash(data) == block_hash:
                return data, notes
            notes.append(f"{c.name}: debug_getRawBlock returned bytes that are not the block {h}")
    for claim in claims:
        if claim.block_rlp and rlp_block_hash(claim.block_rlp) == block_hash:
            return claim.block_rlp, notes
    for c in clients:
        full, err = call(c, "eth_getBlockByHash", h, True)
        if isinstance(full, dict):
            try:
                data = block_rlp_from_json(full, f"{c.name}: eth_getBlockByHash")
            except (InputError, AttributeError, TypeError, ValueError, KeyError) as exc:
                notes.append(str(exc) if isinstance(exc, InputError) else f"{c.name}: eth_getBlockByHash: a malformed block")
                continue
            if rlp_block_hash(data) == block_hash:
                return data, notes
    return None, notes


def fetch_witnesses(clients: list[RpcClient], block_hash: bytes, number: Optional[int]) -> list[tuple[str, dict]]:
    out = []
    h = "0x" + block_hash.hex()
    for c in clients:
        w, err = call(c, "debug_executionWitnessByBlockHash", h)
        if not isinstance(w, dict) and number is not None:
            # by number only if this client's block at that height is the one being checked
            at, _ = call(c, "eth_getBlockByNumber", hex(number), False)
            if isinstance(at, dict) and str(at.get("hash", "")).lower() == h:
                w, err = call(c, "debug_executionWitness", hex(number))
        if isinstance(w, dict):
            out.append((c.name, w))
    return out


ASSEMBLED = "eth_getProof and a prestate trace"  # how an assembled witness's source reads


def witness_bundles(witnesses: list[tuple[str, dict]], block_rlp: bytes, chain_id: Optional[int],
                    notes: list[str], method: str = "debug_executionWitness") -> list[tuple[str, Bundle]]:
    """A bundle per client witness that can be read; an unreadable one is noted and left out.
    `method` names how the witness was had (ASSEMBLED for one built from proofs)."""
    out = []
    for name, w in witnesses:
        try:
            out.append((name, bundle_from_witness_json(w, block_rlp, f"{name}: {method}", chain_id)))
        except (InputError, TypeError, AttributeError, ValueError) as exc:
            notes.append(f"{name}: its execution witness is unreadable, left out ({str(exc)[:160]})")
    return out


def assembled_witness(clients: list[RpcClient], block_hash: bytes, number: Optional[int], notes: list[str]):
    """(client, ProofWitness, parent RLP) from the first client serving proofs and a prestate trace."""
    from .assemble import assemble

    if number is None or number == 0:
        return None
    h = "0x" + block_hash.hex()
    last_invalid = None
    for c in clients:
        block, _ = call(c, "eth_getBlockByHash", h, False)
        if not isinstance(block, dict) or hash32(block.get("parentHash")) is None:
            continue
        parent, _ = call(c, "eth_getBlockByHash", block["parentHash"], False)
        if not isinstance(parent, dict):
            continue
        try:
            parent_rlp = rlp.encode(header_fields(parent, f"{c.name}: parent header"))
            if keccak(parent_rlp) != hash32(block["parentHash"]):
                notes.append(f"{c.name}: its parent header does not hash to the block's parentHash")
                continue
            miner = block.get("miner") if isinstance(block.get("miner"), str) else None
            extra = ([miner] if miner else []) + [w["address"] for w in block.get("withdrawals") or []
                                                   if isinstance(w, dict) and isinstance(w.get("address"), str)]
            timestamp = number_of(block.get("timestamp"))
            parent_root = hash32(parent.get("stateRoot"))
            if timestamp is None or parent_root is None:
                notes.append(f"{c.name}: its headers lack a readable timestamp or state root")
                continue
            w = assemble(c, number, timestamp, parent_root, extra)
        except RpcError as exc:
            notes.append(f"{c.name}: cannot assemble a witness from proofs ({exc.kind}: {exc.detail})")
            continue
        except InputError as exc:
            notes.append(f"{c.name}: cannot assemble a witness from proofs ({exc})")
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


def merge(bundles: list[Bundle]) -> Bundle:
    """The union of several clients' witnesses (every node is looked up by hash: a union is safe)."""
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
