"""A receiver refuses unsigned, forged, replayed, expired, misaddressed, malformed and
unknown-sender messages, and says why with a numbered check."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

from observations import assert_sound, send
from sqlalchemy import select

from article6.demo.network import Fate
from article6.domain.keys import KeyPair
from article6.domain.messages import Envelope, TransferProposal
from article6.interop.envelope import seal
from article6.interop.schemas import all_schemas, render
from article6.store.database import unit_of_work
from article6.store.interop_schema import external_transfers, hub_transactions

PROTOCOL_DOCS = Path(__file__).parents[2] / "docs" / "protocol"


def captured_proposal(net, accounts):
    """A genuine, signed proposal from XXB01 to the hub, held on the way."""
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD if wire["envelope"]["message_type"] == "TransferProposal" else Fate.DELIVER
    )
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    net.transport.intercept = None
    ((_, wire),) = net.transport.held
    net.transport.held.clear()
    return wire


def codes(ack):
    return [e.code for e in ack.evaluation]


def test_a_forged_body_fails_the_signature_check(network):
    net, accounts = network
    wire = captured_proposal(net, accounts)
    forged = copy.deepcopy(wire)
    forged["body"]["acquiring_account"] = "XXA01-000099"

    ack = net.hub.receive(forged)

    assert ack.result == "invalid" and codes(ack) == ["C6003"]
    assert net.hub.transactions() == {}
    net.hub.receive(wire)
    net.settle()
    assert_sound(net)


def test_a_message_signed_with_another_key_fails_the_signature_check(network):
    net, accounts = network
    wire = captured_proposal(net, accounts)
    resigned = seal(wire["envelope"], wire["body"], KeyPair.generate())

    assert codes(net.hub.receive(resigned)) == ["C6003"]
    unsigned = {k: v for k, v in wire.items() if k != "signature"}
    assert codes(net.hub.receive(unsigned)) == ["C6001"]


def test_a_replayed_message_changes_nothing_and_an_old_one_is_refused(network, clock):
    net, accounts = network
    wire = captured_proposal(net, accounts)
    assert net.hub.receive(wire).result == "received"
    net.settle()
    before = net.hub.transactions()

    again = net.hub.receive(wire)
    assert again.result == "duplicate" and codes(again) == ["C6004"]
    clock.advance(timedelta(minutes=11))
    late = net.hub.receive(wire)
    assert late.result == "invalid" and codes(late) == ["C6005"]
    net.settle()
    assert net.hub.transactions() == before
    assert_sound(net)


def test_unknown_senders_wrong_addressees_and_malformed_messages_are_refused(network, clock):
    net, accounts = network
    wire = captured_proposal(net, accounts)
    stranger = KeyPair.generate()
    envelope = {**wire["envelope"], "from_registry": "XXZ01"}
    assert codes(net.hub.receive(seal(envelope, wire["body"], stranger))) == ["C6002"]
    assert codes(net.nodes["IR"].receive(wire)) == ["C6006"]
    broken = copy.deepcopy(wire)
    broken["body"]["quantity"] = "a hundred"
    assert codes(net.hub.receive(broken)) == ["C6001"]
    future = Envelope.model_validate(wire["envelope"]).model_copy(
        update={"sent_at": clock() + timedelta(hours=1)}
    )
    key = net.nodes["XXB01"].identity.key
    ahead = seal(future.model_dump(mode="json", exclude_none=True), wire["body"], key)
    assert codes(net.hub.receive(ahead)) == ["C6005"]
    newer = {**wire["envelope"], "version": "2.0"}
    assert codes(net.hub.receive(seal(newer, wire["body"], key))) == ["C6007"]


def signed_by_xxb(net, proposal: TransferProposal, clock) -> dict:
    envelope = Envelope(
        message_type="TransferProposal",
        message_id="crafted-0001",
        from_registry="XXB01",
        to_registry="HUB",
        sent_at=clock(),
    ).model_dump(mode="json", exclude_none=True)
    return seal(envelope, proposal.model_dump(mode="json"), net.nodes["XXB01"].identity.key)


def test_the_hub_terminates_a_proposal_for_units_recorded_in_another_registry(network, clock):
    net, accounts = network
    first = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    original = TransferProposal.model_validate(stored_proposal(net, first.record))
    again = original.model_copy(
        update={"transaction_id": "XXB01-99999999", "expires_at": clock() + timedelta(hours=1)}
    )

    assert net.hub.receive(signed_by_xxb(net, again, clock)).result == "received"

    assert net.hub.transactions()["XXB01-99999999"] == "terminated"
    row = hub_evaluation(net, "XXB01-99999999")
    assert {e["code"] for e in row} == {"C6103"}
    net.settle()
    assert_sound(net)


def test_the_hub_terminates_a_proposal_whose_authorization_excludes_the_party(network, clock):
    net, accounts = network
    held = captured_proposal(net, accounts)["body"]
    proposal = TransferProposal.model_validate({**held, "transaction_id": "XXB01-88888888"})
    narrowed = proposal.model_copy(
        update={
            "authorizations": [
                a.model_copy(update={"authorized_parties": ["XXC"]})
                for a in proposal.authorizations
            ]
        }
    )
    net.hub.receive(signed_by_xxb(net, narrowed, clock))

    assert net.hub.transactions()[proposal.transaction_id] == "terminated"
    assert {e["code"] for e in hub_evaluation(net, proposal.transaction_id)} == {"C6104"}


def stored_proposal(net, transaction_id):
    with unit_of_work(net.nodes["XXB01"].registry.engine, read_only=True) as connection:
        text = connection.execute(
            select(external_transfers.c.proposal).where(
                external_transfers.c.transaction_id == transaction_id
            )
        ).scalar_one()
    return json.loads(text)


def hub_evaluation(net, transaction_id):
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        return json.loads(
            connection.execute(
                select(hub_transactions.c.evaluation).where(
                    hub_transactions.c.transaction_id == transaction_id
                )
            ).scalar_one()
        )


def test_the_published_json_schemas_are_those_the_code_enforces():
    published = {path.name: path.read_text() for path in PROTOCOL_DOCS.glob("*.json")}
    assert published == {name: render(schema) for name, schema in all_schemas().items()}
