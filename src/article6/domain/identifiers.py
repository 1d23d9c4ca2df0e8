"""Identifier formats (RULES.md 4.7) and the composite unit identifier (6/CMA.4 annex I para 5)."""

from __future__ import annotations

import re

from article6.domain.checks import Check, refuse
from article6.domain.protocol import MECHANISM_REGISTRY
from article6.domain.wording import words

# `\Z`, not `$`: `$` also matches before a trailing newline, which would let "XXA\n" through.
PARTY_CODE = re.compile(r"^[A-Z]{3}\Z")
COOPERATIVE_APPROACH_ID = re.compile(r"^CA[0-9]{4}\Z")
REGISTRY_ID = re.compile(r"^[A-Z]{3}[0-9]{2}\Z")
# An authorization ID is the Party's own reference, free text in real AEFs (`1006.4/2810`,
# `GUY 2024-CA1`, RULES.md 11.2): any printable characters, none of them a control character
# (C0, DEL, C1), no whitespace at either end, at most 64 (the column's width).
AUTHORIZATION_ID_LENGTH = 64
_CONTROL = r"\x00-\x1f\x7f-\x9f"
AUTHORIZATION_ID_PATTERN = (
    rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]{{0,{AUTHORIZATION_ID_LENGTH - 2}}}[^\s{_CONTROL}])?$"
)
AUTHORIZATION_ID = re.compile(AUTHORIZATION_ID_PATTERN.removesuffix("$") + r"\Z")

FIRST_VINTAGE = 2021


def quoted(value: object) -> str:
    """A value as a refusal quotes it to people: “ x”, control characters written visibly
    (“a\\nb”), never Python's repr."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return f"“{text}”"


def party_code(value: str, field: str = "party") -> str:
    if not isinstance(value, str) or not PARTY_CODE.match(value):
        raise refuse(
            Check.C1001,
            field,
            words("{value} is not a Party code of three capital letters", value=quoted(value)),
        )
    return value


def cooperative_approach_id(value: str, field: str = "cooperative_approach") -> str:
    if not isinstance(value, str) or not COOPERATIVE_APPROACH_ID.match(value):
        raise refuse(
            Check.C1002,
            field,
            words("{value} is not of the form CA followed by 4 digits", value=quoted(value)),
        )
    return value


def registry_id(value: str, party: str | None = None, field: str = "registry") -> str:
    if not isinstance(value, str) or not REGISTRY_ID.match(value):
        raise refuse(
            Check.C1003,
            field,
            words("{value} is not a Party code followed by 2 digits", value=quoted(value)),
        )
    if party is not None and value[:3] != party:
        raise refuse(
            Check.C1003,
            field,
            words("registry {value} does not belong to Party {party}", value=value, party=party),
        )
    return value


def authorization_id(value: str, field: str = "authorization_id") -> str:
    if not isinstance(value, str) or not AUTHORIZATION_ID.match(value):
        raise refuse(
            Check.C1004,
            field,
            words(
                "{value} must be 1-{authorization_id_length} printable characters, "
                "without control characters or whitespace at either end",
                value=quoted(value),
                authorization_id_length=AUTHORIZATION_ID_LENGTH,
            ),
        )
    return value


def vintage(value: int, current_year: int, field: str = "vintage") -> int:
    if not isinstance(value, int) or value < FIRST_VINTAGE or value > current_year:
        raise refuse(
            Check.C1006,
            field,
            words(
                "{value} is not a year from {first_vintage} to {current_year}",
                value=value,
                first_vintage=FIRST_VINTAGE,
                current_year=current_year,
            ),
        )
    return value


def unit_identifier(
    cooperative_approach: str,
    registry: str,
    first_transferring_party: str,
    serial: int,
    vintage_year: int,
) -> str:
    """The display form of one unit's identifier, built from the five para 5 elements."""
    return f"{cooperative_approach}-{registry}-{first_transferring_party}-{serial}-{vintage_year}"


def block_identifier(
    cooperative_approach: str,
    registry: str,
    first_transferring_party: str,
    first: int,
    last: int,
    vintage_year: int,
) -> str:
    """The display form of a block: `CA0001-XXA01-XXA-1000001-1000500-2024`."""
    return (
        f"{cooperative_approach}-{registry}-{first_transferring_party}-{first}-{last}-"
        f"{vintage_year}"
    )


ORIGINATING_REGISTRY = rf"(?:[A-Z]{{3}}[0-9]{{2}}|{MECHANISM_REGISTRY})"
"""The registry that issued a unit: a Party's registry (`THA01`) or the Article 6.4 mechanism
registry (`A64`), whose authorized A6.4ERs keep its code when they become ITMOs."""
UNIT_ID_PATTERN = rf"^CA[0-9]{{4}}-{ORIGINATING_REGISTRY}-[A-Z]{{3}}-[0-9]+-[0-9]{{4}}$"
"""One unit's unique identifier (6/CMA.4 annex I para 5) as AEF Tables 3 and 4 write First ID
and Last ID: `CA0003-THA01-THA-16829005-2022` (approach, originating registry, first
transferring Party, serial, vintage)."""
UNIT_ID = re.compile(
    r"^(?P<ca>CA[0-9]{4})-(?P<registry>" + ORIGINATING_REGISTRY + r")-(?P<party>[A-Z]{3})-"
    r"(?P<serial>[0-9]+)-(?P<vintage>[0-9]{4})\Z"
)

UNIT_IDENTIFIER = re.compile(
    r"^(?P<ca>CA\d{4})-(?P<registry>" + ORIGINATING_REGISTRY + r")-(?P<party>[A-Z]{3})-"
    r"(?P<first>\d+)(?:-(?P<last>\d+))?-(?P<vintage>\d{4})$"
)


def serial_of(text: str) -> int | None:
    """The serial of a unit identifier (`CA0003-THA01-THA-16829005-2022` -> 16829005), or of a
    bare serial (`16829005`); None if the text is neither."""
    value = text.strip()
    if value.isdecimal() and value.isascii():
        return int(value)
    match = UNIT_ID.match(value)
    return int(match["serial"]) if match else None


def block_of(text: str) -> str | None:
    """What a unit identifier says besides its serial (approach, originating registry, first
    transferring Party, vintage): equal for the First and Last ID of one homogeneous block."""
    match = UNIT_ID.match(text.strip())
    if match is None:
        return None
    return f"{match['ca']}-{match['registry']}-{match['party']}-{match['vintage']}"


def parse_unit_query(text: str) -> tuple[str | None, int]:
    """Read a unit search: a bare serial (`1000042`), `XXA01-1000042`, or a full identifier.

    Returns (registry or None, serial). Raises C1020 when nothing can be read.
    """
    value = text.strip()
    if value.isdecimal():
        return None, int(value)
    match = UNIT_IDENTIFIER.match(value)
    if match:
        return match["registry"], int(match["first"])
    head, _, tail = value.rpartition("-")
    if re.fullmatch(ORIGINATING_REGISTRY, head) and tail.isdecimal():
        return head, int(tail)
    raise refuse(
        Check.C1020,
        "unit",
        words(
            "“{text}” is neither a serial number (1000042), a registry and serial "
            "(XXA01-1000042) nor a unit identifier",
            text=text.strip()[:60],
        ),
    )
