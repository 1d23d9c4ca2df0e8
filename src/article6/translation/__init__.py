"""The registry in its users' languages: gettext catalogs read with Babel, one language per
request or e-mail.

Words are marked where they are written (`_()` and `{% trans %}` in templates, `words()` in
Python, see `article6.domain.wording`) and said in the reader's language only at the door: a
page, an API problem document, an e-mail. Files meant for machines (the AEF, CSV, JSON, the
API's fields and codes) never pass through here and stay locale-independent.

`speaking(code)` sets the language for the code it wraps; `said()` and `gettext()` read it.
The catalogs live in `locale/<code>/LC_MESSAGES/messages.po`, compiled to `.mo` beside them
(`make translations`).
"""

from __future__ import annotations

import gettext as gnu_gettext
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.support import Translations

from article6.domain.wording import MINUS, Number, Words

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switch shows it
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English"),
    "fr": Language("fr", "Français"),
    "es": Language("es", "Español"),
    "ar": Language("ar", "العربية", "rtl"),
}
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("article6_language", default=DEFAULT)


def current() -> str:
    """The language being spoken: a code of `LANGUAGES`."""
    return _current.get()


def language() -> Language:
    return LANGUAGES[_current.get()]


def speaking_code(code: str | None) -> str:
    """The language `speaking(code)` would speak."""
    return code if code in LANGUAGES else DEFAULT


@contextmanager
def speaking(code: str | None) -> Iterator[Language]:
    """Say everything inside in `code` (English when it is not one of ours)."""
    token = _current.set(speaking_code(code))
    try:
        yield LANGUAGES[_current.get()]
    finally:
        _current.reset(token)


@cache
def catalog(code: str) -> gnu_gettext.NullTranslations:
    if code == DEFAULT:
        return gnu_gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [code], DOMAIN)


def gettext(message: str) -> str:
    return catalog(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(_current.get()).ngettext(singular, plural, n)


def grouped(value: int) -> str:
    """A whole number with its digits grouped the way the current language writes them:
    50,000 in English, 50 000 in French, 50.000 in Spanish."""
    if current() == DEFAULT:
        return f"{value:,}"
    return format_decimal(value, locale=current())


def decimal(value: Decimal) -> str:
    """A quantity that may have decimals (a non-GHG metric) as the current language writes it:
    1,234.5 in English, 1 234,5 in French, 1.234,5 in Spanish; a true minus sign."""
    if current() == DEFAULT:
        return format(Number(value), ",")
    said = format_decimal(abs(value), locale=current(), decimal_quantization=False)
    return (MINUS if value < 0 else "") + said


def day(value: date) -> str:
    """A day as the current language writes it: ISO in English (2025-04-01, what auditors
    compare), the language's own long form in the others (1 avril 2025, 1 de abril de 2025)."""
    if current() == DEFAULT:
        return value.isoformat()
    return format_date(value, "long", locale=current())


ISO_DAY = "%Y-%m-%d"
TIMES = {" %H:%M": "short", " %H:%M:%S": "medium"}
"""The time written after an ISO day in a sentence's field, as the language's time format."""


def _moment(value: date, spec: str) -> str:
    """A day, or a day and its time in UTC, the way the current language writes them (3 déc.
    2026, 14:05); a spec this does not know as Python writes it."""
    time = spec.removeprefix(ISO_DAY)
    if not time:
        return day(value)
    if time not in TIMES or not isinstance(value, datetime):
        return format(value, spec)
    written = Locale.parse(current())
    the_day = format_date(value.astimezone(UTC), "medium", locale=written)
    the_time = format_time(value, TIMES[time], tzinfo=UTC, locale=written)
    return str(written.datetime_formats["medium"]).format(the_time, the_day)


class _Filling(string.Formatter):
    """Fills a template's fields, grouping a number's digits (`{quantity:,}`) the way the
    current language does: 50,000 in English, 50 000 in French, 50.000 in Spanish; a day
    (a `date` in a sentence, ISO in English) the way it writes days."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec and isinstance(value, date) and not isinstance(value, datetime):
            return day(value)
        if format_spec.startswith(ISO_DAY) and isinstance(value, date) and current() != DEFAULT:
            return _moment(value, format_spec)
        if format_spec == "," and isinstance(value, int) and not isinstance(value, bool):
            return grouped(value)
        if format_spec == "," and isinstance(value, Decimal):
            return decimal(value)
        return str(super().format_field(value, format_spec))


_FILLING = _Filling()


def said(text: Any) -> str:
    """`text` in the current language: a `Words` is translated from its template and filled
    with its parameters (themselves said); a plain string is looked up as it stands and comes
    back unchanged when the catalog does not have it (a name, a code, a user's own words)."""
    if text is None:
        return ""
    if isinstance(text, Words):
        template = gettext(text.template)
        if not text.params:
            return template
        params = {k: said(v) if isinstance(v, Words) else v for k, v in text.params.items()}
        try:
            return _FILLING.vformat(template, (), params)
        except (KeyError, IndexError, ValueError):
            # A catalog entry that lost a field: say it in English rather than fail the page.
            return _FILLING.vformat(text.template, (), params)
    if isinstance(text, str):
        return gettext(text) if text else text
    return str(text)


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an `Accept-Language` header (RFC 9110 12.5.4)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if quality > 0 and (primary in LANGUAGES or primary == "*"):
            ranked.append((-quality, position, DEFAULT if primary == "*" else primary))
    return min(ranked)[2] if ranked else DEFAULT
