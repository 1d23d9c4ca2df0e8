"""Rotation of a registry's signing key, and the hub's acceptance of the new one.

A registry makes a new key pair; its old key is retired, with the period it was current, so the
checkpoints it signed still verify and none it signs later does. A registry connected to the
hub announces the new key first (`KeyAnnouncement`), in a message signed with the old key, which
is the only key the hub will take it from; the announcement carries the new key's signature
over it, so nobody announces a key they do not hold. The hub verifies the registry's messages
with the new key from then on. The registry's switch commits only if the hub acknowledged the
announcement: a refused or lost one changes nothing on either side.

The mechanism registry's key is held by every registry (its answers to pulls are signed with
it), so the hub forwards the mechanism registry's announcement to every other connected
registry (protocol 1.2): the hub's signature on the forwarded message vouches for it, as the
hub vouches for every peer, and each registry takes it (`on_forwarded`) only from the hub, only
following the key it holds, only with the new key's proof, and keeps the old key with its
period, so that answers signed with it before the rotation still verify (C6118).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.checkpoints import fingerprint
from article6.domain.checks import Check, refuse
from article6.domain.keys import (
    KeyPair,
    KeyPeriod,
    announcement_material,
    rotation_time,
    signed_by,
)
from article6.domain.messages import Ack, AckResult, KeyAnnouncement
from article6.domain.protocol import HUB, Role
from article6.domain.wording import words
from article6.interop import directory
from article6.interop.directory import Identity
from article6.interop.outbox import Transport, wire_of
from article6.services import ports
from article6.services.context import Registry
from article6.store import checkpoints as checkpoint_records
from article6.store import journal, signing_keys
from article6.store.database import unit_of_work
from article6.store.outbox_messages import NewMessage

ROTATED = "SigningKeyRotated"


class AnnouncementRefused(RuntimeError):
    """The hub did not take the new key: nothing changed."""


@dataclass(frozen=True)
class Rotation:
    """A rotation done: which key followed which, from when, and whether the hub took it."""

    previous_key: str
    public_key: str
    valid_from: datetime
    announced: bool


def announcement(registry_id: str, old: KeyPair, new: KeyPair, valid_from: str) -> KeyAnnouncement:
    material = announcement_material(registry_id, old.public_text, new.public_text, valid_from)
    return KeyAnnouncement(
        registry_id=registry_id,
        previous_public_key=old.public_text,
        public_key=new.public_text,
        valid_from=valid_from,
        proof=new.sign(material),
    )


def rotate(registry: Registry, transport: Transport) -> Rotation:
    """Replace the registry's signing key (its protocol identity's, else its checkpoint key),
    announcing the new one to the hub first when connected to it."""
    now = registry.now()
    valid_from = rotation_time(now)
    new = KeyPair.generate()
    with unit_of_work(registry.engine) as connection:
        since = signing_keys.last_retirement(connection)
        locked = signing_keys.lock_identity(connection)
        announced = False
        if locked is None:
            kept = checkpoint_records.fallback_key(connection)
            if kept is None:
                raise ValueError(
                    "this registry has no signing key yet: it makes one with its first"
                )
            previous = kept.public_key
            signing_keys.replace_checkpoint_key(connection, new.private_text(), new.public_text)
            subject = "checkpoint key"
        else:
            code, role_name, private_key = locked
            role = Role(role_name)
            if role is Role.HUB:
                raise ValueError("the hub's own key is not rotated: every registry holds it")
            old = KeyPair.from_text(private_key)
            previous = old.public_text
            signing_keys.replace_identity_key(connection, new.private_text(), new.public_text)
            announced = _announce(connection, Identity(code, role, old), new, valid_from, transport)
            subject = code
        signing_keys.retire(connection, previous, since, valid_from)
        journal.append(
            connection,
            actor="registry operator",
            event=ROTATED,
            party=None,
            subject=subject,
            body={
                "previous_key": fingerprint(previous),
                "public_key": fingerprint(new.public_text),
                "valid_from": valid_from.isoformat(),
                "announced_to_hub": announced,
            },
            at=now,
        )
    return Rotation(previous, new.public_text, valid_from, announced)


def _announce(
    connection: Connection, old: Identity, new: KeyPair, valid_from: datetime, transport: Transport
) -> bool:
    """Send the announcement, signed with the old key, straight to the hub (not through the
    outbox, whose messages are signed with the key current when they leave); False when the
    registry is not connected to the hub. Refused or unanswered: raise, and nothing changes."""
    hub = directory.peer(connection, HUB)
    if hub is None or not hub.connected:
        return False
    body = announcement(old.registry_id, old.key, new, valid_from.isoformat())
    row = NewMessage(
        message_id=str(uuid.uuid4()),
        message_type=KeyAnnouncement.__name__,
        to_registry=HUB,
        in_reply_to=None,
        body=json.dumps(body.model_dump(mode="json")),
        created_at=valid_from,
        next_attempt_at=valid_from,
        expires_at=None,
    )
    answer = Ack.model_validate(transport.post(hub, wire_of(old, row, valid_from)))
    if answer.result is AckResult.INVALID:
        detail = "; ".join(f"{e.code} {e.detail}" for e in answer.evaluation)
        raise AnnouncementRefused(f"the hub refused the new key: {detail or 'refused'}")
    return True


def on_announcement(
    connection: Connection, sender: str, body: KeyAnnouncement, now: datetime
) -> None:
    """The hub takes a registry's new key (the envelope, already verified, was signed with the
    registry's current key), or refuses with C4013 and changes nothing."""
    peer = directory.peer(connection, sender)
    if body.registry_id != sender or peer is None:
        raise refuse(
            Check.C4013,
            "registry_id",
            words("{sender} announces keys only for itself", sender=sender),
        )
    if body.previous_public_key != peer.public_key:
        raise refuse(
            Check.C4013,
            "previous_public_key",
            words("not {sender}'s current key at the hub", sender=sender),
        )
    try:
        valid_from = datetime.fromisoformat(body.valid_from)
    except ValueError:
        valid_from = None
    if valid_from is None or valid_from.tzinfo is None:
        raise refuse(Check.C4013, "valid_from", words("an ISO 8601 time with its offset"))
    material = announcement_material(
        sender, body.previous_public_key, body.public_key, body.valid_from
    )
    if not signed_by(body.public_key, body.proof, material):
        raise refuse(
            Check.C4013, "proof", words("the new key's signature over the announcement fails")
        )
    periods = signing_keys.hub_periods(connection, sender)
    if any(period.public_key == body.public_key for period in periods):
        raise refuse(
            Check.C4013, "public_key", words("{sender} used this key before", sender=sender)
        )
    current = next(p for p in periods if p.public_key == peer.public_key)
    if current.valid_from is not None and valid_from < current.valid_from:
        raise refuse(Check.C4013, "valid_from", words("earlier than the key it follows"))
    signing_keys.hub_rotate(
        connection,
        sender,
        KeyPeriod(current.public_key, current.valid_from, valid_from),
        valid_from,
        body.public_key,
        now,
    )
    journal.append(
        connection,
        actor="hub",
        event="RegistryKeyRotated",
        party=None,
        subject=sender,
        body={
            "registry": sender,
            "previous_key": fingerprint(body.previous_public_key),
            "public_key": fingerprint(body.public_key),
            "valid_from": body.valid_from,
        },
        at=now,
    )
    if peer.role is Role.MECHANISM:
        for other in directory.peers(connection):
            if other.connected and other.registry_id not in (sender, HUB):
                ports.send_message(connection, to=other.registry_id, body=body, now=now)


