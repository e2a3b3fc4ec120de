"""rules/l1/senders.py: the signing message cut from a typed transaction's encoding is py-evm's
`get_message_for_signing`, and the sender kept is the one py-evm recovers: on every typed
transaction of the bundled blocks, and on random signed transactions of every type (long and
short fields, access lists, blob hashes, authorizations). What it cannot judge it leaves alone:
legacy and unknown items, and signatures that recover nothing (py-evm then raises its own error)."""

from __future__ import annotations

import random

import pytest
import rlp
from eth._utils.transactions import extract_transaction_sender
from eth.vm.forks.berlin.transactions import AccountAccesses, UnsignedAccessListTransaction
from eth.vm.forks.cancun.transactions import UnsignedBlobTransaction
from eth.vm.forks.london.transactions import UnsignedDynamicFeeTransaction
from eth.vm.forks.prague.transactions import Authorization, PragueTransactionBuilder, UnsignedSetCodeTransaction
from eth_keys import keys

from witnessverify.chains import resolve_chain
from witnessverify.pipeline import prepare
from witnessverify.rules.l1.senders import recover_senders, signing_message

from tests.helpers.fixtures import BUNDLES, load_one

BUNDLE_FILES = sorted(p.name for p in BUNDLES.glob("*.json"))


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_every_bundled_typed_transaction(name):
    bundle = load_one(BUNDLES / name)
    prepared = prepare(bundle, resolve_chain(None, bundle.chain_id, name))  # recovers the senders it can
    items = rlp.decode(bundle.block_rlp)[1]
    for tx, raw in zip(prepared.block.transactions, items):
        message = signing_message(raw)
        if getattr(tx, "type_id", None) in (1, 2, 3, 4):
            assert message == tx.get_message_for_signing()
            assert "sender" in tx.__dict__  # kept at decoding
            assert tx.__dict__["sender"] == extract_transaction_sender(tx)
        else:
            assert message is None or "sender" not in tx.__dict__


def _random_unsigned(rng: random.Random, kind: int):
    def blob(n):
        return bytes(rng.randrange(256) for _ in range(n))

    common = (rng.choice([1, 10, 8453, 2**63]), rng.choice([0, 1, 2**40]), rng.randrange(2**64), rng.randrange(2**70),
              rng.randrange(21_000, 2**25), rng.choice([b"", blob(20)]), rng.choice([0, 1, 2**200]),
              rng.choice([b"", blob(1), blob(55), blob(56), blob(300), blob(70_000)]))
    accesses = [AccountAccesses(blob(20), [rng.randrange(2**256) for _ in range(rng.randrange(4))])
                for _ in range(rng.randrange(3))]
    if kind == 1:
        return UnsignedAccessListTransaction(common[0], common[1], common[3], *common[4:], accesses)
    if kind == 2:
        return UnsignedDynamicFeeTransaction(*common, accesses)
    if kind == 3:
        to = common[5] or blob(20)
        return UnsignedBlobTransaction(*common[:5], to, *common[6:], accesses, rng.randrange(2**40),
                                       [b"\x01" + blob(31) for _ in range(rng.randrange(1, 7))])
    authorizations = [Authorization(rng.randrange(3), blob(20), rng.randrange(2**20), rng.randrange(2),
                                    rng.randrange(1, 2**256), rng.randrange(1, 2**256)) for _ in range(rng.randrange(1, 4))]
    to = common[5] or blob(20)
    return UnsignedSetCodeTransaction(*common[:5], to, *common[6:], accesses, authorizations)


def test_random_typed_transactions_of_every_type():
    rng = random.Random(22)
    checked = {1: 0, 2: 0, 3: 0, 4: 0}
    for i in range(160):
        kind = 1 + i % 4
        key = keys.PrivateKey(rng.randbytes(32))
        signed = _random_unsigned(rng, kind).as_signed_transaction(key)
        encoded = signed.encode()
        decoded = PragueTransactionBuilder.decode(encoded)
        assert signing_message(encoded) == decoded.get_message_for_signing()
        recover_senders([decoded], [encoded])
        assert decoded.__dict__["sender"] == key.public_key.to_canonical_address() == extract_transaction_sender(decoded)
        checked[kind] += 1
    assert min(checked.values()) == 40


def test_what_it_cannot_judge_is_left_to_py_evm():
    assert signing_message(rlp.encode([b"\x01"] * 9)) is None  # a legacy transaction (a list item)
    assert signing_message(b"\x7e" + rlp.encode([b"\x01"] * 8)) is None  # an OP deposit
    assert signing_message(b"\x02" + rlp.encode([b"\x01"] * 2)) is None  # too few fields
    assert signing_message(b"\x02" + rlp.encode([b"\x01"] * 12) + b"\x00") is None  # trailing bytes
    rng = random.Random(5)
    signed = _random_unsigned(rng, 2).as_signed_transaction(keys.PrivateKey(rng.randbytes(32)))
    fields = list(rlp.decode(signed.encode()[1:]))
    fields[-2] = b""  # r = 0: recovers nothing
    broken = b"\x02" + rlp.encode(fields)
    decoded = PragueTransactionBuilder.decode(broken)
    recover_senders([decoded], [broken])
    assert "sender" not in decoded.__dict__
    with pytest.raises(Exception) as ours:
        decoded.sender  # noqa: B018 - py-evm's own recovery, its own error
    with pytest.raises(Exception) as theirs:
        extract_transaction_sender(PragueTransactionBuilder.decode(broken))
    assert type(ours.value) is type(theirs.value)
