"""Words for people, marked for translation, that stay plain English strings for everyone else.

The domain decides what to say, not in which language: a refusal's detail or a label is a
`Words`, a `str` holding the English sentence (logs, the CLI, the journal and tests read it as
before) that also keeps its template and parameters, so a door can say it again in the reader's
language (`article6.translation`). `words(...)` is the marker `pybabel extract` looks for.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import SkipValidation

Sentence = SkipValidation[str]
"""A view's field holding words for people: pydantic would turn a `Words` into a plain `str`
(its template lost, the page left to say it in English); skipped, it stays `Words`. The API
still sends it as its English string."""


MINUS = "\u2212"


class Number(Decimal):
    """A quantity in a sentence, written `{quantity:,}`: its digits grouped, no exponent, a true
    minus sign (121; 43,000; 25.5; −3,000). The English sentence is written so; a door says it
    the reader's way (43 000 in French, 43.000 in Spanish), so a quantity that may have
    decimals (a non-GHG metric) is never a `str` in a sentence."""

    def __format__(self, spec: str, context: Any = None, /) -> str:
        if spec != ",":
            return super().__format__(spec, context)
        magnitude = abs(self)
        whole = magnitude == magnitude.to_integral_value()
        text = f"{magnitude:,.0f}" if whole else f"{magnitude:,f}"
        return (MINUS if self < 0 else "") + text


class Words(str):
    """An English sentence built from a translatable template and its parameters."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Words:
        said = super().__new__(cls, template.format(**params) if params else template)
        said.template = template
        said.params = params
        return said

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Words:
    return Words(template, **params)


def words(template: str, **params: Any) -> Words:
    """A sentence for people: `template` with `{name}` fields, filled from `params`."""
    return Words(template, **params)


@cache
def _pattern(template: str) -> tuple[re.Pattern[str], dict[str, tuple[str, str | None]]]:
    """A template as a pattern matching what it wrote, and each field's spec and conversion."""
    parts = []
    fields: dict[str, tuple[str, str | None]] = {}
    for literal, field, spec, conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            if field in fields or not field.isidentifier():
                parts.append("(?!)")  # a field written twice or by position: never read back
                continue
            fields[field] = (spec or "", conversion)
            parts.append(f"(?P<{field}>.+?)")
    if not "".join(literal for literal, *_ in string.Formatter().parse(template)):
        parts = ["(?!)"]  # only fields: it would read any text, and itself again inside
    return re.compile("".join(parts), re.DOTALL), fields


def _value(text: str, spec: str, conversion: str | None, within: Iterable[Words]) -> Any:
    """A field's text as the value that wrote it: a number for `{x:,}`, the literal for
    `{x!r}`, else a sentence of `within` when it was one (read back in turn)."""
    if spec == ",":
        digits = text.replace(",", "").replace(MINUS, "-")
        try:
            return int(digits) if re.fullmatch(r"-?\d+", digits) else Number(digits)
        except ArithmeticError:
            return text
    if conversion == "r":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
    return reread(text, within)


def reread(text: str, templates: Iterable[Words]) -> str:
    """A sentence the registry wrote into its records in English (the journal, the API and
    the files keep it so), read back as the `Words` of the first of `templates` that writes it
    again exactly, its fields read back in turn (a sentence of `templates` inside another), so
    a page can say it in the reader's language; any other text as it is."""
    listed = templates if isinstance(templates, tuple | list) else tuple(templates)
    for template in listed:
        pattern, fields = _pattern(template.template)
        found = pattern.fullmatch(text)
        if found is None:
            continue
        params = {name: _value(found[name], *fields[name], listed) for name in fields}
        try:
            again = Words(template.template, **params)
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        if again == text:
            return again
    return text
