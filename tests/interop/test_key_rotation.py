"""A registry rotates its signing key: the hub takes the new key only from a message signed with
the current one, what the old key signed before still verifies, and nothing it signs after its
retirement is taken, at the hub or in the checkpoint file. Tried from the attacker's side."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from observations import assert_sound, send
from sqlalchemy import select

from article6.demo.network import Clock, Fate, Network
from article6.domain.checkpoints import message, sign
from article6.domain.keys import KeyPair
from article6.domain.messages import Ack, KeyAnnouncement
from article6.domain.protocol import Role, backoff
from article6.interop import directory
from article6.interop.directory import Identity, Peer
from article6.interop.key_rotation import AnnouncementRefused, announcement, rotate
from article6.interop.outbox import wire_of
from article6.services import ports
from article6.services.checkpoints import checkpoint_file, take_checkpoint, verify_checkpoints
from article6.services.context import Registry
from article6.store import checkpoints as records
from article6.store import journal as store_journal
from article6.store.checkpoint_schema import retired_signing_keys
from article6.store.database import unit_of_work
from article6.store.outbox_messages import NewMessage
from article6.store.schema import journal


def hub_key_of(net: Network, registry_id: str) -> str:
    with net.hub.registry.engine.connect() as connection:
        peer = directory.peer(connection, registry_id)
    assert peer is not None
    return peer.public_key


def verdicts(net: Network, registry_id: str) -> list[tuple[int, str]]:
    with net.hub.registry.engine.connect() as connection:
        return [
            (r.checkpoint.seq, r.verdict) for r in records.hub_checkpoints(connection, registry_id)
        ]


def announced_as(net: Network, signer: Identity, body: KeyAnnouncement) -> dict[str, Any]:
    """A KeyAnnouncement on the wire, its envelope signed by `signer`'s key."""
    row = NewMessage(
        message_id=str(uuid.uuid4()),
        message_type="KeyAnnouncement",
        to_registry="HUB",
        in_reply_to=None,
        body=json.dumps(body.model_dump(mode="json")),
        created_at=net.hub.now(),
        next_attempt_at=net.hub.now(),
        expires_at=None,
    )
    return wire_of(signer, row, net.hub.now())


def codes(ack: Ack) -> list[str]:
    return [e.code for e in ack.evaluation]


def events(net: Network, name: str) -> list[dict[str, Any]]:
    with net.hub.registry.engine.connect() as connection:
        bodies = connection.execute(select(journal.c.body).where(journal.c.event == name))
        return [json.loads(body) for body in bodies.scalars()]


def test_the_hub_takes_the_new_key_and_both_keys_checkpoints_verify(
    network, clock: Clock, tmp_path: Path
):
    net, accounts = network
    xxb = net.nodes["XXB01"]
    old_key = xxb.identity.public_key
    before = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    clock.advance(timedelta(minutes=5))

    rotation = rotate(xxb.registry, net.transport)

    assert rotation.announced and rotation.previous_key == old_key
    assert hub_key_of(net, "XXB01") == rotation.public_key != old_key
    assert [e["registry"] for e in events(net, "RegistryKeyRotated")] == ["XXB01"]
    clock.advance(timedelta(minutes=5))
    # Messages go on under the new key (the running node reads it from its database) ...
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    assert set(net.hub.transactions().values()) == {"completed"}
    # ... and the next checkpoint is signed with it and taken.
    after = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    assert before is not None and after is not None
    assert (before.public_key, after.public_key) == (old_key, rotation.public_key)
    assert verdicts(net, "XXB01") == [(before.seq, "accepted"), (after.seq, "accepted")]
    # The file holds both: each verifies by the key current at its time.
    assert verify_checkpoints(xxb.registry, tmp_path) == []
    assert_sound(net)


def test_a_forged_announcement_changes_nothing(network):
    net, _ = network
    xxb = net.nodes["XXB01"]
    current = xxb.identity.public_key
    attacker = KeyPair.generate()
    claim = announcement("XXB01", xxb.identity.key, attacker, net.hub.now().isoformat())

    # Signed with a key that is not XXB01's: refused at the signature.
    forged = announced_as(net, Identity("XXB01", Role.NATIONAL, attacker), claim)
    assert codes(net.hub.receive(forged)) == ["C6003"]
    # XXB01's genuine signature, but for another registry's key.
    for_ir = announcement("IR", xxb.identity.key, attacker, net.hub.now().isoformat())
    assert codes(net.hub.receive(announced_as(net, xxb.identity, for_ir))) == ["C4013"]
    # A key XXB01 does not hold (the hub's own): the new key's proof fails.
    borrowed = claim.model_copy(update={"public_key": net.hub.identity.public_key})
    assert codes(net.hub.receive(announced_as(net, xxb.identity, borrowed))) == ["C4013"]
    # A stale "previous" key.
    stale = claim.model_copy(update={"previous_public_key": attacker.public_text})
    assert codes(net.hub.receive(announced_as(net, xxb.identity, stale))) == ["C4013"]

    assert hub_key_of(net, "XXB01") == current
    assert events(net, "RegistryKeyRotated") == []


