"""Where the clients' chains part: when clients hold different blocks at the height asked for, walk
back from it comparing each chain's block hash by height — galloping (1, 2, 4, … blocks back),
then bisecting — to the last height where they agree, the fork point. The first block after it
on each chain is then judged by the engine (check.py): a client whose block there is wrong is
the culprit, whatever its later blocks, each valid on its own parent, say.

Every header a client answers is checked: its hash must be the hash of its fields, and the first
block of its fork must link to the fork point's hash. A client whose chain does not link is
UNAVAILABLE (why); one whose chain meets no other within the bound, or that serves none of the
heights compared, is DIFFERENT_CHAIN, never AGREES. The search is bounded (FORK_DEPTH blocks
back) and its requests are counted.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from .claims import (
    AGREE, DIFFERENT_CHAIN, DISAGREES, INCONCLUSIVE, REJECTED, SPLIT, UNAVAILABLE, UNJUDGED, CheckReport, ClientVerdict,
    header_hash,
)
from .fetch import call, hash32, number_of
from .rpc import RpcClient

FORK_DEPTH = 1 << 20  # blocks back at most (about a month of 2-second blocks)


@dataclass
class Chain:
    """The clients that hold the same block at the height asked for."""

    head: bytes  # their block at that height
    clients: list[str]
    fork_point: Optional[int] = None  # the last height this chain shares with the first chain
    first_block: Optional[bytes] = None  # this chain's block just after the fork point
    problem: str = ""  # why the fork point could not be found for this chain


@dataclass
class ForkSearch:
    number: int
    chains: list[Chain] = field(default_factory=list)
    reference: Optional[bytes] = None  # the head of the chain most clients hold (None on a tie)
    requests: int = 0
    unlinked: dict[str, str] = field(default_factory=dict)  # client -> why its chain does not link

    @property
    def point(self) -> Optional[int]:
        """The deepest fork point found."""
        points = [c.fork_point for c in self.chains if c.fork_point is not None]
        return min(points) if points else None

    def to_json(self) -> dict:
        return {"number": self.number, "reference": None if self.reference is None else "0x" + self.reference.hex(),
                "requests": self.requests, "unlinked": self.unlinked,
                "chains": [{"head": "0x" + c.head.hex(), "clients": c.clients, "forkPoint": c.fork_point,
                            "firstBlock": None if c.first_block is None else "0x" + c.first_block.hex(),
                            "problem": c.problem or None} for c in self.chains]}

    @classmethod
    def from_json(cls, doc: dict) -> "ForkSearch":
        def h(v):
            return None if v is None else bytes.fromhex(v[2:])

        return cls(number=doc["number"], reference=h(doc.get("reference")), requests=doc.get("requests", 0),
                   unlinked=dict(doc.get("unlinked") or {}),
                   chains=[Chain(h(c["head"]), list(c["clients"]), c.get("forkPoint"), h(c.get("firstBlock")),
                                 c.get("problem") or "") for c in doc.get("chains", [])])


class _Headers:
    """Each client's block hash and parent hash by height, fetched once, every answer checked."""

    def __init__(self, search: ForkSearch) -> None:
        self.search = search
        self.cache: dict[tuple[str, int], Optional[tuple[bytes, bytes]]] = {}

    def at(self, client: RpcClient, number: int) -> Optional[tuple[bytes, bytes]]:
        """(hash, parent hash) of the client's block at `number`, None if it serves none; raises
        InputError when the header it serves is not what it claims."""
        key = (client.name, number)
        if key not in self.cache:
            self.search.requests += 1
            header, _ = call(client, "eth_getBlockByNumber", hex(number), False)
            if not isinstance(header, dict):
                self.cache[key] = None
            else:
                claimed, parent = hash32(header.get("hash")), hash32(header.get("parentHash"))
                if claimed is None or parent is None or number_of(header.get("number")) != number:
                    raise InputError(f"its header at #{number} has no readable hash, parent hash or number")
                try:
                    real = header_hash(header, client.name)
                except InputError:
                    raise InputError(f"its header at #{number} is unreadable") from None
                if real != claimed:
                    raise InputError(f"its header at #{number} does not hash to the hash it claims 0x{claimed.hex()}")
                self.cache[key] = (claimed, parent)
        return self.cache[key]


def _fork_point(headers: _Headers, ours: RpcClient, theirs: RpcClient, number: int) -> tuple[Optional[int], str]:
    """The last height below `number` where both clients hold the same block, or None and why.
    Gallop back (1, 2, 4, … blocks) to a height where they agree, then bisect; a height one of
    them serves no block at bounds the search from below instead."""
    disagree, step = number, 1
    agree: Optional[int] = None
    floor: Optional[tuple[int, str]] = None  # (a height where one serves nothing, who)
    while agree is None and floor is None:
        height = max(number - step, 0)
        if number - height > FORK_DEPTH:
            return None, f"no common block within {FORK_DEPTH} blocks below #{number}"
        a, b = headers.at(ours, height), headers.at(theirs, height)
        if a is None or b is None:
            floor = (height, ours.name if a is None else theirs.name)
        elif a[0] == b[0]:
            agree = height
        elif height == 0:
            return None, "the chains share no block, not even the genesis"
        else:
            disagree, step = height, step * 2
    while disagree - (agree if agree is not None else floor[0]) > 1:
        mid = ((agree if agree is not None else floor[0]) + disagree) // 2
        a, b = headers.at(ours, mid), headers.at(theirs, mid)
        if (a is None or b is None) and agree is not None:
            return None, (f"{ours.name if a is None else theirs.name} serves no block at #{mid}, between #{agree} "
                          f"where the chains agree and #{disagree} where they differ")
        if a is None or b is None:
            floor = (mid, ours.name if a is None else theirs.name)
        elif a[0] == b[0]:
            agree = mid
        else:
            disagree = mid
    if agree is None:
        return None, (f"{floor[1]} serves no block at #{floor[0]} or below, and the chains differ at "
                      f"#{disagree}: their common block cannot be reached")
    return agree, ""


