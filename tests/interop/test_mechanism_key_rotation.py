"""The 6.4 registry rotates its signing key (protocol 1.2): the hub, which takes the new key only
from a message signed with the old, forwards the announcement to every other registry, whose
directories then verify the 6.4 registry's answers with the new key; an answer signed with the
old key before the rotation still verifies, none signed with it afterwards does, and a
rotation that did not come through the hub, or does not follow the key held, or is not proven
by the new key, is refused (C6118) and changes nothing. Written from the forger's side."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from observations import assert_sound
from test_mechanism_pull import (
    events,
    from_hub,
    held,
    held_answer,
    pull,
    refused_with,
    seen,
    signed,
)

from article6.demo.network import A64_NDC, build
from article6.demo.world import SECRETARIAT
from article6.domain.keys import KeyPair
from article6.domain.messages import KeyAnnouncement, MechanismHoldingsAnswer, QueryBy
from article6.interop import directory
from article6.interop.key_rotation import announcement, rotate
from article6.interop.mechanism import attestation_material
from article6.services.reads.ledger import journal


@pytest.fixture
def net(registries: Any) -> Any:
    network, _accounts = build(
        registries["hub"], registries["ir"], registries["xxb"], registries["a64"]
    )
    return network


def a64_key_at(net: Any, registry: str) -> str:
    with net.nodes[registry].registry.engine.connect() as connection:
        peer = directory.peer(connection, "A64")
    assert peer is not None
    return peer.public_key


def test_every_registry_learns_the_6_4_registrys_new_key_through_the_hub(net: Any, clock: Any):
    old = a64_key_at(net, "IR")
    rotation = rotate(net.nodes["A64"].registry, net.transport)
    assert rotation.announced
    net.settle()

    for registry in ("IR", "XXB01"):
        assert a64_key_at(net, registry) == rotation.public_key != old
    assert "PeerKeyRotated" in events(net)
    clock.advance(timedelta(seconds=5))
    asked = pull(net, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC)
    net.settle()
    assert seen(net, asked).status == "verified" and held(seen(net, asked)) == 400
    assert_sound(net)


def test_an_answer_the_old_key_signed_before_the_rotation_still_verifies(net: Any, clock: Any):
    asked, genuine = held_answer(net)  # answered and signed with the old key
    clock.advance(timedelta(seconds=30))
    rotate(net.nodes["A64"].registry, net.transport)
    net.settle()

    from_hub(net, genuine)

    assert seen(net, asked).status == "verified" and held(seen(net, asked)) == 400


def test_an_answer_the_old_key_signs_after_the_rotation_is_refused(net: Any, clock: Any):
    old_key = net.nodes["A64"].identity.key
    asked, genuine = held_answer(net)
    rotate(net.nodes["A64"].registry, net.transport)
    net.settle()
    clock.advance(timedelta(minutes=5))

    later = genuine.attested.model_copy(update={"answered_at": net.hub.now()})
    forged = MechanismHoldingsAnswer(
        attested=later, signature=old_key.sign(attestation_material(later))
    )
    from_hub(net, forged)

    refused_with(net, asked, "C6008")


def forwarded(net: Any, body: KeyAnnouncement, sender: str = "HUB", key: Any = None) -> Any:
    signer = key if key is not None else net.hub.identity.key
    return net.nodes["IR"].receive(signed(net, sender, "IR", body, signer))


def test_a_rotation_not_forwarded_by_the_hub_is_refused(net: Any):
    a64 = net.nodes["A64"]
    held_key = a64_key_at(net, "IR")
    body = announcement("A64", a64.identity.key, KeyPair.generate(), net.hub.now().isoformat())

    ack = forwarded(net, body, sender="A64", key=a64.identity.key)  # straight, not through the hub

    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6118"]
    assert a64_key_at(net, "IR") == held_key


def test_a_forged_rotation_forwarded_by_the_hub_is_refused(net: Any):
    """Whoever holds the hub's key still cannot give the IR a key the 6.4 registry does not
    hold, nor replace a key other than the one the IR holds."""
    a64 = net.nodes["A64"]
    held_key = a64_key_at(net, "IR")
    now = net.hub.now().isoformat()
    attacker, stranger = KeyPair.generate(), KeyPair.generate()

    unproven = announcement("A64", a64.identity.key, attacker, now).model_copy(
        update={"proof": stranger.sign(b"anything")}
    )
    not_following = announcement("A64", stranger, attacker, now)
    for_someone_else = announcement("XXB01", a64.identity.key, attacker, now)

    for body, field in (
        (unproven, "proof"),
        (not_following, "previous_public_key"),
        (for_someone_else, "registry_id"),
    ):
        ack = forwarded(net, body)
        assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6118"], field
        assert field in ack.evaluation[0].detail
    assert a64_key_at(net, "IR") == held_key
    assert "PeerKeyRotated" not in [
        e.event for e in journal(net.nodes["IR"].registry, SECRETARIAT, None, limit=500).items
    ]


def test_a_rotation_dated_before_the_key_it_follows_is_refused(net: Any, clock: Any):
    rotate(net.nodes["A64"].registry, net.transport)
    net.settle()
    with net.nodes["A64"].registry.engine.connect() as connection:
        current = directory.signing_identity(connection, net.nodes["A64"].identity).key
    backwards = announcement("A64", current, KeyPair.generate(), "2000-01-01T00:00:00+00:00")

    ack = forwarded(net, backwards)

    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6118"]
    assert a64_key_at(net, "IR") == current.public_text
