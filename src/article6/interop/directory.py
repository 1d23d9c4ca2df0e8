"""Who a registry is (its code, role and signing key) and whom it talks to (its peers).

A registry's key pair is generated at first start and kept in its own database; the hub's
directory maps each registry code to its public key, its base URL, the originating registry
codes under which it issues units, and the codes its Party sections number transactions under.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from article6.domain.keys import KeyPair
from article6.domain.protocol import Role, registry_code
from article6.store import registry_directory
from article6.store.database import unit_of_work
from article6.store.registry_directory import IdentityRecord, PeerEntry, PeerRecord


@dataclass(frozen=True)
class Identity:
    registry_id: str
    role: Role
    key: KeyPair

    @property
    def public_key(self) -> str:
        return self.key.public_text


@dataclass(frozen=True)
class Peer:
    registry_id: str
    role: Role
    public_key: str
    base_url: str
    issuer_codes: tuple[str, ...]
    connected: bool
    section_codes: tuple[str, ...] = ()

    @property
    def numbering_codes(self) -> frozenset[str]:
        """The prefixes of the transaction ids this registry may number: its own code, the
        codes it issues under (the IR's sections) and its sections' codes."""
        return frozenset({self.registry_id, *self.issuer_codes, *self.section_codes})


def establish(
    engine: Engine, registry_id: str, role: Role, now: datetime, key: KeyPair | None = None
) -> Identity:
    """This database's identity, created with a fresh key pair at first start."""
    registry_code(registry_id, "registry_id")
    with unit_of_work(engine) as connection:
        row = registry_directory.identity(connection)
        if row is not None:
            if row.registry_id != registry_id or row.role != role.value:
                raise ValueError(
                    f"this database belongs to {row.registry_id} ({row.role}), "
                    f"not {registry_id} ({role.value})"
                )
            return Identity(row.registry_id, Role(row.role), KeyPair.from_text(row.private_key))
        pair = key or KeyPair.generate()
        established = IdentityRecord(
            registry_id=registry_id,
            role=role.value,
            private_key=pair.private_text(),
            public_key=pair.public_text,
            created_at=now,
        )
        registry_directory.insert_identity(connection, established)
        return Identity(registry_id, role, pair)


def signing_identity(connection: Connection, identity: Identity) -> Identity:
    """`identity` with the key its database holds now: a rotation (`article6 keys rotate`, in
    another process) replaces it under a running server."""
    row = registry_directory.identity(connection)
    if row is None or row.public_key == identity.public_key:
        return identity
    return Identity(identity.registry_id, identity.role, KeyPair.from_text(row.private_key))


def add_peer(
    engine: Engine,
    registry_id: str,
    role: Role,
    public_key: str,
    base_url: str,
    now: datetime,
    issuer_codes: tuple[str, ...] = (),
    section_codes: tuple[str, ...] = (),
) -> None:
    """Record (or replace) a peer: for a registry, the hub; for the hub, every registry.

    No two registries may number transactions under the same code: the code is how the hub
    knows whose transaction an id is (C6107)."""
    registry_code(registry_id, "registry_id")
    for code in section_codes:
        registry_code(code, "section_codes")
    entry = PeerEntry(
        role=role.value,
        public_key=public_key,
        base_url=base_url,
        issuer_codes=json.dumps(sorted(issuer_codes)),
        section_codes=json.dumps(sorted(section_codes)),
        status="connected",
    )
    with unit_of_work(engine) as connection:
        claimed = {registry_id, *issuer_codes, *section_codes}
        for other in peers(connection):
            shared = claimed & other.numbering_codes
            if other.registry_id != registry_id and shared:
                raise ValueError(
                    f"{', '.join(sorted(shared))} already belong to {other.registry_id}"
                )
        if registry_directory.is_peer(connection, registry_id):
            registry_directory.update_peer(connection, registry_id, entry)
        else:
            registry_directory.insert_peer(connection, PeerRecord(registry_id, entry, now))


def _peer(record: PeerRecord) -> Peer:
    entry = record.entry
    return Peer(
        record.registry_id,
        Role(entry.role),
        entry.public_key,
        entry.base_url,
        tuple(json.loads(entry.issuer_codes)),
        entry.status == "connected",
        tuple(json.loads(entry.section_codes)),
    )


def peer(connection: Connection, registry_id: str) -> Peer | None:
    row = registry_directory.peer(connection, registry_id)
    return _peer(row) if row is not None else None


def peers(connection: Connection) -> list[Peer]:
    return [_peer(row) for row in registry_directory.peers(connection)]


def section_codes(engine: Engine) -> tuple[str, ...]:
    """The codes this registry's Party sections number transactions under: what the hub's
    operator enters in the directory with the registry."""
    with unit_of_work(engine, read_only=True) as connection:
        return tuple(registry_directory.section_codes(connection))
