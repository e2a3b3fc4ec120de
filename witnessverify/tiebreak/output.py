"""Output roots in the tie-breaker (OP Stack chains): the block's output root as the engine
computes it, and the claims of rollup nodes (`optimism_outputAtBlock` of op-node, kona-node,
base-consensus) or of a root given by hand (read from a dispute game), each judged AGREES /
DISAGREES (which part) / UNAVAILABLE / UNJUDGED.

Before Isthmus the message passer's storage root is in no header: when the witness does not reach
the account, an `eth_getProof` of it at the block is asked of the execution clients and taken only
if it proves the account against the state root the engine computed.

`gather` does the fetching (live); `judge` is a pure function of the answers, so a saved check
replays the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..hexjson import quantity
from ..errors import InputError
from ..rules.op.output_root import (
    L2_TO_L1_MESSAGE_PASSER, OUTPUT_VERSION_V0, Output, ProofInvalid, differing_parts, output_root,
    proven_storage_root,
)
from .claims import AGREES, DISAGREES, UNAVAILABLE, UNJUDGED, ClientVerdict
from .fetch import call, hash32
from .rpc import RpcClient

BY_HAND = "--output-root"
_PART_NAMES = {"version": "version", "stateRoot": "state root", "withdrawalStorageRoot": "message passer storage root",
               "blockHash": "block hash"}


@dataclass
class OutputAnswers:
    """What was asked about the block's output, as answered (saved with a check, replayed)."""

    rollup: list[dict] = field(default_factory=list)  # {"node", "answer"} or {"node", "error"}
    by_hand: Optional[str] = None
    proofs: list[dict] = field(default_factory=list)  # {"client", "accountProof"} or {"client", "error"}

    def to_json(self) -> dict[str, Any]:
        return {"rollup": self.rollup, "byHand": self.by_hand, "proofs": self.proofs}

    @classmethod
    def from_json(cls, doc: Optional[dict]) -> "OutputAnswers":
        doc = doc or {}
        return cls(list(doc.get("rollup") or []), doc.get("byHand"), list(doc.get("proofs") or []))


def gather(rollup_nodes: list[RpcClient], clients: list[RpcClient], number: Optional[int], output: Optional[Output],
           by_hand: Optional[str]) -> OutputAnswers:
    answers = OutputAnswers(by_hand=by_hand)
    if number is None:
        return answers
    for node in rollup_nodes:
        result, err = call(node, "optimism_outputAtBlock", hex(number))
        answers.rollup.append({"node": node.name, "error": str(err)} if err else {"node": node.name, "answer": result})
    if output is not None and output.root is None and output.unknown.startswith("the witness does not reach"):
        for c in clients:
            result, err = call(c, "eth_getProof", "0x" + L2_TO_L1_MESSAGE_PASSER.hex(), [], hex(number))
            if err is not None:
                answers.proofs.append({"client": c.name, "error": str(err)})
                continue
            proof = result.get("accountProof") if isinstance(result, dict) else None
            answers.proofs.append({"client": c.name, "accountProof": proof})
            if _prove(proof, output)[0] is not None:
                break
    return answers


def _prove(proof: Any, output: Output) -> tuple[Optional[bytes], str]:
    if not isinstance(proof, list) or not all(isinstance(n, str) for n in proof):
        return None, "no accountProof list in its answer"
    try:
        nodes = [bytes.fromhex(n[2:] if n.startswith(("0x", "0X")) else n) for n in proof]
    except ValueError:
        return None, "an accountProof node that is not hex"
    try:
        return proven_storage_root(nodes, output.state_root), ""
    except ProofInvalid as exc:
        return None, str(exc)


def complete(output: Optional[Output], answers: OutputAnswers, notes: list[str]) -> Optional[Output]:
    """The output with its storage root filled from the first proof that authenticates."""
    if output is None or output.root is not None:
        return output
    for p in answers.proofs:
        if "error" in p:
            notes.append(f"{p['client']}: no proof of the message passer ({p['error'][:120]})")
            continue
        root, why = _prove(p.get("accountProof"), output)
        if root is None:
            notes.append(f"{p['client']}: its proof of the message passer is not taken: {why} (the computed one)")
            continue
        return Output(output.state_root, output.block_hash, root,
                      f"eth_getProof of {p['client']}, proven against the computed state root")
    return output


