"""Options the commands share and their parsing: hex values, NAME=VALUE pairs, client endpoints
and their headers. Usage errors are click's (exit 2)."""

from __future__ import annotations

from typing import Optional

import click

from ..chains import CHAINS

CHAIN_NAMES = ", ".join(CHAINS)


def bytes32(value: str, what: str, hint: Optional[str] = None) -> bytes:
    """A 32-byte option value given in hex (0x optional), or a usage error naming `what`."""
    s = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        b = bytes.fromhex(s)
    except ValueError:
        raise click.BadParameter("not a hex string", param_hint=hint) from None
    if len(b) != 32:
        raise click.BadParameter(f"{what} is 32 bytes, got {len(b)}", param_hint=hint)
    return b


def root_option(ctx, param, value: Optional[str]) -> Optional[bytes]:
    return None if value is None else bytes32(value, "a state root")


def hex32(value: Optional[str], hint: str) -> Optional[str]:
    return None if value is None else "0x" + bytes32(value, "an output root", hint).hex()


def rpc_pairs(values, what: str) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise click.BadParameter(f"expected NAME=VALUE, got {v!r}", param_hint=what)
        out[name] = rest
    return out


def check_urls(pairs: dict[str, str], hint: str) -> None:
    for name, url in pairs.items():
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{name}: the URL must start with http:// or https://, got {url!r}", param_hint=hint)


def clients_from(pairs: dict[str, str], headers: dict[str, dict[str, str]], timeout: float, rps: float, hint: str):
    from ..tiebreak.rpc import RpcClient

    check_urls(pairs, hint)
    return [RpcClient(name, url, headers.get(name, {}), timeout=timeout, rps=rps) for name, url in pairs.items()]


def headers_from(rpc_headers) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {}
    for name, header in rpc_pairs(rpc_headers, "--rpc-header").items():
        key, sep, value = header.partition(":")
        if not sep:
            raise click.BadParameter(f"expected NAME=Header: value, got {header!r}", param_hint="--rpc-header")
        headers.setdefault(name, {})[key.strip()] = value.strip()
    return headers
