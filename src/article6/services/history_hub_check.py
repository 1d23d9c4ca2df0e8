"""The history import asks the hub whether any unit it would record is held or issued in
another registry (C7012; docs/history-import.md): a unit must not be both held here and
elsewhere, and only the hub knows what the other registries hold.

The question is the protocol's (`interop.unit_locations`, which checks the answer: C6119,
C6120); a service never imports `interop`, so the import is given the asking as a callable.
Without a hub to ask, a dry run warns, and a real import is refused unless the secretariat
chose explicitly to record without the check; that choice is journaled with the import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from article6.domain.checks import Check, Refusal
from article6.domain.messages import LOCATION_QUERY_RANGES, AskedRange
from article6.domain.unit_locations import HubWord
from article6.domain.wording import Sentence, Words, words
from article6.reports.history_checks import ImportedYear, held_at_end

AskHub = Callable[[list[AskedRange]], HubWord]
"""Asks the hub about ranges; `HubWord(None, reason)` when it could not, refuses (C6119,
C6120) an answer it cannot believe."""


class HubCheckView(BaseModel):
    """What the import says of the hub: whether it was asked, and what came of it."""

    asked: bool
    warning: bool
    said: Sentence


@dataclass(frozen=True)
class HubCheck:
    """The hub's part of an import: what to show, what to journal, and the refusals."""

    view: HubCheckView
    journaled: dict[str, Any]
    refusals: list[Refusal] = field(default_factory=list)
    """C7012 for units held elsewhere: refused in a dry run as in an import."""
    unasked: list[Refusal] = field(default_factory=list)
    """C7012 for a hub that could not be asked: a dry run warns, an import is refused."""


def _checked_view(asked: bool, warning: bool, said: Words) -> HubCheckView:
    return HubCheckView(asked=asked, warning=warning, said=said)


def consult_hub(
    years: list[ImportedYear], ask_hub: AskHub | None, without_hub_check: bool
) -> HubCheck:
    """Ask the hub about every range held at the end of the history (in questions of at most
    `LOCATION_QUERY_RANGES` ranges) and judge its answers."""
    ends = held_at_end(years)
    if not ends:
        said = words("no units are held at the end of the history: the hub has nothing to check")
        return HubCheck(_checked_view(False, False, said), {"asked": False, "reason": said})
    if without_hub_check:
        said = words(
            "the hub was not asked whether the units are held in another registry: the "
            "secretariat chose to import without the hub's check"
        )
        return HubCheck(
            _checked_view(False, True, said),
            {"asked": False, "without_hub_check": True, "reason": said},
        )
    word = HubWord(None, words("no hub is configured for this registry"))
    answers = []
    if ask_hub is not None:
        ranges = [
            AskedRange(originating_registry=units.registry, first=units.first, last=units.last)
            for _, _, units in ends
        ]
        for start in range(0, len(ranges), LOCATION_QUERY_RANGES):
            word = ask_hub(ranges[start : start + LOCATION_QUERY_RANGES])
            if word.answer is None:
                break
            answers.append(word.answer)
    if word.answer is None:
        reason = word.reason or words("the hub did not answer")
        said = words(
            "the hub could not be asked whether the units are held in another registry "
            "({reason}); the import is refused unless the secretariat imports without the "
            "hub's check",
            reason=reason,
        )
        return HubCheck(
            _checked_view(False, True, said),
            {"asked": False, "reason": said},
            unasked=[Refusal(Check.C7012, "hub", said)],
        )
    located = [r for answer in answers for r in answer.ranges]
    refused: list[Refusal] = []
    for (one, row, units), answer in zip(ends, located, strict=True):
        for part in answer.elsewhere:
            refused.append(
                Refusal(
                    Check.C7012,
                    one.file.where(row.sheet, row.number),
                    words(
                        "{units}: serials {first}-{last} are {state} in {registry}, as the hub "
                        "knows them",
                        units=units,
                        first=part.first,
                        last=part.last,
                        state=part.state,
                        registry=part.registry,
                    ),
                )
            )
    said = words(
        "the hub was asked about {count} ranges: none is held or issued in another registry",
        count=len(ends),
    )
    journaled = {
        "asked": True,
        "query_ids": [a.query_id for a in answers],
        "answered_at": [a.answered_at.isoformat() for a in answers],
        "ranges": len(ends),
    }
    return HubCheck(_checked_view(True, False, said), journaled, refusals=refused)
