"""The journal as witness of who may act: the users, who created each, and their roles.

Whoever can write the database could otherwise give an account a role (a row in `role_grants`),
add an account (a row in `users`), or change who created one (`users.created_by`, which the
four-eyes rule follows), and nothing would show it. Every user and every grant is made through
the services, each with its journal entry (`UserCreated`, `RoleGranted`, `RoleRevoked`); those
entries, replayed in order, give the users, their creators and their roles, and the tables must
hold exactly that. The journal is chained and its head signed outside the database
(checkpoints), so it cannot be rewritten to match unseen either.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from article6.domain.access import name_in
from article6.store.identity_schema import role_grants, users
from article6.store.journal_witness import journal_entries

WITNESSING = ("UserCreated", "RoleGranted", "RoleRevoked")
MOST_DIFFERENCES = 10

Grant = tuple[str, str | None]
"""A role and, for an entity's representative, the entity."""


def _journaled(connection: Connection) -> tuple[dict[str, str], dict[tuple[str, str], Grant]]:
    """(each user's creator, each user's grant per section) as the journal tells them."""
    creators: dict[str, str] = {}
    grants: dict[tuple[str, str], Grant] = {}
    for page in journal_entries(connection, WITNESSING):
        for row in page:
            body = json.loads(row.body)
            if row.event == "UserCreated":
                creators[row.subject] = name_in(row.actor)
            elif row.event == "RoleGranted":
                grants[(row.subject, body.get("party") or "")] = (body["role"], body.get("entity"))
            else:
                grants.pop((row.subject, body.get("party") or ""), None)
    return creators, grants


def _held(connection: Connection) -> tuple[dict[str, str | None], dict[tuple[str, str], Grant]]:
    """(each user's creator, each user's grant per section) as the tables hold them."""
    creators = {
        row.name: row.created_by
        for row in connection.execute(select(users.c.name, users.c.created_by))
    }
    grants = {
        (row.name, row.party_key): (row.role, row.entity)
        for row in connection.execute(
            select(
                users.c.name, role_grants.c.party_key, role_grants.c.role, role_grants.c.entity
            ).select_from(role_grants.join(users))
        )
    }
    return creators, grants


def identity_witness(connection: Connection) -> list[str]:
    """A sentence for each user or role the tables hold otherwise than the journal says."""
    told_creators, told_grants = _journaled(connection)
    held_creators, held_grants = _held(connection)
    problems: list[str] = []
    for name in sorted(told_creators.keys() | held_creators.keys()):
        if name not in told_creators:
            problems.append(f"identity: user {name} has no UserCreated entry in the journal")
        elif name not in held_creators:
            problems.append(f"identity: user {name}, created in the journal, is missing")
        elif held_creators[name] != told_creators[name]:
            problems.append(
                f"identity: user {name} is recorded as created by {held_creators[name]}, "
                f"the journal says by {told_creators[name]}"
            )
    for user, party in sorted(told_grants.keys() | held_grants.keys()):
        told, held = told_grants.get((user, party)), held_grants.get((user, party))
        if told != held:
            section = party or "the registry"
            problems.append(
                f"identity: {user} holds {_named(held)} in {section}, "
                f"the journal says {_named(told)}"
            )
    return problems[:MOST_DIFFERENCES]


def _named(grant: Grant | None) -> str:
    if grant is None:
        return "no role"
    role, entity = grant
    return f"the role {role}" + (f" for {entity}" if entity else "")
