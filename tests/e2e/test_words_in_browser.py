"""Issue 17 in the browser, the words: refusals in plain words naming the field, the confirm
step's key facts, the glossary and its abbreviations, the entity's own holdings, one meaning
for withdrawn and cancelled, no Approve button for the initiator, and the screens at 390 px."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, make_site, require_chromium, screenshot
from test_scenarios_in_browser import serious
from walk import CORSIA, NDC, confirm, fill, preview

from article6.demo import world as demo
from article6.web.glossary import TERMS

PHONE = {"width": 390, "height": 844}
PORTS = range(18900, 18950)
LIBRARY_WORDS = re.compile(
    r"Input should|should be a valid|after validation|is not a valid|\[\d+, \d+\]|'[^']*'|"
    r"Value error|Field required|pydantic|Traceback"
)


def _assigned_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port among those assigned to these tests")


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("words") / "registry.db"
    shutil.copy(sqlite_template, path)
    chosen = browser_site.free_port
    browser_site.free_port = _assigned_port
    try:
        yield from make_site(f"sqlite:///{path}")
    finally:
        browser_site.free_port = chosen


def words_of(page: Any) -> str:
    return str(page.locator("[role=alert]").first.inner_text())


def refused(page: Any, path: str, fields: dict[str, str]) -> str:
    page.goto(path)
    fill(page, fields)
    page.get_by_role("button", name="Check what will happen").click()
    page.locator("[role=alert]").first.wait_for()
    return words_of(page)


def test_refusals_through_the_forms_name_the_field_in_plain_words(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    before = demo.holdings(sqlite_site.registry, sqlite_site.world)
    xxa = as_user("xxa.admin")
    mo = sqlite_site.account("XXA Party mo_holding")
    to = sqlite_site.account("XXA Green Group A mo_holding")
    amo = sqlite_site.account("XXA Party amo_holding")
    cases = [
        # (form, fields, check expected, words the refusal must contain)
        (
            "/actions/transfer",
            {"source_account": mo, "quantity": "5"},
            "C1011",
            "destination account is required",
        ),
        (
            "/actions/transfer",
            {"source_account": mo, "destination_account": to, "ranges": "52000-50001"},
            "C1005",
            "ends before it starts",
        ),
        (
            "/actions/transfer",
            {"source_account": mo, "destination_account": to, "ranges": "999001-999100"},
            "C2001",
            "not in this account",
        ),
        ("/actions/transfer", {"source_account": mo, "quantity": "ten"}, "C1005", "quantity"),
        (
            "/actions/transfer",
            {"source_account": mo, "destination_account": to, "quantity": "0"},
            "C1005",
            "quantity",
        ),
        ("/actions/issue", {"vintage": "2020", "quantity": "5"}, "C1006", "vintage"),
        (
            "/actions/cancel?purpose=IMP",
            {"source_account": amo, "quantity": "5"},
            "C5004",
            "names its purpose",
        ),
        (
            "/actions/transfer",
            {"source_account": mo, "destination_account": "XXA01-999999", "quantity": "5"},
            "C4001",
            "XXA01-999999",
        ),
        ("/actions/issue", {"vintage": "2024", "quantity": "5"}, "C1011", "mitigation activity"),
    ]
    for path, fields, check, words in cases:
        shown = refused(xxa, path, fields)
        assert check in shown, (path, fields, shown)
        assert words in shown, (path, fields, shown)
        assert not LIBRARY_WORDS.search(shown), (path, fields, shown)
    assert demo.holdings(sqlite_site.registry, sqlite_site.world) == before


def test_a_bad_unit_search_names_the_unit_check_not_quantity_and_range(as_user: SignedIn) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/units?q=XXA01-")
    shown = xxa.locator("main").inner_text()
    assert "C1020" in shown and "Unit to find" in shown
    assert "C1005" not in shown and "Quantity and range" not in shown
    assert not LIBRARY_WORDS.search(shown.replace("“XXA01-”", ""))


def test_a_refusal_by_role_does_not_talk_of_initiator_and_approver(as_user: SignedIn) -> None:
    """An entity's representative may not issue units: the refusal says who may act."""
    green = as_user("green.group.a")
    xxa = as_user("xxa.admin")
    xxa.goto("/actions/issue")
    activity = xxa.locator("#mitigation_activity option").nth(1).get_attribute("value")
    shown = refused(
        green,
        f"/actions/issue?mitigation_activity={activity}",
        {"vintage": "2024", "quantity": "5"},
    )
    assert "Initiator and approver" not in shown
    assert "C4002" in shown and "Who may act" in shown
    assert green.locator("nav.main").count() == 1, "a refusal is no dead end"


