"""A hub operator's unit-mark notice: the hub signs and sends it to the registries named, and
each marks the ranges (source `hub`), so their units no longer leave, not even for another
registry (C2010); a notice naming a range wrongly is refused whole and marks nothing."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from observations import assert_sound, holding, ranges, send

from article6.app import create_hub_app
from article6.demo.world import SECRETARIAT
from article6.domain.checks import CommandRefused
from article6.domain.keys import KeyPair
from article6.interop.operator_client import OperatorClient
from article6.services import unit_marks
from article6.services.context import Registry
from article6.services.reads.ledger import journal


@pytest.fixture
def operator(network, clock):
    net, _ = network
    key = KeyPair.generate()
    door = TestClient(create_hub_app(net.hub, {"secretariat": key.public_text}))
    return OperatorClient("http://testserver", "secretariat", key, door, clock)


def notice(blocks: list[str], registries: list[str]) -> bytes:
    body = {
        "registries": registries,
        "notice": {
            "notice_type": "unit_mark",
            "text": "the AEFs of XXA and XXB disagree on these units",
            "blocks": blocks,
        },
    }
    return json.dumps(body).encode()


def marks_of(registry: Registry) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (m.registry_id, m.serial_first, m.serial_last, m.inconsistency_code, m.source, m.marked_by)
        for m in unit_marks.list_marks(registry, SECRETARIAT)
    ]


def test_a_unit_mark_notice_marks_the_units_in_every_registry_named(network, operator):
    net, accounts = network
    xxb = net.nodes["XXB01"].registry
    source = accounts["XXB Party amo_holding"]
    held = sorted(r for r in ranges(net, "XXB01") if r[0] == "XXB01")
    wanted = [f"IPC01:{code}-{first}-{last}" for code, first, last in held]
    sent = operator.post("/interop/v1/notices", notice(wanted, ["IR", "XXB01"]))
    assert sent == {"sent_to": ["IR", "XXB01"]}
    net.settle()

    marked = [(*r, "IPC01", "hub", "interoperability hub") for r in held]
    assert marks_of(xxb) == marked
    assert marks_of(net.nodes["IR"].registry) == marked
    entries = journal(xxb, SECRETARIAT, None, limit=500).items
    assert [e.event for e in entries[-1 - len(held) :]] == ["Notice"] + ["UnitsMarked"] * len(held)

    before = holding(net, "XXB01", source)
    with pytest.raises(CommandRefused) as refused:
        send(net, "XXB01", source, "IR", "XXA", 10)
    assert refused.value.codes == ["C2010"]
    assert "consistency check IPC01" in refused.value.refusals[0].detail
    assert holding(net, "XXB01", source) == before
    assert_sound(net)


def test_a_notice_naming_a_range_wrongly_is_refused_whole(network, operator):
    net, _ = network
    blocks = ["IPC01:XXB01-1-10", "IPC07:XXB01-20-30", "XXB01-40-50"]
    operator.post("/interop/v1/notices", notice(blocks, ["XXB01"]))
    net.settle()
    assert marks_of(net.nodes["XXB01"].registry) == []


def test_a_notice_for_a_registry_the_hub_does_not_know_is_sent_to_none(network, operator):
    net, _ = network
    response = operator.request(
        "POST", "/interop/v1/notices", notice(["IPC01:XXB01-1-10"], ["XXB01", "XXZ01"])
    )
    assert response.status_code == 422
    assert response.json()["checks"][0]["check"] == "C4005"
    net.settle()
    assert marks_of(net.nodes["XXB01"].registry) == []
