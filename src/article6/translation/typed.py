"""Whole numbers as people type them in their language's way: 8,000 in English, 8 000 in
French (a space, a no-break or a narrow no-break space), 8.000 or 8 000 in Spanish.

Only whole numbers are read, and only when their grouping is unambiguous: a decimal sign (the
language's, or a comma where the dot groups) or groups not of three digits leave the text
unread, so the form refuses it (C1005, naming the field) rather than guess 8 for "8,000" in
Spanish. The API takes JSON integers and never passes through here.
"""

from __future__ import annotations

import re
from functools import cache

from babel.numbers import get_decimal_symbol, get_group_symbol

SPACES = " \u00a0\u202f\u2009'’_"
"""Grouping every language reads: spaces of any width, apostrophes (Swiss), underscores."""
EXTRA_GROUPING = {"fr": "."}
"""Grouping a language's writers also use though Babel's data does not name it: 8.000 in French
(the dot is never the decimal sign there)."""


@cache
def _signs(code: str) -> tuple[str, str]:
    """The group signs and the decimal sign of `code` (English: "," and ".")."""
    group = get_group_symbol(code) + EXTRA_GROUPING.get(code, "")
    decimal = get_decimal_symbol(code)
    return SPACES + "".join(g for g in group if g != decimal), decimal


def whole_number(text: str, code: str) -> str | None:
    """The digits of `text` read as a whole number written the `code` way ("8 000" → "8000"),
    with its sign; None when it is not one, or not unambiguously one."""
    typed = text.strip()
    if re.fullmatch(r"[+-]?\d+", typed):
        return typed
    groups, decimal = _signs(code)
    sign = typed[:1] if typed[:1] in "+-" else ""
    body = typed[len(sign) :]
    if decimal in body or ("," in body and "," not in groups):
        return None  # a fraction, or a comma that would be one
    parts = re.split("[" + re.escape(groups) + "]", body)
    if not parts[0].isdigit() or len(parts[0]) > 3:
        return None
    if any(len(part) != 3 or not part.isdigit() for part in parts[1:]):
        return None
    return sign + "".join(parts)
