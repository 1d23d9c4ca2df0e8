"""Pull and view (seed para 49): the IR and a Party registry ask the Article 6.4 mechanism
registry, through the hub, for authorized A6.4ERs, and show an answer only once its signature
by the 6.4 registry, its freshness, its size and its match to the request are checked.

The refusals are written from the side of a hostile carrier: the hub (or whoever holds its key)
hands the IR an answer it altered, one for another request, an old one or an oversized one."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest
from observations import assert_sound

from article6.demo.network import A64_NDC, XXB_ADMIN, Fate, build
from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.domain import mechanism_pulls as mechanism_rules
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.messages import (
    AttestedHoldings,
    Envelope,
    MechanismHoldingsAnswer,
    MechanismHoldingsQuery,
    QueryBy,
)
from article6.interop.envelope import seal
from article6.interop.mechanism import attestation_material
from article6.services.mechanism_pulls import PullA64ERs, PullView, request_pull, view_pull
from article6.services.reads.ledger import journal

XXD_USER = Actor("xxd.user", Role.PARTY_USER, "XXD")


@pytest.fixture
def net(registries):
    network, _accounts = build(
        registries["hub"], registries["ir"], registries["xxb"], registries["a64"]
    )
    return network


def pull(net, actor=SECRETARIAT, at="IR", **fields) -> PullView:
    return request_pull(net.nodes[at].registry, actor, PullA64ERs(**fields))


def seen(net, view: PullView, at="IR", actor=SECRETARIAT) -> PullView:
    return view_pull(net.nodes[at].registry, actor, view.query_id)


def held(view: PullView) -> int:
    assert view.answer is not None
    return sum(h.last - h.first + 1 for h in view.answer.holdings)


def events(net, at="IR") -> list[str]:
    return [e.event for e in journal(net.nodes[at].registry, SECRETARIAT, None, limit=500).items]


def test_the_ir_pulls_an_authorizations_a64ers_and_shows_them_verified(net):
    asked = pull(net, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC)
    assert asked.status == "requested" and asked.answer is None
    net.settle()

    shown = seen(net, asked)
    assert shown.status == "verified" and shown.checks is None
    assert held(shown) == 400
    assert shown.answer is not None
    assert {(h.state, h.host_party, h.authorization_id) for h in shown.answer.holdings} == {
        ("AMO", "XXD", A64_NDC)
    }
    assert shown.answer.mechanism_registry == "A64" and shown.answer.addressee == "IR"
    kinds = [action.kind for action in shown.answer.history]
    assert kinds == ["issuance", "internal_transfer", "authorization"]
    assert shown.fetched_at is not None and not shown.cached
    assert events(net)[-2:] == ["MechanismPullRequested", "MechanismAnswerVerified"]
    assert events(net, at="A64")[-1] == "MechanismQueryAnswered"
    assert_sound(net)


def test_by_serial_range_and_by_account_answer_what_the_6_4_registry_holds(net):
    whole = pull(net, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC)
    unauthorized = pull(net, by=QueryBy.SERIAL, first=1, last=50)
    net.settle()
    answer = seen(net, whole).answer
    assert answer is not None
    first = answer.holdings[0]
    assert seen(net, unauthorized).answer.holdings == []  # mitigation contribution A6.4ERs
    by_serial = pull(net, by=QueryBy.SERIAL, first=first.first, last=first.first + 99)
    by_account = pull(net, by=QueryBy.ACCOUNT, account=first.account)
    net.settle()
    assert held(seen(net, by_serial)) == 100
    assert held(seen(net, by_account)) == 400


def test_an_answer_shown_later_is_labelled_cached(net, clock):
    asked = pull(net, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC)
    net.settle()
    clock.advance(timedelta(minutes=6))
    later = seen(net, asked)
    assert later.status == "verified" and later.cached


def test_a_partys_users_pull_their_own_partys_authorizations_only(net):
    with pytest.raises(CommandRefused) as refused:
        pull(net, XXA_ADMIN, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC, party="XXD")
    assert refused.value.codes == ["C5005"]
    with pytest.raises(CommandRefused) as wide:
        pull(net, XXA_ADMIN, by=QueryBy.SERIAL, first=1, last=10)
    assert wide.value.codes == ["C5005"] and wide.value.refusals[0].field == "party"
    auditor = Actor("xxa.auditor", Role.AUDITOR, "XXA")
    with pytest.raises(CommandRefused) as viewer:
        pull(net, auditor, by=QueryBy.SERIAL, first=1, last=10, party="XXA")
    assert viewer.value.codes == ["C5005"]

    own = pull(net, XXB_ADMIN, at="XXB01", by=QueryBy.SERIAL, first=1, last=1000, party="XXB")
    net.settle()
    answered = seen(net, own, at="XXB01", actor=XXB_ADMIN)
    assert answered.status == "verified" and answered.answer is not None
    assert answered.answer.holdings == []  # XXB authorized no A6.4ER
    with pytest.raises(CommandRefused) as other:
        view_pull(
            net.nodes["XXB01"].registry, Actor("xxc.admin", Role.ADMINISTRATOR, "XXC"), own.query_id
        )
    assert other.value.codes == ["C5005"]


def test_the_hub_forwards_a_party_registrys_query_only_for_its_own_parties(net, clock):
    query = MechanismHoldingsQuery(
        query_id=str(uuid.uuid4()),
        requesting_registry="XXB01",
        party="XXD",
        by=QueryBy.SERIAL,
        first=1,
        last=10,
        asked_at=clock(),
    )
    ack = net.hub.receive(signed(net, "XXB01", "HUB", query, net.nodes["XXB01"].identity.key))
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6112"]
    posing = query.model_copy(update={"requesting_registry": "IR", "party": None})
    ack = net.hub.receive(signed(net, "XXB01", "HUB", posing, net.nodes["XXB01"].identity.key))
    assert [e.code for e in ack.evaluation] == ["C6112"]
    net.settle()
    assert not [m for m in net.transport.log if m[2] == "MechanismHoldingsQuery" and m[1] == "A64"]


# --- a hostile carrier ------------------------------------------------------------------------


def signed(net, sender: str, to: str, body, key) -> dict:
    envelope = Envelope(
        message_type=type(body).__name__,
        message_id=str(uuid.uuid4()),
        from_registry=sender,
        to_registry=to,
        sent_at=net.hub.now(),
    ).model_dump(mode="json", exclude_none=True)
    return seal(envelope, body.model_dump(mode="json"), key)


def held_answer(net, **fields) -> tuple[PullView, MechanismHoldingsAnswer]:
    """A pull from the IR whose genuine answer the hub is about to hand over, held."""
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD
        if wire["envelope"]["message_type"] == "MechanismHoldingsAnswer"
        and peer.registry_id == "IR"
        else Fate.DELIVER
    )
    asked = pull(net, **(fields or {"by": QueryBy.AUTHORIZATION, "authorization_id": A64_NDC}))
    net.settle()
    net.transport.intercept = None
    ((_, wire),) = net.transport.held
    net.transport.held.clear()
    return asked, MechanismHoldingsAnswer.model_validate(wire["body"])


def from_hub(net, answer: MechanismHoldingsAnswer):
    return net.nodes["IR"].receive(signed(net, "HUB", "IR", answer, net.hub.identity.key))


def signed_by_a64(net, attested: AttestedHoldings) -> MechanismHoldingsAnswer:
    key = net.nodes["A64"].identity.key
    return MechanismHoldingsAnswer(
        attested=attested, signature=key.sign(attestation_material(attested))
    )


def refused_with(net, asked: PullView, code: str) -> PullView:
    shown = seen(net, asked)
    assert shown.status == "refused" and shown.answer is None
    assert shown.checks is not None and shown.checks.startswith(code)
    assert events(net)[-1] == "MechanismAnswerRefused"
    return shown


def test_an_altered_answer_fails_the_6_4_registrys_signature_and_nothing_is_shown(net):
    asked, genuine = held_answer(net)
    altered = copy.deepcopy(genuine.model_dump(mode="json"))
    altered["attested"]["holdings"][0]["last"] += 500
    from_hub(net, MechanismHoldingsAnswer.model_validate(altered))
    refused_with(net, asked, "C6008")
    resigned_by_hub = genuine.model_copy(
        update={"signature": net.hub.identity.key.sign(attestation_material(genuine.attested))}
    )
    from_hub(net, resigned_by_hub)
    refused_with(net, asked, "C6008")

    from_hub(net, genuine)  # the genuine answer, arriving after, still verifies
    assert seen(net, asked).status == "verified" and held(seen(net, asked)) == 400


def test_an_answer_for_another_request_is_refused(net):
    asked, genuine = held_answer(net)
    unknown = genuine.attested.query.model_copy(update={"query_id": str(uuid.uuid4())})
    stray = signed_by_a64(net, genuine.attested.model_copy(update={"query": unknown}))
    ack = from_hub(net, stray)
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6009"]

    echoed = genuine.attested.query.model_copy(update={"authorization_id": "XXD-OTHER"})
    from_hub(net, signed_by_a64(net, genuine.attested.model_copy(update={"query": echoed})))
    assert "authorization_id" in refused_with(net, asked, "C6009").checks

    elsewhere = genuine.attested.model_copy(update={"addressee": "XXB01"})
    from_hub(net, signed_by_a64(net, elsewhere))
    refused_with(net, asked, "C6009")

    from_hub(net, genuine)
    again = from_hub(net, genuine)  # answered already: nothing waits for it any more
    assert [e.code for e in again.evaluation] == ["C6009"]


def test_a_stale_answer_is_refused(net, clock):
    asked, genuine = held_answer(net)
    clock.advance(timedelta(minutes=11))
    from_hub(net, genuine)
    refused_with(net, asked, "C6113")
    before = genuine.attested.model_copy(
        update={"answered_at": genuine.attested.query.asked_at - timedelta(hours=1)}
    )
    from_hub(net, signed_by_a64(net, before))
    refused_with(net, asked, "C6113")


def test_an_answer_larger_than_the_query_allows_is_refused(net):
    asked, genuine = held_answer(net, by=QueryBy.SERIAL, first=1, last=1000, limit=1)
    assert len(genuine.attested.holdings) == 1  # the 6.4 registry keeps to the limit
    padded = genuine.attested.model_copy(update={"holdings": genuine.attested.holdings * 2})
    from_hub(net, signed_by_a64(net, padded))
    refused_with(net, asked, "C6114")


def test_an_answer_over_the_size_limit_is_refused(net, monkeypatch):
    asked, genuine = held_answer(net)
    monkeypatch.setattr(mechanism_rules, "MAX_ATTESTED_BYTES", 1024)  # the answer is larger
    from_hub(net, genuine)
    assert "bytes" in refused_with(net, asked, "C6114").checks


def test_an_unknown_message_type_is_refused_with_the_protocol_version_check(net, clock):
    wire = signed(net, "XXB01", "HUB", XXB_ADMIN_QUERY(clock), net.nodes["XXB01"].identity.key)
    wire["envelope"]["message_type"] = "MechanismHoldingsSummary"
    ack = net.hub.receive(wire)
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6007"]


def test_a_peer_still_on_version_1_0_is_heard(net, clock):
    query = XXB_ADMIN_QUERY(clock)
    envelope = Envelope(
        version="1.0",
        message_type="TransactionStatusQuery",
        message_id=str(uuid.uuid4()),
        from_registry="XXB01",
        to_registry="HUB",
        sent_at=clock(),
    ).model_dump(mode="json", exclude_none=True)
    body = {"transaction_id": "XXB01-00000999"}
    ack = net.hub.receive(seal(envelope, body, net.nodes["XXB01"].identity.key))
    assert ack.result == "received", query


def XXB_ADMIN_QUERY(clock) -> MechanismHoldingsQuery:
    return MechanismHoldingsQuery(
        query_id=str(uuid.uuid4()),
        requesting_registry="XXB01",
        party="XXB",
        by=QueryBy.SERIAL,
        first=1,
        last=10,
        asked_at=clock(),
    )


def test_the_hub_forwards_an_answer_only_from_the_6_4_registry_to_the_registry_that_asked(
    net, clock
):
    asked, genuine = held_answer(net)
    from_xxb = signed(net, "XXB01", "HUB", genuine, net.nodes["XXB01"].identity.key)
    assert [e.code for e in net.hub.receive(from_xxb).evaluation] == ["C6112"]

    a64 = net.nodes["A64"].identity.key
    unknown = genuine.attested.query.model_copy(update={"query_id": str(uuid.uuid4())})
    stray = signed_by_a64(net, genuine.attested.model_copy(update={"query": unknown}))
    assert [e.code for e in net.hub.receive(signed(net, "A64", "HUB", stray, a64)).evaluation] == [
        "C6112"
    ]
    # The genuine answer went through once already: the hub does not carry it a second time.
    again = net.hub.receive(signed(net, "A64", "HUB", genuine, a64))
    assert [e.code for e in again.evaluation] == ["C6112"]
    net.settle()
    assert seen(net, asked).status == "requested"  # nothing but the held answer reached the IR
    clock.advance(timedelta(minutes=11))
    assert seen(net, asked).overdue  # and the page says no answer came
