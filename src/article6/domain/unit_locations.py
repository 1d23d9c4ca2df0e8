"""Where units are, as the hub says (protocol 1.3): the rules an answer must meet to be
believed. The hub is trusted to know, not to answer something else: an answer about ranges
not asked, or leaving out one that was, would let a wrong "nothing elsewhere" through (C6119).
"""

from __future__ import annotations

from dataclasses import dataclass

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.messages import UnitLocationAnswer, UnitLocationQuery
from article6.domain.wording import Words, words


@dataclass(frozen=True)
class HubWord:
    """What came of asking the hub: its answer, checked, or (none) why it could not be asked."""

    answer: UnitLocationAnswer | None
    reason: Words | None = None


def answer_refusals(
    query: UnitLocationQuery, answer: UnitLocationAnswer, asker: str
) -> list[Refusal]:
    """C6119 for each way `answer` is not the answer to `query`, asked by `asker`."""
    refused: list[Refusal] = []
    if answer.query_id != query.query_id:
        refused.append(
            Refusal(
                Check.C6119,
                "query_id",
                words(
                    "answers {answered}, not the question {query_id}",
                    answered=answer.query_id,
                    query_id=query.query_id,
                ),
            )
        )
    if answer.addressee != asker:
        refused.append(
            Refusal(
                Check.C6119,
                "addressee",
                words("addressed to {addressee}", addressee=answer.addressee),
            )
        )
    asked = [(r.originating_registry, r.first, r.last) for r in query.ranges]
    answered = [(r.originating_registry, r.first, r.last) for r in answer.ranges]
    if answered != asked:
        extra = [a for a in answered if a not in asked]
        missing = [a for a in asked if a not in answered]
        refused.append(
            Refusal(
                Check.C6119,
                "ranges",
                words(
                    "the answer's ranges are not the ranges asked, in order (not asked: "
                    "{extra}; not answered: {missing})",
                    extra=", ".join(_label(*r) for r in extra[:5]) or "-",
                    missing=", ".join(_label(*r) for r in missing[:5]) or "-",
                ),
            )
        )
        return refused
    for located in answer.ranges:
        for part in located.elsewhere:
            if part.registry == asker or not (
                located.first <= part.first <= part.last <= located.last
            ):
                refused.append(
                    Refusal(
                        Check.C6119,
                        f"ranges:{_label(located.originating_registry, part.first, part.last)}",
                        words(
                            "said to be in {registry}: this registry, or serials outside the "
                            "range asked {originating_registry}-{first}-{last}",
                            registry=part.registry,
                            originating_registry=located.originating_registry,
                            first=located.first,
                            last=located.last,
                        ),
                    )
                )
    return refused


def check_answer(query: UnitLocationQuery, answer: UnitLocationAnswer, asker: str) -> None:
    refused = answer_refusals(query, answer, asker)
    if refused:
        raise CommandRefused(refused)


def _label(originating_registry: str, first: int, last: int) -> str:
    return f"{originating_registry}-{first}-{last}"
