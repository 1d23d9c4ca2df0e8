"""Words for people, marked for translation, that stay plain English strings for everyone else.

The domain decides what to say, not in which language: a refusal's detail or a label is a
`Words`, a `str` holding the English sentence (logs, the CLI, the journal and tests read it as
before) that also keeps its template and parameters, so a door can say it again in the reader's
language (`article6.translation`). `words(...)` is the marker `pybabel extract` looks for.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import SkipValidation

Sentence = SkipValidation[str]
"""A view's field holding words for people: pydantic would turn a `Words` into a plain `str`
(its template lost, the page left to say it in English); skipped, it stays `Words`. The API
still sends it as its English string."""


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
def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


def reread(text: str, templates: Iterable[Words]) -> str:
    """A sentence the registry wrote into its records in English (the journal, the API and
    the files keep it so), read back as the `Words` of the first of `templates` it was made
    from, so a page can say it in the reader's language; any other text as it is."""
    for template in templates:
        found = _pattern(template.template).fullmatch(text)
        if found is not None:
            return Words(template.template, **found.groupdict())
    return text
