"""The witness check: link the parent header to the block by hash and prove the pre-state root.

After this step the block is decoded for its fork, the ancestor headers form one hash chain
ending at the block's parent, and the pre-state root is the keccak of a witness node (or was
given explicitly for formats that carry no parent header, which the report then says).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI
from eth.constants import BLANK_ROOT_HASH
from eth.vm.forks.prague.blocks import PragueBackwardsHeader
from eth_hash.auto import keccak

from .bundle import Bundle
from .chains import ChainConfig
from .errors import InputError, WitnessInvalid
from .forks import witness_vm_class


@dataclass
class CheckedWitness:
    chain: ChainConfig
    fork: str
    vm_class: type
    block: BlockAPI
    parent: Optional[BlockHeaderAPI]
    pre_state_root: bytes
    ancestor_hashes: list[bytes]  # parent first
    preimages: dict[bytes, bytes]
    skipped: list[str] = field(default_factory=list)

    @property
    def evm_fork(self) -> str:
        return evm_fork_of(self.fork)

    @property
    def op_fork(self) -> Optional[str]:
        return self.fork[3:] if self.fork.startswith("op-") else None


def decode_header(raw: bytes, what: str) -> BlockHeaderAPI:
    try:
        return rlp.decode(raw, sedes=PragueBackwardsHeader)
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError, ValueError) as exc:
        raise InputError(f"{what}: not a block header RLP ({str(exc).splitlines()[0][:120]})") from None


def decode_block(raw: bytes, chain: ChainConfig, what: str) -> tuple[str, type, BlockAPI]:
    """(fork label, VM class, decoded block) for a block RLP on `chain`."""
    try:
        items = rlp.decode(raw)
    except rlp.exceptions.DecodingError as exc:
        raise InputError(f"{what}: block is not valid RLP ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(items, list) or len(items) < 3 or not isinstance(items[0], list):
        raise InputError(f"{what}: block RLP is not [header, transactions, uncles, ...]")
    header = decode_header(rlp.encode(items[0]), f"{what}: block header")
    if chain.is_op:
        return _decode_op_block(items, header, chain, what)
    fork = chain.fork_at(header.block_number, header.timestamp)
    vm_class = witness_vm_class(fork, chain.dao_fork_block, chain.blob_params(fork))
    try:
        block = rlp.decode(raw, sedes=vm_class.get_block_class())
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError, ValueError) as exc:
        raise InputError(
            f"{what}: block #{header.block_number} does not decode as a {fork} block "
            f"({str(exc).splitlines()[0][:120]})"
        ) from None
    return fork, vm_class, block


def _decode_op_block(items, header, chain: ChainConfig, what: str):
    from .op.blocks import decode_op_block
    from .op.vm import EVM_FORK, SUPPORTED, op_vm_class

    op_fork = chain.op_fork_at(header.timestamp)
    for name, start in sorted(chain.unknown_op_forks.items(), key=lambda kv: kv[1]):
        if header.timestamp >= start:
            op_fork = name
    if op_fork not in SUPPORTED:
        raise InputError(
            f"{what}: block #{header.block_number} is in OP fork {op_fork}, whose execution rules "
            f"are not implemented yet (supported: {', '.join(SUPPORTED)})"
        )
    evm_fork = EVM_FORK[op_fork]
    vm_class = op_vm_class(op_fork, witness_vm_class(evm_fork, None, chain.blob_params(evm_fork)))
    return f"op-{op_fork}", vm_class, decode_op_block(items, header, vm_class, what)


def evm_fork_of(fork: str) -> str:
    """The Ethereum fork whose EVM a fork label runs ("op-ecotone" -> "cancun")."""
    if fork.startswith("op-"):
        from .op.vm import EVM_FORK

        return EVM_FORK[fork[3:]]
    return fork


def check(bundle: Bundle, chain: ChainConfig, parent_state_root: Optional[bytes] = None) -> CheckedWitness:
    where = bundle.origin or "bundle"
    fork, vm_class, block = decode_block(bundle.block_rlp, chain, where)
    header = block.header
    skipped: list[str] = []

    # ancestor headers: one hash chain ending at the parent
    by_hash: dict[bytes, BlockHeaderAPI] = {}
    for i, raw in enumerate(bundle.headers):
        by_hash[keccak(raw)] = decode_header(raw, f"{where}: witness header {i}")
    parent = None
    ancestors: list[bytes] = []
    if by_hash:
        parent = by_hash.get(header.parent_hash)
        if parent is None:
            raise WitnessInvalid(
                f"parent header not linked: no witness header hashes to the block's parentHash "
                f"0x{header.parent_hash.hex()}"
            )
        linked = []
        child, current, current_hash = header, parent, header.parent_hash
        while current is not None:
            if current.block_number != child.block_number - 1:
                raise WitnessInvalid(
                    f"headers not a hash chain: header 0x{current_hash.hex()} is #{current.block_number}, "
                    f"but its child is #{child.block_number}"
                )
            linked.append(current_hash)
            child, current_hash = current, current.parent_hash
            current = by_hash.get(current_hash)
        stray = set(by_hash) - set(linked)
        if stray:
            h = sorted(stray)[0]
            raise WitnessInvalid(
                f"headers not a hash chain: witness header #{by_hash[h].block_number} 0x{h.hex()} "
                f"is not an ancestor of the block"
            )
        # every linked header also vouches for its own parent's hash
        ancestors = linked + [child.parent_hash]
    elif bundle.ancestor_hashes:
        if bundle.ancestor_hashes[0] != header.parent_hash:
            raise WitnessInvalid(
                f"parent not linked: the input's first ancestor hash 0x{bundle.ancestor_hashes[0].hex()} "
                f"is not the block's parentHash 0x{header.parent_hash.hex()}"
            )
        ancestors = list(bundle.ancestor_hashes)
        skipped.append("ancestor hashes beyond the parent taken from the input, not linked by headers")

    # the pre-state root
    if parent is not None:
        if parent_state_root is not None and parent_state_root != parent.state_root:
            raise InputError(
                f"{where}: --parent-state-root 0x{parent_state_root.hex()} contradicts the parent "
                f"header's stateRoot 0x{parent.state_root.hex()}"
            )
        pre_root = parent.state_root
    else:
        pre_root = parent_state_root if parent_state_root is not None else bundle.parent_state_root
        if pre_root is None:
            raise InputError(f"{where}: the input has no parent header; pass --parent-state-root HEX")
        skipped.append("header checks against the parent (no parent header): baseFeePerGas, gasLimit, timestamp, excessBlobGas")
        skipped.append("pre-state root taken from the input, not from a parent header linked by hash")
        if not ancestors:
            ancestors = [header.parent_hash]

    preimages = {keccak(x): x for x in bundle.state}
    for code in bundle.codes:
        preimages[keccak(code)] = code
    if pre_root != BLANK_ROOT_HASH and pre_root not in preimages:
        raise WitnessInvalid(f"pre-state root 0x{pre_root.hex()} not proven: no witness node hashes to it")

    return CheckedWitness(
        chain=chain,
        fork=fork,
        vm_class=vm_class,
        block=block,
        parent=parent,
        pre_state_root=pre_root,
        ancestor_hashes=ancestors,
        preimages=preimages,
        skipped=skipped,
    )
