"""The language a user chose for the pages and e-mails, remembered on their account so every
browser they sign in from, and every e-mail sent to them, speaks it."""

from __future__ import annotations

from article6 import translation
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.services.context import Registry
from article6.store import identity as store
from article6.store.database import unit_of_work


def language_refusal(code: str, field: str = "language") -> Refusal | None:
    if code in translation.LANGUAGES:
        return None
    return Refusal(
        Check.C1027,
        field,
        words(
            "{code} is not one of the registry's languages ({known})",
            code=code[:20],
            known=", ".join(translation.LANGUAGES),
        ),
    )


def choose(registry: Registry, user_id: int, code: str) -> str:
    """Remember `code` as the user's language (refused, changing nothing, if it is not ours)."""
    refusal = language_refusal(code)
    if refusal is not None:
        raise CommandRefused([refusal])
    with unit_of_work(registry.engine) as connection:
        store.set_language(connection, user_id, code)
    return code


def chosen(registry: Registry, user_id: int) -> str | None:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return store.language_of(connection, user_id)
