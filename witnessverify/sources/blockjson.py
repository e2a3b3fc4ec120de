"""Blocks given as JSON (`eth_getBlockByNumber(n, true)`, or snake_case as in scroll's sbv) -> RLP.

Every field is re-encoded exactly as the consensus encoding wants it; the block hash is then the
keccak of the header RLP, which the caller compares with the hash the JSON claims (when it has
one) to prove the conversion lossless.
"""

from __future__ import annotations

from typing import Any, Optional

import rlp

from ..errors import InputError
from ..hexjson import hex_bytes, hex_fixed, quantity

# header JSON name -> (kind, size) in consensus order; optional tail fields by fork
_HEADER_FIELDS = [
    ("parentHash", "fixed", 32),
    ("sha3Uncles", "fixed", 32),
    ("miner", "fixed", 20),
    ("stateRoot", "fixed", 32),
    ("transactionsRoot", "fixed", 32),
    ("receiptsRoot", "fixed", 32),
    ("logsBloom", "fixed", 256),
    ("difficulty", "int", None),
    ("number", "int", None),
    ("gasLimit", "int", None),
    ("gasUsed", "int", None),
    ("timestamp", "int", None),
    ("extraData", "bytes", None),
    ("mixHash", "fixed", 32),
    ("nonce", "fixed", 8),
]
_OPTIONAL_TAIL = [
    ("baseFeePerGas", "int", None),
    ("withdrawalsRoot", "fixed", 32),
    ("blobGasUsed", "int", None),
    ("excessBlobGas", "int", None),
    ("parentBeaconBlockRoot", "fixed", 32),
    ("requestsHash", "fixed", 32),
]

_SNAKE_HEADER = {
    "parent_hash": "parentHash",
    "ommers_hash": "sha3Uncles",
    "beneficiary": "miner",
    "state_root": "stateRoot",
    "transactions_root": "transactionsRoot",
    "receipts_root": "receiptsRoot",
    "logs_bloom": "logsBloom",
    "withdrawals_root": "withdrawalsRoot",
    "gas_limit": "gasLimit",
    "gas_used": "gasUsed",
    "mix_hash": "mixHash",
    "base_fee_per_gas": "baseFeePerGas",
    "blob_gas_used": "blobGasUsed",
    "excess_blob_gas": "excessBlobGas",
    "parent_beacon_block_root": "parentBeaconBlockRoot",
    "requests_hash": "requestsHash",
    "extra_data": "extraData",
}


def camel_header(header: dict) -> dict:
    """sbv's snake_case header -> the JSON-RPC names."""
    return {_SNAKE_HEADER.get(k, k): v for k, v in header.items()}


def _field(obj: dict, name: str, kind: str, size: Optional[int], what: str) -> Any:
    value = obj[name]
    label = f"{what}.{name}"
    if kind == "int":
        return quantity(value, label)
    if kind == "fixed":
        return hex_fixed(value, size, label)
    return hex_bytes(value, label)


def header_fields(header: dict, what: str = "header") -> list:
    if not isinstance(header, dict):
        raise InputError(f"{what}: expected a JSON object")
    out = []
    for name, kind, size in _HEADER_FIELDS:
        if name not in header:
            raise InputError(f"{what}: missing field {name}")
        out.append(_field(header, name, kind, size, what))
    tail_started = True
    for name, kind, size in _OPTIONAL_TAIL:
        present = header.get(name) is not None
        if present and not tail_started:
            raise InputError(f"{what}: field {name} present but an earlier fork's field is missing")
        if not present:
            tail_started = False
            continue
        out.append(_field(header, name, kind, size, what))
    return out


def _to(value: Any, what: str) -> bytes:
    if value in (None, "", "0x"):
        return b""
    return hex_fixed(value, 20, what)


def _access_list(items: Any, what: str) -> list:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError(f"{what}: expected a list")
    out = []
    for i, item in enumerate(items):
        keys = item.get("storageKeys", item.get("storage_keys", []))
        out.append(
            [
                hex_fixed(item.get("address"), 20, f"{what}[{i}].address"),
                [hex_fixed(k, 32, f"{what}[{i}].storageKeys") for k in keys],
            ]
        )
    return out


def _authorizations(items: Any, what: str) -> list:
    out = []
    for i, a in enumerate(items or []):
        w = f"{what}[{i}]"
        y = a.get("yParity", a.get("y_parity", a.get("v")))
        out.append(
            [
                quantity(a.get("chainId", a.get("chain_id")), f"{w}.chainId"),
                hex_fixed(a.get("address"), 20, f"{w}.address"),
                quantity(a.get("nonce"), f"{w}.nonce"),
                quantity(y, f"{w}.yParity"),
                quantity(a.get("r"), f"{w}.r"),
                quantity(a.get("s"), f"{w}.s"),
            ]
        )
    return out


