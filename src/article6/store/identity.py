"""The identity repository: users, role grants, sessions and tokens, failed sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update

from article6.store import batches, loop_reads
from article6.store.database import is_postgres
from article6.store.identity_schema import role_grants, sign_in_failures, user_sessions, users
from article6.store.loop_reads import LoopReads


@dataclass(frozen=True)
class UserRecord:
    """A user as stored: credentials, second factor, the failure count and lock, who made it."""

    id: int
    name: str
    display_name: str
    password_hash: str
    totp_secret: str | None
    totp_enrolled_at: datetime | None
    totp_last_counter: int | None
    failed_sign_ins: int
    last_failure_at: datetime | None
    locked_until: datetime | None
    disabled: bool
    created_at: datetime
    created_by: str | None
    password_change_required: bool
    password_changed_at: datetime | None
    email: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class NewUser:
    """What creating a user writes; it starts with no failures, enabled."""

    name: str
    display_name: str
    password_hash: str
    totp_secret: str | None
    totp_enrolled_at: datetime | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class RoleGrant:
    """One role a user holds in one Party section ("" for the registry-wide roles)."""

    id: int
    user_id: int
    role: str
    party_key: str
    entity: str | None
    granted_at: datetime
    granted_by: str


@dataclass(frozen=True)
class NewSession:
    """A browser session or API token being issued: only hashes of its secrets are kept."""

    token_hash: str
    user_id: int
    kind: str
    csrf_hash: str | None
    label: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SessionGrant:
    """A session joined with its user and one of the user's grants (role None: no grant):
    all a request needs to know who asks, and all `GET /me` answers."""

    kind: str
    csrf_hash: str | None
    expires_at: datetime
    revoked_at: datetime | None
    user_id: int
    name: str
    display_name: str
    totp_enrolled_at: datetime | None
    locked_until: datetime | None
    disabled: bool
    password_change_required: bool
    role: str | None
    party_key: str | None
    entity: str | None


def _user(row: Row[Any] | None) -> UserRecord | None:
    return None if row is None else UserRecord(**row._asdict())


# The statements of the request path, built once (not on every call).
_USER_BY_NAME = select(users).where(users.c.name == bindparam("name"))
_USER_BY_NAME_LOCKED = _USER_BY_NAME.with_for_update()
_USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))
_GRANTS_OF = (
    select(role_grants)
    .where(role_grants.c.user_id == bindparam("user_id"))
    .order_by(role_grants.c.id)
)


def user_by_name(connection: Connection, name: str, lock: bool = False) -> UserRecord | None:
    query = _USER_BY_NAME_LOCKED if lock and is_postgres(connection) else _USER_BY_NAME
    return _user(connection.execute(query, {"name": name}).first())


def user_by_id(connection: Connection, user_id: int) -> UserRecord:
    """The user with this id, which the caller knows exists."""
    return UserRecord(**connection.execute(_USER_BY_ID, {"user_id": user_id}).one()._asdict())


def insert_user(connection: Connection, user: NewUser) -> int:
    values = {**asdict(user), "failed_sign_ins": 0, "disabled": False}
    return int(
        connection.execute(users.insert().values(**values).returning(users.c.id)).scalar_one()
    )


def _update(connection: Connection, user_id: int, values: dict[str, object]) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(**values))


def count_failure(
    connection: Connection,
    user_id: int,
    failures: int,
    at: datetime,
    locked_until: datetime | None,
) -> None:
    """A failed attempt on the user's name: the count, its time, and the lock when it locks."""
    values: dict[str, object] = {"failed_sign_ins": failures, "last_failure_at": at}
    if locked_until is not None:
        values["locked_until"] = locked_until
    _update(connection, user_id, values)


def signed_in(connection: Connection, user_id: int, counter: int | None) -> None:
    """A sign-in clears the failures and the lock and uses up its TOTP time step."""
    _update(
        connection,
        user_id,
        {
            "failed_sign_ins": 0,
            "last_failure_at": None,
            "locked_until": None,
            "totp_last_counter": counter,
        },
    )


def set_password(
    connection: Connection,
    user_id: int,
    password_hash: str,
    change_required: bool,
    at: datetime,
    counter: int | None = None,
) -> None:
    """A new password (changed by the user, who used up `counter`, or a reset's temporary
    one) clears the failures and the lock."""
    values: dict[str, object] = {
        "password_hash": password_hash,
        "password_change_required": change_required,
        "password_changed_at": at,
        "failed_sign_ins": 0,
        "last_failure_at": None,
        "locked_until": None,
    }
    if counter is not None:
        values["totp_last_counter"] = counter
    _update(connection, user_id, values)


