"""A refused command on the command line: one line per failed check, in words, and exit 1.

Each line names the check, its title, the value concerned and what was wrong, as the pages
do: never the validation library's own text or a traceback."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from pydantic import ValidationError

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words

OPTION_RULES: dict[str, tuple[Check, str]] = {
    "name": (
        Check.C1011,
        words(
            "a user name has 2 to 80 characters: lower-case letters, digits, '.', '_' or '-', "
            "beginning with a letter or a digit"
        ),
    ),
    "display_name": (Check.C1011, words("a display name has 1 to 200 characters")),
    "party": (Check.C1001, words("a Party code is three capital letters, e.g. XXA")),
    "entity": (
        Check.C1011,
        words("an entity's identifier has at most 40 characters, e.g. XXA-E0001"),
    ),
}
"""What the user commands' options must look like, in words (by the model field's name)."""


def line(refusal: Refusal) -> str:
    field = refusal.field.replace("_", " ")
    return f"refused: {refusal.check.code} {refusal.check.title} ({field}): {refusal.detail}"


def fail(refused: CommandRefused) -> NoReturn:
    for refusal in refused.refusals:
        click.echo(line(refusal), err=True)
    sys.exit(1)


def fail_invalid(error: ValidationError) -> NoReturn:
    """The options a command model refused, each with its rule in words."""
    refusals = []
    for item in error.errors():
        field = ".".join(str(p) for p in item.get("loc", ())) or "options"
        check, rule = OPTION_RULES.get(
            field, (Check.C1011, words("this value is not accepted here"))
        )
        refusals.append(Refusal(check, field, rule))
    fail(CommandRefused(refusals))
