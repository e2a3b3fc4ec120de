"""Chains from chain configs: a blockchain test's (`network`, `chainid`, `blobSchedule`) and
geth's (`genesis.json` or its `config`). Both are `verify --chain-config`'s."""

from __future__ import annotations

import re

from ..errors import InputError
from ..hexjson import hex_fixed, quantity
from .l1 import MAINNET
from .registry import BY_ID
from .spec import DEFAULT_BLOB_SCHEDULE, FORK_ORDER, TIME_FORKS, BlobParams, ChainConfig

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


def _blob_schedule(blobs, base: dict, origin: str) -> dict:
    """`base` with a config's `blobSchedule` (fork -> target, max, baseFeeUpdateFraction) over it."""
    schedule = dict(base)
    blobs = blobs or {}
    if not isinstance(blobs, dict):
        raise InputError(f"{origin}: blobSchedule is not an object")
    for name, entry in blobs.items():
        fork = _network_fork(name, origin)
        if not isinstance(entry, dict):
            raise InputError(f"{origin}: blobSchedule.{name} is not an object")
        schedule[fork] = BlobParams(*(quantity(entry.get(k), f"{origin}: blobSchedule.{name}.{k}")
                                      for k in ("target", "max", "baseFeeUpdateFraction")))
    return schedule


def chain_from_chain_config(doc: dict, origin: str) -> ChainConfig:
    """A chain from a blockchain-test style config: `network` (a fork, or `AToBAtTime15k` /
    `AToBAt5` for a transition at a timestamp / block number), `chainid`, and `blobSchedule`
    (fork -> target, max, baseFeeUpdateFraction). Every fork up to the first is active from
    genesis. The same file is `verify --chain-config`'s, so a block from a test replays alone."""
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
    for name in FORK_ORDER[: FORK_ORDER.index(start) + 1]:
        (time_forks if name in TIME_FORKS else block_forks)[name] = 0
    if second is not None:
        later = _network_fork(second, origin)
        if FORK_ORDER.index(later) <= FORK_ORDER.index(start):
            raise InputError(f"{origin}: transition {network} does not go forward")
        for name in FORK_ORDER[FORK_ORDER.index(start) + 1: FORK_ORDER.index(later) + 1]:
            if name in TIME_FORKS:
                if not by_time:
                    raise InputError(f"{origin}: {name} activates by timestamp, not by block number")
                time_forks[name] = at
            else:
                block_forks[name] = at if not by_time else 0
    schedule = _blob_schedule(doc.get("blobSchedule"), DEFAULT_BLOB_SCHEDULE, origin)
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
    schedule = _blob_schedule(config.get("blobSchedule"), known.blob_schedule if known is not None
                              else DEFAULT_BLOB_SCHEDULE, origin)
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

