"""The CARP's consistency checks over AEFs of every Party (RULES.md 11.3): a typed model of the
loaded tables, every code as a pure function over them, and one run that files each
submission and can fill its CARP fields. docs/aef.md states each interpretation."""

from article6.reports.aef_consistency.loading import from_document, from_file
from article6.reports.aef_consistency.model import (
    Filing,
    Inconsistency,
    LoadedAEF,
    RowReference,
    UnitRange,
)
from article6.reports.aef_consistency.runner import (
    CHECKS,
    ConsistencyResult,
    check,
    filled_document,
    filled_values,
)

__all__ = [
    "CHECKS",
    "ConsistencyResult",
    "Filing",
    "Inconsistency",
    "LoadedAEF",
    "RowReference",
    "UnitRange",
    "check",
    "filled_document",
    "filled_values",
    "from_document",
    "from_file",
]
