"""Who may act is witnessed by the journal: a database administrator who gives an account a role,
adds an account, or rewrites who created one (which the four-eyes rule follows) in SQL is named
by `article6 journal verify`, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from article6.cli import main
from article6.demo.world import XXA_ADMIN
from article6.domain.access import Actor, Role
from article6.services import identity
from article6.services.context import Registry

INSTALLER = Actor("installer", Role.SECRETARIAT)
PASSWORD = "a long enough passphrase"


@pytest.fixture
def users(registry: Registry, world: Any) -> Registry:
    """XXA's administrator, made by the installer, and a Party user that administrator made."""
    identity.create_user(
        registry,
        INSTALLER,
        identity.CreateUser(name="xxa.admin", display_name="A", password=PASSWORD),
    )
    identity.grant_role(
        registry, INSTALLER, "xxa.admin", identity.GrantRole(role=Role.ADMINISTRATOR, party="XXA")
    )
    identity.create_section_user(
        registry,
        XXA_ADMIN,
        identity.CreateUser(name="xxa.clerk", display_name="C", password=PASSWORD),
        identity.GrantRole(role=Role.PARTY_USER, party="XXA"),
    )
    return registry


def journal_verify(database_url: str) -> Any:
    return CliRunner().invoke(main, ["journal", "verify", "--database", database_url])


def dba(registry: Registry, statement: str, **values: Any) -> None:
    with registry.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_users_and_roles_made_through_the_services_verify(users: Registry, database_url: str):
    result = journal_verify(database_url)
    assert result.exit_code == 0, result.output
    assert "users, creators and roles as the journal records them" in result.output


def test_a_role_given_in_sql_is_named(users: Registry, database_url: str):
    dba(
        users,
        "UPDATE role_grants SET role = 'administrator' WHERE party_key = 'XXA' AND "
        "user_id = (SELECT id FROM users WHERE name = 'xxa.clerk')",
    )

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert (
        "identity: xxa.clerk holds the role administrator in XXA, the journal says the role "
        "party_user" in result.output
    )


def test_an_account_added_in_sql_is_named(users: Registry, database_url: str):
    dba(
        users,
        "INSERT INTO users (name, display_name, password_hash, failed_sign_ins, disabled, "
        "created_at, created_by, password_change_required) VALUES ('ghost', 'G', 'x', 0, "
        ":no, :now, 'xxa.admin', :no)",
        no=False,
        now=users.now(),
    )
    dba(
        users,
        "INSERT INTO role_grants (user_id, role, party_key, granted_at, granted_by) "
        "SELECT id, 'administrator', 'XXA', :now, 'xxa.admin' FROM users WHERE name = 'ghost'",
        now=users.now(),
    )

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert "identity: user ghost has no UserCreated entry in the journal" in result.output
    assert "identity: ghost holds the role administrator in XXA, the journal says no role" in (
        result.output
    )


def test_an_account_made_independent_in_sql_is_named(users: Registry, database_url: str):
    """Clearing who created an account would let its creator approve its requests under four
    eyes; the journal still says who did."""
    dba(users, "UPDATE users SET created_by = NULL WHERE name = 'xxa.clerk'")

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert (
        "identity: user xxa.clerk is recorded as created by None, the journal says by xxa.admin"
        in result.output
    )
