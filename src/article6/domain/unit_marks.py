"""Marks on unit ranges: the consequence of an inconsistency the secretariat found.

When the CARP's consistency checks (RULES.md 11.3), a notice from the hub or a file name unit
ranges as inconsistent, the secretariat marks them; marked units are not transferred, used,
cancelled or first transferred until the mark is lifted (C2010). A mark names the check that
caused it, so a refused transaction can say why. Marks are never deleted: lifting records who
lifted it, when and why, and the units' history keeps both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from article6.domain.blocks import MAX_BLOCKS_PER_TRANSACTION, Portion, UnitBlock
from article6.domain.checks import Check, Refusal
from article6.domain.identifiers import quoted
from article6.domain.protocol import MECHANISM_REGISTRY
from article6.domain.wording import words


def _numbered(prefix: str, last: int) -> list[str]:
    return [f"{prefix}{n:02d}" for n in range(1, last + 1)]


CONSISTENCY_CODES: frozenset[str] = frozenset(
    [
        *_numbered("II", 7),
        *_numbered("STC", 4),
        *_numbered("ISC", 4),
        "IRC01",
        "IPC01",
        *_numbered("IP", 4),
        *_numbered("DR", 4),
    ]
)
"""The CARP's consistency checks (RULES.md 11.3): a mark names one of them."""

ORIGINATING_REGISTRY = re.compile(rf"^(?:[A-Z]{{3}}[0-9]{{2}}|{MECHANISM_REGISTRY})\Z")
"""A Party's registry (Party code + 2 digits) or the Article 6.4 mechanism registry."""

LARGEST_SERIAL = 2**62
REASON_LENGTH = 2000

UNIT_MARK_NOTICE = "unit_mark"
"""The `notice_type` of a hub's Notice asking registries to mark units: its `text` is the
reason and each of its `blocks` is `<consistency check>:<originating registry>-<first>-<last>`,
e.g. `IPC01:XXA01-1000-1099`."""
NOTICE_RANGE = re.compile(r"^([A-Z]{2,3}[0-9]{2}):([A-Z0-9]{2,5})-([0-9]{1,19})-([0-9]{1,19})\Z")


class MarkSource(StrEnum):
    """Where the secretariat learnt of the inconsistency."""

    CHECK = "check"  # the registry's own consistency check
    HUB = "hub"  # a notice a hub operator signed
    FILE = "file"  # a list of ranges imported from a file


@dataclass(frozen=True)
class UnitMark:
    """Units `first`-`last` of originating registry `registry`, marked after check `code`."""

    id: int
    registry: str
    first: int
    last: int
    inconsistency_code: str
    reason: str
    source: MarkSource
    marked_by: str
    marked_at: datetime
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    lift_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def range_label(self) -> str:
        return f"{self.registry} {self.first}–{self.last}"

    def overlaps(self, registry: str, first: int, last: int) -> bool:
        return registry == self.registry and self.first <= last and first <= self.last


def check_mark(
    registry: str, first: int, last: int, code: str, reason: str, source: str
) -> list[Refusal]:
    """C2011 (and C1011 for the reason): what a new mark must name, every problem at once."""
    problems: list[Refusal] = []
    if not isinstance(code, str) or code not in CONSISTENCY_CODES:
        problems.append(
            Refusal(
                Check.C2011,
                "inconsistency_code",
                words("{code} is not a code of the CARP's consistency checks", code=quoted(code)),
            )
        )
    if not isinstance(registry, str) or not ORIGINATING_REGISTRY.match(registry):
        problems.append(
            Refusal(
                Check.C2011,
                "registry_id",
                words(
                    "{registry} is not an originating registry (e.g. XXA01 or A64)",
                    registry=quoted(registry),
                ),
            )
        )
    outside = [
        (field, value)
        for field, value in (("serial_first", first), ("serial_last", last))
        if not 1 <= value <= LARGEST_SERIAL
    ]
    for field, value in outside:
        problems.append(
            Refusal(
                Check.C2011,
                field,
                words(
                    "{value} is not a serial (1 to {largest_serial})",
                    value=value,
                    largest_serial=LARGEST_SERIAL,
                ),
            )
        )
    if not outside and first > last:
        problems.append(
            Refusal(
                Check.C2011,
                "serial_last",
                words("the range {first}–{last} ends before it starts", first=first, last=last),
            )
        )
    if source not in {s.value for s in MarkSource}:
        problems.append(
            Refusal(
                Check.C2011,
                "source",
                words("{source} is not one of check, hub or file", source=quoted(source)),
            )
        )
    if not reason.strip() or len(reason) > REASON_LENGTH:
        problems.append(
            Refusal(
                Check.C1011,
                "reason",
                words(
                    "a mark gives its reason (1 to {reason_length})", reason_length=REASON_LENGTH
                ),
            )
        )
    return problems