def _first_block(headers: _Headers, client: RpcClient, point: int) -> bytes:
    """The client's block just after the fork point, which must link to it."""
    first, at = headers.at(client, point + 1), headers.at(client, point)
    if first is None or at is None or first[1] != at[0]:
        raise InputError(f"its block #{point + 1} does not link to the fork point #{point}")
    return first[0]


def search(heads: dict[str, bytes], clients: list[RpcClient], number: int) -> ForkSearch:
    """The fork point of each chain with the chain most clients hold (`heads`: client -> its
    block hash at `number`)."""
    found = ForkSearch(number)
    by_name = {c.name: c for c in clients}
    groups: dict[bytes, list[str]] = {}
    for name, head in heads.items():
        groups.setdefault(head, []).append(name)
    order = sorted(groups, key=lambda h: -len(groups[h]))
    found.chains = [Chain(h, groups[h]) for h in order]
    if len(order) < 2:
        return found
    if len(groups[order[0]]) > len(groups[order[1]]):
        found.reference = order[0]
    headers = _Headers(found)
    first = found.chains[0]
    for chain in found.chains[1:]:
        ours, theirs = by_name[first.clients[0]], by_name[chain.clients[0]]
        try:
            point, why = _fork_point(headers, ours, theirs, number)
        except InputError as exc:
            chain.problem = f"a chain that does not link: {exc}"
            continue
        if point is None:
            chain.problem = why
            continue
        linked = True
        for c, client in ((first, ours), (chain, theirs)):
            try:
                block = _first_block(headers, client, point)
            except InputError as exc:
                for name in c.clients:
                    found.unlinked[name] = str(exc)
                linked = False
                continue
            if c.fork_point is None or point < c.fork_point:
                c.fork_point, c.first_block = point, block
        if not linked:
            chain.problem = chain.problem or "a chain that does not link at the fork point"
    return found


def judge_fork(report: CheckReport, found: ForkSearch, fork_report: Optional[CheckReport],
               order: list[str]) -> CheckReport:
    """Each client judged by where its chain parts from the others. A client whose block just
    after the fork point the engine finds wrong is the culprit, whatever its later blocks say; a
    client whose chain does not link is UNAVAILABLE. Of the chains left standing, the one most
    clients hold (or the only one) keeps its clients' verdicts at the height asked for; every
    other is DIFFERENT_CHAIN, never AGREES: its fork point was not reached, or both sides of the
    fork are valid, a fork-choice difference the engine cannot settle."""
    verdicts = {v.client: v for v in report.clients}
    at_head = {v.client for v in report.clients if v.verdict in (DISAGREES, REJECTED)}  # wrong on its own parent
    culprits = {v.client: v for v in (fork_report.clients if fork_report else []) if v.verdict in (DISAGREES, REJECTED)}
    wrong = [c for c in found.chains if any(n in culprits or n in at_head for n in c.clients)]
    standing = [c for c in found.chains if c not in wrong and not all(n in found.unlinked for n in c.clients)]
    kept = [c for c in standing if c.head == found.reference] or (standing if len(standing) == 1 else [])
    unresolved = sorted({c.problem for c in found.chains if c.problem})
    for chain in found.chains:
        for name in chain.clients:
            if name in found.unlinked:
                verdicts[name] = ClientVerdict(name, UNAVAILABLE, f"its chain is not hash-linked: {found.unlinked[name]}")
            elif name in culprits:
                v = culprits[name]
                verdicts[name] = dataclasses.replace(v, detail=f"its chain forked after #{chain.fork_point}: {v.detail}")
            elif name in at_head:
                continue
            elif chain not in kept:
                alone = "no other client holds" if len(chain.clients) == 1 else "of its own"
                why = (f"the fork point was not reached: {chain.problem or '; '.join(unresolved)}"
                       if chain.problem or chain.fork_point is None else
                       f"it parts after #{chain.fork_point} (first block 0x{chain.first_block.hex()[:16]}…) and the "
                       f"engine finds that block valid: a fork-choice difference, not an execution one")
                verdicts[name] = ClientVerdict(name, DIFFERENT_CHAIN, f"holds 0x{chain.head.hex()[:16]}… at "
                                               f"#{found.number}, on a chain {alone}; {why}")
    report.clients = [verdicts[n] for n in order if n in verdicts]
    report.fork = found
    report.notes = [n for n in report.notes if "fork-choice difference" not in n]
    named = [v.client for v in report.clients if v.verdict in (DISAGREES, REJECTED)]
    apart = [v.client for v in report.clients if v.verdict == DIFFERENT_CHAIN]
    on = f"{', '.join(apart)} on {'chains' if len(apart) > 1 else 'a chain'}"
    if named:
        report.overall, report.reason = SPLIT, "wrong: " + ", ".join(named) + (f"; {on} of their own" if apart else "")
    elif apart and unresolved:
        report.overall, report.reason = INCONCLUSIVE, f"{on} whose fork point was not reached ({'; '.join(unresolved)})"
    elif apart:
        report.overall = INCONCLUSIVE
        report.reason = (f"{on} parting after #{found.point}, and the first block on every side is valid: a "
                         f"fork-choice difference for the consensus layer, not an execution one")
    elif any(v.verdict not in (UNAVAILABLE, UNJUDGED) for v in report.clients):
        report.overall, report.reason = AGREE, ""
    else:
        report.overall = INCONCLUSIVE
        report.reason = report.reason or "no client's chain could be judged"
    return report
