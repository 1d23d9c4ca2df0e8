"""Unit block rows to and from the domain's `UnitBlock`: the one place that knows which column
holds which identifier element, shared by the live blocks and the moved ranges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from article6.domain.accounts import UnitState
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.nomenclature import Metric, MitigationType

ATTRIBUTE_COLUMNS = (
    "cooperative_approach_id",
    "first_transferring_party",
    "vintage",
    "metric",
    "gwp_values",
    "non_ghg_metric",
    "non_ghg_per_unit",
    "mitigation_type",
    "sector",
    "activity_type",
    "underlying_registry",
    "authorization_id",
    "authorization_version",
)


def to_block(row: Row[Any]) -> UnitBlock:
    attributes = UnitAttributes(
        cooperative_approach=row.cooperative_approach_id,
        registry=row.registry_id,
        first_transferring_party=row.first_transferring_party,
        vintage=row.vintage,
        metric=Metric(row.metric),
        mitigation_type=MitigationType(row.mitigation_type),
        sector=row.sector,
        activity_type=row.activity_type,
        mitigation_activity=row.mitigation_activity,
        gwp_values=row.gwp_values,
        non_ghg_metric=row.non_ghg_metric,
        non_ghg_per_unit=row.non_ghg_per_unit,
        underlying_registry=row.underlying_registry,
        authorization_id=row.authorization_id,
        authorization_version=row.authorization_version,
    )
    return UnitBlock(
        id=row.id,
        first=row.serial_first,
        last=row.serial_last,
        attributes=attributes,
        state=UnitState(row.state),
        account_id=row.account_id,
        first_transferred=row.first_transferred,
        underlying_first=row.underlying_first,
        reserved_by=row.reserved_by,
    )


def block_values(block: UnitBlock) -> dict[str, Any]:
    a = block.attributes
    return {
        "registry_id": a.registry,
        "serial_first": block.first,
        "serial_last": block.last,
        "cooperative_approach_id": a.cooperative_approach,
        "first_transferring_party": a.first_transferring_party,
        "vintage": a.vintage,
        "metric": a.metric.value,
        "gwp_values": a.gwp_values,
        "non_ghg_metric": a.non_ghg_metric,
        "non_ghg_per_unit": a.non_ghg_per_unit,
        "mitigation_type": a.mitigation_type.value,
        "sector": a.sector,
        "activity_type": a.activity_type,
        "mitigation_activity": a.mitigation_activity,
        "underlying_registry": a.underlying_registry,
        "underlying_first": block.underlying_first,
        "authorization_id": a.authorization_id,
        "authorization_version": a.authorization_version,
        "state": block.state.value,
        "first_transferred": block.first_transferred,
        "account_id": block.account_id,
        "reserved_by": block.reserved_by,
    }
