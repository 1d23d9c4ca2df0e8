"""Pull and view of the Article 6.4 mechanism registry (seed para 49): the pure rules of a
query for authorized A6.4ERs and of the checks its answer must pass before it is shown.

A registry asks through the hub; the mechanism registry signs what it answers (`attested`), so
the hub carries it but cannot change it. The asking registry shows an answer as verified only
if the mechanism registry's signature holds (C6008, checked in `interop.mechanism`), it answers
this very request (C6009), it is fresh (C6113), it is no larger than allowed (C6114) and,
from 1.4, its history is the whole history of its serials (C6121, C6122; `pull_history`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from article6.domain.checks import Check, Refusal
from article6.domain.messages import AttestedHoldings, MechanismHoldingsQuery, QueryBy
from article6.domain.protocol import CLOCK_SKEW
from article6.domain.pull_history import history_refusals
from article6.domain.pull_pages import HISTORY_BOUND, cursor_serial, next_cursor
from article6.domain.wording import words

ANSWER_VALIDITY = timedelta(minutes=10)
"""An answer older than this when it arrives is stale (C6113)."""
FRESH_FOR = timedelta(minutes=5)
"""A verified answer shown later than this after it was fetched is labelled cached."""
MAX_ATTESTED_BYTES = 4 * 1024 * 1024
"""The canonical JSON of an attested answer at most (C6114)."""


def selector_refusals(query: MechanismHoldingsQuery) -> list[Refusal]:
    """What a query must name for what it selects by: an account, an ordered serial range, or
    an authorization."""
    if query.by is QueryBy.ACCOUNT and not query.account:
        return [Refusal(Check.C1011, "account", words("name the account at the 6.4 registry"))]
    if query.by is QueryBy.AUTHORIZATION and not query.authorization_id:
        return [Refusal(Check.C1004, "authorization_id", words("name the authorization"))]
    if query.by is QueryBy.SERIAL:
        if query.first is None or query.last is None:
            return [Refusal(Check.C1005, "first", words("give the first and last serial"))]
        if query.first > query.last:
            return [
                Refusal(
                    Check.C1005,
                    "last",
                    words("{last} is before {first}", last=query.last, first=query.first),
                )
            ]
    return []


def answer_refusals(
    attested: AttestedHoldings,
    asked: MechanismHoldingsQuery,
    requested_at: datetime,
    receiver: str,
    size: int,
    now: datetime,
) -> list[Refusal]:
    """The checks an answer whose signature holds must still pass, in order: it answers this
    request (C6009), it is fresh (C6113), it follows its cursor (C6009), it is no larger than
    allowed (C6114), and its history is the whole history of its serials (C6122, C6121)."""
    if attested.addressee != receiver:
        return [
            Refusal(
                Check.C6009,
                "attested.addressee",
                words(
                    "for {addressee}, not {receiver}",
                    addressee=attested.addressee,
                    receiver=receiver,
                ),
            )
        ]
    if attested.query != asked:
        differing = sorted(
            name
            for name in MechanismHoldingsQuery.model_fields
            if getattr(attested.query, name) != getattr(asked, name)
        )
        return [
            Refusal(
                Check.C6009,
                "attested.query",
                words(
                    "the query echoed differs from the one asked in {differing}",
                    differing=", ".join(differing),
                ),
            )
        ]
    answered = attested.answered_at
    if answered + CLOCK_SKEW < requested_at or answered > now + CLOCK_SKEW:
        return [
            Refusal(
                Check.C6113,
                "attested.answered_at",
                words(
                    "answered at {answered}, not between the request and now",
                    answered=answered.isoformat(),
                ),
            )
        ]
    if answered + ANSWER_VALIDITY < now:
        return [
            Refusal(
                Check.C6113,
                "attested.answered_at",
                words(
                    "answered at {answered}: older than {answer_validity}",
                    answered=answered.isoformat(),
                    answer_validity=ANSWER_VALIDITY,
                ),
            )
        ]
    after = cursor_serial(asked.cursor)
    early = [h for h in attested.holdings if after is not None and h.first <= after]
    ending = attested.holdings[-1].last if attested.holdings else None
    if early or (attested.next_cursor is not None and attested.next_cursor != next_cursor(ending)):
        return [
            Refusal(
                Check.C6009,
                "attested.next_cursor" if not early else "attested.holdings",
                words("the page does not follow its cursor {cursor}", cursor=asked.cursor or "-"),
            )
        ]
    blocks, actions = len(attested.holdings), len(attested.history)
    if blocks > asked.limit or actions > HISTORY_BOUND or size > MAX_ATTESTED_BYTES:
        return [
            Refusal(
                Check.C6114,
                "attested",
                words(
                    "{blocks} blocks, {actions} actions and {size} bytes; the query allows "
                    "{limit} blocks, the protocol {history_bound} actions and "
                    "{max_attested_bytes} bytes",
                    blocks=blocks,
                    actions=actions,
                    size=size,
                    limit=asked.limit,
                    history_bound=HISTORY_BOUND,
                    max_attested_bytes=MAX_ATTESTED_BYTES,
                ),
            )
        ]
    return history_refusals(attested, asked)


def is_cached(fetched_at: datetime, now: datetime) -> bool:
    """Whether a verified answer is shown from the registry's stored copy, not just fetched."""
    return fetched_at + FRESH_FOR < now