def test_the_forms_say_back_and_the_purpose_hint_says_when_words_are_needed(
    as_user: SignedIn,
) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/actions/cancel?purpose=OMGE")
    buttons = xxa.locator("form .buttons").inner_text()
    assert "Cancel" not in buttons and "Back" in buttons
    label = xxa.locator("label[for=purpose_text]").inner_text()
    assert "needed for IMP and OP" in label and "optional)" not in label


def test_the_confirm_step_shows_purpose_authorization_and_who_holds_the_destination(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto(f"/actions/link?authorization_id={CORSIA}")
    fill(xxa, {"account": sqlite_site.account("XXA Party mo_holding"), "quantity": "20000"})
    xxa.get_by_role("button", name="Check what will happen").click()
    confirm(xxa)
    preview(
        xxa,
        "/actions/cancel?purpose=IMP",
        {
            "source_account": sqlite_site.account("XXA Party amo_holding"),
            "purpose_text": "CORSIA",
            "quantity": "10000",
            "authorization_filter": CORSIA,
        },
    )
    purpose = xxa.locator("#preview-purpose")
    assert "IMP" in purpose.inner_text() and "CORSIA" in purpose.inner_text()
    assert purpose.locator("abbr[title='International mitigation purposes']").count() == 1
    assert CORSIA in xxa.locator("#preview-authorization").inner_text()
    screenshot(xxa, "preview-cancellation-purpose")
    confirm(xxa)
    preview(
        xxa,
        "/actions/transfer",
        {
            "source_account": sqlite_site.account("XXA Party mo_holding"),
            "destination_account": sqlite_site.account("XXA Green Group A mo_holding"),
            "quantity": "1,000",
        },
    )
    destination = xxa.locator("#preview-destination").inner_text()
    assert "held by Green Group A" in destination
    assert destination.count(sqlite_site.account("XXA Green Group A mo_holding")) == 1
    assert xxa.locator("#preview-party").inner_text() == "XXA"
    confirm(xxa)


def test_the_entity_dashboard_counts_only_the_entity_s_own_accounts(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    """Runs after the cancellation above: the Party's cancellation account holds 10,000 that an
    entity's representative may see but does not hold."""
    green = as_user("green.group.a")
    green.goto("/")
    held = demo.holdings(sqlite_site.registry, sqlite_site.world)
    own = sum(q for name, q in held.items() if name.startswith("XXA Green Group A"))
    assert own == 1_000
    assert green.locator("#total-held").inner_text() == "1,000"


def test_the_glossary_explains_every_abbreviation_and_pages_mark_them(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/glossary")
    for short in ("MO", "AMO", "ITMO", "OIMP", "OMGE", "IMP", "NDC", "CA", "ARS", "IR"):
        term = xxa.locator(f"dt#{short}")
        assert term.locator("abbr").get_attribute("title"), short
        meaning = term.locator("xpath=following-sibling::dd[1]").inner_text()
        assert "decision" in meaning.lower(), short
    assert len(TERMS) == 10
    assert serious(Axe().run(xxa)) == []
    xxa.goto("/actions")
    assert xxa.locator("main abbr[title='Overall mitigation in global emissions']").count() >= 1
    xxa.goto("/")
    assert xxa.locator("footer").get_by_role("link", name="Glossary").count() == 1


def test_at_390_px_the_navigation_is_one_row_and_transactions_keep_their_columns(
    as_user: SignedIn,
) -> None:
    page = as_user("xxa.admin")
    page.set_viewport_size(PHONE)
    try:
        page.goto("/")
        items = page.locator("nav.main li")
        first, last = items.first.bounding_box(), items.last.bounding_box()
        assert first is not None and last is not None
        assert first["y"] == last["y"], "the links fit one compact row"
        page.goto("/transactions")
        row = page.locator("table.cards tbody tr").first
        for label in ("Status", "Quantity", "From", "To"):
            box = row.locator(f"td[data-label={label}]").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, label
        badge = row.locator(".badge").first.bounding_box()
        assert badge is not None and badge["x"] + badge["width"] <= 390
        identifier = row.locator("a.txid")
        assert identifier.evaluate("e => e.getClientRects().length") == 1, "the id is whole"
        assert serious(Axe().run(page)) == []
        screenshot(page, "transactions-phone")
    finally:
        page.set_viewport_size(browser_site.VIEWPORT)


def test_the_initiator_sees_no_approve_button_and_a_withdrawn_request_says_withdrawn(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    """Runs after Green Group A received 1,000 MOs above."""
    before = demo.holdings(sqlite_site.registry, sqlite_site.world)
    green = as_user("green.group.a")
    preview(
        green,
        "/actions/transfer",
        {
            "source_account": sqlite_site.account("XXA Green Group A mo_holding"),
            "destination_account": sqlite_site.account("XXA Party mo_holding"),
            "quantity": "100",
        },
    )
    assert "Waits for approval" in green.locator("#preview-outcome").inner_text()
    request = confirm(green)
    xxa = as_user("xxa.admin")
    xxa.goto("/approvals")  # the Party's administrator opens the inbox before the withdrawal
    green.goto("/approvals")
    mine = green.locator(f"section[data-transaction='{request}']")
    assert mine.get_by_role("button", name=f"Approve {request}").count() == 0
    assert "You asked for this" in mine.inner_text()
    mine.get_by_role("button", name=f"Withdraw {request}").click()
    green.wait_for_url(re.compile(rf"/transactions/{request}"))
    badge = green.locator("h1 + p .badge").first.inner_text()
    assert badge == "Withdrawn"
    page = green.locator("main").inner_text()
    assert "Cancelled" not in page and "No units have moved yet" not in page
    assert "No units moved: the request was withdrawn" in page
    # The administrator's Approve button, now stale: refused in words, with the navigation.
    xxa.get_by_role("button", name=f"Approve {request}").click()
    xxa.locator("[role=alert]").wait_for()
    assert "C4007" in xxa.locator("[role=alert]").inner_text()
    assert xxa.locator("nav.main").get_by_role("link", name="Approvals").count() == 1
    after = demo.holdings(sqlite_site.registry, sqlite_site.world)
    assert after == before and sum(after.values()) == sum(before.values())


def test_an_error_page_keeps_the_navigation(as_user: SignedIn) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/transactions/XXA-99999999")
    assert xxa.locator("main h1").inner_text() == "Not found"
    assert xxa.locator("nav.main").get_by_role("link", name="Dashboard").count() == 1


def test_a_statement_speaks_like_the_pages_iso_dates_english_grouping_kinds_in_words(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    """Runs after the 1,000 MOs moved to Green Group A above."""
    xxa = as_user("xxa.admin")
    account = sqlite_site.account("XXA Party mo_holding")
    year = sqlite_site.registry.now().year
    xxa.goto(
        f"/api/v1/parties/XXA/accounts/{account}/statement"
        f"?start=2021-01-01&end={year}-12-31&format=html"
    )
    shown = xxa.locator("body").inner_text()
    assert f"2021-01-01 – {year}-12-31" in shown
    assert "Internal transfer" in shown and "internal_transfer" not in shown
    assert "1,000" in shown and "\u202f" not in shown
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", shown), "no day/month/year dates"


def test_another_party_s_account_is_shown_once_with_its_holder_and_party(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    before = demo.holdings(sqlite_site.registry, sqlite_site.world)
    xxa = as_user("xxa.admin")
    xxc_itmo = sqlite_site.account("XXC Party itmo_holding")
    xxa.goto(f"/actions/link?authorization_id={NDC}")
    fill(xxa, {"account": sqlite_site.account("XXA Party mo_holding"), "quantity": "2000"})
    xxa.get_by_role("button", name="Check what will happen").click()
    confirm(xxa)
    preview(
        xxa,
        "/actions/international-transfer",
        {
            "source_account": sqlite_site.account("XXA Party amo_holding"),
            "destination_account": xxc_itmo,
            "quantity": "2000",
            "authorization_filter": NDC,
        },
    )
    destination = xxa.locator("#preview-destination").inner_text()
    assert destination.count(xxc_itmo) == 1, destination
    assert "held by" in destination and "XXC" in destination
    assert xxa.locator("#preview-party").inner_text() == "XXC"
    transfer = confirm(xxa)
    shown = xxa.locator("#tx-destination").inner_text()
    assert shown.count(xxc_itmo) == 1 and "XXC" in shown, shown
    after = demo.holdings(sqlite_site.registry, sqlite_site.world)
    assert sum(after.values()) == sum(before.values()), "units are conserved"
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 2000, transfer


def test_the_confirm_step_of_a_use_shows_the_ndc_year(sqlite_site: Site, as_user: SignedIn) -> None:
    """Runs after XXA's 2,000 ITMOs reached XXC above; the preview keeps nothing."""
    before = demo.holdings(sqlite_site.registry, sqlite_site.world)
    xxc = as_user("xxc.admin")
    preview(
        xxc,
        "/actions/use",
        {
            "source_account": sqlite_site.account("XXC Party itmo_holding"),
            "ndc_year": "2030",
            "quantity": "100",
        },
    )
    assert xxc.locator("#preview-ndc-year").inner_text() == "2030"
    assert xxc.locator("#preview-authorization").inner_text() == NDC
    assert demo.holdings(sqlite_site.registry, sqlite_site.world) == before
