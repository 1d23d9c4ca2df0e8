"""Pull and view page by page (protocol 1.2): a query asks for at most `limit` blocks after its
cursor; the 6.4 registry signs each page with the cursor of the next, and the asking registry
checks each page as any answer, and that it follows its cursor. A 1.1 peer still reads a first
page: the fields 1.2 added are left out when unset. Written from the carrier's side."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_mechanism_pull import (
    from_hub,
    held_answer,
    pull,
    refused_with,
    seen,
    signed,
    signed_by_a64,
)

from article6.demo.network import A64_NDC, accounts_of, build
from article6.domain.access import Actor, Role
from article6.domain.messages import QueryBy
from article6.domain.nomenclature import ActivityType, Purpose, Sector
from article6.domain.protocol import MECHANISM_APPROACH
from article6.services import authorizations, units
from article6.services import commands as c

PROTOCOL_1_1 = Path(__file__).parents[2] / "docs" / "protocol" / "1.1"


@pytest.fixture
def net(registries: Any) -> Any:
    """The network, the 6.4 registry holding its authorized A6.4ERs in three blocks, under
    three authorizations."""
    network, _accounts = build(
        registries["hub"], registries["ir"], registries["xxb"], registries["a64"]
    )
    a64 = network.nodes["A64"].registry
    host = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")
    found = accounts_of(a64, "XXD")
    for number in (2, 3):
        authorization = f"XXD-A64-NDC-{number}"
        authorizations.record_authorization(
            a64,
            host,
            c.RecordAuthorization(
                authorization_id=authorization,
                date_of_authorization=date(2025, 6, number),
                cooperative_approach=MECHANISM_APPROACH,
                sectors=[Sector.ENERGY_GENERATION],
                activity_types=[ActivityType.SOLAR],
                purposes=Purpose.NDC,
            ),
        )
        units.link_authorization(
            a64,
            host,
            c.LinkAuthorization(
                account=found["XXD Party mo_holding"],
                authorization_id=authorization,
                units=c.UnitSelection(quantity=50),
            ),
        )
    return network


def test_a_pull_page_by_page_shows_what_one_answer_shows(net: Any):
    whole = pull(net, by=QueryBy.SERIAL, first=1, last=10_000)
    net.settle()
    everything = seen(net, whole).answer
    assert everything is not None and everything.next_cursor is None
    assert len(everything.holdings) >= 2

    pages, cursor = [], None
    for _ in range(len(everything.holdings) + 1):
        page = pull(net, by=QueryBy.SERIAL, first=1, last=10_000, limit=1, cursor=cursor)
        net.settle()
        shown = seen(net, page)
        assert shown.status == "verified" and shown.answer is not None
        assert len(shown.answer.holdings) <= 1
        pages.append(shown.answer)
        cursor = shown.answer.next_cursor
        if cursor is None:
            break

    assert cursor is None
    assert [h for p in pages for h in p.holdings] == everything.holdings
    for page in pages:  # each page's history is the whole history of its serials (1.4)
        after = int(page.query.cursor[1:]) if page.query.cursor else 0
        assert all(action.last > after for action in page.history)
        assert page.history_truncated is None


def test_a_page_that_does_not_follow_its_cursor_is_refused(net: Any):
    first_page = pull(net, by=QueryBy.SERIAL, first=1, last=10_000, limit=1)
    net.settle()
    answer = seen(net, first_page).answer
    assert answer is not None and answer.next_cursor is not None

    asked, genuine = held_answer(
        net, by=QueryBy.SERIAL, first=1, last=10_000, limit=1, cursor=answer.next_cursor
    )
    stale = genuine.attested.model_copy(update={"holdings": answer.holdings})
    from_hub(net, signed_by_a64(net, stale))  # signed, but the page before its cursor
    refused_with(net, asked, "C6009")

    skipping = genuine.attested.model_copy(update={"next_cursor": "s999999"})
    from_hub(net, signed_by_a64(net, skipping))
    refused_with(net, asked, "C6009")

    altered_by_carrier = genuine.model_copy(
        update={"attested": genuine.attested.model_copy(update={"next_cursor": None})}
    )
    from_hub(net, altered_by_carrier)  # the hub cannot end the pull early: not signed so
    refused_with(net, asked, "C6008")

    from_hub(net, genuine)
    assert seen(net, asked).status == "verified"


def test_a_first_page_is_still_a_1_1_message(net: Any):
    """What a 1.2 registry sends when no cursor is set validates against the 1.1 schemas."""
    asked, genuine = held_answer(net, by=QueryBy.AUTHORIZATION, authorization_id=A64_NDC)
    assert genuine.attested.next_cursor is None and asked.query.cursor is None
    key = net.hub.identity.key
    for name, body in (
        ("MechanismHoldingsQuery", genuine.attested.query),
        ("MechanismHoldingsAnswer", genuine),
    ):
        wire = signed(net, "HUB", "A64", body, key)
        schema = json.loads((PROTOCOL_1_1 / f"{name}.json").read_text())
        assert list(Draft202012Validator(schema).iter_errors(wire)) == [], name
        assert "cursor" not in json.dumps(wire)