def unlock(connection: Connection, user_id: int) -> None:
    _update(connection, user_id, {"failed_sign_ins": 0, "locked_until": None})


def set_disabled(connection: Connection, user_id: int, disabled: bool) -> None:
    """A disabled user signs in to nothing; their row, grants and history stay."""
    _update(connection, user_id, {"disabled": disabled})


def begin_enrolment(connection: Connection, user_id: int, secret: str) -> None:
    """The TOTP secret offered, not yet confirmed."""
    _update(connection, user_id, {"totp_secret": secret})


def enrol(connection: Connection, user_id: int, at: datetime, counter: int | None) -> None:
    """The offered secret confirmed with the code of time step `counter`."""
    _update(connection, user_id, {"totp_enrolled_at": at, "totp_last_counter": counter})


def clear_second_factor(connection: Connection, user_id: int) -> None:
    _update(
        connection,
        user_id,
        {"totp_secret": None, "totp_enrolled_at": None, "totp_last_counter": None},
    )


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


def grants_of(connection: Connection, user_id: int) -> list[RoleGrant]:
    return [
        RoleGrant(**row._asdict()) for row in connection.execute(_GRANTS_OF, {"user_id": user_id})
    ]


def grant_in(connection: Connection, user_id: int, party_key: str) -> RoleGrant | None:
    row = connection.execute(
        select(role_grants).where(
            (role_grants.c.user_id == user_id) & (role_grants.c.party_key == party_key)
        )
    ).first()
    return None if row is None else RoleGrant(**row._asdict())


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


def approvers_in(connection: Connection, party_key: str) -> list[str]:
    """The names of the users, not disabled, holding the administrator role in `party_key`'s
    section: the people who may approve its requests."""
    query = (
        select(users.c.name)
        .join(role_grants, role_grants.c.user_id == users.c.id)
        .where(
            (role_grants.c.party_key == party_key)
            & (role_grants.c.role == "administrator")
            & users.c.disabled.is_(False)
        )
        .order_by(users.c.name)
    )
    return list(connection.execute(query).scalars())


def users_in(connection: Connection, party_key: str | None) -> list[UserRecord]:
    """Users holding a role in `party_key`'s section (every user when None)."""
    query = select(users).order_by(users.c.name)
    if party_key is not None:
        query = query.where(
            users.c.id.in_(
                select(role_grants.c.user_id).where(role_grants.c.party_key == party_key)
            )
        )
    return [UserRecord(**row._asdict()) for row in connection.execute(query)]


def insert_session(connection: Connection, issued: NewSession) -> None:
    connection.execute(user_sessions.insert().values(**asdict(issued)))


_SESSION_WITH_GRANTS = (
    select(
        user_sessions.c.kind,
        user_sessions.c.csrf_hash,
        user_sessions.c.expires_at,
        user_sessions.c.revoked_at,
        users.c.id.label("user_id"),
        users.c.name,
        users.c.display_name,
        users.c.totp_enrolled_at,
        users.c.locked_until,
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


_SESSION_WITH_GRANTS_SQL = loop_reads.compiled(_SESSION_WITH_GRANTS)


async def session_with_grants_on_loop(reads: LoopReads, token_hash: str) -> list[SessionGrant]:
    """As `session_with_grants`, on the event loop's own connections (PostgreSQL)."""
    return await reads.rows(_SESSION_WITH_GRANTS_SQL, {"digest": token_hash}, SessionGrant)


def session_with_grants_later(
    connection: Connection, token_hash: str, judge: Callable[[list[SessionGrant]], None]
) -> batches.Answer:
    """As `session_with_grants`, sent as a command's first statement (on PostgreSQL with its
    BEGIN, `batches.read_later`); `judge` is given the rows when they arrive."""
    return batches.read_later(
        connection,
        _SESSION_WITH_GRANTS,
        {"digest": token_hash},
        judge=lambda rows: judge([SessionGrant(**row._asdict()) for row in rows]),
    )


def session_with_grants(connection: Connection, token_hash: str) -> list[SessionGrant]:
    """A session, its user and the user's grants in one round trip: one row per grant (one
    row with no grant for a user who has none); no row for an unknown token."""
    return [
        SessionGrant(**row._asdict())
        for row in connection.execute(_SESSION_WITH_GRANTS, {"digest": token_hash})
    ]


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


def language_of(connection: Connection, user_id: int) -> str | None:
    found = connection.execute(select(users.c.language).where(users.c.id == user_id))
    return found.scalar_one_or_none()


def set_language(connection: Connection, user_id: int, code: str) -> None:
    _update(connection, user_id, {"language": code})
