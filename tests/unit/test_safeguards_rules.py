"""The pure rules of issue #17 (`domain.safeguards`, `domain.access.permits_safeguards`): what
the trusted list says of a transfer, and what a signed confirmation must carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from article6.domain.access import Actor, Confirmation, Role, permits_safeguards
from article6.domain.checks import Check
from article6.domain.safeguards import (
    Safeguards,
    Standing,
    TrustedDestination,
    action_digest,
    confirmation_refusals,
    reference,
    standing,
    trusted_account_refusal,
    waits_for_trust,
)
from article6.domain.transactions import TransactionKind

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
KEPT = Safeguards("XXA", trusted_only=True)
ABROAD = TransactionKind.INTERNATIONAL_TRANSFER


def test_a_transfer_off_the_list_waits_and_one_on_it_does_not():
    assert standing(KEPT, ABROAD, "XXC", None, NOW) == Standing.UNTRUSTED
    assert standing(KEPT, ABROAD, "XXC", NOW, NOW) == Standing.TRUSTED
    assert standing(KEPT, ABROAD, "XXC", NOW + timedelta(seconds=1), NOW) == Standing.NOT_YET
    assert [waits_for_trust(s) for s in (Standing.UNTRUSTED, Standing.NOT_YET)] == [True, True]
    assert not waits_for_trust(Standing.TRUSTED)
    on_the_list = TrustedDestination("XXA", "XXC01-000003", "xxa.admin", NOW, NOW)
    assert on_the_list.effective(NOW) and not on_the_list.effective(NOW - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("safeguards", "kind", "destination_party"),
    [
        (Safeguards("XXA"), ABROAD, "XXC"),  # the list is off
        (KEPT, TransactionKind.INTERNAL_TRANSFER, "XXA"),  # inside the section
        (KEPT, ABROAD, "XXA"),  # an account of the same section
        (KEPT, TransactionKind.CANCELLATION, "XXA"),
    ],
)
def test_the_list_judges_only_transfers_leaving_the_section(safeguards, kind, destination_party):
    assert standing(safeguards, kind, destination_party, None, NOW) == Standing.NOT_KEPT


def test_the_digest_changes_with_every_field_and_with_the_user():
    fields = {"source_account": "XXA01-000002", "units": {"quantity": 10}}
    digest = action_digest("TransferInternationally", fields, "xxa.user")
    assert digest == action_digest(
        "TransferInternationally", dict(reversed(fields.items())), "xxa.user"
    )
    assert digest != action_digest(
        "TransferInternationally", {**fields, "units": {"quantity": 11}}, "xxa.user"
    )
    assert digest != action_digest("TransferInternationally", fields, "xxa.admin")
    assert digest != action_digest("TransferUnits", fields, "xxa.user")
    assert reference(digest) == " ".join(digest[i : i + 4] for i in (0, 4, 8, 12)).upper()


def test_a_confirmation_names_the_field_that_is_missing_or_wrong():
    digest = action_digest("CancelUnits", {}, "xxa.user")
    assert [(r.check, r.field) for r in confirmation_refusals(None, digest)] == [
        (Check.C4021, "second_factor_code")
    ]
    assert [
        (r.check, r.field) for r in confirmation_refusals(Confirmation("123456", ""), digest)
    ] == [(Check.C4022, "action_digest")]
    other = action_digest("CancelUnits", {"x": 1}, "xxa.user")
    assert [r.check for r in confirmation_refusals(Confirmation("123456", other), digest)] == [
        Check.C4022
    ]
    assert confirmation_refusals(Confirmation("123456", digest.upper()), digest) == []


def test_a_confirmation_code_is_never_in_an_actors_text():
    actor = Actor("xxa.user", Role.PARTY_USER, "XXA", confirmation=Confirmation("123456", "ab"))
    assert "123456" not in repr(actor) and "123456" not in actor.label
    assert actor == Actor("xxa.user", Role.PARTY_USER, "XXA")


@pytest.mark.parametrize(
    "actor",
    [
        Actor("xxa.user", Role.PARTY_USER, "XXA"),
        Actor("green", Role.ENTITY, "XXA", "XXA-E0001"),
        Actor("xxa.auditor", Role.AUDITOR, "XXA"),
        Actor("secretariat", Role.SECRETARIAT, "XXA"),
        Actor("xxc.admin", Role.ADMINISTRATOR, "XXC"),
    ],
)
def test_only_the_sections_administrator_keeps_its_safeguards(actor):
    refusal = permits_safeguards(actor, "XXA")
    assert refusal is not None and refusal.check is Check.C4020
    assert permits_safeguards(Actor("xxa.admin", Role.ADMINISTRATOR, "XXA"), "XXA") is None


def test_a_trusted_destination_is_an_account_number():
    assert trusted_account_refusal("XXB01-000004") is None
    assert trusted_account_refusal("XXB01-2-1") is None
    for wrong in ("XXB01", "xxb01-1", "XXB01-", "XXB01-12a", "XXB01-1 ", "XXB01--1", "XXB01-1\n"):
        refusal = trusted_account_refusal(wrong)
        assert refusal is not None and (refusal.check, refusal.field) == (Check.C1022, "account")
