"""A day's work in the browser for three roles, page by page as each person would go: the
Party user's (the section, a transfer, a unit, the search and its export), the authorized
entity representative's (its own accounts, a cancellation request XXA approves, the
certificate as PDF and the public page that confirms it) and the auditor's (the journal, an
entry, the chain verified, the search, the reports). Every page visited is axe clean (no
serious or critical violation); the screenshots are the user guide's.

The world: the seed's, with scenarios 1a and 1b played, and 1,000 CORSIA-authorized units
handed to Green Group A for its day. Units are counted at the end of each day: nothing made
or lost on the way."""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_site
import pypdf
import pytest
from browser_site import (
    SignedIn,
    Site,
    make_site,
    require_chromium,
    screenshot,
    signed_in_pages,
)
from walk import confirm, preview

from article6.demo import world as demo
from article6.services import commands as c
from article6.services import units

PORTS = range(18400, 18500)
GREEN_AMO = "XXA Green Group A amo_holding"


def port_of_ours() -> int:
    """A free port of those this suite may use."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 18400 and 18499")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("days") / "registry.db"
    path.write_bytes(sqlite_template.read_bytes())
    chosen = pytest.MonkeyPatch()
    chosen.setattr(browser_site, "free_port", port_of_ours)
    for served in make_site(f"sqlite:///{path}"):
        demo.scenario_1a(served.registry, served.world)
        demo.scenario_1b(served.registry, served.world)
        units.transfer_units(
            served.registry,
            demo.XXA_ADMIN,
            c.TransferUnits(
                source_account=served.world["XXA Party amo_holding"],
                destination_account=served.world[GREEN_AMO],
                units=c.UnitSelection(quantity=1_000, authorization_id=demo.CORSIA_AUTHORIZATION),
            ),
        )
        yield served
    chosen.undo()


@pytest.fixture(scope="module")
def as_user(site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(site, browser)


def axe_clean(page: Any) -> None:
    """No serious or critical violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    found = [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert found == [], (page.url, found)


def visit(page: Any, path: str, shot: str | None = None) -> Any:
    page.goto(path)
    if "/section" in page.url:  # a registry-wide role chooses the section first
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/section" not in url)
    axe_clean(page)
    if shot:
        screenshot(page, shot)
    return page


def total_units(site: Site) -> int:
    return sum(demo.holdings(site.registry, site.world).values())


def exported(page: Any) -> list[dict[str, str]]:
    """The transaction search's CSV export, downloaded as the page's link does it."""
    with page.expect_download() as waited:
        page.get_by_role("link", name="CSV").click()
    return list(csv.DictReader(io.StringIO(Path(waited.value.path()).read_text("utf-8"))))


def test_the_party_users_day(site: Site, as_user: SignedIn) -> None:
    before = total_units(site)
    user = as_user("xxa.user")
    visit(user, "/", shot="day-party-user-dashboard")
    assert "XXA" in user.locator(".section-tag").inner_text()
    # Issuance and approvals are the administrator's: not offered.
    assert user.get_by_role("link", name="Users").count() == 0
    visit(user, "/accounts")
    user.locator("tr[data-account] a").first.click()
    user.wait_for_url("**/accounts/*")
    axe_clean(user)
    visit(user, "/actions")
    assert user.locator("a[href='/actions/issue']").count() == 0

    preview(
        user,
        "/actions/transfer",
        {
            "source_account": site.account("XXA Party mo_holding"),
            "destination_account": site.account("XXA Green Group A mo_holding"),
            "quantity": "2,500",
        },
    )
    axe_clean(user)
    moved = confirm(user, shot="day-party-user-transfer")
    axe_clean(user)
    assert user.locator("#tx-quantity").inner_text() == "2,500"

    user.locator("a.mono[href^='/units?q=']").first.click()  # a unit it moved: its history
    user.wait_for_url("**/units?q=*")
    axe_clean(user)
    assert moved in user.locator("main").inner_text()

    visit(user, "/transactions?kind=internal_transfer")
    assert moved in user.locator("table").inner_text()
    rows = exported(user)
    assert moved in [r["transaction"] for r in rows]
    visit(user, "/reports")
    assert total_units(site) == before


def test_the_entity_representatives_day(site: Site, as_user: SignedIn) -> None:
    before = total_units(site)
    green = as_user("green.group.a")
    visit(green, "/", shot="day-entity-dashboard")
    visit(green, "/accounts")
    shown = green.locator("main").inner_text()
    assert "Green Group A" in shown and site.account("XXA Party mo_holding") not in shown

    preview(
        green,
        "/actions/cancel?purpose=IMP",
        {"source_account": site.account(GREEN_AMO), "purpose_text": "CORSIA", "quantity": "400"},
    )
    axe_clean(green)
    asked = confirm(green)
    axe_clean(green)
    assert "awaiting" in green.locator("h1 + p").inner_text().lower()

    xxa = as_user("xxa.admin")  # the Party approves the entity's request
    xxa.goto("/approvals")
    xxa.get_by_role("button", name=f"Approve {asked}").click()
    xxa.wait_for_url(re.compile(rf"/transactions/{asked}\?done=approve"))

    visit(green, f"/transactions/{asked}", shot="day-entity-certificate-link")
    pdf_link = green.locator("#certificate-pdf")
    answer = green.request.get(site.base_url + str(pdf_link.get_attribute("href")))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    certificate = pypdf.PdfReader(io.BytesIO(answer.body()))
    words = " ".join(page.extract_text() for page in certificate.pages)
    assert "Certificate of cancellation" in words and "400 t CO2 eq" in words
    assert "authorized entity XXA-E0001 of XXA" in words
    url = re.search(r"(http://\S+/public/certificates/\S+)", words)
    assert url, words
    green.get_by_role("link", name="view to print").click()
    green.wait_for_url("**/certificate?format=html")
    axe_clean(green)
    assert url.group(1) in green.locator("body").inner_text()
    assert green.locator(".qr svg").count() == 1
    visit(green, url.group(1), shot="day-entity-certificate-check")
    assert "Genuine" in green.locator("#certificate-verdict").inner_text()
    assert green.locator("#certified-quantity").inner_text().startswith("400")

    visit(green, "/transactions?kind=cancellation")
    assert asked in green.locator("table").inner_text()
    assert {r["transaction"] for r in exported(green)} >= {asked}
    assert total_units(site) == before


def test_the_auditors_day(site: Site, as_user: SignedIn) -> None:
    before = total_units(site)
    auditor = as_user("auditor")
    visit(auditor, "/", shot="day-auditor-dashboard")
    assert auditor.get_by_role("link", name="New transaction").count() == 0  # reads only

    visit(auditor, "/journal")
    auditor.get_by_label("Event").fill("TransactionAwaitingApproval")
    auditor.get_by_role("button", name="Search").click()
    auditor.wait_for_url("**event=TransactionAwaitingApproval**")
    axe_clean(auditor)
    events = auditor.locator("#journal-entries tbody td:nth-child(3)").all_inner_texts()
    assert events and set(events) == {"TransactionAwaitingApproval"}
    auditor.locator("#journal-entries tbody a").first.click()
    auditor.wait_for_url("**/journal/*")
    axe_clean(auditor)
    assert len(auditor.locator("#entry-hash").inner_text()) == 64

    visit(auditor, "/journal")
    auditor.get_by_role("button", name="Verify the chain now").click()
    auditor.wait_for_url("**/journal#verification")
    state = auditor.locator("#verification-state")
    for _ in range(200):  # the walk runs in the background: reload until it has finished
        if "Verifying" not in state.inner_text():
            break
        auditor.reload()
        state = auditor.locator("#verification-state")
    assert "Intact" in state.inner_text()
    axe_clean(auditor)
    screenshot(auditor, "day-auditor-journal")

    visit(auditor, "/transactions?first_transfer=true")
    first_transfers = auditor.locator("table a.mono").all_inner_texts()
    assert first_transfers
    assert [r["transaction"] for r in exported(auditor)] == first_transfers
    visit(auditor, "/reports", shot="day-auditor-reports")
    assert total_units(site) == before
