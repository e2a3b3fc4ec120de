"""A chain from an op-node (base-consensus, kona-node) rollup config."""

from __future__ import annotations

from ..errors import InputError
from .base import ACTIVATION_ADMINS
from .op import op_chain
from .registry import BY_ID, chain_by_name
from .spec import L2_FORK_LINES, ChainConfig


def chain_from_rollup_config(doc: dict, origin: str) -> ChainConfig:
    """An L2 chain from an op-node (or base-consensus, kona-node) rollup config JSON: `l2_chain_id`
    (a number, or a built-in chain's name as Celo's configs give it), `<fork>_time`,
    `chain_op_config` with the EIP-1559 parameters. A chain id of a built-in chain keeps that
    chain's family and constants (Base, Celo); its fork times come from the config."""
    if not isinstance(doc, dict) or "l2_chain_id" not in doc:
        raise InputError(f"{origin}: not an op-node rollup config (no l2_chain_id)")
    raw_id = doc["l2_chain_id"]
    known_chain = None
    if isinstance(raw_id, str) and not raw_id.strip().lstrip("-").isdigit() and not raw_id.startswith("0x"):
        known_chain = chain_by_name(raw_id)
        if known_chain is None:
            raise InputError(f"{origin}: l2_chain_id {raw_id!r} is neither a number nor a known chain's name")
        chain_id = known_chain.chain_id
    else:
        try:
            chain_id = int(raw_id, 0) if isinstance(raw_id, str) else int(raw_id)
        except (TypeError, ValueError):
            raise InputError(f"{origin}: l2_chain_id {str(raw_id)[:40]!r} is not a chain id") from None
        if isinstance(raw_id, bool) or chain_id <= 0 or chain_id >= 2**64:
            raise InputError(f"{origin}: l2_chain_id {chain_id} is out of range")
        known_chain = BY_ID.get(chain_id)
    family = known_chain.family if known_chain is not None and known_chain.is_op else "op"
    if any(f"{name}_time" in doc for name in ("azul", "beryl", "cobalt")):
        family = "base"
    line = L2_FORK_LINES[family]
    forks: dict[str, int] = {"regolith": doc.get("regolith_time", 0) or 0}
    for name in line[2:]:
        value = doc.get(f"{name}_time")
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"{origin}: {name}_time is not a timestamp")
            forks[name] = value
    known = {f"{name}_time" for name in line} | {"l2_time", "block_time", "pectra_blob_schedule_time"}
    unknown = {k[: -len("_time")]: v for k, v in doc.items()
               if k.endswith("_time") and k not in known and isinstance(v, int) and not isinstance(v, bool)}
    op = doc.get("chain_op_config") or {}
    if not isinstance(op, dict):
        raise InputError(f"{origin}: chain_op_config is not an object")
    try:
        elasticity = int(op.get("eip1559Elasticity", 6))
        denominator = int(op.get("eip1559Denominator", 50))
        denominator_canyon = int(op.get("eip1559DenominatorCanyon", 250))
    except (TypeError, ValueError):
        raise InputError(f"{origin}: malformed chain_op_config") from None
    if min(elasticity, denominator, denominator_canyon) <= 0:
        raise InputError(f"{origin}: chain_op_config EIP-1559 parameters must be positive")
    name = known_chain.name if known_chain is not None else f"rollup-{chain_id}"
    return op_chain(name, chain_id, elasticity, forks, origin, family, denominator=denominator,
                    denominator_canyon=denominator_canyon, unknown_op_forks=unknown,
                    celo=known_chain.celo if known_chain is not None else None,
                    first_l2_block=known_chain.first_l2_block if known_chain is not None else 0,
                    before_l2=known_chain.before_l2 if known_chain is not None else "",
                    activation_admin=ACTIVATION_ADMINS.get(chain_id) if family == "base" else None)
