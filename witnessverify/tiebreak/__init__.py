"""The tie-breaker (`witnessverify check`): fetch one block from N clients by hash
(`fetch.py`, over the guarded JSON-RPC client `rpc.py`, or from proofs: `assemble.py`), judge it
with the engine and vote (`check.py`, `claims.py`), diagnose the wrong client (`diagnose.py`), judge
rollup nodes' output roots (`output.py`),
save and replay (`saved.py`)."""

from .check import check
from .claims import (
    AGREE, AGREES, DISAGREES, INCONCLUSIVE, NO_SOURCE, REJECTED, SPLIT, UNAVAILABLE, UNJUDGED, CheckReport,
    Claim, ClientVerdict, human, judge_claims, to_json,
)
from .saved import CLAIMS_FORMAT, replay_saved

__all__ = [
    "check", "human", "to_json", "replay_saved", "judge_claims", "CheckReport", "Claim", "ClientVerdict",
    "AGREE", "AGREES", "DISAGREES", "INCONCLUSIVE", "NO_SOURCE", "REJECTED", "SPLIT", "UNAVAILABLE",
    "UNJUDGED", "CLAIMS_FORMAT",
]
