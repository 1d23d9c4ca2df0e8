"""Form fields to commands: what the user typed, kept as typed, and the refusals it earns.

A form that is refused comes back with every value as the user left it and each refusal next
to its field, so nothing is typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from article6 import translation
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.language import language_of
from article6.http.metrics import count_refusals
from article6.http.problems import check_for, own_checks, plain_words
from article6.services import commands as c
from article6.translation.typed import whole_number

M = TypeVar("M", bound=BaseModel)
NUMBER_SPACING = re.compile(r"[\s,_'’]")
UNREAD = "not a whole number"
"""What a typed number that cannot be read as a whole number becomes: the command refuses it."""


@dataclass
class Fields:
    """A submitted form: each name with its values, as typed."""

    values: dict[str, list[str]] = field(default_factory=dict)
    language: str = translation.DEFAULT  # the page's: how its numbers are typed

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, []) if v != ""]

    def text(self, name: str) -> str | None:
        value = self.get(name).strip()
        return value or None

    def number(self, name: str) -> str | None:
        """A whole number typed the page's language's way ("8,000"; "8 000"; "8.000"), as its
        digits; typed otherwise (a fraction, an ambiguous grouping), something the command
        refuses as not a whole number (C1005, naming the field) while the form keeps the text."""
        value = self.text(name)
        if value is None:
            return None
        return whole_number(value, self.language) or UNREAD

    def code(self, name: str) -> str | None:
        """A one-time code as typed, without the spaces people put in it; never read as a
        number: a code keeps its leading zeros, and digits of other scripts reach the sign-in's
        own check, which refuses them as any wrong code (no separate answer to learn from)."""
        value = self.text(name)
        return NUMBER_SPACING.sub("", value) if value is not None else None

    def kept(self) -> dict[str, Any]:
        """What the template shows back: one value, or the list for multi-valued fields."""
        return {k: (v if len(v) > 1 else v[0]) for k, v in self.values.items() if v and k != "step"}

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Any]], language: str = translation.DEFAULT) -> Fields:
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            if isinstance(value, str) and name not in ("csrf_token",):
                values.setdefault(name, []).append(value.replace("\x00", "")[:5000])
        return cls(values, language)


async def fields_of(request: Request) -> Fields:
    language = language_of(request)
    if request.method == "GET":
        return Fields.of(request.query_params.multi_items(), language)
    return Fields.of((await request.form()).multi_items(), language)


def refusals_of(error: ValidationError, model: type[BaseModel] | None = None) -> list[Refusal]:
    """Pydantic's complaints as the registry's numbered checks (as the API reports them)."""
    own = own_checks(model)
    found = []
    for error_item in error.errors()[:20]:
        item: dict[str, Any] = dict(error_item)
        if item.get("input") is None and str(item.get("type", "")).endswith("_type"):
            item["type"] = "missing"  # a field left empty is missing, not of the wrong type
        location: tuple[Any, ...] = tuple(item.get("loc", ()))
        where = ".".join(str(p) for p in location) or "form"
        check = check_for(location, str(item.get("type", "")), own)
        found.append(Refusal(check, where, plain_words(item)))
    return found or [Refusal(Check.C1013, "form", words("the form could not be read"))]


def build(model: type[M], data: dict[str, Any]) -> M:
    """The command, or CommandRefused naming each field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise CommandRefused(refusals_of(error, model)) from None


def _range(text: str, registry: str) -> c.SerialRange:
    """`1000-1999`, a single serial, or a block identifier `CA0001-XXA01-XXA-1000-1999-2024`."""
    parts = text.split("-")
    if len(parts) == 6:
        registry, first, last = parts[1], parts[3], parts[4]
    elif len(parts) == 2:
        first, last = parts
    elif len(parts) == 1:
        first = last = parts[0]
    else:
        raise ValueError(text)
    return c.SerialRange(registry=registry, first=int(first), last=int(last))


def unit_selection(fields: Fields, registry: str) -> dict[str, Any]:
    """Which units: a quantity, serial ranges (one per line), or both, which must then agree
    (C1005); optionally only one vintage or one authorization."""
    ranges_text = fields.get("ranges").strip()
    ranges = None
    if ranges_text:
        try:
            ranges = [
                _range(NUMBER_SPACING.sub("", line), registry).model_dump()
                for line in re.split(r"[\n;]+", ranges_text)
                if line.strip()
            ]
        except ValueError:
            raise CommandRefused(
                [
                    Refusal(
                        Check.C1005,
                        "units.ranges",
                        words(
                            "write one range per line as first-last (e.g. 1000001-1005000) "
                            "or paste a block identifier"
                        ),
                    )
                ]
            ) from None
    return {
        "quantity": fields.number("quantity"),
        "ranges": ranges,
        "vintage": fields.number("vintage_filter"),
        "authorization_id": fields.text("authorization_filter"),
    }


def errors_by_field(refusals: list[Refusal]) -> dict[str, list[Refusal]]:
    """Refusals under the form field they concern (`units.ranges.0.first` is `ranges`). Every
    refused form is shown through here, so the refusals are counted here for the metrics."""
    count_refusals(refusals)
    selection = {"vintage": "vintage_filter", "authorization_id": "authorization_filter"}
    found: dict[str, list[Refusal]] = {}
    for refusal in refusals:
        parts = refusal.field.replace("[", ".").split(".")
        name = parts[0]
        if name == "units":
            inner = parts[1] if len(parts) > 1 else "quantity"
            name = selection.get(inner, inner)
        found.setdefault(name, []).append(refusal)
    return found
