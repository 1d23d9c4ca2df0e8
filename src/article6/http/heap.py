"""A serving process's heap, settled once it has started.

CPython's cyclic garbage collector walks every tracked object of a generation when it runs. In a
server most objects live as long as the process (modules, the routes, templates, catalogs,
compiled statements), and the youngest generation filled every 700 allocations: a transfer made
several collections, and the collector took about 4.5 % of a worker's CPU (measured with
`gc.callbacks` under `bench/api_throughput.py`'s load). Frozen, the startup objects are out of
its sight for good, and with young collections every 10,000 allocations it takes under 1 %.

Only in a serving process (`serve_app`): a test process builds many apps and must not keep
their garbage forever.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION = 10_000
"""Allocations (less deallocations) between collections of the youngest generation."""
OLDER_COLLECTIONS = 20
"""Collections of one generation between two of the next."""


def settle() -> None:
    """Collect what startup left, freeze the rest out of the collector's sight, and collect the
    young less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, OLDER_COLLECTIONS, OLDER_COLLECTIONS)
