"""What a chain and a fork are: the fork lines of each family, the Fork value with its one
`at_least`, and ChainConfig, whose schedule yields the Fork of a block. Data shapes only: the
rules of each fork live in rules/, keyed by (family, fork) in rules/registry.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..errors import InputError

# Ethereum's forks in activation order; each has a VM class in rules/l1/vm.py
FORK_ORDER = (
    "frontier",
    "homestead",
    "tangerine_whistle",
    "spurious_dragon",
    "byzantium",
    "petersburg",
    "istanbul",
    "muir_glacier",
    "berlin",
    "london",
    "arrow_glacier",
    "gray_glacier",
    "paris",
    "shanghai",
    "cancun",
    "prague",
    "osaka",
    "bpo1",
    "bpo2",
    # blob-parameter-only forks beyond BPO2: no built-in chain schedules them; a chain config
    # (a blockchain test's `config.blobSchedule`, --chain-config) gives their blob parameters
    "bpo3",
    "bpo4",
    "bpo5",
    # Glamsterdam's execution layer (EIP-7773: block-level access lists, ePBS, repricings): named
    # so that its blocks are recognised and refused, not run under BPO2's rules
    "amsterdam",
)
# forks this tool knows by name and schedule but whose rules it does not implement: every block
# from their activation on is UNSUPPORTED, naming the fork (never judged under an older fork)
UNIMPLEMENTED_FORKS = {
    "amsterdam": "Amsterdam (Glamsterdam's execution layer, EIP-7773: block-level access lists EIP-7928, "
                 "ePBS EIP-7732, gas repricings)",
}
# forks that run the Osaka EVM (EIP-7918 reserve price, EIP-7934 block size, ...)
OSAKA_EVM_FORKS = tuple(f for f in FORK_ORDER[FORK_ORDER.index("osaka"):] if f not in UNIMPLEMENTED_FORKS)
# forks activated by timestamp (before Shanghai: by block number)
TIME_FORKS = FORK_ORDER[FORK_ORDER.index("shanghai"):]

@dataclass(frozen=True)
class ForkSpec:
    """An L2 fork on its family's line: its name, the Ethereum fork whose EVM it runs, and
    whether this tool implements it (a fork this tool does not is refused, named)."""

    name: str
    evm: str
    implemented: bool = True


# OP Stack forks in activation order (ethereum-optimism/specs); Bedrock's pre-Regolith rules are
# not implemented (every chain here has Regolith from its L2 genesis). Base left this line after
# Jovian: its own forks follow Jovian (base/base `BaseUpgrade`); Base never schedules Karst.
OP_FORKS = (
    ForkSpec("bedrock", "paris", implemented=False), ForkSpec("regolith", "paris"), ForkSpec("canyon", "shanghai"),
    ForkSpec("delta", "shanghai"), ForkSpec("ecotone", "cancun"), ForkSpec("fjord", "cancun"),
    ForkSpec("granite", "cancun"), ForkSpec("holocene", "cancun"), ForkSpec("isthmus", "prague"),
    ForkSpec("jovian", "prague"), ForkSpec("karst", "osaka"),
)
BASE_FORKS = OP_FORKS[: [f.name for f in OP_FORKS].index("jovian") + 1] + (
    ForkSpec("azul", "osaka"), ForkSpec("beryl", "osaka"), ForkSpec("cobalt", "osaka"),
)
# each L2 family's line (Celo's L2 runs the OP forks, with Celo's own rules on top): a new fork
# of a family is one entry here (and its activation in the chains' schedules)
FORK_SPECS: dict[str, tuple[ForkSpec, ...]] = {"op": OP_FORKS, "base": BASE_FORKS, "celo": OP_FORKS}


def fork_line(family: str) -> tuple[str, ...]:
    """The fork names of a family's line, in activation order."""
    return FORK_ORDER if family == "l1" else tuple(f.name for f in FORK_SPECS[family])


def fork_spec(family: str, name: str) -> Optional[ForkSpec]:
    return next((f for f in FORK_SPECS.get(family, ()) if f.name == name), None)


OP_FORK_ORDER = fork_line("op")
BASE_FORK_ORDER = fork_line("base")
FORK_LINES = {family: fork_line(family) for family in ("l1", "op", "base", "celo")}
L2_FORK_LINES = {family: line for family, line in FORK_LINES.items() if family != "l1"}
# the Ethereum fork whose EVM each L2 fork runs (Karst and Base's Azul..Cobalt: Osaka)
EVM_OF_L2_FORK = {f.name: f.evm for line in FORK_SPECS.values() for f in line}


FAMILY_NAMES = {"l1": "Ethereum", "op": "OP Stack", "base": "Base (OP Stack, Base's own forks after Jovian)",
                "celo": "Celo (OP Stack with Celo's rules)"}


