"""Every page of a pull carries the whole history of its serials (protocol 1.4), however small
the page: the union of the pages is, field by field, the single answer to the same query, and
the asking registry refuses a page whose history leaves an action out or out of order (C6121)
or lists one that is not the page's, as a page repeating another page's would (C6122).

The 6.4 registry here holds A6.4ERs with several actions each: issued, distributed by internal
transfer, authorized under three authorizations, and part first transferred to the IR."""

from __future__ import annotations

from typing import Any

import pytest
from observations import assert_sound
from test_mechanism_pull import from_hub, held_answer, pull, refused_with, seen, signed_by_a64
from test_mechanism_pull_pages import net as three_authorizations  # noqa: F401

from article6.demo.network import A64_NDC, accounts_of
from article6.domain.access import Actor, Role
from article6.domain.messages import A64ERAction, AttestedHoldings, QueryBy
from article6.domain.protocol import MECHANISM_APPROACH
from article6.domain.pull_pages import page_window, touching
from article6.services.commands import UnitSelection
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer

XXD_ADMIN = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")


@pytest.fixture
def net(three_authorizations: Any) -> Any:  # noqa: F811
    """Besides, 150 of the A6.4ERs under the first authorization first transferred to the IR."""
    network = three_authorizations
    a64 = network.nodes["A64"].registry
    ir_accounts = accounts_of(network.nodes["IR"].registry, "XXA")
    propose_external_transfer(
        a64,
        XXD_ADMIN,
        ProposeExternalTransfer(
            source_account=accounts_of(a64, "XXD")[f"XXD Party amo_holding {MECHANISM_APPROACH}"],
            acquiring_registry="IR",
            acquiring_account=ir_accounts[f"XXA Party itmo_holding {MECHANISM_APPROACH}"],
            acquiring_party="XXA",
            units=UnitSelection(quantity=150),
        ),
    )
    network.settle()
    return network


SELECTIONS = [
    {"by": QueryBy.SERIAL, "first": 1, "last": 10_000},
    {"by": QueryBy.SERIAL, "first": 600, "last": 1_000},
    {"by": QueryBy.AUTHORIZATION, "authorization_id": A64_NDC},
    {"by": QueryBy.ACCOUNT, "account": "XXD01-000002"},
]


def answer(net: Any, **selection: Any) -> AttestedHoldings:
    asked = pull(net, **selection)
    net.settle()
    shown = seen(net, asked)
    assert shown.status == "verified", shown.checks
    assert shown.answer is not None
    return shown.answer


def pages(net: Any, limit: int, **selection: Any) -> list[AttestedHoldings]:
    found, cursor = [], None
    while True:
        page = answer(net, limit=limit, cursor=cursor, **selection)
        found.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return found
        assert len(found) < 50


def fields(action: A64ERAction) -> dict[str, Any]:
    return action.model_dump(mode="json")


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: s["by"].value)
def test_the_pages_together_are_the_single_answer_field_by_field(
    net: Any, limit: int, selection: dict[str, Any]
) -> None:
    whole = answer(net, **selection)
    kinds = {action.kind for action in whole.history}
    assert {"issuance", "internal_transfer", "authorization"} <= kinds
    assert whole.history_truncated is None and whole.next_cursor is None

    paged = pages(net, limit, **selection)
    assert [h for page in paged for h in page.holdings] == whole.holdings
    union: dict[tuple[str, int, int], dict[str, Any]] = {}
    for page in paged:
        assert len(page.holdings) <= limit and page.history_truncated is None
        meets = touching(page_window(page.query, page))
        expected = [fields(a) for a in whole.history if meets(a.first, a.last)]
        assert [fields(a) for a in page.history] == expected  # every action on its serials
        for action in page.history:
            union[(action.transaction_id, action.first, action.last)] = fields(action)
    if selection["by"] is QueryBy.SERIAL:
        assert sorted(union.values(), key=str) == sorted(map(fields, whole.history), key=str)
    else:  # the history of what is held: each page's, together, the whole answer's
        assert set(union) == {(a.transaction_id, a.first, a.last) for a in whole.history}
    assert_sound(net)


