"""The transaction search as the page's address carries it: the fields as typed (so the form,
the "older" link and the export links repeat them, and a bookmark or the back button gives the
same list), and the `TransactionFilter` they make, or the refusals naming each bad field.

Dates are days: `since` from the start of its day, `until` to the end of its day (UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.filters import TransactionFilter
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.domain.wording import Words, words
from article6.http.parameters import unit_serial

FIELDS = (
    "since",
    "until",
    "kind",
    "status",
    "account",
    "entity",
    "cooperative_approach",
    "vintage",
    "transaction",
    "serial",
    "first_transfer",
)
LONGEST = 80


@dataclass(frozen=True)
class TransactionSearch:
    """What the reader typed (only the fields given) and the filter it makes."""

    typed: dict[str, str]
    where: TransactionFilter
    refusals: list[Refusal] = field(default_factory=list)

    def query(self, **more: str | int) -> str:
        """The search as a query string, with `more` (a cursor, say) added."""
        return urlencode({**self.typed, **{k: str(v) for k, v in more.items()}})


def _day(text: str, name: str, refusals: list[Refusal]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        refusals.append(
            Refusal(Check.C1009, name, words("{text} is not a date (YYYY-MM-DD)", text=text))
        )
        return None


E = TypeVar("E", TransactionKind, TransactionStatus)


def _unknown(name: str, text: str) -> Words:
    if name == "kind":
        return words("{text} is not a kind the registry knows", text=text)
    return words("{text} is not a status the registry knows", text=text)


def _choice(kind: type[E], text: str, name: str, refusals: list[Refusal]) -> E | None:
    try:
        return kind(text)
    except ValueError:
        refusals.append(Refusal(Check.C1007, name, _unknown(name, text)))
        return None


def read_search(params: QueryParams) -> TransactionSearch:
    """The search the address asks for; every bad field is named with its check, and the
    filter then matches nothing rather than more."""
    typed = {
        name: params[name].strip()[:LONGEST]
        for name in FIELDS
        if params.get(name, "").strip() != ""
    }
    refusals: list[Refusal] = []
    since = until = None
    if "since" in typed and (day := _day(typed["since"], "since", refusals)):
        since = datetime.combine(day, time(), UTC)
    if "until" in typed and (day := _day(typed["until"], "until", refusals)):
        until = datetime.combine(day + timedelta(days=1), time(), UTC)
    if since is not None and until is not None and since >= until:
        refusals.append(Refusal(Check.C1009, "until", words("the last day is before the first")))
    kind = status = None
    if "kind" in typed:
        kind = _choice(TransactionKind, typed["kind"], "kind", refusals)
    if "status" in typed:
        status = _choice(TransactionStatus, typed["status"], "status", refusals)
    vintage = None
    if "vintage" in typed:
        if typed["vintage"].isdecimal() and 2000 <= int(typed["vintage"]) <= 2200:
            vintage = int(typed["vintage"])
        else:
            refusals.append(
                Refusal(Check.C1006, "vintage", words("a vintage is a year, e.g. 2026"))
            )
    registry = serial = None
    if "serial" in typed:
        try:
            registry, serial = unit_serial(typed["serial"])
        except CommandRefused as refused:
            refusals += refused.refusals
    where = TransactionFilter(
        status=status,
        kind=kind,
        account=typed.get("account"),
        cooperative_approach=typed.get("cooperative_approach"),
        vintage=vintage,
        since=since,
        until=until,
        first_transfer=True if typed.get("first_transfer") == "true" else None,
        entity=typed.get("entity"),
        identifier=typed.get("transaction"),
        registry=registry,
        serial=serial,
    )
    return TransactionSearch(typed, where, refusals)
