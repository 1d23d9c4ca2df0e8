"""Words for people, marked for translation, that stay plain English strings for everyone else.

The domain decides what to say, not in which language: a refusal's detail or a label is a
`Words`, a `str` holding the English sentence (logs, the CLI, the journal and tests read it as
before) that also keeps its template and parameters, so a door can say it again in the reader's
language (`article6.translation`). `words(...)` is the marker `pybabel extract` looks for.
"""

from __future__ import annotations

from typing import Any


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