def encode_transaction(tx: dict, what: str) -> Any:
    """A JSON-RPC transaction object -> its consensus encoding (a list for legacy, else bytes)."""
    if not isinstance(tx, dict):
        raise InputError(f"{what}: expected a transaction object (block JSON must have full transactions)")

    def q(name: str, *alts: str) -> int:
        for key in (name,) + alts:
            if key in tx and tx[key] is not None:
                return quantity(tx[key], f"{what}.{name}")
        raise InputError(f"{what}: missing field {name}")

    tx_type = quantity(tx.get("type", "0x0"), f"{what}.type")
    data = hex_bytes(tx.get("input", tx.get("data", "0x")), f"{what}.input")
    to = _to(tx.get("to"), f"{what}.to")
    if tx_type == 0x7E:  # OP deposit: no signature, no fee fields (specs deposits.md)
        system = tx.get("isSystemTx", False)
        if not isinstance(system, bool):
            raise InputError(f"{what}.isSystemTx: expected true or false")
        return bytes([0x7E]) + rlp.encode([
            hex_fixed(tx.get("sourceHash"), 32, f"{what}.sourceHash"), hex_fixed(tx.get("from"), 20, f"{what}.from"),
            to, q("mint") if tx.get("mint") is not None else 0, q("value"), q("gas"), int(system), data,
        ])
    r, s = q("r"), q("s")
    if tx_type == 0:
        return [q("nonce"), q("gasPrice", "gas_price"), q("gas", "gas_limit"), to, q("value"), data, q("v"), r, s]
    y = q("yParity", "v")
    common = [q("chainId", "chain_id"), q("nonce")]
    access = _access_list(tx.get("accessList", tx.get("access_list")), f"{what}.accessList")
    if tx_type == 1:
        body = common + [q("gasPrice", "gas_price"), q("gas", "gas_limit"), to, q("value"), data, access, y, r, s]
    elif tx_type == 0x7B:  # Celo CIP-64: EIP-1559's fields, then feeCurrency (null: native)
        fee_currency = tx.get("feeCurrency")
        body = common + [
            q("maxPriorityFeePerGas", "max_priority_fee_per_gas"), q("maxFeePerGas", "max_fee_per_gas"),
            q("gas", "gas_limit"), to, q("value"), data, access,
            b"" if fee_currency is None else hex_fixed(fee_currency, 20, f"{what}.feeCurrency"), y, r, s,
        ]
    elif tx_type in (2, 3, 4):
        body = common + [
            q("maxPriorityFeePerGas", "max_priority_fee_per_gas"),
            q("maxFeePerGas", "max_fee_per_gas"),
            q("gas", "gas_limit"),
            to,
            q("value"),
            data,
            access,
        ]
        if tx_type == 3:
            hashes = tx.get("blobVersionedHashes", tx.get("blob_versioned_hashes")) or []
            body += [
                q("maxFeePerBlobGas", "max_fee_per_blob_gas"),
                [hex_fixed(h, 32, f"{what}.blobVersionedHashes") for h in hashes],
            ]
        if tx_type == 4:
            body.append(
                _authorizations(tx.get("authorizationList", tx.get("authorization_list")), f"{what}.authorizationList")
            )
        body += [y, r, s]
    else:
        raise InputError(f"{what}: unsupported transaction type {tx_type:#x}")
    return bytes([tx_type]) + rlp.encode(body)


def encode_withdrawals(items: Any, what: str) -> list:
    out = []
    for i, w in enumerate(items or []):
        label = f"{what}[{i}]"
        out.append(
            [
                quantity(w.get("index"), f"{label}.index"),
                quantity(w.get("validatorIndex", w.get("validator_index")), f"{label}.validatorIndex"),
                hex_fixed(w.get("address"), 20, f"{label}.address"),
                quantity(w.get("amount"), f"{label}.amount"),
            ]
        )
    return out


def block_rlp_from_json(block: dict, what: str) -> bytes:
    """`eth_getBlockByNumber(n, true)` result -> block RLP."""
    header = header_fields(block, what)
    if block.get("uncles"):
        raise InputError(f"{what}: the block has uncles, which block JSON lists only by hash; give the block as RLP")
    txs = [encode_transaction(t, f"{what}.transactions[{i}]") for i, t in enumerate(block.get("transactions") or [])]
    body: list = [header, txs, []]
    if block.get("withdrawals") is not None:
        body.append(encode_withdrawals(block["withdrawals"], f"{what}.withdrawals"))
    return rlp.encode(body)


_SBV_TYPES = {"Legacy": 0, "Eip2930": 1, "Eip1559": 2, "Eip4844": 3, "Eip7702": 4}


def sbv_transaction(tx: dict, what: str) -> dict:
    """scroll sbv's serde transaction {"signature", "transaction": {"Eip1559": {...}}} -> JSON-RPC shape."""
    try:
        (kind, fields), = tx["transaction"].items()
        sig = tx["signature"]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(f"{what}: not an sbv transaction object") from None
    if kind not in _SBV_TYPES:
        raise InputError(f"{what}: unknown transaction kind {kind}")
    out = dict(fields)
    out["type"] = _SBV_TYPES[kind]
    out["r"], out["s"] = sig["r"], sig["s"]
    y = quantity(sig.get("yParity", sig.get("v")), f"{what}.signature.yParity")
    if kind == "Legacy":
        chain_id = fields.get("chain_id")
        out["v"] = 27 + y if chain_id is None else 35 + 2 * quantity(chain_id, f"{what}.chain_id") + y
    else:
        out["yParity"] = y
    return out
