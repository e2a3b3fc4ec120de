"""The B20 factory (0xB20F000000000000000000000000000000000000, Beryl on; base/base
`precompiles/src/b20_factory/`: dispatch.rs, logic/v1.rs, variant.rs). It keeps no storage
of its own.

A token's address is 0xb2 ‖ 00×9 ‖ variant ‖ the first 9 bytes of keccak256(abi.encode(
msg.sender, salt)) (no counter, no nonce; the variant is not hashed). Creating it sets the
1-byte code 0xEF there, writes the token's initial storage, emits B20Created at the factory
and, for a non-zero initial admin, grants it DEFAULT_ADMIN_ROLE (RoleGranted at the token).

The same V1 logic from Beryl on (`FactoryVersions`: no V2); from Cobalt its strings are written
with Cobalt's storage feature (b20_storage.py) and its init calls ask the V2 PolicyRegistry.
Calldata and params are decoded as alloy decodes them (abi.py).
"""

from __future__ import annotations

from ....chains import l2_at_least
from . import abi, b20_storage as store
from .b20_asset import route_with, token_class
from .policy_dispatch import registry
from .activation import FEATURE_B20_ASSET, FEATURE_B20_STABLECOIN, ensure_activated
from .errors import error, selector, topic
from .host import (CALLDATA_WORD_GAS, EMPTY_CODE_HASH, NATIVE_CODE, DecodeFailed, Host, Revert, StaticViolation,
                   UnknownSelector, words)

ADDRESS = bytes.fromhex("b20f000000000000000000000000000000000000")
ASSET, STABLECOIN = 0, 1
FEATURES = {ASSET: FEATURE_B20_ASSET, STABLECOIN: FEATURE_B20_STABLECOIN}
PARAMS = {ASSET: "(uint8,string,string,address,uint8)", STABLECOIN: "(uint8,string,string,address,string)"}
NATIVE_CODE_HASH = bytes.fromhex("309b8896ee4c1ff7ec1966155373dee42663b6b40c3fedc70ba501684848d2a3")

CREATE = selector("createB20(uint8,bytes32,bytes,bytes[])")
GET_ADDRESS = selector("getB20Address(uint8,address,bytes32)")
IS_B20 = selector("isB20(address)")
IS_INITIALIZED = selector("isB20Initialized(address)")
SURFACE = abi.interface("IB20FactoryCalls", {
    CREATE: ("createB20", ["uint8", "bytes32", "bytes", "bytes[]"]),
    GET_ADDRESS: ("getB20Address", ["uint8", "address", "bytes32"]),
    IS_B20: ("isB20", ["address"]), IS_INITIALIZED: ("isB20Initialized", ["address"])})
ENUMS = {"createB20": (0, STABLECOIN), "getB20Address": (0, STABLECOIN)}  # B20Variant
STRUCTS = {ASSET: "B20AssetCreateParams", STABLECOIN: "B20StablecoinCreateParams"}

B20_CREATED = topic("B20Created(address,uint8,string,string,uint8,bytes)")


def token_address(variant: int, address_hash: bytes) -> bytes:
    return b"\xb2" + bytes(9) + bytes([variant]) + address_hash[:9]


def is_b20(token: bytes) -> bool:
    """The B20 prefix, for any variant byte (variant.rs `is_b20_prefix`)."""
    return token[0] == 0xB2 and token[1:10] == bytes(9)


def _address_hash(host: Host, sender: bytes, salt: bytes) -> bytes:
    return host.metered_keccak(abi.encode(["address", "bytes32"], [sender, salt]))


def _validate(variant: int, params: tuple) -> None:
    version = params[0]
    if version != 1:
        raise error("UnsupportedVersion(uint8,uint8)", version, variant)
    if variant == ASSET and not 6 <= params[4] <= 18:
        raise error("InvalidDecimals(uint8)", params[4])


