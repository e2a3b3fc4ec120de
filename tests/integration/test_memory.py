"""A long run's memory: verifying a block leaves no reference cycles behind.

A cycle per failed EVM frame (the error's traceback holding the frames that hold the computation,
with its memory and children) used to be freed only by the collector's oldest generation, so a
worker's memory climbed between those collections (92 to 125 MB over 10 rounds of one block).
Here every bundled block is verified with the collector saving what it finds: nothing may be
found. And no witness store outlives its verification: py-trie's lru_cache on
`_cached_create_node_to_db_mapping`, one for all tries and filled by pruning ones, held each
trie (and its witness) until 4,096 later entries pushed it out; the write tries no longer prune
(witness/tries.py). The resident size over ten rounds is in benchmarks/test_worker_memory.py.
"""

from __future__ import annotations

import gc

import pytest

from witnessverify import sources
from witnessverify.pipeline import verify_bundle

from tests.helpers.fixtures import BUNDLES

BUNDLE_FILES = sorted(p.name for p in BUNDLES.glob("*.json"))


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_a_verification_leaves_no_cyclic_garbage(name):
    (bundle,) = sources.load(BUNDLES / name)
    assert verify_bundle(bundle).verdict == "VALID"  # caches warm, classes built
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert verify_bundle(bundle).verdict == "VALID"
        gc.collect()
        kinds = sorted({type(o).__qualname__ for o in gc.garbage})
        assert not gc.garbage, f"{len(gc.garbage)} objects in reference cycles: {kinds[:12]}"
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("name", ["1-25229957.json", "560048-51632.json", "10-121003241.json"])
def test_no_witness_store_outlives_its_verification(name):
    from witnessverify.witness.state import WitnessStore

    (bundle,) = sources.load(BUNDLES / name)
    for _ in range(2):
        assert verify_bundle(bundle).verdict == "VALID"
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, WitnessStore)]
    assert not alive, f"{len(alive)} witness stores still referenced after their verification"