def _parse(answer: Any, number: int) -> tuple[Optional[dict], str]:
    """The parts of an optimism_outputAtBlock answer, or why it is unreadable."""
    if not isinstance(answer, dict):
        return None, "its answer is not an object"
    parts: dict[str, Any] = {}
    for name in ("version", "outputRoot", "stateRoot", "withdrawalStorageRoot"):
        parts[name] = hash32(answer.get(name))
        if parts[name] is None:
            return None, f"its answer's {name} is not a 32-byte hex string"
    ref = answer.get("blockRef")
    if not isinstance(ref, dict) or hash32(ref.get("hash")) is None:
        return None, "its answer's blockRef.hash is not a 32-byte hex string"
    parts["blockHash"] = hash32(ref["hash"])
    raw = ref.get("number")
    try:
        parts["number"] = raw if isinstance(raw, int) and not isinstance(raw, bool) else quantity(raw, "blockRef.number")
    except InputError:
        return None, "its answer's blockRef.number is not a number"
    return parts, ""


def _root_line(output: Output) -> str:
    return f"0x{output.root.hex()}" if output.root is not None else "unknown"


def judge_answer(name: str, answer: Any, output: Optional[Output], number: int) -> ClientVerdict:
    parts, why = _parse(answer, number)
    if parts is None:
        return ClientVerdict(name, UNAVAILABLE, f"unreadable optimism_outputAtBlock answer: {why}")
    claimed = "0x" + parts["outputRoot"].hex()
    if parts["number"] != number:
        return ClientVerdict(name, DISAGREES, f"asked for block #{number}, it answered for #{parts['number']}",
                             fields=["blockRef.number"])
    if output_root(parts["stateRoot"], parts["withdrawalStorageRoot"], parts["blockHash"], parts["version"]) != \
            parts["outputRoot"]:
        return ClientVerdict(name, DISAGREES, f"its outputRoot {claimed} is not the hash of the parts it gives",
                             fields=["outputRoot"])
    if parts["version"] != OUTPUT_VERSION_V0:
        return ClientVerdict(name, DISAGREES, f"output version 0x{parts['version'].hex()}, not version 0",
                             fields=["version"])
    if output is None:
        return ClientVerdict(name, UNJUDGED, f"claims {claimed}; the engine has no output root for this block")
    wrong = differing_parts(parts, output)
    if wrong:
        return ClientVerdict(name, DISAGREES, f"claims {claimed}, the block's is {_root_line(output)}: its "
                             + ", ".join(_PART_NAMES[p] for p in wrong) + " differ" + ("s" if len(wrong) == 1 else ""),
                             fields=wrong)
    if output.root is None:
        return ClientVerdict(name, UNJUDGED, f"claims {claimed}; its state root and block hash agree, the message "
                             f"passer storage root is unknown here ({output.unknown})")
    return ClientVerdict(name, AGREES, f"output root {claimed}")


def judge_by_hand(value: str, output: Optional[Output]) -> ClientVerdict:
    root = hash32(value)
    if output is None or output.root is None:
        why = "the engine has no output root for this block" if output is None else output.unknown
        return ClientVerdict(BY_HAND, UNJUDGED, f"claims {value}; {why}")
    if root == output.root:
        return ClientVerdict(BY_HAND, AGREES, f"output root {value}")
    return ClientVerdict(BY_HAND, DISAGREES, f"claims {value}, the block's is {_root_line(output)} (an output root "
                         "does not say which part differs: ask a rollup node for its parts)", fields=["outputRoot"])


def judge(answers: OutputAnswers, output: Optional[Output], number: Optional[int],
          notes: list[str]) -> tuple[Optional[Output], list[ClientVerdict]]:
    """The block's output (completed from proofs) and each output claim's verdict."""
    output = complete(output, answers, notes)
    verdicts = []
    for a in answers.rollup:
        if "error" in a:
            verdicts.append(ClientVerdict(a["node"], UNAVAILABLE, str(a["error"])[:200]))
        else:
            verdicts.append(judge_answer(a["node"], a.get("answer"), output, number))
    if answers.by_hand is not None:
        verdicts.append(judge_by_hand(answers.by_hand, output))
    return output, verdicts
