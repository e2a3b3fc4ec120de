"""The verdict: compare what execution computed with what the block's header claims.

Verdicts, in order of precedence:
  ERROR              the input could not be read (exit 4)
  WITNESS_INVALID    the witness does not authenticate against the block (exit 3)
  WITNESS_INCOMPLETE execution needed data the witness lacks; each gap is named (exit 3)
  MISMATCH           a header commitment differs from the computed value (exit 1)
  VALID              every commitment matches (exit 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from eth.abc import BlockHeaderAPI

from .engine import ExecutionResult
from .chains import l2_at_least as at_least_l2
from .rules.l1.header_checks import check_against_parent, check_alone, check_dao_extra_data
from .witness.missing import Missing
from .witness.check import CheckedWitness

VALID = "VALID"
MISMATCH = "MISMATCH"
WITNESS_INVALID = "WITNESS_INVALID"
WITNESS_INCOMPLETE = "WITNESS_INCOMPLETE"
ERROR = "ERROR"
UNSUPPORTED = "UNSUPPORTED"  # the block needs a rule this tool does not implement (named in the reason)

_BODY_FIELDS = ("transactionsRoot", "withdrawalsRoot", "block")

EXIT_CODES = {VALID: 0, MISMATCH: 1, WITNESS_INVALID: 3, WITNESS_INCOMPLETE: 3, UNSUPPORTED: 3, ERROR: 4}


@dataclass
class Outcome:
    verdict: str
    origin: str
    chain_id: Optional[int] = None
    chain: Optional[str] = None
    fork: Optional[str] = None
    number: Optional[int] = None
    block_hash: Optional[bytes] = None
    computed: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    # read-only lookups of accounts whose absence the witness does not prove (see classify_gaps)
    assumed_absent: list[Missing] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # how the inputs were read where it matters to trust (e.g. the chain inferred from signatures)
    notes: list[str] = field(default_factory=list)
    reason: str = ""  # one line for ERROR / WITNESS_INVALID / WITNESS_INCOMPLETE
    gas_used: int = 0
    receipts: list = field(default_factory=list)  # the computed receipts (for diagnosis)
    post_accounts: dict = field(default_factory=dict)  # address -> Account or None (deleted)
    post_storage: dict = field(default_factory=dict)  # (address, slot) -> value
    intermediate_roots: list = field(default_factory=list)  # per transaction, when asked for
    seconds: float = 0.0
    nodes: Optional[dict] = None  # the post-state's nodes, only when asked for
    internal: bool = False  # an ERROR that is a bug of ours (exit 5), not unreadable input
    witness_bytes: int = 0
    transactions: int = 0
    # OP Stack chains: the block's output root and its parts (rules/op/output_root.py)
    output: Optional[Any] = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def mgas_per_second(self) -> float:
        return self.gas_used / self.seconds / 1e6 if self.seconds > 0 else 0.0


def _h(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else "0x" + bytes(b).hex()


def header_claims(header: BlockHeaderAPI) -> dict[str, Any]:
    """The header commitments that execution recomputes, by JSON-RPC name."""
    out: dict[str, Any] = {
        "stateRoot": _h(header.state_root),
        "receiptsRoot": _h(header.receipt_root),
        "transactionsRoot": _h(header.transaction_root),
        "gasUsed": header.gas_used,
        "logsBloom": "0x" + header.bloom.to_bytes(256, "big").hex(),
    }
    if hasattr(header, "withdrawals_root"):
        out["withdrawalsRoot"] = _h(header.withdrawals_root)
    if hasattr(header, "blob_gas_used"):
        out["blobGasUsed"] = header.blob_gas_used
    if hasattr(header, "requests_hash"):
        out["requestsHash"] = _h(header.requests_hash)
    return out


def computed_header(header: BlockHeaderAPI, result: ExecutionResult) -> BlockHeaderAPI:
    fields: dict[str, Any] = {
        "state_root": result.state_root,
        "receipt_root": result.receipts_root,
        "transaction_root": result.transactions_root,
        "gas_used": result.gas_used,
        "bloom": result.logs_bloom,
    }
    if hasattr(header, "withdrawals_root") and result.withdrawals_root is not None:
        fields["withdrawals_root"] = result.withdrawals_root
    if hasattr(header, "blob_gas_used") and result.blob_gas_used is not None:
        fields["blob_gas_used"] = result.blob_gas_used
    if hasattr(header, "requests_hash") and result.requests_hash is not None:
        fields["requests_hash"] = result.requests_hash
    return header.copy(**fields)


def classify_gaps(result: ExecutionResult) -> tuple[list[Missing], list[Missing]]:
    """Split gaps into (missing, assumed_absent).

    geth's `debug_executionWitness` omits the account-trie path of an account that does not exist
    and is only looked at (a zero-value call, BALANCE of an empty address): its state reader stops
    before walking the trie when the account is absent. Such a lookup of an account that the
    block never writes is reported as an assumption of absence, not proven by the witness, if
    and only if every commitment then matches; `--strict` always turns it into
    WITNESS_INCOMPLETE. Every other gap (a storage slot, a code, a
    header, any account that is written) is missing data.
    """
    missing: list[Missing] = []
    assumed: list[Missing] = []
    for gap in result.missing:
        if (
            gap.kind == "node"
            and gap.slot is None
            and gap.during == "read"
            and gap.account is not None
            and gap.account not in result.written_accounts
        ):
            assumed.append(gap)
        else:
            missing.append(gap)
    return missing, assumed


def _isthmus(checked: CheckedWitness) -> bool:
    from .rules.op.vm import at_least

    return at_least(checked.op_fork, "isthmus")


def _l2_base_fee_rule(checked: CheckedWitness):
    from .rules.families import next_base_fee

    return lambda parent: next_base_fee(checked.chain, checked.op_fork, parent)


def _op_header_rules(checked: CheckedWitness, header) -> list[dict]:
    """Header rules of the OP forks that need no execution (header_checks.py has the L1 ones)."""
    from .rules.op.holocene import extra_data_valid
    from .rules.op.vm import at_least

    out = []
    op_fork = checked.op_fork
    if at_least(op_fork, "holocene"):
        jovian = at_least(op_fork, "jovian")
        if not extra_data_valid(header.extra_data, jovian):
            want = "v1: 0x01 || denominator || elasticity || minBaseFee (17 bytes)" if jovian else \
                "v0: 0x00 || denominator || elasticity (9 bytes)"
            out.append({"field": "extraData", "expected": "0x" + header.extra_data.hex(), "computed": want, "rule": "parent"})
    if at_least(op_fork, "ecotone") and header.excess_blob_gas != 0:
        out.append({"field": "excessBlobGas", "expected": header.excess_blob_gas, "computed": 0, "rule": "parent"})
    recipient = checked.chain.fee_recipient
    if recipient is not None and header.coinbase != recipient:
        out.append({"field": "coinbase", "expected": "0x" + header.coinbase.hex(), "computed": "0x" + recipient.hex(),
                    "rule": "derivation"})
    if at_least(op_fork, "jovian") and header.blob_gas_used > header.gas_limit:
        out.append({"field": "blobGasUsed", "expected": header.blob_gas_used, "computed": f"<= gasLimit {header.gas_limit}",
                    "rule": "parent"})
    return out


def judge(
    checked: CheckedWitness,
    result: ExecutionResult,
    origin: str,
    claimed_hash: Optional[bytes] = None,
    strict: bool = False,
) -> Outcome:
    header = checked.block.header
    expected = header_claims(header)
    computed_hdr = computed_header(header, result)
    computed = header_claims(computed_hdr)
    expected["blockHash"] = _h(claimed_hash or header.hash)
    computed["blockHash"] = _h(computed_hdr.hash)

    mismatches = [
        {"field": name, "expected": expected[name], "computed": computed.get(name)}
        for name in expected
        if computed.get(name) != expected[name]
    ]
    skipped = list(checked.skipped)
    if checked.parent is not None:
        chain = checked.chain
        for name, from_parent, claimed in check_against_parent(
            checked.evm_fork, header, checked.parent,
            None if chain.is_op else chain.blob_params(checked.evm_fork),
            gas_limit_bound=not chain.is_op,
            base_fee_rule=_l2_base_fee_rule(checked) if chain.is_op else None,
            strict_timestamps=chain.strict_timestamps,
        ):
            mismatches.append({"field": name, "expected": claimed, "computed": from_parent, "rule": "parent"})
    if checked.op_fork:
        mismatches += _op_header_rules(checked, header)
    # Holocene and later carry their own extraData rule (_op_header_rules)
    size_rule = not (checked.op_fork and at_least_l2(checked.op_fork, "holocene"))
    for name, required, claimed in check_alone(checked.evm_fork, header, size_rule):
        mismatches.append({"field": name, "expected": claimed, "computed": required, "rule": "header"})
    for name, claimed, required in check_dao_extra_data(header, checked.chain.dao_fork_block):
        mismatches.append({"field": name, "expected": claimed, "computed": required, "rule": "header"})
    if result.invalid_requests is not None:
        mismatches.insert(0, {"field": "requests", "expected": "valid", "computed": f"invalid: {result.invalid_requests}"})
    if result.invalid_block is not None:
        mismatches.insert(0, {"field": "block", "expected": "valid", "computed": f"invalid: {result.invalid_block}"})
    if result.invalid_transaction is not None:
        index, why = result.invalid_transaction
        mismatches.insert(0, {"field": f"transactions[{index}]", "expected": "valid", "computed": f"invalid: {why}"})

    # Mismatches that no witness gap can explain: header rules against the parent, and the
    # transactions/withdrawals roots (functions of the block body alone).
    body_fields = _BODY_FIELDS
    if checked.op_fork and _isthmus(checked):  # there withdrawalsRoot is a storage root
        body_fields = tuple(f for f in _BODY_FIELDS if f != "withdrawalsRoot")
    independent = [m for m in mismatches if m.get("rule") in ("parent", "header", "derivation")
                   or m["field"] in body_fields]
    dependent = len(mismatches) > len(independent)
    missing, assumed = classify_gaps(result)
    if strict or dependent:
        # An assumed absence is tolerated only when every state-dependent commitment matches:
        # once one differs, the substitute value may be the cause, so every gap counts.
        missing, assumed = list(result.missing), []

    outcome = Outcome(
        verdict=VALID,
        origin=origin,
        chain_id=checked.chain.chain_id,
        chain=checked.chain.name,
        fork=checked.fork,
        number=header.block_number,
        block_hash=claimed_hash or header.hash,
        computed=computed,
        expected=expected,
        mismatches=mismatches,
        missing=missing,
        assumed_absent=assumed,
        skipped=skipped,
        gas_used=result.gas_used,
        receipts=list(result.receipts),
        post_accounts=dict(result.post_accounts),
        post_storage=dict(result.post_storage),
        seconds=result.seconds,
        transactions=len(checked.block.transactions),
    )
    if missing and not independent:
        outcome.verdict = WITNESS_INCOMPLETE
        outcome.reason = f"{len(missing)} item(s) missing from the witness, first: {missing[0].describe()}"
    elif mismatches:
        outcome.verdict = MISMATCH
        outcome.reason = "differs: " + ", ".join(m["field"] for m in mismatches)
    return outcome
