"""`--config FILE` (or WITNESSVERIFY_CONFIG): the clients, rollup nodes, their headers and the
chain in one TOML file, so endpoints and tokens need not be flags (which show in `ps`):

    chain = "op-mainnet"                 # optional; --chain wins

    [clients.op-geth]
    url = "https://geth.internal:8545"
    header_env = { Authorization = "OPGETH_AUTH" }   # the value from that environment variable

    [clients.op-reth]
    url = "http://reth.internal:8545"
    headers = { X-Api-Key = "..." }      # a value in the file: the file must be private (chmod 600)

    [rollup.op-node]
    url = "http://op-node.internal:9545"

What the command line names wins: --rpc given replaces the file's clients, --rollup-rpc its
rollup nodes; --rpc-header adds to a client's headers. Every problem is a usage error (exit 2)
naming the file and the key, found before any request.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Optional

import click

HINT = "--config"
CLIENT_KEYS = {"url", "headers", "header_env"}


@dataclass
class Config:
    clients: dict[str, str] = field(default_factory=dict)
    rollup: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    chain: Optional[str] = None

    def header_options(self) -> tuple[str, ...]:
        """The headers as --rpc-header values (NAME=Key: value)."""
        return tuple(f"{name}={key}: {value}" for name, hs in self.headers.items() for key, value in hs.items())


def _fail(path: str, what: str):
    raise click.BadParameter(f"{path}: {what}", param_hint=HINT)


def _text(path: str, where: str, value) -> str:
    if not isinstance(value, str) or not value:
        _fail(path, f"{where} must be a non-empty string")
    if "\r" in value or "\n" in value:
        _fail(path, f"{where} holds a line break")
    return value


def _endpoints(path: str, doc: dict, table: str, cfg: Config) -> dict[str, str]:
    section = doc.get(table, {})
    if not isinstance(section, dict):
        _fail(path, f"[{table}] must be a table of NAME tables")
    out = {}
    for name, entry in section.items():
        where = f"[{table}.{name}]"
        if not isinstance(entry, dict):
            _fail(path, f"{where} must be a table with url")
        unknown = sorted(set(entry) - CLIENT_KEYS)
        if unknown:
            _fail(path, f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(CLIENT_KEYS))})")
        if "url" not in entry:
            _fail(path, f"{where} has no url")
        out[name] = _text(path, f"{where} url", entry["url"])
        if not out[name].startswith(("http://", "https://")):
            _fail(path, f"{where} url must start with http:// or https://, got {out[name]!r}")
        for key in ("headers", "header_env"):
            given = entry.get(key, {})
            if not isinstance(given, dict):
                _fail(path, f"{where} {key} must be a table of header = value")
            for header, value in given.items():
                _text(path, f"{where} {key} {header!r}", header)
                value = _text(path, f"{where} {key} {header!r}", value)
                if key == "header_env":
                    if value not in os.environ:
                        _fail(path, f"{where} header_env {header!r}: the environment variable {value} is not set")
                    value = _text(path, f"the environment variable {value}", os.environ[value])
                cfg.headers.setdefault(name, {})[header] = value
    return out


def _private(path: str, doc: dict) -> None:
    """Header values written in the file: nobody but its owner may read it (as ssh asks of a key)."""
    holds = any(isinstance(e, dict) and e.get("headers") for t in ("clients", "rollup")
                for e in (doc.get(t) or {}).values() if isinstance(doc.get(t), dict))
    mode = os.stat(path).st_mode
    if holds and mode & (stat.S_IRWXG | stat.S_IRWXO):
        _fail(path, f"holds header values but others may read it (mode {stat.S_IMODE(mode):04o}): chmod 600 it, "
                    f"or name the values' environment variables in header_env")


def load(path: str) -> Config:
    import tomllib

    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        _fail(path, f"cannot read: {exc.strerror or exc}")
    except tomllib.TOMLDecodeError as exc:
        _fail(path, f"not TOML: {exc}")
    unknown = sorted(set(doc) - {"chain", "clients", "rollup"})
    if unknown:
        _fail(path, f"unknown key {unknown[0]!r} (known: chain, clients, rollup)")
    _private(path, doc)
    cfg = Config()
    cfg.clients = _endpoints(path, doc, "clients", cfg)
    cfg.rollup = _endpoints(path, doc, "rollup", cfg)
    both = sorted(set(cfg.clients) & set(cfg.rollup))
    if both:
        _fail(path, f"{both[0]!r} is both a client and a rollup node")
    if "chain" in doc:
        cfg.chain = _text(path, "chain", doc["chain"])
    return cfg


def apply(ctx: click.Context, path: Optional[str]) -> None:
    """Fill the command's endpoint options from the file where the command line left them out."""
    from .options import chain_option

    params = ctx.params
    if path is None:
        return
    cfg = load(path)
    if params.get("paths"):  # audit over files: the file's nodes are not asked
        return
    if not params.get("rpcs"):
        params["rpcs"] = tuple(f"{n}={u}" for n, u in cfg.clients.items())
    if "rollup_rpcs" in params and not params["rollup_rpcs"]:
        params["rollup_rpcs"] = tuple(f"{n}={u}" for n, u in cfg.rollup.items())
    named = {v.partition("=")[0] for v in tuple(params["rpcs"]) + tuple(params.get("rollup_rpcs") or ())}
    mine = Config(headers={n: h for n, h in cfg.headers.items() if n in named})  # of the endpoints in use
    params["rpc_headers"] = mine.header_options() + tuple(params.get("rpc_headers") or ())
    if "chain" in params and params["chain"] is None and cfg.chain is not None:
        try:
            params["chain"] = chain_option(ctx, None, cfg.chain)
        except click.BadParameter as exc:
            _fail(path, f"chain: {exc.message}")