FORWARDED = "PeerKeyRotated"


def _c6118(field: str, detail: str) -> Exception:
    return refuse(Check.C6118, field, detail)


def on_forwarded(connection: Connection, body: KeyAnnouncement, now: datetime) -> None:
    """At a registry: take the mechanism registry's new key as the hub forwards it, or refuse
    it whole (C6118) and keep the key it holds."""
    peer = directory.peer(connection, body.registry_id)
    if peer is None or peer.role is not Role.MECHANISM:
        raise _c6118(
            "registry_id",
            words(
                "{registry_id} is no registry whose key this registry holds",
                registry_id=body.registry_id,
            ),
        )
    if body.previous_public_key != peer.public_key:
        raise _c6118(
            "previous_public_key",
            words(
                "not the key this registry holds for {registry_id}", registry_id=body.registry_id
            ),
        )
    try:
        valid_from = datetime.fromisoformat(body.valid_from)
    except ValueError:
        valid_from = None
    if valid_from is None or valid_from.tzinfo is None:
        raise _c6118("valid_from", words("an ISO 8601 time with its offset"))
    material = announcement_material(
        body.registry_id, body.previous_public_key, body.public_key, body.valid_from
    )
    if not signed_by(body.public_key, body.proof, material):
        raise _c6118("proof", words("the new key's signature over the announcement fails"))
    periods = signing_keys.hub_periods(connection, body.registry_id)
    if any(period.public_key == body.public_key for period in periods):
        raise _c6118(
            "public_key",
            words("{registry_id} used this key before", registry_id=body.registry_id),
        )
    current = next(p for p in periods if p.public_key == peer.public_key)
    if current.valid_from is not None and valid_from < current.valid_from:
        raise _c6118("valid_from", words("earlier than the key it follows"))
    signing_keys.hub_rotate(
        connection,
        body.registry_id,
        KeyPeriod(current.public_key, current.valid_from, valid_from),
        valid_from,
        body.public_key,
        now,
    )
    journal.append(
        connection,
        actor="interoperability hub",
        event=FORWARDED,
        party=None,
        subject=body.registry_id,
        body={
            "registry": body.registry_id,
            "previous_key": fingerprint(body.previous_public_key),
            "public_key": fingerprint(body.public_key),
            "valid_from": body.valid_from,
        },
        at=now,
    )
