"""Idempotency keys: a retried command returns its first outcome and moves nothing twice; a key
cannot be reused for another request; a refused command leaves its key unused."""

from __future__ import annotations

import pytest
from small_world import (
    XXA_ADMIN,
    XXA_SECOND_ADMIN,
    SmallWorld,
    holdings,
    journal_count,
    selection,
    snapshot,
)

from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt


def transfer(
    registry: Registry, world: SmallWorld, quantity: int, key: str, actor=XXA_ADMIN
) -> Receipt:
    return units.transfer_units(
        registry,
        actor,
        c.TransferUnits(
            source_account=world["XXA Party mo_holding"],
            destination_account=world["XXA Green Group A mo_holding"],
            units=selection(quantity),
        ),
        idempotency_key=key,
    )


def test_the_same_key_and_body_return_the_first_outcome(registry: Registry, world: SmallWorld):
    first = transfer(registry, world, 100, "move-100")
    after_first = snapshot(registry)

    again = transfer(registry, world, 100, "move-100")

    assert again == first
    assert snapshot(registry) == after_first
    assert holdings(registry)["XXA Green Group A mo_holding"] == (100, 0)
    assert verify_registry(registry) == []


def test_the_same_key_with_another_body_is_refused(registry: Registry, world: SmallWorld):
    transfer(registry, world, 100, "move-100")
    before = snapshot(registry)

    with pytest.raises(CommandRefused) as refused:
        transfer(registry, world, 101, "move-100")

    assert [(r.check.code, r.field) for r in refused.value.refusals] == [
        ("C1010", "idempotency_key")
    ]
    assert snapshot(registry) == before


def test_a_refused_command_does_not_consume_its_key(registry: Registry, world: SmallWorld):
    before = snapshot(registry)
    with pytest.raises(CommandRefused) as refused:
        transfer(registry, world, 501, "move")
    assert refused.value.codes == ["C2001"]
    assert snapshot(registry) == before

    # The same key is free for a corrected request, which then runs once.
    entries = journal_count(registry)
    done = transfer(registry, world, 500, "move")
    assert done.status == "completed"
    assert transfer(registry, world, 500, "move") == done
    assert journal_count(registry) == entries + 1
    assert holdings(registry)["XXA Green Group A mo_holding"] == (500, 0)
    assert verify_registry(registry) == []


def test_keys_belong_to_the_user_who_sent_them(registry: Registry, world: SmallWorld):
    first = transfer(registry, world, 10, "shared-key")
    second = transfer(registry, world, 10, "shared-key", actor=XXA_SECOND_ADMIN)

    assert first.record != second.record
    assert holdings(registry)["XXA Green Group A mo_holding"] == (20, 0)
    assert verify_registry(registry) == []