def test_the_first_transfer_is_in_the_history_of_the_serials_it_took(net: Any) -> None:
    whole = answer(net, by=QueryBy.SERIAL, first=1, last=10_000)
    departed = [a for a in whole.history if a.kind == "external_transfer"]
    assert len(departed) == 1 and departed[0].status == "completed"
    assert departed[0].last - departed[0].first + 1 == 150
    held = {(h.first, h.last) for h in whole.holdings}
    assert not any(h[0] <= departed[0].last and departed[0].first <= h[1] for h in held)


def test_a_page_keeps_to_limit_actions_where_it_can_so_earlier_peers_take_it(net: Any) -> None:
    """A 1.2 or 1.3 peer counts the history against `limit`: a page holds fewer blocks rather
    than more actions, except that its first block always comes with all its history."""
    for page in pages(net, 3, by=QueryBy.SERIAL, first=1, last=10_000):
        assert len(page.history) <= 3 or len(page.holdings) <= 1


# --- a hostile 6.4 registry -----------------------------------------------------------------


def first_page(net: Any, limit: int = 1) -> tuple[Any, Any]:
    return held_answer(net, by=QueryBy.SERIAL, first=1, last=10_000, limit=limit)


def test_a_page_capped_at_its_limit_as_before_is_refused(net: Any) -> None:
    """What a 1.3 registry sent: the page's history cut at `limit`, passed off as whole."""
    asked, genuine = first_page(net)
    assert len(genuine.attested.history) > 1
    capped = genuine.attested.model_copy(update={"history": genuine.attested.history[:1]})
    from_hub(net, signed_by_a64(net, capped))
    shown = refused_with(net, asked, "C6121")
    assert "attested.history" in (shown.checks or "")
    from_hub(net, genuine)
    assert seen(net, asked).status == "verified"


@pytest.mark.parametrize("dropped", ["internal_transfer", "authorization", "issuance"])
def test_a_page_that_drops_an_action_is_refused(net: Any, dropped: str) -> None:
    asked, genuine = first_page(net)
    history = genuine.attested.history
    assert dropped in [a.kind for a in history]
    kept = [a for a in history if a.kind != dropped]
    from_hub(net, signed_by_a64(net, genuine.attested.model_copy(update={"history": kept})))
    refused_with(net, asked, "C6121")


def test_a_page_that_reorders_its_actions_is_refused(net: Any) -> None:
    asked, genuine = first_page(net)
    history = list(genuine.attested.history)
    transfer = next(i for i, a in enumerate(history) if a.kind == "internal_transfer")
    authorization = next(i for i, a in enumerate(history) if a.kind == "authorization")
    history[transfer], history[authorization] = history[authorization], history[transfer]
    from_hub(net, signed_by_a64(net, genuine.attested.model_copy(update={"history": history})))
    refused_with(net, asked, "C6121")


def test_a_page_that_repeats_actions_is_refused(net: Any) -> None:
    asked, genuine = first_page(net)
    history = genuine.attested.history
    twice = [*history, history[-1]]
    from_hub(net, signed_by_a64(net, genuine.attested.model_copy(update={"history": twice})))
    assert "twice" in (refused_with(net, asked, "C6122").checks or "")

    # The next page, carrying an action of the first that moved none of its own serials.
    cursor = genuine.attested.next_cursor
    assert cursor is not None
    elsewhere = [a for a in history if a.last <= int(cursor[1:])]
    assert elsewhere
    later, next_page = held_answer(
        net, by=QueryBy.SERIAL, first=1, last=10_000, limit=1, cursor=cursor
    )
    repeated = [elsewhere[0], *next_page.attested.history]
    from_hub(net, signed_by_a64(net, next_page.attested.model_copy(update={"history": repeated})))
    assert "none of this page's" in (refused_with(net, later, "C6122").checks or "")
    from_hub(net, next_page)
    assert seen(net, later).status == "verified"


def test_a_page_that_says_its_history_was_cut_short_is_shown_as_such(net: Any) -> None:
    asked, genuine = first_page(net)
    cut = genuine.attested.model_copy(
        update={"history": genuine.attested.history[:1], "history_truncated": True}
    )
    from_hub(net, signed_by_a64(net, cut))
    shown = seen(net, asked)
    assert shown.status == "verified" and shown.answer is not None
    assert shown.answer.history_truncated is True
