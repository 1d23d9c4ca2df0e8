"""Whether a page of a pull carries the whole history of its serials (protocol 1.4).

A page's serials (its window) are the range it covers for a query by serial (from after its
cursor to its next cursor, or the query's last serial), and the ranges it holds otherwise. The
6.4 registry lists every action on them, oldest first; the asking registry cannot see its
ledger, but it can follow the actions: each serial starts outside the registry, an action
that brings units in (an issuance) places them in an account and state, each later action
takes them from where the one before left them, and the last leaves every range the page holds
in the account and state it is held in. An action left out, or listed out of order, breaks
that chain (C6121); an action on no serial of the page, or listed twice, is not the page's
(C6122, the way a page would repeat another page's actions).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from article6.domain.checks import Check, Refusal
from article6.domain.messages import A64ERAction, AttestedHoldings, MechanismHoldingsQuery
from article6.domain.pull_pages import page_window, touching
from article6.domain.wording import Words, words

COMPLETED = "completed"
"""Only a completed action moved its units; one proposed, refused or withdrawn did not."""

Place = tuple[str, str] | None
"""Where units are at the 6.4 registry: (account, state), or None: not (or no longer) there."""


def history_refusals(attested: AttestedHoldings, asked: MechanismHoldingsQuery) -> list[Refusal]:
    """C6122 for an action that is not the page's, then C6121 for a history that does not lead
    each held range to where it is held (not checked on a page saying its history was cut)."""
    window = page_window(asked, attested)
    meets = touching(window)
    listed: set[tuple[str, int, int]] = set()
    for index, action in enumerate(attested.history):
        key = (action.transaction_id, action.first, action.last)
        if key in listed:
            return _not_the_pages(
                index,
                words(
                    "{transaction} (serials {first}–{last}) is listed twice",
                    transaction=action.transaction_id,
                    first=action.first,
                    last=action.last,
                ),
            )
        listed.add(key)
        if not meets(action.first, action.last):
            return _not_the_pages(
                index,
                words(
                    "{transaction} moved serials {first}–{last}, none of this page's",
                    transaction=action.transaction_id,
                    first=action.first,
                    last=action.last,
                ),
            )
    if attested.history_truncated:
        return []
    return _chain_refusals(window, attested)


def _not_the_pages(index: int, why: Words) -> list[Refusal]:
    """C6122 at the history's `index`th action."""
    return [Refusal(Check.C6122, f"attested.history[{index}]", why)]


def _chain_refusals(window: Sequence[tuple[int, int]], attested: AttestedHoldings) -> list[Refusal]:
    spans: list[tuple[int, int, Place]] = [(first, last, None) for first, last in sorted(window)]
    for index, action in enumerate(attested.history):
        if action.status != COMPLETED:
            continue
        followed = _follow(spans, action)
        if isinstance(followed, Refusal):
            return [replace(followed, field=f"attested.history[{index}]")]
        spans = followed
    starts = [first for first, _last, _place in spans]
    for holding in attested.holdings:
        held = (holding.account, holding.state)
        at = max(bisect_right(starts, holding.first) - 1, 0)
        covered = holding.first
        for first, last, place in spans[at:]:
            if first > holding.last:
                break
            if last < holding.first:
                continue
            if place != held or first > covered:
                return [_not_held(holding.first, holding.last, place, held)]
            covered = last + 1
        if covered <= holding.last:
            return [_not_held(holding.first, holding.last, None, held)]
    return []


def _follow(
    spans: list[tuple[int, int, Place]], action: A64ERAction
) -> list[tuple[int, int, Place]] | Refusal:
    """The spans after `action`, or why it does not follow from where its units were."""
    starts = [first for first, _last, _place in spans]
    low = max(bisect_right(starts, action.first) - 1, 0)
    high = bisect_right(starts, action.last)
    after: Place = (
        (action.destination_account, action.to_state) if action.destination_account else None
    )
    middle: list[tuple[int, int, Place]] = []
    for first, last, place in spans[low:high]:
        if last < action.first or first > action.last:
            middle.append((first, last, place))
            continue
        if first < action.first:
            middle.append((first, action.first - 1, place))
        problem = _step(place, action, max(first, action.first), min(last, action.last))
        if problem is not None:
            return problem
        middle.append((max(first, action.first), min(last, action.last), after))
        if last > action.last:
            middle.append((action.last + 1, last, place))
    return spans[:low] + middle + spans[high:]


def _step(place: Place, action: A64ERAction, first: int, last: int) -> Refusal | None:
    if place is None and action.source_account is not None:
        detail = words(
            "{transaction} takes serials {first}–{last} from {source}, where no earlier action "
            "listed placed them",
            transaction=action.transaction_id,
            first=first,
            last=last,
            source=action.source_account,
        )
    elif place is not None and (
        action.source_account != place[0]
        or (action.from_state is not None and action.from_state != place[1])
    ):
        detail = words(
            "{transaction} takes serials {first}–{last} from {source} ({from_state}); the "
            "actions listed before it left them in {account} ({state})",
            transaction=action.transaction_id,
            first=first,
            last=last,
            source=action.source_account or "-",
            from_state=action.from_state or "-",
            account=place[0],
            state=place[1],
        )
    else:
        return None
    return Refusal(Check.C6121, "attested.history", detail)


def _not_held(first: int, last: int, place: Place, held: tuple[str, str]) -> Refusal:
    if place is None:
        detail = words(
            "no action listed brings serials {first}–{last} to {account} ({state}), where the "
            "page holds them",
            first=first,
            last=last,
            account=held[0],
            state=held[1],
        )
    else:
        detail = words(
            "the actions listed leave serials {first}–{last} in {found} ({found_state}); the page "
            "holds them in {account} ({state})",
            first=first,
            last=last,
            found=place[0],
            found_state=place[1],
            account=held[0],
            state=held[1],
        )
    return Refusal(Check.C6121, "attested.history", detail)
