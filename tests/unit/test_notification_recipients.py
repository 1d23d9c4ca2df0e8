"""Who is told, by who they are and whose account it is: the Party's people for a Party's
account, only that entity's representatives for an entity's, never another section's; an
approval to the section's administrators other than the one who asked; a decision to the one
who asked, still acting where they asked."""

from __future__ import annotations

from article6.domain.access import Actor, Role
from article6.domain.notifications import (
    Holder,
    Request,
    approving,
    email_refusal,
    held_up,
    initiating,
    receiving,
)

GRANTS = [
    Actor("xxa.admin", Role.ADMINISTRATOR, "XXA"),
    Actor("xxa.admin2", Role.ADMINISTRATOR, "XXA"),
    Actor("xxa.user", Role.PARTY_USER, "XXA"),
    Actor("xxa.auditor", Role.AUDITOR, "XXA"),
    Actor("green.a", Role.ENTITY, "XXA", "XXA-E0001"),
    Actor("green.b", Role.ENTITY, "XXA", "XXA-E0002"),
    Actor("xxc.admin", Role.ADMINISTRATOR, "XXC"),
    Actor("green.c", Role.ENTITY, "XXC", "XXC-E0001"),
    Actor("secretariat", Role.SECRETARIAT, None),
    Actor("auditor", Role.AUDITOR, None),
]


def test_units_in_a_partys_account_reach_its_users_not_its_entities_or_other_sections():
    assert receiving(GRANTS, Holder("XXA01-000002", "XXA", None)) == {
        "xxa.admin",
        "xxa.admin2",
        "xxa.user",
    }


def test_units_in_an_entitys_account_reach_only_that_entitys_representatives():
    assert receiving(GRANTS, Holder("XXA01-000010", "XXA", "XXA-E0001")) == {"green.a"}
    assert receiving(GRANTS, Holder("XXC01-000010", "XXC", "XXC-E0001")) == {"green.c"}


def test_an_entity_representative_of_the_same_name_in_another_section_hears_nothing():
    impostor = Actor("green.a", Role.ENTITY, "XXC", "XXA-E0001")
    assert receiving([impostor], Holder("XXA01-000010", "XXA", "XXA-E0001")) == set()


def test_an_approval_reaches_the_sections_approvers_but_not_the_one_who_asked():
    request = Request("XXA", "xxa.admin", Holder("XXA01-000002", "XXA", None))
    assert approving(GRANTS, request) == {"xxa.admin2"}
    entity_request = Request("XXA", "green.a", Holder("XXA01-000010", "XXA", "XXA-E0001"))
    assert approving(GRANTS, entity_request) == {"xxa.admin", "xxa.admin2"}


def test_a_decision_reaches_the_initiator_only_where_they_asked():
    request = Request("XXA", "green.a", Holder("XXA01-000010", "XXA", "XXA-E0001"))
    assert initiating(GRANTS, request) == {"green.a"}
    moved_on = [Actor("green.a", Role.ENTITY, "XXA", "XXA-E0002")]
    assert initiating(moved_on, request) == set()
    assert initiating(GRANTS, Request("XXA", None, None)) == set()


def test_a_hold_reaches_everyone_it_stops_and_no_auditor():
    assert held_up(GRANTS) == {g.name for g in GRANTS} - {"xxa.auditor", "auditor"}


def test_an_e_mail_address_is_one_plain_address():
    assert email_refusal("green@example.org") is None
    for bad in ("green", "a@b", "Green <g@example.org>", "a@example.org, b@example.org", ""):
        refusal = email_refusal(bad)
        assert refusal is not None and (refusal.check.code, refusal.field) == ("C1013", "email")
