"""The first block of every fork is judged by that fork's rules, the block before it by the
previous fork's: fork selection at exact activation times and numbers, for every built-in chain,
and the header rules that switch on the parent's fork (Holocene/Jovian EIP-1559 parameters)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from witnessverify.chains import CHAINS, FORK_ORDER
from witnessverify.rules.op.vm import SUPPORTED

L1 = [c for c in CHAINS.values() if not c.is_op]
OP = [c for c in CHAINS.values() if c.is_op]


def _previous(order, forks, name):
    earlier = [f for f in order[: order.index(name)] if f in forks]
    return earlier[-1] if earlier else None


@pytest.mark.parametrize("chain", L1, ids=lambda c: c.name)
def test_l1_fork_boundaries(chain):
    for name, start in chain.time_forks.items():
        if start == 0:
            continue
        number = 10**9  # far past every block-number fork
        assert chain.fork_at(number, start) == name
        assert chain.fork_at(number, start - 1) == _previous(FORK_ORDER, {**chain.block_forks, **chain.time_forks}, name)
    for name, start in chain.block_forks.items():
        if start == 0:
            continue
        assert chain.fork_at(start, 0) == name
        assert chain.fork_at(start - 1, 0) == _previous(FORK_ORDER, chain.block_forks, name)


@pytest.mark.parametrize("chain", OP, ids=lambda c: c.name)
def test_op_fork_boundaries(chain):
    for name, start in chain.op_forks.items():
        if start == 0:
            continue
        # forks activated together (Celo's Holocene and Isthmus): the later one of the line rules
        together = [f for f in chain.fork_line if chain.op_forks.get(f) == start]
        assert chain.op_fork_at(start) == together[-1]
        assert chain.op_fork_at(start - 1) == _previous(chain.fork_line, chain.op_forks, together[0])
        assert name in SUPPORTED


def test_holocene_and_jovian_parameters_switch_on_the_parents_fork():
    from witnessverify.chains import OP_MAINNET
    from witnessverify.rules.op.holocene import eip1559_params, op_expected_base_fee

    holocene, jovian = OP_MAINNET.op_forks["holocene"], OP_MAINNET.op_forks["jovian"]
    v0 = b"\x00" + (100).to_bytes(4, "big") + (3).to_bytes(4, "big")
    v1 = b"\x01" + (100).to_bytes(4, "big") + (3).to_bytes(4, "big") + (10**9).to_bytes(8, "big")
    # the first Holocene block: its parent is not Holocene, so the chain config's values apply
    assert eip1559_params(OP_MAINNET, "holocene", SimpleNamespace(timestamp=holocene - 2, extra_data=b"")) == (6, 250)
    # the next one: the parent's extraData
    assert eip1559_params(OP_MAINNET, "holocene", SimpleNamespace(timestamp=holocene, extra_data=v0)) == (3, 100)
    # the first Jovian block: its parent is Holocene; no DA metering, no minimum
    quiet = SimpleNamespace(base_fee_per_gas=10**9, gas_used=0, blob_gas_used=0, gas_limit=60_000_000,
                            extra_data=v1, timestamp=jovian - 2)
    first_jovian = op_expected_base_fee(quiet, 3, 100, parent_is_jovian=quiet.timestamp >= jovian)
    assert first_jovian < 10**9
    quiet.timestamp = jovian
    assert op_expected_base_fee(quiet, 3, 100, parent_is_jovian=quiet.timestamp >= jovian) == 10**9
