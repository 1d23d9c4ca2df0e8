"""A registry's protocol identity (its code, role and key pair) and its directory of peers.

One identity row per database, written at first start; one peer row per registry it talks to
(for a registry, the hub; for the hub, every registry), replaced when it is added again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from article6.store.interop_schema import interop_identity, interop_peers
from article6.store.schema import party_sections


@dataclass(frozen=True)
class IdentityRecord:
    """This database's protocol identity: its code, role, and key pair as text."""

    registry_id: str
    role: str
    private_key: str
    public_key: str
    created_at: datetime


@dataclass(frozen=True)
class PeerEntry:
    """What the directory says of a peer: its issuer and section codes are JSON lists."""

    role: str
    public_key: str
    base_url: str
    issuer_codes: str
    section_codes: str
    status: str


@dataclass(frozen=True)
class PeerRecord:
    registry_id: str
    entry: PeerEntry
    added_at: datetime


def _peer(row: Row[Any]) -> PeerRecord:
    return PeerRecord(
        row.registry_id,
        PeerEntry(
            row.role,
            row.public_key,
            row.base_url,
            row.issuer_codes,
            row.section_codes,
            row.status,
        ),
        row.added_at,
    )


def identity(connection: Connection) -> IdentityRecord | None:
    row = connection.execute(select(interop_identity)).first()
    return None if row is None else IdentityRecord(**row._asdict())


def insert_identity(connection: Connection, identity: IdentityRecord) -> None:
    connection.execute(interop_identity.insert().values(**asdict(identity)))


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


def update_peer(connection: Connection, registry_id: str, entry: PeerEntry) -> None:
    """A peer added again: its entry replaced, its first addition's time kept."""
    connection.execute(
        interop_peers.update()
        .where(interop_peers.c.registry_id == registry_id)
        .values(**asdict(entry))
    )


def insert_peer(connection: Connection, peer: PeerRecord) -> None:
    connection.execute(
        interop_peers.insert().values(
            registry_id=peer.registry_id, added_at=peer.added_at, **asdict(peer.entry)
        )
    )


def peer(connection: Connection, registry_id: str) -> PeerRecord | None:
    row = connection.execute(
        select(interop_peers).where(interop_peers.c.registry_id == registry_id)
    ).first()
    return None if row is None else _peer(row)


def peers(connection: Connection) -> list[PeerRecord]:
    query = select(interop_peers).order_by(interop_peers.c.registry_id)
    return [_peer(row) for row in connection.execute(query)]


def section_codes(connection: Connection) -> list[str]:
    """The codes this registry's Party sections number transactions under."""
    return sorted(
        str(code)
        for code in connection.execute(select(party_sections.c.registry_id)).scalars()
        if code is not None
    )
