"""Who may do what (`permits`): roles grant permissions within a Party section; entities act
only on their own accounts; the secretariat works registry-wide."""

from __future__ import annotations

import pytest

from article6.domain.access import Actor, Permission, Role, permits, permits_approval

P = Permission

GRANTED = {
    Role.SECRETARIAT: {P.READ, P.REGISTRY_SETUP, P.ADMINISTER, P.MANAGE_USERS},
    Role.ADMINISTRATOR: {P.READ, P.ADMINISTER, P.MOVE_UNITS, P.APPROVE, P.MANAGE_USERS},
    Role.PARTY_USER: {P.READ, P.MOVE_UNITS},
    Role.ENTITY: {P.READ, P.MOVE_UNITS},
    Role.AUDITOR: {P.READ},
}

XXA = {
    Role.SECRETARIAT: Actor("secretariat", Role.SECRETARIAT),
    Role.ADMINISTRATOR: Actor("xxa-admin", Role.ADMINISTRATOR, "XXA"),
    Role.PARTY_USER: Actor("xxa-user", Role.PARTY_USER, "XXA"),
    Role.ENTITY: Actor("green-a", Role.ENTITY, "XXA", "Green Group A"),
    Role.AUDITOR: Actor("xxa-auditor", Role.AUDITOR, "XXA"),
}


def test_the_grant_table_names_every_role():
    assert set(GRANTED) == set(Role)


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions_in_its_own_section(role, permission):
    actor = XXA[role]
    refusal = permits(actor, permission, "XXA", actor.entity)
    if permission in GRANTED[role]:
        assert refusal is None
    else:
        assert refusal is not None and refusal.check.code == "C4002"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.SECRETARIAT])
def test_a_party_section_actor_is_refused_in_another_partys_section_c4006(role):
    refusal = permits(XXA[role], Permission.READ, "XXC")
    assert refusal is not None and refusal.check.code == "C4006"


def test_an_administrator_cannot_move_another_partys_units_c4006():
    refusal = permits(XXA[Role.ADMINISTRATOR], Permission.MOVE_UNITS, "XXC")
    assert refusal is not None and refusal.check.code == "C4006"


@pytest.mark.parametrize("party", ["XXA", "XXC", None])
@pytest.mark.parametrize("permission", [P.READ, P.ADMINISTER, P.REGISTRY_SETUP, P.MANAGE_USERS])
def test_the_secretariat_works_registry_wide(permission, party):
    assert permits(XXA[Role.SECRETARIAT], permission, party) is None


def test_the_secretariat_does_not_move_units_c4002():
    refusal = permits(XXA[Role.SECRETARIAT], Permission.MOVE_UNITS, "XXA")
    assert refusal is not None and refusal.check.code == "C4002"


def test_an_auditor_without_a_party_reads_registry_wide():
    auditor = Actor("board", Role.AUDITOR)
    assert permits(auditor, Permission.READ, "XXC") is None


def test_an_entity_moves_units_only_on_its_own_accounts_c4002():
    refusal = permits(XXA[Role.ENTITY], Permission.MOVE_UNITS, "XXA", "Green Group B")
    assert refusal is not None and refusal.check.code == "C4002"


def test_an_entity_moves_no_units_on_the_partys_own_accounts_c4002():
    refusal = permits(XXA[Role.ENTITY], Permission.MOVE_UNITS, "XXA", None)
    assert refusal is not None and refusal.check.code == "C4002"


def test_an_entity_of_one_party_is_refused_in_another_partys_section_c4006():
    refusal = permits(XXA[Role.ENTITY], Permission.MOVE_UNITS, "XXC", "Green Group A")
    assert refusal is not None and refusal.check.code == "C4006"


def test_a_refusal_names_the_field_it_concerns():
    refusal = permits(XXA[Role.AUDITOR], Permission.APPROVE, "XXA", field="approver")
    assert refusal is not None and refusal.field == "approver"


def test_an_actor_label_says_who_acts_for_whom():
    assert XXA[Role.ENTITY].label == "green-a (entity, XXA/Green Group A)"
    assert XXA[Role.SECRETARIAT].label == "secretariat (secretariat, registry)"


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PARTY_USER])
def test_a_partys_users_move_no_units_from_an_entitys_account_c4002(role):
    refusal = permits(XXA[role], Permission.MOVE_UNITS, "XXA", "Green Group A")
    assert refusal is not None
    assert (refusal.check.code, refusal.field) == ("C4002", "source_account")
    assert permits(XXA[role], Permission.MOVE_UNITS, "XXA", None) is None


def test_the_approver_is_another_person_by_name_whatever_their_roles_c4002():
    refusal = permits_approval(["xxa-user"], ["xxa-user"], four_eyes=False)
    assert refusal is not None and refusal.check.code == "C4002"


@pytest.mark.parametrize(
    ("initiator", "approver"),
    [
        (["a"], ["b", "a"]),  # a made b's account
        (["a"], ["c", "b", "a"]),  # a made b, b made c
        (["c", "b", "a"], ["a"]),  # the converse: the approver made the initiator's maker
        (["b", "a"], ["c", "a"]),  # a made both
    ],
)
def test_under_four_eyes_no_one_approves_through_a_line_of_made_accounts_c4012(initiator, approver):
    refusal = permits_approval(initiator, approver, four_eyes=True)
    assert refusal is not None and refusal.check.code == "C4012"
    assert permits_approval(initiator, approver, four_eyes=False) is None


def test_independent_people_approve_under_four_eyes():
    assert permits_approval(["b", "a"], ["d", "c"], four_eyes=True) is None
