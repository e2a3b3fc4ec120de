"""pytest fixtures shared by every layer's tests (helpers to import live in tests/helpers/)."""

from __future__ import annotations

import pytest


@pytest.fixture
def servers():
    """servers(name) -> a fake JSON-RPC client on 127.0.0.1 (tests/helpers/rpc_fixture.py), closed after the test."""
    from tests.helpers.rpc_fixture import FakeClient

    made = []

    def make(name):
        c = FakeClient(name)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
