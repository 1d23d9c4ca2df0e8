"""The CARP's consistency checks over HTTP: every Party section's AEF of a year checked
against the others (RULES.md 11.3), for the secretariat and registry-wide auditors."""

from __future__ import annotations

from fastapi import APIRouter

from article6.http.parameters import ReportedYear
from article6.http.security import Registry_, RegistryWide
from article6.services import aef_consistency
from article6.services.aef_consistency import ConsistencyView

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/aef/{year}/consistency")
def aef_consistency_result(
    year: ReportedYear, actor: RegistryWide, registry: Registry_
) -> ConsistencyView:
    """Every consistency check (II01–II07, STC01–STC04, ISC01–ISC04, IRC01, IPC01, IP01–IP04,
    DR01–DR04) over the year's AEFs of every Party section (newest submitted version, else the
    draft), each finding with its Parties, sheets, rows and units, and each AEF filed as
    consistent, inconsistent or obsolete."""
    return aef_consistency.consistency(registry, actor, year)
