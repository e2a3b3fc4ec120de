"""Fixtures of the watch tests: a real Anvil on loopback (block 1 mined: Anvil's genesis header
claims the empty state root, README) and a proxy in front of it that can lie."""

from __future__ import annotations

import pytest

from tests.helpers.anvil import Anvil, LyingProxy


@pytest.fixture
def anvil():
    node = Anvil()
    node.rpc("evm_mine")
    yield node
    node.close()


@pytest.fixture
def proxy(anvil):
    p = LyingProxy(anvil.url)
    yield p
    p.close()
