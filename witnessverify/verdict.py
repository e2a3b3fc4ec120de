"""The verdict: compare what execution computed with what the block's header claims, add the
header rules of the block's rule set, and classify the witness's gaps.

Where each verdict is decided, in order of precedence (verdicts.py has the words and exit codes):
  ERROR              the input could not be read (pipeline.py)
  UNSUPPORTED        a rule this tool does not implement (pipeline.py, from the rule set)
  WITNESS_INVALID    the witness does not authenticate (witness/check.py, witness/state.py)
  WITNESS_INCOMPLETE execution needed data the witness lacks, and nothing the witness cannot
                     explain differs (`judge`: `classify_gaps` and the independent mismatches)
  MISMATCH           a commitment or a rule differs (`judge`; the receipts root among them)
  VALID              every commitment matches
"""

from __future__ import annotations

from typing import Any, Optional

from eth.abc import BlockHeaderAPI

from .engine import ExecutionResult
from .outcome import Outcome
from .verdicts import Mismatch, Verdict
from .witness.missing import Missing

# the words, for the modules that name them so
VALID, MISMATCH, WITNESS_INVALID, WITNESS_INCOMPLETE, ERROR, UNSUPPORTED = (
    Verdict.VALID, Verdict.MISMATCH, Verdict.WITNESS_INVALID, Verdict.WITNESS_INCOMPLETE, Verdict.ERROR,
    Verdict.UNSUPPORTED)


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
    WITNESS_INCOMPLETE. Every other gap (a storage slot, a code, a header, any account that is
    written) is missing data.
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


def execution_mismatches(result: ExecutionResult) -> list[Mismatch]:
    """The block's own invalidity found while executing: a transaction, a per-block limit, the
    EIP-7685 requests (first in the list, in that order)."""
    out = []
    if result.invalid_transaction is not None:
        index, why = result.invalid_transaction
        out.append(Mismatch(f"transactions[{index}]", "valid", f"invalid: {why}"))
    if result.invalid_block is not None:
        out.append(Mismatch("block", "valid", f"invalid: {result.invalid_block}"))
    if result.invalid_requests is not None:
        out.append(Mismatch("requests", "valid", f"invalid: {result.invalid_requests}"))
    return out


def judge(prepared, result: ExecutionResult, origin: str, claimed_hash: Optional[bytes] = None,
          strict: bool = False) -> Outcome:
    """The outcome of a block (`prepared`: pipeline.Prepared) executed into `result`."""
    rules, header, witness = prepared.rules, prepared.block.header, prepared.witness
    expected = header_claims(header)
    computed_hdr = computed_header(header, result)
    computed = header_claims(computed_hdr)
    expected["blockHash"] = _h(claimed_hash or header.hash)
    computed["blockHash"] = _h(computed_hdr.hash)

    mismatches = [Mismatch(name, expected[name], computed.get(name)) for name in expected
                  if computed.get(name) != expected[name]]
    mismatches += rules.header_mismatches(header, witness.parent)
    mismatches = execution_mismatches(result) + mismatches

    # Mismatches that no witness gap can explain: the header rules, and the commitments that are
    # functions of the block body alone.
    body_fields = rules.witness_free_fields()
    independent = [m for m in mismatches if m.independent or m.field in body_fields]
    dependent = len(mismatches) > len(independent)
    missing, assumed = classify_gaps(result)
    if strict or dependent:
        # An assumed absence is tolerated only when every state-dependent commitment matches:
        # once one differs, the substitute value may be the cause, so every gap counts.
        missing, assumed = list(result.missing), []

    outcome = Outcome(
        verdict=VALID,
        origin=origin,
        chain_id=rules.chain.chain_id,
        chain=rules.chain.name,
        fork=rules.fork.label,
        number=header.block_number,
        block_hash=claimed_hash or header.hash,
        computed=computed,
        expected=expected,
        mismatches=mismatches,
        missing=missing,
        assumed_absent=assumed,
        skipped=list(witness.skipped),
        gas_used=result.gas_used,
        receipts=list(result.receipts),
        post_accounts=dict(result.post_accounts),
        post_storage=dict(result.post_storage),
        seconds=result.seconds,
        transactions=len(prepared.block.transactions),
        commits_output_roots=rules.commits_output_roots,
    )
    if missing and not independent:
        outcome.verdict = WITNESS_INCOMPLETE
        outcome.reason = f"{len(missing)} item(s) missing from the witness, first: {missing[0].describe()}"
    elif mismatches:
        outcome.verdict = MISMATCH
        outcome.reason = "differs: " + ", ".join(m.field for m in mismatches)
    return outcome
