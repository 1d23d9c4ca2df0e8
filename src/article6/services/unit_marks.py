"""Marking unit ranges named in an inconsistency, and lifting the marks: the secretariat's
commands, each one transaction with one journal entry per mark, and the reads that show marks
(the list, a unit's history, an account's blocks).

Only the secretariat marks and lifts (C4002 for every other role): a mark stops a Party's units,
so no Party marks or frees its own. Readers: the secretariat and a registry-wide auditor see
every mark; a Party's users and auditors the marks touching units held in the Party's accounts;
an entity's representative those touching its own accounts' units.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.identifiers import quoted
from article6.domain.protocol import MECHANISM_REGISTRY
from article6.domain.unit_marks import (
    MarkSource,
    UnitMark,
    check_lift,
    check_mark,
    notice_range,
)
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.commands import Command, Serial, Whole
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import UtcDateTime
from article6.store import unit_marks as store
from article6.store.database import unit_of_work
from article6.store.unit_marks import MarkScope

MOST_MARKS_AT_ONCE = 1000
PAGE_LIMIT = 500
_C2011 = Check.C2011


class MarkUnits(Command):
    """Mark units `serial_first`-`serial_last` of originating registry `registry_id` after
    consistency check `inconsistency_code`."""

    checks_by_field: ClassVar[dict[str, Check]] = {
        "registry_id": _C2011,
        "serial_first": _C2011,
        "serial_last": _C2011,
        "inconsistency_code": _C2011,
        "source": _C2011,
        "marks": _C2011,
    }

    registry_id: str = Field(max_length=5, examples=["XXA01", "A64"])
    serial_first: Serial
    serial_last: Serial
    inconsistency_code: str = Field(max_length=8, examples=["IPC01", "DR03"])
    reason: str = Field(max_length=2000)
    source: MarkSource = MarkSource.CHECK


class MarkUnitRanges(Command):
    """Several ranges at once, as a file lists them: all are marked, or none."""

    checks_by_field: ClassVar[dict[str, Check]] = {"marks": _C2011}

    marks: list[MarkUnits] = Field(min_length=1, max_length=MOST_MARKS_AT_ONCE)


class LiftMark(Command):
    checks_by_field: ClassVar[dict[str, Check]] = {"mark": _C2011}

    mark: Whole = Field(ge=1)
    reason: str = Field(max_length=2000)


class UnitMarkView(BaseModel):
    id: int
    registry_id: str
    serial_first: int
    serial_last: int
    quantity: int
    inconsistency_code: str
    reason: str
    source: str
    marked_by: str
    marked_at: UtcDateTime
    active: bool
    lifted_by: str | None
    lifted_at: UtcDateTime | None
    lift_reason: str | None


class MarksRecorded(BaseModel):
    marks: list[UnitMarkView]


def mark_view(mark: UnitMark) -> UnitMarkView:
    return UnitMarkView(
        id=mark.id,
        registry_id=mark.registry,
        serial_first=mark.first,
        serial_last=mark.last,
        quantity=mark.last - mark.first + 1,
        inconsistency_code=mark.inconsistency_code,
        reason=mark.reason,
        source=mark.source.value,
        marked_by=mark.marked_by,
        marked_at=mark.marked_at,
        active=mark.active,
        lifted_by=mark.lifted_by,
        lifted_at=mark.lifted_at,
        lift_reason=mark.lift_reason,
    )


def _party_of(registry_id: str) -> str | None:
    """The Party whose section's journal shows the mark: the originating registry's."""
    return None if registry_id == MECHANISM_REGISTRY else registry_id[:3]


def _record(
    connection: Connection, registry: Registry, actor: Actor, marks: list[MarkUnits]
) -> list[UnitMarkView]:
    """Check every range first (each refusal names its line when there are several), then
    write them all: after the checks nothing can be refused."""
    allow(actor, Permission.REGISTRY_SETUP, None)
    problems: list[Refusal] = []
    for line, command in enumerate(marks, start=1):
        found = check_mark(
            command.registry_id,
            command.serial_first,
            command.serial_last,
            command.inconsistency_code,
            command.reason,
            command.source.value,
        )
        prefix = f"marks.{line}." if len(marks) > 1 else ""
        problems.extend(Refusal(r.check, prefix + r.field, r.detail) for r in found)
    if problems:
        raise CommandRefused(problems[:20])
    recorded = []
    for command in marks:
        mark = store.insert_mark(
            connection,
            command.registry_id,
            command.serial_first,
            command.serial_last,
            command.inconsistency_code,
            command.reason.strip(),
            command.source,
            actor.name,
            registry.now(),
        )
        log(
            connection,
            registry,
            actor,
            "UnitsMarked",
            _party_of(mark.registry),
            f"mark:{mark.id}",
            {
                "mark": mark.id,
                "registry": mark.registry,
                "first": mark.first,
                "last": mark.last,
                "inconsistency_code": mark.inconsistency_code,
                "reason": mark.reason,
                "source": mark.source.value,
            },
        )
        recorded.append(mark_view(mark))
    return recorded


def mark_units(
    registry: Registry, actor: Actor, command: MarkUnits, idempotency_key: str | None = None
) -> UnitMarkView:
    """The secretariat marks one range: from then on its units do not move (C2010)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UnitMarkView:
        return _record(connection, registry, actor, [command])[0]

    return execute(registry, actor, command, handle, UnitMarkView, idempotency_key)


