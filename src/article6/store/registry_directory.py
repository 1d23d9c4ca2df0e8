"""A registry's protocol identity (its code, role and key pair) and its directory of peers.

One identity row per database, written at first start; one peer row per registry it talks to
(for a registry, the hub; for the hub, every registry), replaced when it is added again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from article6.store.interop_schema import interop_identity, interop_peers
from article6.store.schema import party_sections


def identity(connection: Connection) -> Row[Any] | None:
    return connection.execute(select(interop_identity)).first()


def insert_identity(connection: Connection, **values: Any) -> None:
    connection.execute(interop_identity.insert().values(**values))


def own_code(connection: Connection) -> str | None:
    """This registry's code, None before its identity is established."""
    code = connection.execute(select(interop_identity.c.registry_id)).scalar()
    return None if code is None else str(code)


def is_peer(connection: Connection, registry_id: str) -> bool:
    return (
        connection.execute(
            select(interop_peers.c.registry_id).where(interop_peers.c.registry_id == registry_id)
        ).first()
        is not None
    )


def update_peer(connection: Connection, registry_id: str, **values: Any) -> None:
    connection.execute(
        interop_peers.update().where(interop_peers.c.registry_id == registry_id).values(**values)
    )


def insert_peer(connection: Connection, **values: Any) -> None:
    connection.execute(interop_peers.insert().values(**values))


def peer(connection: Connection, registry_id: str) -> Row[Any] | None:
    return connection.execute(
        select(interop_peers).where(interop_peers.c.registry_id == registry_id)
    ).first()


def peers(connection: Connection) -> Sequence[Row[Any]]:
    return connection.execute(select(interop_peers).order_by(interop_peers.c.registry_id)).all()


def section_codes(connection: Connection) -> list[str]:
    """The codes this registry's Party sections number transactions under."""
    return sorted(
        str(code)
        for code in connection.execute(select(party_sections.c.registry_id)).scalars()
        if code is not None
    )
