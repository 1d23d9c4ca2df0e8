"""The corresponding adjustment inputs of a Party and year, the one query behind the command
line, the API and the page: summed from Table 3 of the same AEF `open_aef` gives (a draft from
the ledger now, or a submitted version), so whoever may read that AEF may read these, and the
figures always agree with it. Reading writes nothing."""

from __future__ import annotations

from article6.domain.access import Actor
from article6.reports.corresponding_adjustments import AdjustmentInputs, derive
from article6.services.aef_versions import open_aef, require_reported_year
from article6.services.context import Registry

TABLE3 = 3


def adjustment_inputs(
    registry: Registry, actor: Actor, party: str, year: int, version: str | None = None
) -> AdjustmentInputs:
    """First transferred, transferred, acquired, used and cancelled quantities per cooperative
    approach, metric and vintage, with the Table 3 rows and the arithmetic behind each."""
    require_reported_year(registry, year)
    with open_aef(registry, actor, party, year, version) as document:
        table = next(t for t in document.tables if t.spec.number == TABLE3)
        return derive(
            document.party,
            document.year,
            document.version,
            table.rows,
            draft=version is None,
            provisional=year >= registry.now().year,
            keys=table.spec.keys,
        )
