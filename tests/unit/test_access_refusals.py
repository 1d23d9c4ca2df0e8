"""What an access refusal says: its check, the field it concerns and the sentence a person
reads; who may grant which role where (`permits_grant`); and whose accounts an entity's are."""

from __future__ import annotations

import pytest

from article6.domain.access import Actor, Permission, Role, name_in, permits, permits_approval
from article6.domain.access import permits_grant as grant
from article6.domain.accounts import ADAPTATION_FUND, PARTY_HOLDER, PENDING, holding_entity
from article6.domain.checks import Check, Refusal

SECRETARIAT = Actor("secretariat", Role.SECRETARIAT)
XXA_ADMIN = Actor("xxa-admin", Role.ADMINISTRATOR, "XXA")
XXA_USER = Actor("xxa-user", Role.PARTY_USER, "XXA")
GREEN_A = Actor("green-a", Role.ENTITY, "XXA", "XXA-GREEN-A")


def said(refusal: Refusal | None) -> tuple[Check, str, str]:
    assert refusal is not None
    return refusal.check, refusal.field, refusal.detail


def test_a_permission_the_role_lacks_is_named_in_words_on_the_actor():
    assert said(permits(XXA_USER, Permission.MANAGE_USERS, "XXA")) == (
        Check.C4002,
        "actor",
        "a Party user may not manage users",
    )


def test_another_partys_section_is_refused_saying_whom_the_actor_acts_for():
    assert said(permits(XXA_USER, Permission.READ, "XXC")) == (
        Check.C4006,
        "actor",
        "xxa-user acts for XXA, not XXC",
    )
    assert said(permits(XXA_USER, Permission.READ, "XXC", field="approver"))[1] == "approver"


def test_an_entity_acting_on_other_accounts_is_refused_on_the_account_field():
    assert said(permits(GREEN_A, Permission.MOVE_UNITS, "XXA", "XXA-GREEN-B")) == (
        Check.C4002,
        "source_account",
        "an authorized entity's representative acts only on that entity's accounts",
    )
    refusal = permits(GREEN_A, Permission.MOVE_UNITS, "XXA", None, account_field="account")
    assert said(refusal)[1] == "account"
    assert permits(GREEN_A, Permission.READ, "XXA", "XXA-GREEN-B") is None


def test_a_partys_user_moving_an_entitys_units_is_told_who_may():
    assert said(permits(XXA_ADMIN, Permission.MOVE_UNITS, "XXA", "XXA-GREEN-A")) == (
        Check.C4002,
        "source_account",
        "only XXA-GREEN-A's representatives move units from its accounts; "
        "a Party's users act from the Party's accounts",
    )
    assert permits(XXA_ADMIN, Permission.APPROVE, "XXA", "XXA-GREEN-A") is None


def test_an_initiator_approving_their_own_transaction_is_refused_on_the_transaction():
    assert said(permits_approval(["a", "b"], ["a"], four_eyes=True)) == (
        Check.C4002,
        "transaction",
        "the initiator cannot approve their own transaction",
    )


def test_a_maker_of_both_accounts_is_named_under_four_eyes():
    assert said(permits_approval(["b", "a"], ["c", "a"], four_eyes=True)) == (
        Check.C4012,
        "transaction",
        "c and the initiator b are not independent: a created, directly or through others, "
        "both accounts",
    )


def test_a_maker_of_the_others_account_is_named_under_four_eyes():
    assert said(permits_approval(["b", "a"], ["a"], four_eyes=True))[2] == (
        "a and the initiator b are not independent: a created, directly or through others, "
        "the other's account"
    )
    assert said(permits_approval(["b"], ["c", "b"], four_eyes=True))[2].endswith(
        "b created, directly or through others, the other's account"
    )


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("xxa-admin (administrator, XXA)", "xxa-admin"),
        ("green-a (entity, XXA/Green Group A)", "green-a"),
        ("Ana (Lopez) (party_user, XXA)", "Ana (Lopez)"),
        ("system", "system"),
    ],
)
def test_the_name_in_a_label_is_everything_before_its_last_role_part(label, name):
    assert name_in(label) == name


# permits_grant


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.AUDITOR])
def test_the_secretariat_grants_registry_wide_roles_registry_wide(role):
    assert grant(SECRETARIAT, role, None, None) is None


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PARTY_USER, Role.AUDITOR])
def test_the_secretariat_and_the_sections_administrator_grant_section_roles(role):
    assert grant(SECRETARIAT, role, "XXA", None) is None
    assert grant(XXA_ADMIN, role, "XXA", None) is None


def test_an_entitys_representative_is_granted_with_an_entity_of_that_party():
    assert grant(XXA_ADMIN, Role.ENTITY, "XXA", "XXA-GREEN-A") is None


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PARTY_USER, Role.ENTITY])
def test_a_section_role_without_a_party_is_refused_c4006(role):
    assert said(grant(SECRETARIAT, role, None, None)) == (
        Check.C4006,
        "party",
        f"the role {role} is held for a Party section",
    )


def test_the_secretariats_role_for_a_party_is_refused_c4006():
    assert said(grant(SECRETARIAT, Role.SECRETARIAT, "XXA", None)) == (
        Check.C4006,
        "party",
        "the secretariat's role is registry-wide",
    )


@pytest.mark.parametrize(
    ("role", "entity"),
    [(Role.ENTITY, None), (Role.PARTY_USER, "XXA-GREEN-A"), (Role.AUDITOR, "XXA-GREEN-A")],
)
def test_an_entity_is_named_for_an_entitys_representative_and_only_them_c3005(role, entity):
    assert said(grant(XXA_ADMIN, role, "XXA", entity)) == (
        Check.C3005,
        "entity",
        "an entity's representative, and only they, name the entity",
    )


def test_an_entity_of_another_party_is_refused_c4006():
    assert said(grant(XXA_ADMIN, Role.ENTITY, "XXA", "XXC-GREEN-A")) == (
        Check.C4006,
        "entity",
        "XXC-GREEN-A is not an entity of XXA",
    )
    assert said(grant(XXA_ADMIN, Role.ENTITY, "XXA", "XXAGREEN"))[0] is Check.C4006


def test_only_the_secretariat_grants_registry_wide_roles_c4002():
    assert said(grant(XXA_ADMIN, Role.AUDITOR, None, None)) == (
        Check.C4002,
        "role",
        "only the secretariat grants registry-wide roles",
    )
    assert said(grant(XXA_ADMIN, Role.AUDITOR, None, None, field="grant"))[1] == "grant"


def test_an_administrator_grants_only_in_their_own_section_c4006():
    assert said(grant(XXA_ADMIN, Role.PARTY_USER, "XXC", None)) == (
        Check.C4006,
        "role",
        "xxa-admin acts for XXA, not XXC",
    )


def test_a_party_user_grants_nothing_c4002():
    assert said(grant(XXA_USER, Role.PARTY_USER, "XXA", None))[:2] == (Check.C4002, "role")


# holding_entity


@pytest.mark.parametrize("holder", [PARTY_HOLDER, PENDING, ADAPTATION_FUND])
def test_the_partys_own_and_the_mechanisms_accounts_have_no_entity(holder):
    assert holding_entity(holder) is None


def test_an_entitys_account_is_held_by_that_entity():
    assert holding_entity("XXA-GREEN-A") == "XXA-GREEN-A"
