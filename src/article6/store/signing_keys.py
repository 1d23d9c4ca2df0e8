"""Signing keys over time: the keys a registry retired (public halves, with when each was
current), its current key replaced at a rotation, and at the hub every registry's keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, select, update

from article6.domain.keys import KeyPeriod
from article6.store.checkpoint_schema import checkpoint_key, hub_registry_keys, retired_signing_keys
from article6.store.database import aware, is_postgres
from article6.store.interop_schema import interop_identity, interop_peers


def _period(public_key: str, valid_from: datetime | None, retired_at: datetime | None) -> KeyPeriod:
    """A period read back: SQLite returns its times without their (UTC) offset."""
    return KeyPeriod(public_key, aware(valid_from), aware(retired_at))


def retire(
    connection: Connection, public_key: str, valid_from: datetime | None, retired_at: datetime
) -> None:
    """Keep a key the registry no longer signs with, and when it was current."""
    connection.execute(
        retired_signing_keys.insert().values(
            public_key=public_key, valid_from=valid_from, retired_at=retired_at
        )
    )


def last_retirement(connection: Connection) -> datetime | None:
    """When the registry last rotated: its current key has been current since."""
    found: datetime | None = connection.execute(
        select(func.max(retired_signing_keys.c.retired_at))
    ).scalar()
    return None if found is None else aware(found)


def used_before(connection: Connection, public_key: str) -> bool:
    query = select(retired_signing_keys.c.id).where(retired_signing_keys.c.public_key == public_key)
    return connection.execute(query).first() is not None


def periods(connection: Connection) -> list[KeyPeriod]:
    """Every key this registry has signed with and when: the retired ones, and its current
    protocol key and checkpoint key, current since the last rotation."""
    since = last_retirement(connection)
    found = [
        _period(row.public_key, row.valid_from, row.retired_at)
        for row in connection.execute(select(retired_signing_keys))
    ]
    current = list(connection.execute(select(interop_identity.c.public_key)).scalars())
    current += connection.execute(select(checkpoint_key.c.public_key)).scalars()
    return found + [KeyPeriod(key, since, None) for key in current]


def lock_identity(connection: Connection) -> tuple[str, str, str] | None:
    """The protocol identity's code, role and private key, locked until commit (PostgreSQL):
    one rotation at a time."""
    identity = interop_identity.c
    query = select(identity.registry_id, identity.role, identity.private_key)
    if is_postgres(connection):
        query = query.with_for_update()
    row = connection.execute(query).first()
    return None if row is None else (str(row.registry_id), str(row.role), str(row.private_key))


def replace_identity_key(connection: Connection, private_key: str, public_key: str) -> None:
    connection.execute(
        update(interop_identity).values(private_key=private_key, public_key=public_key)
    )


def replace_checkpoint_key(connection: Connection, private_key: str, public_key: str) -> None:
    connection.execute(
        update(checkpoint_key)
        .where(checkpoint_key.c.id == 1)
        .values(private_key=private_key, public_key=public_key)
    )


def hub_periods(connection: Connection, registry_id: str) -> list[KeyPeriod]:
    """The keys the hub knows a registry by, with when each was current: those it announced
    (and the ones they followed), and the directory's key, current since the last rotation
    if no announcement names it (a registry that never rotated)."""
    keys = hub_registry_keys.c
    rows = connection.execute(select(hub_registry_keys).where(keys.registry_id == registry_id))
    found = [_period(row.public_key, row.valid_from, row.retired_at) for row in rows]
    current = connection.execute(
        select(interop_peers.c.public_key).where(interop_peers.c.registry_id == registry_id)
    ).scalar()
    if current is not None and all(period.public_key != current for period in found):
        ends = [period.retired_at for period in found if period.retired_at is not None]
        found.append(KeyPeriod(str(current), max(ends, default=None), None))
    return found


def hub_rotate(
    connection: Connection,
    registry_id: str,
    previous: KeyPeriod,
    valid_from: datetime,
    new_key: str,
    announced_at: datetime,
) -> None:
    """At the hub: `previous` retires at `valid_from` and `new_key` becomes the registry's key
    in the directory, which verifies its messages from now on."""
    keys = hub_registry_keys.c
    retired = connection.execute(
        update(hub_registry_keys)
        .where(
            and_(
                keys.registry_id == registry_id,
                keys.public_key == previous.public_key,
                keys.retired_at.is_(None),
            )
        )
        .values(retired_at=valid_from)
    ).rowcount
    if not retired:
        connection.execute(
            hub_registry_keys.insert().values(
                registry_id=registry_id,
                public_key=previous.public_key,
                valid_from=previous.valid_from,
                retired_at=valid_from,
                announced_at=announced_at,
            )
        )
    connection.execute(
        hub_registry_keys.insert().values(
            registry_id=registry_id,
            public_key=new_key,
            valid_from=valid_from,
            retired_at=None,
            announced_at=announced_at,
        )
    )
    connection.execute(
        update(interop_peers)
        .where(interop_peers.c.registry_id == registry_id)
        .values(public_key=new_key)
    )
