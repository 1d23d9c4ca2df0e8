"""The identity repository: users, role grants, sessions and tokens, failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update

from article6.store.database import is_postgres
from article6.store.identity_schema import role_grants, sign_in_failures, user_sessions, users


def user_by_name(connection: Connection, name: str, lock: bool = False) -> Row[Any] | None:
    query = select(users).where(users.c.name == name)
    if lock and is_postgres(connection):
        query = query.with_for_update()
    return connection.execute(query).first()


def user_by_id(connection: Connection, user_id: int) -> Row[Any] | None:
    return connection.execute(select(users).where(users.c.id == user_id)).first()


def insert_user(connection: Connection, **values: Any) -> int:
    return int(
        connection.execute(users.insert().values(**values).returning(users.c.id)).scalar_one()
    )


def update_user(connection: Connection, user_id: int, **values: Any) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(**values))


def creation_line(connection: Connection, name: str, depth: int = 32) -> list[str]:
    """`name`, then who created that account, and who created theirs, nearest first: up to
    (not including) a creator who holds the secretariat's role or is no user (the installer,
    the demo's setup), and at most `depth` names."""
    line = [name]
    current = connection.execute(select(users.c.created_by).where(users.c.name == name)).first()
    while current is not None and current.created_by and len(line) < depth:
        creator = current.created_by
        found = connection.execute(
            select(users.c.id, users.c.created_by).where(users.c.name == creator)
        ).first()
        if found is None or creator in line:
            break
        secretariat = connection.execute(
            select(role_grants.c.id).where(
                (role_grants.c.user_id == found.id) & (role_grants.c.role == "secretariat")
            )
        ).first()
        if secretariat is not None:
            break
        line.append(creator)
        current = found
    return line


def grants_of(connection: Connection, user_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(role_grants).where(role_grants.c.user_id == user_id).order_by(role_grants.c.id)
        ).all()
    )


def grant_in(connection: Connection, user_id: int, party_key: str) -> Row[Any] | None:
    return connection.execute(
        select(role_grants).where(
            (role_grants.c.user_id == user_id) & (role_grants.c.party_key == party_key)
        )
    ).first()


def put_grant(
    connection: Connection,
    user_id: int,
    party_key: str,
    role: str,
    entity: str | None,
    at: datetime,
    by: str,
) -> None:
    """One role per user and section: granting again replaces the earlier grant."""
    connection.execute(
        delete(role_grants).where(
            (role_grants.c.user_id == user_id) & (role_grants.c.party_key == party_key)
        )
    )
    connection.execute(
        role_grants.insert().values(
            user_id=user_id,
            party_key=party_key,
            role=role,
            entity=entity,
            granted_at=at,
            granted_by=by,
        )
    )


def drop_grant(connection: Connection, user_id: int, party_key: str) -> None:
    connection.execute(
        delete(role_grants).where(
            (role_grants.c.user_id == user_id) & (role_grants.c.party_key == party_key)
        )
    )


def users_in(connection: Connection, party_key: str | None) -> list[Row[Any]]:
    """Users holding a role in `party_key`'s section (every user when None)."""
    query = select(users).order_by(users.c.name)
    if party_key is not None:
        query = query.where(
            users.c.id.in_(
                select(role_grants.c.user_id).where(role_grants.c.party_key == party_key)
            )
        )
    return list(connection.execute(query).all())


def insert_session(connection: Connection, **values: Any) -> None:
    connection.execute(user_sessions.insert().values(**values))


def session(connection: Connection, token_hash: str) -> Row[Any] | None:
    return connection.execute(
        select(user_sessions).where(user_sessions.c.token_hash == token_hash)
    ).first()


_SESSION_WITH_GRANTS = (
    select(
        user_sessions.c.kind,
        user_sessions.c.csrf_hash,
        user_sessions.c.expires_at,
        user_sessions.c.revoked_at,
        users.c.id.label("user_id"),
        users.c.name,
        users.c.disabled,
        users.c.password_change_required,
        role_grants.c.role,
        role_grants.c.party_key,
        role_grants.c.entity,
    )
    .select_from(
        user_sessions.join(users, users.c.id == user_sessions.c.user_id).outerjoin(
            role_grants, role_grants.c.user_id == users.c.id
        )
    )
    .where(user_sessions.c.token_hash == bindparam("digest"))
    .order_by(role_grants.c.id)
)


def session_with_grants(connection: Connection, token_hash: str) -> list[Any]:
    """A session, its user and the user's grants in one round trip: one row per grant (one
    row with no grant for a user who has none); no row for an unknown token."""
    return list(connection.execute(_SESSION_WITH_GRANTS, {"digest": token_hash}).all())


def revoke_session(connection: Connection, token_hash: str, at: datetime) -> None:
    connection.execute(
        update(user_sessions)
        .where((user_sessions.c.token_hash == token_hash) & user_sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def revoke_sessions_of(
    connection: Connection, user_id: int, at: datetime, keep: str | None = None
) -> int:
    """End every current session and token of the user but `keep` (a token hash); how many."""
    condition = (user_sessions.c.user_id == user_id) & user_sessions.c.revoked_at.is_(None)
    if keep is not None:
        condition &= user_sessions.c.token_hash != keep
    return connection.execute(update(user_sessions).where(condition).values(revoked_at=at)).rowcount


# Attempts refused before their password was checked; rows of these predate 20261126_0011
# and do not count as failures.
UNCHECKED = ("locked", "throttled")

# PostgreSQL advisory lock classes (two-key form) that queue sign-in attempts on one name and
# on one address; always taken in this order.
_NAME_LOCK, _ADDRESS_LOCK = 6_200_010, 6_200_011


def queue_attempt(connection: Connection, user_name: str, address: str | None) -> None:
    """Take the attempt's turn on its name and its address until the transaction ends, so that
    concurrent attempts see each other's failures: a burst is throttled like a sequence, for a
    name no user holds as for a user's (whose row is also locked). SQLite's write lock at
    BEGIN IMMEDIATE already queues every attempt."""
    if not is_postgres(connection):
        return
    lock = func.pg_advisory_xact_lock
    connection.execute(select(lock(_NAME_LOCK, func.hashtext(user_name[:80]))))
    if address is not None:
        connection.execute(select(lock(_ADDRESS_LOCK, func.hashtext(address))))


def record_failure(
    connection: Connection, user_name: str, reason: str, at: datetime, address: str | None
) -> None:
    connection.execute(
        sign_in_failures.insert().values(
            user_name=user_name[:80], reason=reason, at=at, address=address
        )
    )


def failures_of_name(connection: Connection, user_name: str) -> tuple[int, datetime | None]:
    """How many failed sign-ins name `user_name`, and when the last one was."""
    count, last = connection.execute(
        select(func.count(), func.max(sign_in_failures.c.at)).where(
            (sign_in_failures.c.user_name == user_name[:80])
            & sign_in_failures.c.reason.not_in(UNCHECKED)
        )
    ).one()
    return int(count), last


def failures_from(
    connection: Connection, address: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failed sign-ins came from `address` since `since`, and when the last one was."""
    count, last = connection.execute(
        select(func.count(), func.max(sign_in_failures.c.at)).where(
            (sign_in_failures.c.address == address)
            & (sign_in_failures.c.at >= since)
            & sign_in_failures.c.reason.not_in(UNCHECKED)
        )
    ).one()
    return int(count), last
