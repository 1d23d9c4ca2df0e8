"""Registries send their signed journal checkpoints to the hub through the outbox; the hub
keeps every one, and refuses (keeping it as evidence, flagged in its journal) a checkpoint that
forks, goes backwards or is not signed with the registry's key."""

from __future__ import annotations

import json
from pathlib import Path

from observations import assert_sound, send
from sqlalchemy import select

from article6.demo.network import Network
from article6.domain.checkpoints import Checkpoint, message, sign
from article6.domain.keys import KeyPair
from article6.services import ports
from article6.services.checkpoints import take_checkpoint
from article6.store import checkpoints as records
from article6.store.database import unit_of_work
from article6.store.schema import journal


def kept(net: Network, registry_id: str) -> list[tuple[int, str, str]]:
    with net.hub.registry.engine.connect() as connection:
        return [
            (row.checkpoint.seq, row.checkpoint.hash, row.verdict)
            for row in records.hub_checkpoints(connection, registry_id)
        ]


def flagged(net: Network) -> list[dict[str, object]]:
    with net.hub.registry.engine.connect() as connection:
        bodies = connection.execute(
            select(journal.c.body).where(journal.c.event == "JournalCheckpointRefused")
        ).scalars()
        return [json.loads(body) for body in bodies]


def send_checkpoint(net: Network, registry_id: str, checkpoint: Checkpoint) -> None:
    """Through the registry's outbox, as its own checkpoints go (whoever holds its key)."""
    node = net.nodes[registry_id]
    with unit_of_work(node.registry.engine) as connection:
        ports.send_message(connection, to="HUB", body=message(checkpoint), now=node.now())
    net.settle()


def test_the_hub_keeps_every_checkpoint_a_registry_sends(network, tmp_path: Path):
    net, accounts = network
    xxb = net.nodes["XXB01"]
    first = take_checkpoint(xxb.registry, tmp_path)
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    second = take_checkpoint(xxb.registry, tmp_path)
    net.settle()

    assert first is not None and second is not None and second.seq > first.seq
    assert kept(net, "XXB01") == [
        (first.seq, first.hash, "accepted"),
        (second.seq, second.hash, "accepted"),
    ]
    assert flagged(net) == []
    assert_sound(net)


def test_the_hub_refuses_a_forked_checkpoint_and_keeps_it(network, tmp_path: Path):
    net, _ = network
    xxb = net.nodes["XXB01"]
    genuine = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    assert genuine is not None
    # The same entry with another hash, signed with the registry's own key: a rewritten history.
    fork = sign(xxb.identity.key, "XXB01", genuine.seq, "f" * 64, genuine.at)

    send_checkpoint(net, "XXB01", fork)

    assert kept(net, "XXB01") == [
        (genuine.seq, genuine.hash, "accepted"),
        (genuine.seq, "f" * 64, "fork"),
    ]
    ((evidence),) = flagged(net)
    assert evidence["check"] == "C2008" and evidence["verdict"] == "fork"
    assert evidence["registry"] == "XXB01" and evidence["seq"] == genuine.seq
    # The genuine checkpoint stays the one the hub holds for that entry.
    with net.hub.registry.engine.connect() as connection:
        assert records.hub_hashes_at(connection, "XXB01", genuine.seq) == [genuine.hash]


def test_the_hub_refuses_a_checkpoint_that_goes_backwards(network, tmp_path: Path):
    net, accounts = network
    xxb = net.nodes["XXB01"]
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    latest = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    assert latest is not None
    earlier = sign(xxb.identity.key, "XXB01", latest.seq - 1, "e" * 64, latest.at)

    send_checkpoint(net, "XXB01", earlier)

    assert kept(net, "XXB01")[-1] == (latest.seq - 1, "e" * 64, "backwards")
    assert [(e["check"], e["verdict"]) for e in flagged(net)] == [("C2008", "backwards")]


def test_the_hub_refuses_a_checkpoint_signed_with_another_key(network, tmp_path: Path):
    net, _ = network
    xxb = net.nodes["XXB01"]
    genuine = take_checkpoint(xxb.registry, tmp_path)
    net.settle()
    assert genuine is not None
    foreign = sign(KeyPair.generate(), "XXB01", genuine.seq + 1, "a" * 64, genuine.at)

    send_checkpoint(net, "XXB01", foreign)

    assert kept(net, "XXB01")[-1] == (genuine.seq + 1, "a" * 64, "bad_signature")
    assert [(e["check"], e["verdict"]) for e in flagged(net)] == [("C2009", "bad_signature")]
