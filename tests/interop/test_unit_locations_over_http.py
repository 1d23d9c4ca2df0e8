"""The question where units are (protocol 1.3) over the hub's real HTTP door: the IR asks about
units XXB's registry issued (10 of which it sent to the IR) and about units it holds itself;
the hub answers at once, signed, and names only what is the other registry's. A question sent
to the message endpoint is refused (C6119), and the door refuses one of a registry the
directory does not hold (C6002)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from observations import send

from article6.app import create_hub_app
from article6.domain.keys import KeyPair
from article6.domain.messages import AskedRange
from article6.interop.directory import Peer
from article6.interop.envelope import seal
from article6.interop.transport import MESSAGES_PATH
from article6.interop.unit_locations import LOCATIONS_PATH, HubQuestion


def test_the_hub_says_at_once_which_units_another_registry_holds(network, clock) -> None:
    net, accounts = network
    door = TestClient(create_hub_app(net.hub, {}))
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 10)
    net.settle()
    assert receipt.record
    sent: list[dict[str, Any]] = []

    def post(peer: Peer, wire: dict[str, Any]) -> tuple[int, Any]:
        sent.append(wire)
        response = door.post(LOCATIONS_PATH, json=wire)
        return response.status_code, response.json()

    ir = net.nodes["IR"]
    question = HubQuestion(ir.registry.engine, clock, post=post)
    asked = [
        AskedRange(originating_registry="XXB01", first=1, last=10**6),
        AskedRange(originating_registry="XXA01", first=1, last=10**6),
    ]
    word = question(asked)
    assert word.answer is not None, word.reason
    xxb, xxa = word.answer.ranges
    # XXB01 issues under its code: all of it is XXB01's but the 10 units the hub saw move here.
    assert {(e.registry, e.state) for e in xxb.elsewhere} == {("XXB01", "issued")}
    assert sum(e.last - e.first + 1 for e in xxb.elsewhere) == 10**6 - 10
    assert all(e.registry != "IR" for r in word.answer.ranges for e in r.elsewhere)
    assert xxa.elsewhere == []  # the IR's own units are nobody else's

    again = dict(sent[0]["envelope"], message_id="as-a-message-0001")
    as_message = door.post(MESSAGES_PATH, json=seal(again, sent[0]["body"], ir.identity.key))
    assert as_message.status_code == 422
    assert as_message.json()["evaluation"][0]["code"] == "C6119"
    stranger = KeyPair.generate()
    envelope = dict(sent[0]["envelope"], from_registry="XXZ01", message_id="stranger-0001")
    body = dict(sent[0]["body"], requesting_registry="XXZ01")
    refused = door.post(LOCATIONS_PATH, json=seal(envelope, body, stranger))
    assert refused.status_code == 422
    assert refused.json()["evaluation"][0]["code"] == "C6002"