@dataclass(frozen=True)
class Fork:
    """A fork of a family's line: `at_least(name)` says whether its rules include `name`'s, that
    is whether `name` is this fork or an ancestor on its line (Base's Azul includes Jovian, not
    OP's Karst). An L2 fork runs the EVM of an Ethereum fork (`evm`). A fork a chain schedules
    but this tool does not know (a rollup config's later fork) is `known=False`."""

    family: str
    name: str
    known: bool = True

    @property
    def line(self) -> tuple[str, ...]:
        return fork_line(self.family)

    @property
    def order(self) -> int:
        return self.line.index(self.name) if self.known else len(self.line)

    def at_least(self, name: str) -> bool:
        line = self.line
        if name in line:
            return line.index(name) <= (line.index(self.name) if self.known else len(line))
        if any(name in fork_line(family) for family in ("l1", *FORK_SPECS)):
            return False  # a fork of another line (OP's Karst asked of Base)
        raise ValueError(f"unknown fork {name!r}")

    @property
    def evm(self) -> "Fork":
        """The Ethereum fork whose EVM this fork runs (itself on L1)."""
        return self if self.family == "l1" else fork("l1", fork_spec(self.family, self.name).evm)

    @property
    def label(self) -> str:
        """As reports name it: "cancun", "op-ecotone", "celo-jovian"."""
        return self.name if self.family == "l1" else f"{self.family}-{self.name}"

    @property
    def implemented(self) -> bool:
        if not self.known or self.name in UNIMPLEMENTED_FORKS:
            return False
        return self.family == "l1" or fork_spec(self.family, self.name).implemented

    def __str__(self) -> str:
        return self.label


@lru_cache(maxsize=None)
def fork(family: str, name: str) -> Fork:
    """The Fork value `name` of `family`'s line (values are shared: compare with ==)."""
    if name not in fork_line(family):
        raise ValueError(f"{name!r} is not a fork of the {family} line")
    return Fork(family, name)


def l2_at_least(fork_name, name: str) -> bool:
    """Whether L2 fork `fork_name` (a Fork, or a name on whichever L2 line holds it) includes the
    rules of `name`."""
    if isinstance(fork_name, Fork):
        return fork_name.at_least(name)
    for family in ("op", "base"):
        if fork_name in fork_line(family):
            return fork(family, fork_name).at_least(name)
    raise ValueError(f"unknown L2 fork {fork_name!r}")


@dataclass(frozen=True)
class CeloParams:
    """Celo's own chain constants (celo-org/celo-kona `crates/celo-revm/src/constants.rs`,
    `crates/celo-reth/res/genesis/*.toml`)."""

    celo_token: bytes  # GoldToken proxy: the only caller of the transfer precompile
    fee_handler: bytes  # receives the base fee (not the OP BaseFeeVault)
    fee_currency_directory: bytes  # the fee currencies, their rates and intrinsic gas
    base_fee_floor: int  # before Jovian: the base fee is at least this (25 gwei)


@dataclass(frozen=True)
class BlobParams:
    """EIP-7840/7892 blob schedule entry: blobs per block and the base fee update fraction."""

    target: int
    max: int
    update_fraction: int


# The blob schedule of mainnet, Sepolia, Holesky and Hoodi alike (EIP-4844, EIP-7691, EIP-7892
# BPO1/BPO2 as set in each network's config; the execution specs' forks carry the same values).
DEFAULT_BLOB_SCHEDULE = {
    "cancun": BlobParams(3, 6, 3_338_477),
    "prague": BlobParams(6, 9, 5_007_716),
    "osaka": BlobParams(6, 9, 5_007_716),
    "bpo1": BlobParams(10, 15, 8_346_193),
    "bpo2": BlobParams(14, 21, 11_684_671),
}