def mark_unit_ranges(
    registry: Registry, actor: Actor, command: MarkUnitRanges, idempotency_key: str | None = None
) -> MarksRecorded:
    """The secretariat marks every range of a list (a file, a hub's notice): all or none."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> MarksRecorded:
        return MarksRecorded(marks=_record(connection, registry, actor, list(command.marks)))

    return execute(registry, actor, command, handle, MarksRecorded, idempotency_key)


def record_hub_notice(
    connection: Connection, registry: Registry, hub: Actor, ranges: list[str], reason: str
) -> list[UnitMarkView]:
    """Mark the ranges of a hub's unit-mark notice (`domain.unit_marks.UNIT_MARK_NOTICE`), in
    the transaction that receives it: every range is marked, with source `hub`, or the notice is
    refused whole (C2011 naming the range), and the hub's acknowledgement says why."""
    commands, problems = [], []
    for index, text in enumerate(ranges):
        parsed = notice_range(text)
        if parsed is None:
            problems.append(
                Refusal(
                    _C2011,
                    f"blocks[{index}]",
                    words("{given} is not code:registry-first-last", given=quoted(text)),
                )
            )
            continue
        code, registry_id, first, last = parsed
        # Not validated here: `_record` checks every field and names it with the check.
        commands.append(
            MarkUnits.model_construct(
                registry_id=registry_id,
                serial_first=first,
                serial_last=last,
                inconsistency_code=code,
                reason=reason[:2000],
                source=MarkSource.HUB,
            )
        )
    if not commands and not problems:
        problems.append(
            Refusal(_C2011, "blocks", words("a unit-mark notice names at least one range"))
        )
    if problems:
        raise CommandRefused(problems[:20])
    return _record(connection, registry, hub, commands)


def lift_mark(
    registry: Registry, actor: Actor, command: LiftMark, idempotency_key: str | None = None
) -> UnitMarkView:
    """The secretariat lifts a mark, saying why: its units move again (unless another mark
    still touches them). The mark stays on record, lifted."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UnitMarkView:
        allow(actor, Permission.REGISTRY_SETUP, None)
        mark = store.mark(connection, command.mark, lock=True)
        problems = check_lift(mark, command.mark, command.reason)
        if problems or mark is None:
            raise CommandRefused(problems)
        now = registry.now()
        reason = command.reason.strip()
        store.lift(connection, mark.id, actor.name, now, reason)
        log(
            connection,
            registry,
            actor,
            "UnitMarkLifted",
            _party_of(mark.registry),
            f"mark:{mark.id}",
            {"mark": mark.id, "reason": reason},
        )
        return mark_view(replace(mark, lifted_by=actor.name, lifted_at=now, lift_reason=reason))

    return execute(registry, actor, command, handle, UnitMarkView, idempotency_key)


def _scope(actor: Actor) -> MarkScope:
    allow(actor, Permission.READ, actor.party)
    if actor.registry_wide or actor.party is None:
        return None
    return (actor.party, actor.entity)


def list_marks(
    registry: Registry,
    actor: Actor,
    after_id: int = 0,
    limit: int = 100,
    active: bool | None = None,
) -> list[UnitMarkView]:
    """Marks by id (keyset pages): all for the secretariat and a registry-wide auditor, those
    touching the reader's holdings for a Party section or an entity."""
    scope = _scope(actor)
    limit = max(1, min(limit, PAGE_LIMIT))
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [mark_view(m) for m in store.listing(connection, scope, after_id, limit, active)]