def _initialize(host: Host, token: bytes, variant: int, params: tuple) -> None:
    """The token's initial storage (b20_asset/storage.rs, b20_stablecoin/storage.rs)."""
    _, name, symbol, _, extra = params
    if variant == STABLECOIN:
        if not extra:
            raise error("MissingRequiredField(string)", "currency")
        if any(not "A" <= ch <= "Z" for ch in extra):  # A–Z only: no ISO 4217 list in the code
            raise error("InvalidCurrency(string)", extra)
    store.store_string(host, store.NAME, name, token)
    store.store_string(host, store.SYMBOL, symbol, token)
    host.sstore(store.SUPPLY_CAP, store.MAX_SUPPLY_CAP, token)
    if variant == ASSET:
        host.sstore(store.DECIMALS, extra, token)
        host.sstore(store.MULTIPLIER, store.INITIAL_MULTIPLIER, token)
    else:
        store.store_string(host, store.CURRENCY, extra, token)


def _created_event(host: Host, token: bytes, variant: int, params: tuple) -> None:
    _, name, symbol, _, extra = params
    if variant == ASSET:
        decimals, variant_params = extra, b""
    else:
        decimals, variant_params = store.STABLECOIN_DECIMALS, abi.encode(["(uint8,string)"], [(1, extra)])
    host.emit([B20_CREATED, abi.address_word(token), abi.word(variant)],
              abi.encode(["string", "string", "uint8", "bytes"], [name, symbol, decimals, variant_params]))


def _run_init_calls(host: Host, token: bytes, params: tuple, init_calls: list[bytes], fork) -> None:
    """Grant the initial admin, then run each init call as the factory, privileged, on token
    logic V1 at every fork ("pinned to V1", logic/v1.rs :40-181), asking the fork's
    PolicyRegistry. A typed revert passes on as it is, a system error too;
    anything else (an empty revert, an unknown selector, undecodable calldata, a static write)
    becomes InitCallFailed(index)."""
    caller, host.caller = host.caller, ADDRESS
    try:
        logic = token_class(token)(host, registry(host, fork), token, privileged=True)
        if params[3] != bytes(20):
            logic.grant_unchecked(store.DEFAULT_ADMIN_ROLE, params[3], ADDRESS)
        for i, call in enumerate(init_calls):
            try:
                route_with(logic, call)
            except (StaticViolation, UnknownSelector, DecodeFailed):
                raise error("InitCallFailed(uint256)", i) from None
            except Revert as exc:
                if not exc.data:
                    raise error("InitCallFailed(uint256)", i) from None
                raise
    finally:
        host.caller = caller


def create(host: Host, variant: int, salt: bytes, params_data: bytes, init_calls: list[bytes], fork="beryl") -> bytes:
    address_hash = _address_hash(host, host.caller, salt)
    ensure_activated(host, FEATURES[variant])
    try:  # `SolValue::abi_decode_validate`, its error as createB20's (logic/v1.rs `invalid_params`)
        params = abi.decode_single(PARAMS[variant], params_data, STRUCTS[variant])
    except abi.DecodeError as exc:
        raise DecodeFailed(CREATE + exc.text.encode()) from None
    _validate(variant, params)
    token = token_address(variant, address_hash)
    if host.account_code_hash(token) != EMPTY_CODE_HASH:
        raise error("TokenAlreadyExists(address)", token)
    host.set_code(NATIVE_CODE, token)
    _initialize(host, token, variant, params)
    _created_event(host, token, variant, params)
    _run_init_calls(host, token, params, init_calls, fork)
    return abi.address_word(token)


def dispatch(host: Host, calldata: bytes, fork) -> bytes:
    """The factory's answer to `calldata` at `fork` (dispatch.rs; raises Revert / OutOfGas)."""
    if host.value:
        raise error("NonPayable()")
    host.charge(CALLDATA_WORD_GAS * words(len(calldata)))
    if not l2_at_least(fork, "beryl"):
        raise Revert(b"")
    _, args = abi.decode_call(SURFACE, calldata, ENUMS)
    sel = calldata[:4]
    if sel == CREATE:
        return create(host, *args, fork=fork)
    if sel == GET_ADDRESS:
        return abi.address_word(token_address(args[0], _address_hash(host, args[1], args[2])))
    if sel == IS_B20:
        return abi.word(1 if is_b20(args[0]) else 0)
    token = args[0]
    return abi.word(1 if is_b20(token) and host.account_code_hash(token) == NATIVE_CODE_HASH else 0)
