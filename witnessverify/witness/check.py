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
from eth.exceptions import UnrecognizedTransactionType
from eth_utils import ValidationError as EthValidationError
from eth_hash.auto import keccak

from ..bundle import Bundle
from ..chains import EVM_OF_L2_FORK, FORK_ORDER, L2_FORK_LINES, UNIMPLEMENTED_FORKS, ChainConfig
from ..errors import InputError, InvalidBlock, Unsupported, WitnessInvalid
from ..safeparse import decode_rlp
from ..rules.l1.forks import witness_vm_class


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
        family, sep, l2_fork = self.fork.partition("-")
        return l2_fork if sep and family in L2_FORK_LINES else None


_WITHDRAWAL_FORKS = FORK_ORDER[FORK_ORDER.index("shanghai"):]


# Prague's header ends with requestsHash, its 21st field; Amsterdam appends these
PRAGUE_HEADER_FIELDS = 21
AMSTERDAM_HEADER_FIELDS = ("blockAccessListHash", "slotNumber")


def decode_header(raw: bytes, what: str) -> BlockHeaderAPI:
    try:
        return decode_rlp(raw, what, sedes=PragueBackwardsHeader)
    except InputError as exc:
        items = _header_items(raw)
        if items is not None and len(items) > PRAGUE_HEADER_FIELDS:
            _refuse_amsterdam_header(items, what)
        raise InputError(f"{what}: not a block header RLP ({str(exc).split(': ', 1)[-1][:120]})") from None


def _header_items(raw: bytes) -> Optional[list]:
    """A header RLP's fields, if it is a list of at least 15 byte strings (else None)."""
    try:
        items = rlp.decode(raw)
    except (rlp.exceptions.DecodingError, RecursionError):
        return None
    if isinstance(items, list) and len(items) >= 15 and all(isinstance(x, bytes) for x in items):
        return items
    return None


def _refuse_amsterdam_header(items: list, what: str) -> None:
    extra = len(items) - PRAGUE_HEADER_FIELDS
    names = ", ".join(AMSTERDAM_HEADER_FIELDS[:extra]) + (f" and {extra - 2} more" if extra > 2 else "")
    raise Unsupported(
        f"{what}: block #{int.from_bytes(items[8], 'big')} has a header of {len(items)} fields, {extra} after "
        f"requestsHash ({names}), as Amsterdam's has: {UNIMPLEMENTED_FORKS['amsterdam']} is not implemented",
        fork="amsterdam",
    )


def refuse_unimplemented_fork(header_rlp: bytes, chain: ChainConfig, what: str) -> None:
    """The fork check, before any other about the block: a header with Amsterdam's fields (on any
    chain), or a block at or after the activation of a fork this tool does not implement, is
    UNSUPPORTED naming the fork; no other verdict is given about such a block."""
    items = _header_items(header_rlp)
    if items is None:
        return  # not a header at all: decoding it names what is wrong
    if len(items) > PRAGUE_HEADER_FIELDS:
        _refuse_amsterdam_header(items, what)
    if chain.is_op:
        return  # an L2's later forks are refused by its own fork line (_decode_op_block)
    number, timestamp = int.from_bytes(items[8], "big"), int.from_bytes(items[11], "big")
    try:
        fork = chain.fork_at(number, timestamp)
    except InputError:
        return
    if fork in UNIMPLEMENTED_FORKS:
        start = chain.time_forks.get(fork, chain.block_forks.get(fork))
        raise Unsupported(
            f"{what}: block #{number} (timestamp {timestamp}) is in {fork} by {chain.name}'s schedule "
            f"(from {'timestamp' if fork in chain.time_forks else 'block'} {start}): "
            f"{UNIMPLEMENTED_FORKS[fork]} is not implemented",
            fork=fork,
        )


def block_header(block_rlp: bytes, what: str) -> BlockHeaderAPI:
    """The header of a block RLP, read alone (for naming a block before it is judged)."""
    items = decode_rlp(block_rlp, f"{what}: block")
    if not isinstance(items, list) or not items or not isinstance(items[0], list):
        raise InputError(f"{what}: block RLP is not [header, transactions, uncles, ...]")
    return decode_header(rlp.encode(items[0]), f"{what}: block header")


def decode_block(raw: bytes, chain: ChainConfig, what: str) -> tuple[str, type, BlockAPI]:
    """(fork label, VM class, decoded block) for a block RLP on `chain`."""
    items = decode_rlp(raw, f"{what}: block")
    if not isinstance(items, list) or len(items) < 3 or not isinstance(items[0], list):
        raise InputError(f"{what}: block RLP is not [header, transactions, uncles, ...]")
    refuse_unimplemented_fork(rlp.encode(items[0]), chain, what)
    header = decode_header(rlp.encode(items[0]), f"{what}: block header")
    check_header_ranges(header)
    if chain.is_op:
        return _decode_op_block(items, header, chain, what)
    fork = chain.fork_at(header.block_number, header.timestamp)
    vm_class = witness_vm_class(fork, chain.dao_fork_block, chain.blob_params(fork))
    try:
        block = rlp.decode(raw, sedes=vm_class.get_block_class())
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError, ValueError, TypeError,
            UnrecognizedTransactionType, EthValidationError) as exc:
        _name_the_bad_part(items, vm_class, fork)  # an invalid transaction or withdrawal: MISMATCH
        raise InputError(
            f"{what}: block #{header.block_number} does not decode as a {fork} block "
            f"({str(exc).splitlines()[0][:120]})"
        ) from None
    check_body(block, fork)
    return fork, vm_class, block