@dataclass(frozen=True)
class ChainConfig:
    name: str
    chain_id: int
    # fork name -> first block number (forks up to Paris)
    block_forks: dict[str, int]
    # fork name -> first timestamp (Shanghai on)
    time_forks: dict[str, int]
    dao_fork_block: Optional[int] = None
    # EIP-6110 deposit contract (Prague deposit requests are read from its logs)
    deposit_contract: Optional[bytes] = None
    blob_schedule: dict[str, BlobParams] = field(default_factory=lambda: dict(DEFAULT_BLOB_SCHEDULE))
    # EIP-1559 parameters (OP chains: their own; from Canyon a second denominator)
    eip1559_elasticity: int = 2
    eip1559_denominator: int = 8
    eip1559_denominator_canyon: Optional[int] = None
    # L2 chains: fork name -> activation timestamp, on the family's fork line
    op_forks: Optional[dict[str, int]] = None
    # later forks a rollup config schedules but this tool does not know: blocks there are refused
    unknown_op_forks: dict[str, int] = field(default_factory=dict)
    # "l1", or the L2 family whose rules apply: "op", "base", "celo"
    family: str = "l1"
    celo: Optional[CeloParams] = None
    # dev nodes (Anvil) mine several blocks within one second: timestamps may repeat there;
    # and they deploy no EIP-7002/7251 system contracts, whose absence makes an L1 block invalid
    strict_timestamps: bool = True
    requires_request_contracts: bool = True
    # OP Stack chains derived by op-node / kona / base-consensus: every block's coinbase is the
    # SequencerFeeVault (specs derivation.md "suggestedFeeRecipient is set to the Sequencer Fee
    # Vault address"; op-node attributes.go, kona attributes/stateful.rs, base/base
    # consensus/derive). The engines accept any coinbase; derivation replaces a block with
    # another one, so it is never canonical. Dev chains (Anvil) mine with their own.
    fee_recipient: Optional[bytes] = None
    # blocks below it are not OP Stack blocks of these rules (Celo L1 blocks, OP Mainnet's legacy
    # chain and its Bedrock migration block): UNSUPPORTED, described by `before_l2`
    first_l2_block: int = 0
    # Base (Beryl on): the ActivationRegistry's configured admin (base/base chains/src/config.rs
    # `beryl_activation_admin_address_by_chain_id`); None where the chain configures none
    activation_admin: Optional[bytes] = None
    before_l2: str = ""
    sources: tuple[str, ...] = field(default=())

    @property
    def is_op(self) -> bool:
        return self.op_forks is not None

    @property
    def has_output_roots(self) -> bool:
        """Whether its blocks commit to OP Stack output roots (every OP Stack chain's do)."""
        return self.is_op

    @property
    def fork_line(self) -> tuple[str, ...]:
        return fork_line(self.family)

    def op_fork_at(self, timestamp: int) -> str:
        """The L2 fork (of this chain's family) active at `timestamp`."""
        chosen = None
        for name in self.fork_line:
            start = self.op_forks.get(name)
            if start is not None and timestamp >= start:
                chosen = name
        if chosen is None:
            raise InputError(f"chain {self.name}: no OP fork is active at timestamp {timestamp}")
        return chosen

    def blob_params(self, fork_name: str) -> Optional[BlobParams]:
        """The blob schedule in force at Ethereum fork `fork_name` (the newest entry at or before it)."""
        params = None
        for name in FORK_ORDER[: FORK_ORDER.index(fork_name) + 1]:
            params = self.blob_schedule.get(name, params)
        return params

    def fork_at(self, number: int, timestamp: int) -> str:
        """The Ethereum fork whose rules apply to the block with this number and timestamp."""
        chosen = None
        for name in FORK_ORDER:
            if name in self.time_forks:
                if timestamp >= self.time_forks[name]:
                    chosen = name
            elif name in self.block_forks:
                if number >= self.block_forks[name]:
                    chosen = name
        if chosen is None:
            raise InputError(f"chain {self.name}: no fork is active at block {number}")
        return chosen

    def fork(self, number: int, timestamp: int) -> Fork:
        """The Fork of the block with this number and timestamp on this chain: of its family's
        line, or a later fork the chain schedules and this tool does not know (`known=False`)."""
        if not self.is_op:
            return fork("l1", self.fork_at(number, timestamp))
        chosen = fork(self.family, self.op_fork_at(timestamp))
        for name, start in sorted(self.unknown_op_forks.items(), key=lambda kv: kv[1]):
            if timestamp >= start:
                chosen = Fork(self.family, name, known=False)
        return chosen

    @property
    def family_name(self) -> str:
        return FAMILY_NAMES[self.family]

    def schedule(self) -> list[tuple[Fork, str, int]]:
        """(fork, "block" or "timestamp", activation) of every fork the chain schedules, in order
        (an L2's later forks this tool does not know included)."""
        out: list[tuple[Fork, str, int]] = []
        if not self.is_op:
            for name in FORK_ORDER:
                if name in self.block_forks:
                    out.append((fork("l1", name), "block", self.block_forks[name]))
                elif name in self.time_forks:
                    out.append((fork("l1", name), "timestamp", self.time_forks[name]))
            return out
        for name in self.fork_line:
            if name in self.op_forks:
                out.append((fork(self.family, name), "timestamp", self.op_forks[name]))
        for name, start in sorted(self.unknown_op_forks.items(), key=lambda kv: kv[1]):
            out.append((Fork(self.family, name, known=False), "timestamp", start))
        return out

    def activation(self, f: Fork) -> Optional[tuple[str, int]]:
        """("timestamp" or "block", where) the fork starts on this chain, if it schedules it."""
        if f.family != "l1":
            start = (self.op_forks or {}).get(f.name, self.unknown_op_forks.get(f.name))
            return None if start is None else ("timestamp", start)
        if f.name in self.time_forks:
            return "timestamp", self.time_forks[f.name]
        if f.name in self.block_forks:
            return "block", self.block_forks[f.name]
        return None
