"""The pull-and-view page over HTTP, from the side of whoever crosses a boundary: a Party's
user pulls for their own Party only (the form has no Party to choose), another section's
administrator cannot open that pull, an entity's representative sees no pulls, and a registry
that is not on the hub says so instead of pretending to ask."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from http_world import HttpWorld
from sqlalchemy import select
from test_users_page import browser_session, form

from article6.demo.world import SECRETARIAT
from article6.domain.messages import AttestedHoldings, MechanismHoldingsQuery
from article6.domain.protocol import Role as NodeRole
from article6.interop import directory
from article6.services.external_transfer_status import HUB_ACTOR
from article6.services.mechanism_pulls import record_answer
from article6.services.reads.ledger import journal
from article6.store import mechanism_pulls as pulls_store
from article6.store.database import unit_of_work
from article6.store.interop_schema import outbox

PULL = {"by": "serial", "first": "1", "last": "100"}


def in_section(browser: TestClient, party: str) -> TestClient:
    chosen = form(browser, "/section", {"party": party, "next": "/mechanism"})
    assert chosen.status_code == 303, chosen.text
    return browser


def on_the_hub(world: HttpWorld) -> None:
    registry = world.api.registry
    directory.establish(registry.engine, "IR", NodeRole.INTERNATIONAL, registry.now())


def test_a_registry_not_on_the_hub_refuses_to_pull(world: HttpWorld):
    secretariat = in_section(browser_session(world.api, "secretariat.admin"), "XXA")
    refused = form(secretariat, "/mechanism", PULL)
    assert refused.status_code == 422
    assert "C4005" in refused.text and "not on the hub" in refused.text
    control = {"by": "authorization", "authorization_id": "XXD\x01NDC"}
    named = form(secretariat, "/mechanism", control)
    assert named.status_code == 422 and "C1004" in named.text


def test_a_partys_user_pulls_for_their_own_party_and_others_cannot_open_it(world: HttpWorld):
    on_the_hub(world)
    user = browser_session(world.api, "xxa.user")
    page = user.get("/mechanism")
    assert page.status_code == 200 and 'name="party"' not in page.text
    asked = form(user, "/mechanism", {**PULL, "party": "XXC"})  # a Party smuggled in: ignored
    assert asked.status_code == 303, asked.text
    pull = asked.headers["location"]
    shown = user.get(pull)
    assert shown.status_code == 200 and "Waiting for the answer" in shown.text
    assert re.search(r"Authorizing Party</dt><dd>XXA</dd>", shown.text)

    with unit_of_work(world.api.registry.engine, read_only=True) as connection:
        sent = connection.execute(select(outbox.c.message_type, outbox.c.to_registry)).all()
    assert [tuple(m) for m in sent] == [("MechanismHoldingsQuery", "HUB")]
    entries = journal(world.api.registry, SECRETARIAT, None, limit=500).items
    assert entries[-1].event == "MechanismPullRequested" and entries[-1].party == "XXA"

    other = browser_session(world.api, "xxc.admin")
    denied = other.get(pull)
    assert denied.status_code == 403 and "C5005" in denied.text
    assert pull.rsplit("/", 1)[1] not in other.get("/mechanism").text

    entity = browser_session(world.api, "green.group.a")
    listed = entity.get("/mechanism")
    assert listed.status_code == 200 and "No pulls yet" in listed.text
    assert "Ask the 6.4 registry</button>" not in listed.text
    assert entity.get(pull).status_code == 403


def test_the_next_page_form_asks_for_the_page_after_the_cursor(world: HttpWorld):
    """The page's next-page button is a new pull with the same selection and the answer's
    cursor; the query leaving says so (its answer is checked as any other)."""
    on_the_hub(world)
    user = browser_session(world.api, "xxa.user")
    asked = form(user, "/mechanism", {**PULL, "limit": "1", "cursor": "s40"})
    assert asked.status_code == 303, asked.text
    shown = user.get(asked.headers["location"])
    assert shown.status_code == 200 and 'id="page-start"' in shown.text
    with unit_of_work(world.api.registry.engine, read_only=True) as connection:
        bodies = connection.execute(select(outbox.c.body)).scalars().all()
    assert '"cursor":"s40"' in bodies[-1] and '"limit":1' in bodies[-1]
    forged = form(user, "/mechanism", {**PULL, "cursor": "after everything"})
    assert forged.status_code == 422 and "C1005" in forged.text


def answered(world: HttpWorld, pull: str, **attested: object) -> None:
    """The pull's answer as the protocol records it once its checks passed."""
    registry = world.api.registry
    with unit_of_work(registry.engine) as connection:
        record = pulls_store.pull(connection, pull.rsplit("/", 1)[-1])
        assert record is not None
        query = MechanismHoldingsQuery.model_validate_json(record.query)
        answer = AttestedHoldings(
            mechanism_registry="A64",
            addressee="IR",
            query=query,
            answered_at=registry.now(),
            holdings=[],
            history=[],
            **attested,  # type: ignore[arg-type]
        )
        record_answer(connection, registry, HUB_ACTOR, answer, [])


def test_the_page_says_whether_the_history_is_whole_or_cut_short(world: HttpWorld):
    on_the_hub(world)
    user = browser_session(world.api, "xxa.user")
    whole = form(user, "/mechanism", PULL).headers["location"]
    answered(world, whole)
    shown = user.get(whole)
    assert 'id="history-whole"' in shown.text and "Whole: every action" in shown.text
    assert 'id="history-cut"' not in shown.text

    cut = form(user, "/mechanism", PULL).headers["location"]
    answered(world, cut, history_truncated=True)
    shown = user.get(cut)
    assert 'id="history-cut"' in shown.text and "Cut short" in shown.text
