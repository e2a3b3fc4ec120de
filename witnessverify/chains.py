"""Chain configurations: chain id and fork schedule, and the choice of fork for a block.

Fork activations are facts of each network, copied from go-ethereum `params/config.go`
(Mainnet/Sepolia/Holesky/HoodiChainConfig with OsakaTime, BPO1Time, BPO2Time and the Default*BlobConfig
values, read on 2026-11-24 from a copy in the search index, id 1119287850); the mainnet times also
match the execution specs' FORK_CRITERIA (ethereum-execution 2.20.0). Forks activate by block
number up to Paris and by timestamp from Shanghai on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .errors import InputError

# Fork names in activation order; each maps to a VM class in `forks.py`.
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


# OP Stack forks in activation order (ethereum-optimism/specs). Base left this line after Jovian:
# its own forks follow Jovian (base/base `BaseUpgrade`); Base never schedules Karst.
OP_FORK_ORDER = ("bedrock", "regolith", "canyon", "delta", "ecotone", "fjord", "granite", "holocene",
                 "isthmus", "jovian", "karst")
BASE_FORK_ORDER = OP_FORK_ORDER[: OP_FORK_ORDER.index("jovian") + 1] + ("azul", "beryl", "cobalt")
# the L2 fork line of each family (Celo's L2 runs the OP forks, with Celo's own rules on top)
L2_FORK_LINES = {"op": OP_FORK_ORDER, "base": BASE_FORK_ORDER, "celo": OP_FORK_ORDER}
# the Ethereum fork whose EVM each L2 fork runs (Karst and Base's Azul..Cobalt: Osaka)
EVM_OF_L2_FORK = {
    "bedrock": "paris", "regolith": "paris", "canyon": "shanghai", "delta": "shanghai",
    "ecotone": "cancun", "fjord": "cancun", "granite": "cancun", "holocene": "cancun",
    "isthmus": "prague", "jovian": "prague", "karst": "osaka",
    "azul": "osaka", "beryl": "osaka", "cobalt": "osaka",
}


def l2_at_least(fork: str, name: str) -> bool:
    """Whether L2 fork `fork` includes the rules of `name`: `name` is `fork` or an ancestor of it
    on its fork line (so Base's Azul includes Jovian but not OP's Karst)."""
    for line in (OP_FORK_ORDER, BASE_FORK_ORDER):
        if fork in line:
            return name in line[: line.index(fork) + 1]
    raise ValueError(f"unknown L2 fork {fork!r}")


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
    # L2 chains: fork name -> activation timestamp, on the family's fork line (L2_FORK_LINES)
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
    before_l2: str = ""
    sources: tuple[str, ...] = field(default=())

    @property
    def is_op(self) -> bool:
        return self.op_forks is not None

    @property
    def fork_line(self) -> tuple[str, ...]:
        return L2_FORK_LINES[self.family]

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

    def blob_params(self, fork: str) -> Optional[BlobParams]:
        """The blob schedule in force at `fork` (the newest entry at or before it)."""
        params = None
        for name in FORK_ORDER[: FORK_ORDER.index(fork) + 1]:
            params = self.blob_schedule.get(name, params)
        return params

    def fork_at(self, number: int, timestamp: int) -> str:
        """The fork whose rules apply to the block with this number and timestamp."""
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


def _addr(h: str) -> bytes:
    return bytes.fromhex(h[2:])


# Ethereum mainnet: go-ethereum params/config.go (MainnetChainConfig).
MAINNET = ChainConfig(
    name="mainnet",
    chain_id=1,
    block_forks={
        "frontier": 0,
        "homestead": 1_150_000,
        "tangerine_whistle": 2_463_000,
        "spurious_dragon": 2_675_000,
        "byzantium": 4_370_000,
        "petersburg": 7_280_000,
        "istanbul": 9_069_000,
        "muir_glacier": 9_200_000,
        "berlin": 12_244_000,
        "london": 12_965_000,
        "arrow_glacier": 13_773_000,
        "gray_glacier": 15_050_000,
        "paris": 15_537_394,
    },
    time_forks={
        "shanghai": 1_681_338_455,
        "cancun": 1_710_338_135,
        "prague": 1_746_612_311,
        "osaka": 1_764_798_551,
        "bpo1": 1_765_290_071,
        "bpo2": 1_767_747_671,
    },
    dao_fork_block=1_920_000,
    deposit_contract=_addr("0x00000000219ab540356cbb839cbe05303d7705fa"),
    sources=("ethereum/go-ethereum params/config.go MainnetChainConfig",),
)

# Sepolia: go-ethereum params/config.go (SepoliaChainConfig); London rules from genesis,
# the merge at block 1735371 (MergeNetsplitBlock). Amsterdam (Glamsterdam) at 1791294816
# (2026-10-06 13:53:36 UTC): ethereum/pm issue #2205 and eth-clients/sepolia's metadata; its rules are
# not implemented, so its blocks are refused by name.
SEPOLIA = ChainConfig(
    name="sepolia",
    chain_id=11_155_111,
    block_forks={
        "london": 0,
        "paris": 1_735_371,
    },
    time_forks={
        "shanghai": 1_677_557_088,
        "cancun": 1_706_655_072,
        "prague": 1_741_159_776,
        "osaka": 1_760_427_360,
        "bpo1": 1_761_017_184,
        "bpo2": 1_761_607_008,
        "amsterdam": 1_791_294_816,
    },
    deposit_contract=_addr("0x7f02c3e3c98b133055b8b348b2ac625669ed295d"),
    sources=("ethereum/go-ethereum params/config.go SepoliaChainConfig",
             "amsterdam: ethereum/pm #2205, eth-clients/sepolia (2026-10-06 13:53:36 UTC)"),
)

# Holesky: go-ethereum params/config.go (HoleskyChainConfig); proof of stake from genesis.
HOLESKY = ChainConfig(
    name="holesky",
    chain_id=17_000,
    block_forks={"paris": 0},
    time_forks={
        "shanghai": 1_696_000_704,
        "cancun": 1_707_305_664,
        "prague": 1_740_434_112,
        "osaka": 1_759_308_480,
        "bpo1": 1_759_800_000,
        "bpo2": 1_760_389_824,
    },
    deposit_contract=_addr("0x4242424242424242424242424242424242424242"),
    sources=("ethereum/go-ethereum params/config.go HoleskyChainConfig",),
)

# Hoodi: go-ethereum params/config.go (HoodiChainConfig); Cancun from genesis.
HOODI = ChainConfig(
    name="hoodi",
    chain_id=560_048,
    block_forks={"paris": 0},
    time_forks={
        "shanghai": 0,
        "cancun": 0,
        "prague": 1_742_999_832,
        "osaka": 1_761_677_592,
        "bpo1": 1_762_365_720,
        "bpo2": 1_762_955_544,
    },
    deposit_contract=_addr("0x00000000219ab540356cbb839cbe05303d7705fa"),
    sources=("ethereum/go-ethereum params/config.go HoodiChainConfig",),
)

SEQUENCER_FEE_VAULT = bytes.fromhex("4200000000000000000000000000000000000011")

# OP Mainnet: ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml at
# 8336d2aedd19b87a57b01ae36ba4afef8ea377d0 (as collected with provenance in ../shared/chains/chains.json).
# Regolith is active from the Bedrock genesis (block 105235063, whose state is the migrated legacy
# state, not an execution result: op-reth's bedrock.rs pins its header); earlier blocks are the legacy
# OVM chain. Delta changed only the consensus layer.
OP_MAINNET = ChainConfig(
    name="op-mainnet",
    chain_id=10,
    block_forks={"paris": 0},
    time_forks={},
    eip1559_elasticity=6,
    eip1559_denominator=50,
    eip1559_denominator_canyon=250,
    op_forks={
        "regolith": 0,
        "canyon": 1_704_992_401,
        "delta": 1_708_560_000,
        "ecotone": 1_710_374_401,
        "fjord": 1_720_627_201,
        "granite": 1_726_070_401,
        "holocene": 1_736_445_601,
        "isthmus": 1_746_806_401,
        "jovian": 1_764_691_201,
        "karst": 1_783_526_401,
    },
    family="op",
    sources=("ethereum-optimism/superchain-registry superchain/configs/mainnet/op.toml @8336d2ae",),
    fee_recipient=SEQUENCER_FEE_VAULT,
    first_l2_block=105_235_064,
    before_l2="a legacy (pre-Bedrock, l2geth) OP Mainnet block or the Bedrock migration block #105,235,063",
)

def _op_chain(name: str, chain_id: int, elasticity: int, forks: dict[str, Optional[int]], source: str,
              family: str = "op", **extra) -> ChainConfig:
    return ChainConfig(
        name=name,
        chain_id=chain_id,
        block_forks={"paris": 0},
        time_forks={},
        eip1559_elasticity=elasticity,
        eip1559_denominator=extra.pop("denominator", 50),
        eip1559_denominator_canyon=extra.pop("denominator_canyon", 250),
        op_forks={k: v for k, v in forks.items() if v is not None},
        family=family,
        sources=(source,),
        fee_recipient=SEQUENCER_FEE_VAULT,
        **extra,
    )


# OP Sepolia: superchain-registry superchain/configs/sepolia/op.toml @8336d2ae.
OP_SEPOLIA = _op_chain("op-sepolia", 11_155_420, 6, {
    "regolith": 0, "canyon": 1_699_981_200, "delta": 1_703_203_200, "ecotone": 1_708_534_800,
    "fjord": 1_716_998_400, "granite": 1_723_478_400, "holocene": 1_732_633_200, "isthmus": 1_744_905_600,
    "jovian": 1_763_568_001, "karst": 1_781_712_001,
}, "ethereum-optimism/superchain-registry superchain/configs/sepolia/op.toml @8336d2ae")

# Base and Base Sepolia: up to Jovian the superchain registry's last version before Base left it
# (2026-04-27, commit 0d9aefc4; values of 5b055be4). Base's own forks after Jovian, from base/base
# `crates/common/chains/src/config.rs` @068fc036 (Azul, Beryl) and PRs #5056/#5196 (Cobalt),
# collected with sources in ../shared/chains/base-forks.md. Base never schedules Karst.
BASE = _op_chain("base", 8453, 6, {
    "regolith": 0, "canyon": 1_704_992_401, "delta": 1_708_560_000, "ecotone": 1_710_374_401,
    "fjord": 1_720_627_201, "granite": 1_726_070_401, "holocene": 1_736_445_601, "isthmus": 1_746_806_401,
    "jovian": 1_764_691_201, "azul": 1_779_991_200, "beryl": 1_782_410_400, "cobalt": 1_790_791_200,
}, "ethereum-optimism/superchain-registry superchain/configs/mainnet/base.toml @5b055be4; "
   "base/base crates/common/chains/src/config.rs @068fc036, PR #5196", family="base")
BASE_SEPOLIA = _op_chain("base-sepolia", 84532, 10, {
    "regolith": 0, "canyon": 1_699_981_200, "delta": 1_703_203_200, "ecotone": 1_708_534_800,
    "fjord": 1_716_998_400, "granite": 1_723_478_400, "holocene": 1_732_633_200, "isthmus": 1_744_905_600,
    "jovian": 1_763_568_001, "azul": 1_776_708_000, "beryl": 1_781_805_600, "cobalt": 1_790_186_400,
}, "ethereum-optimism/superchain-registry superchain/configs/sepolia/base.toml @5b055be4; "
   "base/base crates/common/chains/src/config.rs @068fc036, PR #5056", family="base")

# Celo: an OP Stack chain with its own execution rules (rules/celo/). Fork times and EIP-1559
# parameters from celo-org/celo-kona @34985c44 `crates/celo-reth/res/genesis/{mainnet,sepolia}.toml`
# and `crates/kona/registry/etc/configs.json`; addresses from `crates/celo-revm/src/constants.rs`.
# Celo mainnet was migrated from its own L1 at block 31,056,500 (cel2_time 1742957258); earlier
# blocks are Celo L1 blocks, not OP Stack blocks.
_CELO_TOKEN = _addr("0x471EcE3750Da237f93B8E339c536989b8978a438")
_FEE_HANDLER = _addr("0xcD437749E43A154C07F3553504c68fBfD56B8778")
CELO = _op_chain("celo", 42220, 5, {
    "regolith": 0, "canyon": 0, "delta": 0, "ecotone": 0, "fjord": 0, "granite": 0,
    "holocene": 1_752_073_200, "isthmus": 1_752_073_200, "jovian": 1_774_958_788,
}, "celo-org/celo-kona crates/celo-reth/res/genesis/mainnet.toml @34985c44", family="celo",
    denominator=400, denominator_canyon=400,
    celo=CeloParams(celo_token=_CELO_TOKEN, fee_handler=_FEE_HANDLER,
                    fee_currency_directory=_addr("0x15F344b9E6c3Cb6F0376A36A64928b13F62C6276"),
                    base_fee_floor=25_000_000_000),
    first_l2_block=31_056_501, before_l2="a Celo L1 (IBFT) block or the Cel2 migration block #31,056,500")
CELO_SEPOLIA = _op_chain("celo-sepolia", 11_142_220, 5, {
    "regolith": 0, "canyon": 0, "delta": 0, "ecotone": 0, "fjord": 0, "granite": 0,
    "holocene": 0, "isthmus": 0, "jovian": 1_773_749_037,
}, "celo-org/celo-kona crates/celo-reth/res/genesis/sepolia.toml @34985c44", family="celo",
    denominator=400, denominator_canyon=250,
    celo=CeloParams(celo_token=_CELO_TOKEN, fee_handler=_FEE_HANDLER,
                    fee_currency_directory=_addr("0x9212Fb72ae65367A7c887eC4Ad9bE310BAC611BF"),
                    base_fee_floor=25_000_000_000),
    first_l2_block=1, before_l2="the Celo Sepolia genesis block")

CHAINS = {c.name: c for c in (MAINNET, SEPOLIA, HOLESKY, HOODI, OP_MAINNET, OP_SEPOLIA, BASE, BASE_SEPOLIA,
                                CELO, CELO_SEPOLIA)}
# other names the chains go by (rollup configs name Celo "celo" / "celo-sepolia")
ALIASES = {"ethereum": "mainnet", "optimism": "op-mainnet", "celo-mainnet": "celo"}


def chain_by_name(name: str) -> Optional[ChainConfig]:
    key = name.lower()
    return CHAINS.get(ALIASES.get(key, key))


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
    return ChainConfig(
        name=name,
        chain_id=chain_id,
        block_forks={"paris": 0},
        time_forks={},
        eip1559_elasticity=elasticity,
        eip1559_denominator=denominator,
        eip1559_denominator_canyon=denominator_canyon,
        op_forks=forks,
        unknown_op_forks=unknown,
        family=family,
        celo=known_chain.celo if known_chain is not None else None,
        sources=(origin,),
        fee_recipient=SEQUENCER_FEE_VAULT,
        first_l2_block=known_chain.first_l2_block if known_chain is not None else 0,
        before_l2=known_chain.before_l2 if known_chain is not None else "",
    )


BY_ID = {c.chain_id: c for c in CHAINS.values()}


DEV_CHAIN_ID = 31337


def dev_chain(fork: str, chain_id: int = DEV_CHAIN_ID) -> ChainConfig:
    """An Anvil-style dev chain: every fork up to `fork` active from genesis. `op-<fork>` (for
    `anvil --optimism`) is an OP Stack chain with every OP fork up to it from genesis."""
    fork = fork.lower()
    if fork.startswith("op-") and fork[3:] in OP_FORK_ORDER[1:]:
        line = OP_FORK_ORDER[1: OP_FORK_ORDER.index(fork[3:]) + 1]
        return ChainConfig(
            name=f"dev:{fork}", chain_id=chain_id, block_forks={"paris": 0}, time_forks={},
            eip1559_elasticity=6, eip1559_denominator=50, eip1559_denominator_canyon=250,
            op_forks={f: 0 for f in line}, family="op", strict_timestamps=False,
            sources=("a development OP Stack chain: every OP fork from genesis",),
        )
    if fork not in FORK_ORDER:
        raise InputError(f"dev chain: unknown fork {fork!r}; known: {', '.join(FORK_ORDER)}, "
                         f"or op-<fork> ({', '.join(OP_FORK_ORDER[1:])})")
    upto = FORK_ORDER[: FORK_ORDER.index(fork) + 1]
    time_based = FORK_ORDER[FORK_ORDER.index("shanghai"):]
    return ChainConfig(
        name=f"dev:{fork}",
        chain_id=chain_id,
        block_forks={f: 0 for f in upto if f not in time_based},
        time_forks={f: 0 for f in upto if f in time_based},
        strict_timestamps=False,
        requires_request_contracts=False,
        sources=("a development chain: every fork from genesis",),
    )


# the fork names of the blockchain tests and geth/reth configs -> FORK_ORDER's
_NETWORK_FORKS = {
    "frontier": "frontier", "homestead": "homestead", "eip150": "tangerine_whistle",
    "tangerinewhistle": "tangerine_whistle", "eip158": "spurious_dragon", "spuriousdragon": "spurious_dragon",
    "byzantium": "byzantium", "constantinoplefix": "petersburg", "petersburg": "petersburg",
    "istanbul": "istanbul", "muirglacier": "muir_glacier", "berlin": "berlin", "london": "london",
    "arrowglacier": "arrow_glacier", "grayglacier": "gray_glacier", "paris": "paris", "merge": "paris",
    "shanghai": "shanghai", "cancun": "cancun", "prague": "prague", "osaka": "osaka",
    "bpo1": "bpo1", "bpo2": "bpo2", "bpo3": "bpo3", "bpo4": "bpo4", "bpo5": "bpo5", "amsterdam": "amsterdam",
}
_TRANSITION = re.compile(r"^(\w+?)To(\w+?)At(Time)?(\d+)(k?)$")


def _network_fork(name: str, origin: str) -> str:
    fork = _NETWORK_FORKS.get(name.lower())
    if fork is None:
        raise InputError(f"{origin}: network fork {name!r} is not one this tool implements "
                         f"(known: {', '.join(sorted(set(_NETWORK_FORKS)))})")
    return fork


def chain_from_chain_config(doc: dict, origin: str) -> ChainConfig:
    """A chain from a blockchain-test style config: `network` (a fork, or `AToBAtTime15k` /
    `AToBAt5` for a transition at a timestamp / block number), `chainid`, and `blobSchedule`
    (fork -> target, max, baseFeeUpdateFraction). Every fork up to the first is active from
    genesis. The same file is `verify --chain-config`'s, so a block from a test replays alone."""
    from .hexjson import quantity

    if not isinstance(doc, dict) or not isinstance(doc.get("network"), str):
        raise InputError(f"{origin}: a chain config needs a `network` (a fork name or a transition)")
    network = doc["network"]
    m = _TRANSITION.match(network)
    first, second, at, by_time = (network, None, None, True)
    if m:
        first, second = m.group(1), m.group(2)
        at = int(m.group(4)) * (1000 if m.group(5) else 1)
        by_time = bool(m.group(3))
    start = _network_fork(first, origin)
    block_forks: dict[str, int] = {}
    time_forks: dict[str, int] = {}
    time_based = FORK_ORDER[FORK_ORDER.index("shanghai"):]
    for name in FORK_ORDER[: FORK_ORDER.index(start) + 1]:
        (time_forks if name in time_based else block_forks)[name] = 0
    if second is not None:
        later = _network_fork(second, origin)
        if FORK_ORDER.index(later) <= FORK_ORDER.index(start):
            raise InputError(f"{origin}: transition {network} does not go forward")
        for name in FORK_ORDER[FORK_ORDER.index(start) + 1: FORK_ORDER.index(later) + 1]:
            if name in time_based:
                if not by_time:
                    raise InputError(f"{origin}: {name} activates by timestamp, not by block number")
                time_forks[name] = at
            else:
                block_forks[name] = at if not by_time else 0
    schedule = dict(DEFAULT_BLOB_SCHEDULE)
    blobs = doc.get("blobSchedule") or {}
    if not isinstance(blobs, dict):
        raise InputError(f"{origin}: blobSchedule is not an object")
    for name, entry in blobs.items():
        fork = _network_fork(name, origin)
        if not isinstance(entry, dict):
            raise InputError(f"{origin}: blobSchedule.{name} is not an object")
        schedule[fork] = BlobParams(quantity(entry.get("target"), f"{origin}: blobSchedule.{name}.target"),
                                    quantity(entry.get("max"), f"{origin}: blobSchedule.{name}.max"),
                                    quantity(entry.get("baseFeeUpdateFraction"),
                                             f"{origin}: blobSchedule.{name}.baseFeeUpdateFraction"))
    chain_id = quantity(doc.get("chainid", doc.get("chainId", 1)), f"{origin}: chainid")
    return ChainConfig(
        name=f"config:{network}",
        chain_id=chain_id,
        block_forks=block_forks,
        time_forks=time_forks,
        deposit_contract=MAINNET.deposit_contract,
        blob_schedule=schedule,
        sources=(origin,),
    )


