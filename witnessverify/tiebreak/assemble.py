"""A witness assembled from standard RPC, for endpoints without `debug_executionWitness`.

`debug_traceBlockByNumber(N, prestateTracer)` names the accounts and slots the block touches;
`eth_getProof(account, slots, N-1)` gives their trie paths against the parent's state root, and
the prestate (or `eth_getCode`) their code. Every proof must start at the parent header's state
root: a node set that proves another root does not authenticate (WITNESS_INVALID).

Proofs alone miss one kind of node: when the block deletes a key and a branch node collapses,
the sibling that survives must be read though no touched key leads to it. The engine names the
missing node and its trie path; a proof for any key under that path (found by hashing candidate
addresses or slots until one has the path as prefix) brings the sibling in. This repeats a few
rounds until the witness is complete.
"""

from __future__ import annotations

from typing import Optional

from eth_hash.auto import keccak

from ..errors import InputError, WitnessInvalid
from ..hexjson import hex_bytes
from .rpc import RpcClient

SYSTEM_ADDRESSES = [
    "0x000f3df6d732807ef1319fb7b8bb8522d0beac02",  # EIP-4788 beacon roots
    "0x0000f90827f1c53a10cb7a02335b175320002935",  # EIP-2935 history
    "0x00000961ef480eb55e80d19ad83579a64c007002",  # EIP-7002 withdrawals
    "0x0000bbddc7ce488642fb579f8b00f3a590007251",  # EIP-7251 consolidations
]
L1_BLOCK = "0x4200000000000000000000000000000000000015"  # OP Stack L1Block predeploy
L2_TO_L1_MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"


def _nibbles(key: bytes) -> tuple:
    return tuple(n for b in key for n in (b >> 4, b & 15))


def key_under(prefix: tuple, slot: bool, limit: int = 1 << 22) -> Optional[bytes]:
    """An address (or 32-byte slot) whose hashed key starts with the nibble path `prefix`."""
    for i in range(limit):
        pre = i.to_bytes(32 if slot else 20, "big")
        if _nibbles(keccak(pre)[: (len(prefix) + 1) // 2])[: len(prefix)] == tuple(prefix):
            return pre
    return None


class ProofWitness:
    """Collects proof nodes and codes into a witness object shaped like a client's."""

    def __init__(self, client: RpcClient, parent_number: int, parent_state_root: bytes) -> None:
        self.client = client
        self.at = hex(parent_number)
        self.root = parent_state_root
        self.state: dict[bytes, bytes] = {}
        self.codes: dict[bytes, bytes] = {}
        self.keys: list[bytes] = []

    def prove(self, address: str, slots: list[str]) -> None:
        proof = self.client.call("eth_getProof", address, slots, self.at)
        if not isinstance(proof, dict) or not isinstance(proof.get("accountProof", []), list) \
                or not isinstance(proof.get("storageProof") or [], list):
            raise InputError(f"{self.client.name}: eth_getProof answered something that is not a proof")
        nodes = [hex_bytes(n, f"{self.client.name}: eth_getProof accountProof") for n in proof.get("accountProof", [])]
        if nodes and keccak(nodes[0]) != self.root:
            raise WitnessInvalid(
                f"{self.client.name}: eth_getProof at #{int(self.at, 16)} proves state root "
                f"0x{keccak(nodes[0]).hex()}, not the parent header's 0x{self.root.hex()}"
            )
        for n in nodes:
            self.state[keccak(n)] = n
        for sp in proof.get("storageProof", []) or []:
            if not isinstance(sp, dict) or not isinstance(sp.get("proof", []), list):
                raise InputError(f"{self.client.name}: eth_getProof storageProof is malformed")
            for n in sp.get("proof", []):
                b = hex_bytes(n, f"{self.client.name}: eth_getProof storageProof")
                self.state[keccak(b)] = b
        self.keys.append(bytes.fromhex(address[2:]))

    def add_code(self, code_hex: str) -> None:
        code = hex_bytes(code_hex, f"{self.client.name}: code")
        if code:
            self.codes[keccak(code)] = code

    def as_witness(self, headers: list[bytes]) -> dict:
        return {
            "state": ["0x" + n.hex() for n in self.state.values()],
            "codes": ["0x" + c.hex() for c in self.codes.values()],
            "keys": ["0x" + k.hex() for k in self.keys],
            "headers": ["0x" + h.hex() for h in headers],
        }


def _slot(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def system_slots(number: int, timestamp: int) -> dict[str, set[str]]:
    """Slots the block-level system calls read or write, which no prestate trace lists:
    EIP-4788 (timestamp and root rings), EIP-2935 (parent hash ring), EIP-7002/7251 queues."""
    beacon, history, withdrawals, consolidations = SYSTEM_ADDRESSES
    return {
        beacon: {_slot(timestamp % 8191), _slot(timestamp % 8191 + 8191)},
        history: {_slot((number - 1) % 8191)},
        withdrawals: {_slot(i) for i in range(4)},
        consolidations: {_slot(i) for i in range(4)},
        # OP Stack: the L1Block fee parameters the L1 data fee and operator fee read (prestate
        # traces do not list them; on L1 chains these are exclusion proofs, harmlessly)
        L1_BLOCK: {_slot(i) for i in (1, 3, 5, 6, 7, 8)},
        L2_TO_L1_MESSAGE_PASSER: set(),  # Isthmus: its storage root is the header's withdrawalsRoot
    }


def assemble(client: RpcClient, number: int, timestamp: int, parent_state_root: bytes,
             extra_addresses: list[str]) -> ProofWitness:
    trace = client.call("debug_traceBlockByNumber", hex(number), {"tracer": "prestateTracer"})
    touched: dict[str, set[str]] = {a.lower(): set() for a in extra_addresses}
    for address, slots in system_slots(number, timestamp).items():
        touched[address] = set(slots)
    codes: dict[str, str] = {}
    if not isinstance(trace, list):
        raise InputError(f"{client.name}: debug_traceBlockByNumber answered {type(trace).__name__}, not a list")
    for item in trace:
        result = item.get("result", item) if isinstance(item, dict) else {}
        if not isinstance(result, dict):
            raise InputError(f"{client.name}: a prestate trace that is not an object of accounts")
        for address, acct in result.items():
            if not isinstance(acct, dict) or not isinstance(acct.get("storage") or {}, dict):
                raise InputError(f"{client.name}: prestate trace entry {str(address)[:42]} is malformed")
            slots = touched.setdefault(str(address).lower(), set())
            slots.update((acct.get("storage") or {}).keys())
            if isinstance(acct.get("code"), str) and acct["code"]:
                codes[str(address).lower()] = acct["code"]
    w = ProofWitness(client, number - 1, parent_state_root)
    for address, slots in sorted(touched.items()):
        w.prove(address, sorted(slots))
        code = codes.get(address)
        if code is None:
            code = client.call("eth_getCode", address, hex(number - 1))
        w.add_code(code)
    return w


def fill_collapse_siblings(w: ProofWitness, missing: list) -> int:
    """Fetch proofs that reach the nodes the engine found missing; returns how many were asked."""
    asked = 0
    for gap in missing:
        if gap.kind != "node" or gap.path is None:
            continue
        if gap.slot is None:
            key = key_under(gap.path, slot=False)
            if key is not None:
                w.prove("0x" + key.hex(), [])
                asked += 1
        elif gap.account is not None:
            key = key_under(gap.path, slot=True)
            if key is not None:
                w.prove("0x" + gap.account.hex(), ["0x" + key.hex()])
                asked += 1
    return asked