def notice_range(text: str) -> tuple[str, str, int, int] | None:
    """(code, registry, first, last) of one range of a hub's unit-mark notice, or None when it
    is not written `<code>:<registry>-<first>-<last>` (the code and range are checked after)."""
    found = NOTICE_RANGE.match(text) if isinstance(text, str) else None
    if found is None:
        return None
    code, registry, first, last = found.groups()
    return code, registry, int(first), int(last)


def check_lift(mark: UnitMark | None, mark_id: int, reason: str) -> list[Refusal]:
    """C2011: only a mark that exists and is in force is lifted; the lift gives its reason."""
    if mark is None:
        return [Refusal(Check.C2011, "mark", words("there is no mark {mark_id}", mark_id=mark_id))]
    problems: list[Refusal] = []
    if not mark.active:
        problems.append(
            Refusal(
                Check.C2011,
                "mark",
                words(
                    "mark {mark} was lifted already by {lifted_by} at "
                    "{lifted_at:%Y-%m-%d %H:%M} UTC",
                    mark=mark.id,
                    lifted_by=mark.lifted_by,
                    lifted_at=mark.lifted_at,
                ),
            )
        )
    if not reason.strip() or len(reason) > REASON_LENGTH:
        problems.append(
            Refusal(
                Check.C1011,
                "reason",
                words(
                    "a lift gives its reason (1 to {reason_length})", reason_length=REASON_LENGTH
                ),
            )
        )
    return problems


def refuse_marked(
    where: str, registry: str, first: int, last: int, marks: Iterable[UnitMark]
) -> Refusal | None:
    """C2010 for units `first`-`last` when a mark in force touches them; the refusal names the
    mark's consistency check and the marked part, so the person refused knows whom to ask."""
    for mark in marks:
        if mark.active and mark.overlaps(registry, first, last):
            low, high = max(first, mark.first), min(last, mark.last)
            return Refusal(
                Check.C2010,
                where,
                words(
                    "units {registry} {low}–{high} are marked after consistency check "
                    "{inconsistency_code} (mark {mark}); the secretariat must lift the mark "
                    "first",
                    registry=registry,
                    low=low,
                    high=high,
                    inconsistency_code=mark.inconsistency_code,
                    mark=mark.id,
                ),
            )
    return None


def unmarked_pieces(
    registry: str, first: int, last: int, marks: Sequence[UnitMark]
) -> list[tuple[int, int]]:
    """The parts of `first`-`last` no mark in force touches, in serial order."""
    covered = sorted(
        (max(m.first, first), min(m.last, last))
        for m in marks
        if m.active and m.overlaps(registry, first, last)
    )
    pieces: list[tuple[int, int]] = []
    start = first
    for low, high in covered:
        if low > start:
            pieces.append((start, low - 1))
        start = max(start, high + 1)
    if start <= last:
        pieces.append((start, last))
    return pieces


def unmarked_portions(
    blocks: Sequence[UnitBlock], marks: Sequence[UnitMark], wanted: int
) -> list[Portion] | None:
    """`wanted` units of these blocks that no mark in force touches, in as few portions as it
    can (the smallest unmarked piece that covers the rest, else the largest pieces whole), or
    None when there are too few (or too many portions would be needed)."""
    pool = [
        Portion(block, low, high)
        for block in blocks
        for low, high in unmarked_pieces(block.attributes.registry, block.first, block.last, marks)
    ]
    if sum(p.quantity for p in pool) < wanted:
        return None
    chosen: list[Portion] = []
    remaining = wanted
    while remaining > 0:
        covering = [p for p in pool if p.quantity >= remaining]
        if covering:
            piece = min(covering, key=lambda p: (p.quantity, p.block.attributes.registry, p.first))
            chosen.append(Portion(piece.block, piece.first, piece.first + remaining - 1))
            break
        piece = max(pool, key=lambda p: (p.quantity, -p.first))
        pool.remove(piece)
        chosen.append(piece)
        remaining -= piece.quantity
    if len(chosen) > MAX_BLOCKS_PER_TRANSACTION:
        return None
    return sorted(chosen, key=lambda p: (p.block.attributes.registry, p.first))
