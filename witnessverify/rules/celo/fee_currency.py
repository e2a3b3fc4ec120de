"""The fee-currency context of a block: which ERC-20s may pay for gas, at what exchange rate, with
how much intrinsic gas (celo-org/celo-kona `crates/celo-revm/src/contracts/core_contracts.rs`
`get_currency_info`, `crates/celo-revm/src/fee_currency_context.rs`).

Read once per block from the state at its start, by read-only calls to the chain's
FeeCurrencyDirectory (caller 0xff…fe, 30M gas, undone afterwards):
  getCurrencies()            0x61c661de -> address[]
  getExchangeRate(address)   0xefb7601d -> (uint256 numerator, uint256 denominator)
  getCurrencyConfig(address) 0xeab43d97 -> (address oracle, uint256 intrinsicGas)
A currency whose rate or config read fails, or whose rate has a zero part, is left out for the
block; a failed or empty currency list leaves none. Conversions floor: x · numerator / denominator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .calls import READ_ONLY_GAS, SYSTEM_ADDRESS, address_word, call

GET_CURRENCIES = bytes.fromhex("61c661de")
GET_EXCHANGE_RATE = bytes.fromhex("efb7601d")
GET_CURRENCY_CONFIG = bytes.fromhex("eab43d97")
U64_MAX = 2**64 - 1


@dataclass(frozen=True)
class FeeCurrency:
    numerator: int
    denominator: int
    intrinsic_gas: int

    def from_native(self, amount: int) -> int:
        """An amount of CELO in this currency (celo-kona `celo_to_currency`)."""
        return amount * self.numerator // self.denominator

    @property
    def max_debit_credit_gas(self) -> int:
        """Gas the debit and credit calls may use together (`max_allowed_currency_intrinsic_gas_cost`)."""
        return 3 * self.intrinsic_gas


@dataclass
class FeeCurrencyContext:
    currencies: dict[bytes, FeeCurrency] = field(default_factory=dict)

    def get(self, token: bytes) -> Optional[FeeCurrency]:
        return self.currencies.get(bytes(token))


def _words(output: bytes, count: int) -> Optional[list[int]]:
    if len(output) < 32 * count:
        return None
    return [int.from_bytes(output[32 * i: 32 * i + 32], "big") for i in range(count)]


def _address_array(output: bytes) -> Optional[list[bytes]]:
    """ABI `address[]` (a dynamic array: offset, length, items)."""
    head = _words(output, 1)
    if head is None or head[0] + 32 > len(output):
        return None
    offset = head[0]
    length = int.from_bytes(output[offset: offset + 32], "big")
    end = offset + 32 + 32 * length
    if end > len(output):
        return None
    out = []
    for i in range(length):
        out.append(output[offset + 44 + 32 * i: offset + 64 + 32 * i])  # the low 20 bytes of each word
    return out


def load(state, directory: bytes) -> FeeCurrencyContext:
    def read(data: bytes):
        result = call(state, SYSTEM_ADDRESS, directory, data, READ_ONLY_GAS, read_only=True)
        return result.output if result.success else None

    context = FeeCurrencyContext()
    listed = read(GET_CURRENCIES)
    tokens = _address_array(listed) if listed else None
    for token in tokens or []:
        rate = read(GET_EXCHANGE_RATE + address_word(token))
        numbers = _words(rate, 2) if rate is not None else None
        if not numbers or numbers[0] == 0 or numbers[1] == 0:
            continue
        config = read(GET_CURRENCY_CONFIG + address_word(token))
        fields = _words(config, 2) if config is not None else None
        if fields is None:
            continue
        context.currencies[token] = FeeCurrency(numbers[0], numbers[1], min(fields[1], U64_MAX))
    return context