# geth's ChainConfig JSON keys (params/config.go) -> FORK_ORDER's names
_GETH_BLOCK_KEYS = {
    "homesteadBlock": "homestead", "eip150Block": "tangerine_whistle", "eip158Block": "spurious_dragon",
    "byzantiumBlock": "byzantium", "petersburgBlock": "petersburg", "istanbulBlock": "istanbul",
    "muirGlacierBlock": "muir_glacier", "berlinBlock": "berlin", "londonBlock": "london",
    "arrowGlacierBlock": "arrow_glacier", "grayGlacierBlock": "gray_glacier", "mergeNetsplitBlock": "paris",
}
_GETH_TIME_KEYS = {f"{name}Time": name for name in ("shanghai", "cancun", "prague", "osaka", "bpo1", "bpo2",
                                                     "bpo3", "bpo4", "bpo5", "amsterdam")}


def is_geth_config(doc) -> bool:
    """A geth-style chain config (`genesis.json`'s `config`, or that object itself)?"""
    return isinstance(doc, dict) and (isinstance(doc.get("config"), dict) or "chainId" in doc)


def chain_from_geth_config(doc: dict, origin: str) -> ChainConfig:
    """A chain from a geth-style config: `chainId`, `<fork>Block` up to the merge
    (`mergeNetsplitBlock`, or a `terminalTotalDifficulty` of 0 for proof of stake from genesis),
    `<fork>Time` from Shanghai on (`amsterdamTime` included), `blobSchedule` and
    `depositContractAddress`. A built-in chain's id keeps that chain's schedule and constants, and
    the config adds or moves forks: `{"chainId": 560048, "amsterdamTime": T}` is Hoodi with
    Amsterdam at T, until its time is built in."""
    from .hexjson import hex_fixed, quantity

    config = doc["config"] if isinstance(doc.get("config"), dict) else doc
    chain_id = quantity(config.get("chainId"), f"{origin}: chainId")
    if "constantinopleBlock" in config and config.get("petersburgBlock") != config["constantinopleBlock"]:
        raise InputError(f"{origin}: a Constantinople without Petersburg at the same block is not implemented")
    known = BY_ID.get(chain_id)
    block_forks = dict(known.block_forks) if known is not None else {"frontier": 0}
    time_forks = dict(known.time_forks) if known is not None else {}
    for key, fork in _GETH_BLOCK_KEYS.items():
        if config.get(key) is not None:
            block_forks[fork] = quantity(config[key], f"{origin}: {key}")
    if "paris" not in block_forks and config.get("terminalTotalDifficulty") is not None \
            and quantity(config["terminalTotalDifficulty"], f"{origin}: terminalTotalDifficulty") == 0:
        block_forks["paris"] = 0
    for key, fork in _GETH_TIME_KEYS.items():
        if config.get(key) is not None:
            time_forks[fork] = quantity(config[key], f"{origin}: {key}")
    schedule = dict(known.blob_schedule) if known is not None else dict(DEFAULT_BLOB_SCHEDULE)
    blobs = config.get("blobSchedule") or {}
    if not isinstance(blobs, dict):
        raise InputError(f"{origin}: blobSchedule is not an object")
    for name, entry in blobs.items():
        fork = _network_fork(name, origin)
        if not isinstance(entry, dict):
            raise InputError(f"{origin}: blobSchedule.{name} is not an object")
        schedule[fork] = BlobParams(*(quantity(entry.get(k), f"{origin}: blobSchedule.{name}.{k}")
                                      for k in ("target", "max", "baseFeeUpdateFraction")))
    deposit = config.get("depositContractAddress")
    return ChainConfig(
        name=known.name if known is not None else f"config:{chain_id}",
        chain_id=chain_id,
        block_forks=block_forks,
        time_forks=time_forks,
        dao_fork_block=known.dao_fork_block if known is not None else
        (quantity(config["daoForkBlock"], f"{origin}: daoForkBlock") if config.get("daoForkBlock") is not None else None),
        deposit_contract=hex_fixed(deposit, 20, f"{origin}: depositContractAddress") if deposit else
        (known.deposit_contract if known is not None else MAINNET.deposit_contract),
        blob_schedule=schedule,
        sources=((known.sources if known is not None else ()) + (f"{origin} (geth-style config)",)),
    )


def resolve_chain(name, chain_id: Optional[int], origin: str) -> ChainConfig:
    """Pick the chain config from `--chain` (a name, or a config from --rollup-config) or the
    bundle's chain id; they must agree."""
    if name is not None:
        if isinstance(name, ChainConfig):
            chain, name = name, name.name
        elif name.lower().startswith("dev:"):
            chain = dev_chain(name[4:], chain_id if chain_id is not None else DEV_CHAIN_ID)
        else:
            chain = chain_by_name(name)
            if chain is None:
                raise InputError(f"unknown chain {name!r}; known: {', '.join(sorted(CHAINS))}")
        if chain_id is not None and chain_id != chain.chain_id:
            raise InputError(
                f"{origin}: chain id {chain_id} in the input contradicts --chain {name} "
                f"(chain id {chain.chain_id})"
            )
        return chain
    if chain_id is None:
        raise InputError(f"{origin}: neither the input nor its transactions name the chain; pass --chain NAME "
                         f"(known: {', '.join(sorted(CHAINS))})")
    if chain_id not in BY_ID:
        raise InputError(f"{origin}: chain id {chain_id} has no built-in config; pass --chain NAME or "
                         f"--rollup-config FILE")
    return BY_ID[chain_id]
