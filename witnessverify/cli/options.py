"""Options the commands share and their parsing: hex values, NAME=VALUE pairs, client endpoints
and their headers. Usage errors are click's (exit 2)."""

from __future__ import annotations

from typing import Optional

import click

from ..chains import CHAINS

CHAIN_NAMES = ", ".join(CHAINS)


class Header(click.ParamType):
    """NAME=Header: value. From the environment (WITNESSVERIFY_<COMMAND>_RPC_HEADER) one per
    line, since a header value holds spaces."""

    name = "NAME=Header: value"
    envvar_list_splitter = "\n"

    def convert(self, value, param, ctx):
        return value


HEADER = Header()


def chain_option(ctx, param, value: Optional[str]) -> Optional[str]:
    """--chain: a built-in name or dev:<fork>, checked before anything is read or fetched."""
    from ..chains import chain_by_name, dev_chain
    from ..errors import InputError

    if value is None:
        return None
    if value.lower().startswith("dev:"):
        try:
            dev_chain(value[4:])
        except InputError as exc:
            raise click.BadParameter(str(exc)) from None
    elif chain_by_name(value) is None:
        raise click.BadParameter(f"unknown chain {value!r}; known: {CHAIN_NAMES}, or dev:<fork>")
    return value


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


def _pairs(values, what: str):
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise click.BadParameter(f"expected NAME=VALUE, got {v!r}", param_hint=what)
        yield name, rest


def rpc_pairs(values, what: str) -> dict[str, str]:
    """NAME=URL pairs; a name given twice is a usage error (one of the two would be dropped)."""
    out: dict[str, str] = {}
    for name, rest in _pairs(values, what):
        if name in out:
            raise click.BadParameter(f"{name!r} is named twice ({out[name]} and {rest}); give each client "
                                     f"one name", param_hint=what)
        out[name] = rest
    return out


def known_names(given: dict, names, hint: str) -> None:
    """Options that refer to a client by name (--rpc-header, --witness-from) must name one."""
    for name in given:
        if name not in names:
            raise click.BadParameter(f"{name!r} names no client (known: {', '.join(names) or 'none'})",
                                     param_hint=hint)


def check_urls(pairs: dict[str, str], hint: str) -> None:
    for name, url in pairs.items():
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{name}: the URL must start with http:// or https://, got {url!r}", param_hint=hint)


def clients_from(pairs: dict[str, str], headers: dict[str, dict[str, str]], timeout: float, rps: float, hint: str):
    from ..tiebreak.rpc import RpcClient

    check_urls(pairs, hint)
    return [RpcClient(name, url, headers.get(name, {}), timeout=timeout, rps=rps) for name, url in pairs.items()]


def headers_from(rpc_headers) -> dict[str, dict[str, str]]:
    """Every --rpc-header, by client: repeated ones add up (Authorization and X-Api-Key both sent)."""
    headers: dict[str, dict[str, str]] = {}
    for name, header in _pairs(rpc_headers, "--rpc-header"):
        key, sep, value = header.partition(":")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected NAME=Header: value, got {header!r}", param_hint="--rpc-header")
        headers.setdefault(name, {})[key.strip()] = value.strip()
    return headers


def endpoints(rpcs, rollup_rpcs, rpc_headers, timeout: float, rps: float, witness_from: Optional[str] = None):
    """The clients and rollup nodes the options name, every option checked first (exit 2): one
    URL per name, no name in both, headers and --witness-from naming a client that exists."""
    urls, rollup_urls = rpc_pairs(rpcs, "--rpc"), rpc_pairs(rollup_rpcs, "--rollup-rpc")
    both = sorted(set(urls) & set(rollup_urls))
    if both:
        raise click.BadParameter(f"a name given to both --rpc and --rollup-rpc: {', '.join(both)}",
                                 param_hint="--rollup-rpc")
    headers = headers_from(rpc_headers)
    known_names(headers, list(urls) + list(rollup_urls), "--rpc-header")
    if witness_from is not None:
        known_names({witness_from: None}, list(urls), "--witness-from")
    return (clients_from(urls, headers, timeout, rps, "--rpc"),
            clients_from(rollup_urls, headers, timeout, rps, "--rollup-rpc"))
