"""Marks on unit ranges over HTTP: the secretariat marks the units an inconsistency names and
lifts the mark; readers list the marks they may see (`services.unit_marks` decides which)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from article6.api.routes_setup import IdempotencyKey
from article6.http.security import AnyRole, Registry_
from article6.services import unit_marks
from article6.services.commands import Command

router = APIRouter(prefix="/api/v1", tags=["unit marks"])
MarkPath = Annotated[int, Path(ge=1, le=2**62, description="The mark's number")]


class Lifting(Command):
    reason: str = Field(max_length=2000)


@router.post("/unit-marks", status_code=201)
def mark_units(
    command: unit_marks.MarkUnits, actor: AnyRole, registry: Registry_, key: IdempotencyKey = None
) -> unit_marks.UnitMarkView:
    """Mark units named in an inconsistency (the secretariat): they do not move until the mark
    is lifted (C2010)."""
    return unit_marks.mark_units(registry, actor, command, key)


@router.post("/unit-marks/{mark}/lift")
def lift_mark(
    mark: MarkPath,
    command: Lifting,
    actor: AnyRole,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> unit_marks.UnitMarkView:
    """Lift a mark in force, saying why (the secretariat)."""
    return unit_marks.lift_mark(
        registry, actor, unit_marks.LiftMark(mark=mark, reason=command.reason), key
    )


@router.get("/unit-marks")
def list_marks(
    actor: AnyRole,
    registry: Registry_,
    after: Annotated[int, Query(ge=0, le=2**62, description="The last id of the page before")] = 0,
    limit: Annotated[int, Query(ge=1, le=unit_marks.PAGE_LIMIT)] = 100,
    active: Annotated[bool | None, Query(description="Only marks in force, or only lifted")] = None,
) -> list[unit_marks.UnitMarkView]:
    """The marks, by number: every mark for the secretariat and a registry-wide auditor; for a
    Party's users those touching units its accounts hold (an entity's, its own)."""
    return unit_marks.list_marks(registry, actor, after, limit, active)
