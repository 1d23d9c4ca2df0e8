"""Request parameters the API and the web pages read alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.identifiers import parse_unit_query
from article6.domain.wording import words

ReportedYear = Annotated[int, Path(ge=2021, le=2100, description="The reported year")]
Version = Annotated[str | None, Query(pattern=r"^[1-9][0-9]*\.[0-9]+$", max_length=12)]

LARGEST_SERIAL = 2**62


def unit_serial(text: str) -> tuple[str | None, int]:
    """A unit named by serial (`85001`), with its registry (`XXA01-85001`) or by its full
    identifier, as a search field: (registry or None, serial), else C1005 on `serial`."""
    try:
        registry, serial = parse_unit_query(text)
    except CommandRefused:
        serial = LARGEST_SERIAL + 1
        registry = None
    if serial > LARGEST_SERIAL:
        raise refuse(
            Check.C1005,
            "serial",
            words(
                "a serial is a number (85001), with its registry (XXA01-85001), or a "
                "full unit identifier"
            ),
        )
    return registry, serial