_UINT64 = 2**64 - 1


def check_header_ranges(header) -> None:
    """Header numbers the EVM reads (TIMESTAMP, NUMBER, GASLIMIT) must be 64-bit before anything
    executes; a header that breaks it is invalid, whatever else it claims."""
    for name, value in (("number", header.block_number), ("timestamp", header.timestamp),
                        ("gasLimit", header.gas_limit), ("gasUsed", header.gas_used)):
        if value > _UINT64:
            raise InvalidBlock(name, f"{value} does not fit the header's 64 bits")
    base_fee = getattr(header, "base_fee_per_gas", None)
    if base_fee is not None and base_fee >= 2**256:
        raise InvalidBlock("baseFeePerGas", "does not fit 256 bits")


def check_body(block, fork: str) -> None:
    """Body rules no execution needs: no ommers after the merge, withdrawal fields in range."""
    if FORK_ORDER.index(fork) >= FORK_ORDER.index("paris") and block.uncles:
        raise InvalidBlock("uncles", f"a {fork} block has {len(block.uncles)} ommer(s); after the merge it has none")
    for i, w in enumerate(getattr(block, "withdrawals", None) or ()):
        if max(w.index, w.validator_index, w.amount) > 2**64 - 1:
            raise InvalidBlock(f"withdrawals[{i}]", "index, validator index and amount are 64-bit numbers")


def raw_transactions_root(transactions: list) -> bytes:
    """The transactions trie root of a block body's transactions as they are encoded (legacy: an
    RLP list, typed: its bytes), without decoding them."""
    from trie import HexaryTrie

    trie = HexaryTrie({})
    for i, t in enumerate(transactions):
        trie[rlp.encode(i)] = rlp.encode(t) if isinstance(t, list) else t
    return trie.root_hash


def _name_the_bad_part(items: list, vm_class: type, fork: str) -> None:
    """Raise InvalidBlock for the first transaction or withdrawal of a well-formed block RLP that
    the fork cannot decode (a type before its fork, a field out of range); return if none."""
    from ..rules.op.blocks import decode_transaction
    from eth.vm.forks.shanghai.withdrawals import Withdrawal

    if isinstance(items[1], list):
        for i, t in enumerate(items[1]):
            decode_transaction(t, i, vm_class, "block")
    if FORK_ORDER.index(fork) >= FORK_ORDER.index("paris") and items[2]:
        raise InvalidBlock("uncles", f"a {fork} block has {len(items[2])} ommer(s); after the merge it has none")
    if len(items) > 3:
        if not isinstance(items[3], list):
            raise InvalidBlock("withdrawals", "not a list")
        for i, w in enumerate(items[3]):
            try:
                rlp.decode(rlp.encode(w), sedes=Withdrawal)
            except (rlp.exceptions.DeserializationError, rlp.exceptions.DecodingError, TypeError, ValueError):
                raise InvalidBlock(f"withdrawals[{i}]", "does not decode as a withdrawal (a field out of "
                                                        "range: index, validator index and amount are "
                                                        "uint64, the address 20 bytes)") from None
    if len(items) > 3 and fork not in _WITHDRAWAL_FORKS:
        raise InvalidBlock("withdrawals", f"a {fork} block has no withdrawals")


def _decode_op_block(items, header, chain: ChainConfig, what: str):
    from ..rules.families import l2_vm_class
    from ..rules.op.blocks import decode_op_block
    from ..rules.op.vm import SUPPORTED

    if header.block_number < chain.first_l2_block:
        raise Unsupported(
            f"{what}: block #{header.block_number} is {chain.before_l2} (the OP Stack chain's own blocks begin at "
            f"#{chain.first_l2_block}); its rules are not implemented"
        )
    op_fork = chain.op_fork_at(header.timestamp)
    for name, start in sorted(chain.unknown_op_forks.items(), key=lambda kv: kv[1]):
        if header.timestamp >= start:
            op_fork = name
    if op_fork not in SUPPORTED:
        raise Unsupported(
            f"{what}: block #{header.block_number} is in fork {op_fork} (from the chain's schedule), "
            f"whose execution rules are not implemented (supported: "
            f"{', '.join(f for f in chain.fork_line if f in SUPPORTED)})"
        )
    vm_class = l2_vm_class(chain, op_fork)
    return f"{chain.family}-{op_fork}", vm_class, decode_op_block(items, header, vm_class, what)


def evm_fork_of(fork: str) -> str:
    """The Ethereum fork whose EVM a fork label runs ("op-ecotone" -> "cancun")."""
    family, sep, l2_fork = fork.partition("-")
    return EVM_OF_L2_FORK[l2_fork] if sep and family in L2_FORK_LINES else fork


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
        # The block's own number against its parent's is a rule of the block (checked with the
        # other parent rules in the verdict); from the parent on, the headers are the witness's
        # and must number one chain.
        linked = [header.parent_hash]
        child, current_hash = parent, parent.parent_hash
        current = by_hash.get(current_hash)
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

    if chain.is_op:
        from ..rules.families import refuse_unsupported_block

        refuse_unsupported_block(chain, header, parent)

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
        skipped.append("header checks against the parent (no parent header): number, baseFeePerGas, gasLimit, timestamp, excessBlobGas")
        skipped.append("pre-state root taken from the input, not from a parent header linked by hash")
        if not ancestors:
            ancestors = [header.parent_hash]

    if bundle.preimages is not None:
        preimages = bundle.preimages
    else:
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