def test_the_old_key_is_worth_nothing_after_the_rotation(network, clock: Clock, tmp_path: Path):
    net, _ = network
    xxb = net.nodes["XXB01"]
    stolen = xxb.identity  # the old key, as a thief who copied it before the rotation has it
    first = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    assert first is not None
    rotation = rotate(xxb.registry, net.transport)
    clock.advance(timedelta(minutes=1))
    later = net.hub.now().isoformat(timespec="seconds")

    # The thief announces a key of their own, signed with the old key: refused at the signature.
    theirs = announcement("XXB01", stolen.key, KeyPair.generate(), later)
    assert codes(net.hub.receive(announced_as(net, stolen, theirs))) == ["C6003"]
    assert hub_key_of(net, "XXB01") == rotation.public_key
    # A checkpoint the old key signs after its retirement is refused and kept as evidence,
    # even inside a message the registry itself sends.
    forged = sign(stolen.key, "XXB01", first.seq + 1, "a" * 64, later)
    with unit_of_work(xxb.registry.engine) as connection:
        ports.send_message(connection, to="HUB", body=message(forged), now=xxb.now())
    net.settle()
    assert verdicts(net, "XXB01")[-1] == (first.seq + 1, "bad_signature")
    # In the checkpoint file, it fails `journal verify --checkpoints` by its time.
    with open(checkpoint_file(tmp_path), "a", encoding="utf-8") as lines:
        lines.write(sign(stolen.key, "XXB01", first.seq, first.hash, later).line() + "\n")
    (problem,) = verify_checkpoints(xxb.registry, tmp_path)
    assert "not the registry's current key at that time" in problem


class Unreachable:
    def post(self, peer: Peer, wire: dict[str, Any]) -> dict[str, Any]:
        raise ConnectionError(f"{peer.registry_id} is unreachable")


class Refusing:
    def post(self, peer: Peer, wire: dict[str, Any]) -> dict[str, Any]:
        return {"result": "invalid", "evaluation": [{"code": "C4013", "detail": "no"}]}


@pytest.mark.parametrize("transport", [Unreachable(), Refusing()])
def test_an_announcement_the_hub_did_not_take_changes_nothing(network, transport):
    net, _ = network
    xxb = net.nodes["XXB01"]
    current = xxb.identity.public_key

    with pytest.raises((ConnectionError, AnnouncementRefused)):
        rotate(xxb.registry, transport)

    with xxb.registry.engine.connect() as connection:
        assert directory.signing_identity(connection, xxb.identity).public_key == current
        assert connection.execute(select(retired_signing_keys)).first() is None
    assert hub_key_of(net, "XXB01") == current


def _journal_entry(registry: Registry) -> None:
    with unit_of_work(registry.engine) as connection:
        store_journal.append(
            connection,
            actor="test",
            event="Noted",
            party=None,
            subject=None,
            body={},
            at=registry.now(),
        )


def test_a_registry_without_the_protocol_rotates_its_checkpoint_key(registries, clock, tmp_path):
    registry = registries["ir"]
    _journal_entry(registry)
    first = take_checkpoint(registry, tmp_path)
    with registry.engine.connect() as connection:
        kept = records.fallback_key(connection)
    assert first is not None and kept is not None and first.public_key == kept.public_key

    rotation = rotate(registry, Unreachable())  # no hub to tell: nothing is sent
    clock.advance(timedelta(minutes=1))
    _journal_entry(registry)
    second = take_checkpoint(registry, tmp_path)

    assert not rotation.announced and rotation.previous_key == first.public_key
    assert second is not None and second.public_key == rotation.public_key
    assert verify_checkpoints(registry, tmp_path) == []
    old = KeyPair.from_text(kept.private_key)
    with open(checkpoint_file(tmp_path), "a", encoding="utf-8") as lines:
        lines.write(sign(old, None, second.seq, second.hash, second.at).line() + "\n")
    (problem,) = verify_checkpoints(registry, tmp_path)
    assert "not the registry's current key at that time" in problem


def test_a_message_signed_with_the_old_key_during_the_switch_is_sent_again(network, clock: Clock):
    net, accounts = network
    xxb = net.nodes["XXB01"]
    rotations = []

    def rotate_meanwhile(peer: Peer, wire: dict[str, Any]) -> Fate:
        """The registry's key is rotated (another process) after this message was signed."""
        if wire["envelope"]["message_type"] == "TransferProposal" and not rotations:
            net.transport.intercept = None
            rotations.append(rotate(xxb.registry, net.transport))
        return Fate.DELIVER

    net.transport.intercept = rotate_meanwhile
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    assert rotations and net.hub.transactions() == {}  # refused for its signature, kept

    clock.advance(backoff(1) + timedelta(seconds=1))
    net.settle()

    assert set(net.hub.transactions().values()) == {"completed"}
    assert_sound(net)


def test_the_hub_does_not_rotate_its_own_key(network):
    net, _ = network
    key = net.hub.identity.public_key

    with pytest.raises(ValueError, match="hub's own key"):
        rotate(net.hub.registry, net.transport)

    with net.hub.registry.engine.connect() as connection:
        assert directory.signing_identity(connection, net.hub.identity).public_key == key
