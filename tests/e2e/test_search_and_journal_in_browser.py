"""Search, export and the journal in a browser: the transaction search keeps its filter in
the address (a bookmark and the back button give the same list), the export link downloads
the list shown, and the registry auditor filters the journal, opens an entry and verifies
the chain from the page. Each page is axe clean (no serious or critical violation)."""

from __future__ import annotations

import csv
import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_site
import pytest
from browser_site import (
    SignedIn,
    Site,
    make_site,
    require_chromium,
    screenshot,
    signed_in_pages,
)

from article6.demo import world as demo

PORTS = range(18950, 19000)


def port_of_ours() -> int:
    """A free port of those this suite may use."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 18950 and 18999")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("search") / "registry.db"
    path.write_bytes(sqlite_template.read_bytes())
    chosen = pytest.MonkeyPatch()
    chosen.setattr(browser_site, "free_port", port_of_ours)
    for served in make_site(f"sqlite:///{path}"):
        demo.scenario_1a(served.registry, served.world)
        yield served
    chosen.undo()


@pytest.fixture(scope="module")
def as_user(site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(site, browser)


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def listed(page: Any) -> list[str]:
    return page.locator("table a.mono").all_inner_texts()


def test_the_search_is_bookmarkable_and_exports_what_it_shows(
    site: Site, as_user: SignedIn
) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/transactions")
    everything = listed(xxa)
    assert everything
    assert serious(xxa) == []

    xxa.get_by_label("Kind").select_option("issuance")
    xxa.get_by_role("button", name="Search").click()
    xxa.wait_for_url("**/transactions?**kind=issuance**")
    issuances = listed(xxa)
    assert issuances and set(issuances) < set(everything)
    bookmark = xxa.url

    xxa.get_by_label("Vintage").fill("1999")
    xxa.get_by_role("button", name="Search").click()
    xxa.wait_for_url("**vintage=1999**")
    assert listed(xxa) == []
    xxa.go_back()
    xxa.wait_for_url(bookmark)
    assert listed(xxa) == issuances
    assert xxa.get_by_label("Kind").input_value() == "issuance"
    assert xxa.get_by_label("Vintage").input_value() == ""  # the address's search, not 1999
    screenshot(xxa, "transaction-search")

    with xxa.expect_download() as waited:
        xxa.get_by_role("link", name="CSV").click()
    saved = Path(waited.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(saved)))
    assert [r["transaction"] for r in rows] == issuances

    xxa.goto("/transactions?vintage=twenty")
    assert "C1006" in xxa.locator("#refusals").inner_text()
    assert serious(xxa) == []


def test_the_auditor_browses_the_journal_and_verifies_the_chain(
    site: Site, as_user: SignedIn
) -> None:
    auditor = as_user("auditor")
    auditor.goto("/journal")
    if "/section" in auditor.url:
        auditor.get_by_role("button", name="Continue").click()
        auditor.wait_for_url("**/journal")
    assert auditor.get_by_role("link", name="Journal").get_attribute("aria-current") == "page"
    assert serious(auditor) == []

    auditor.get_by_label("Event").fill("UnitsIssued")
    auditor.get_by_role("button", name="Search").click()
    auditor.wait_for_url("**event=UnitsIssued**")
    events = auditor.locator("#journal-entries tbody td:nth-child(3)").all_inner_texts()
    assert events and set(events) == {"UnitsIssued"}

    auditor.locator("#journal-entries tbody a").first.click()
    auditor.wait_for_url("**/journal/*")
    assert len(auditor.locator("#entry-hash").inner_text()) == 64
    assert '"' in auditor.locator("#entry-body").inner_text()
    screenshot(auditor, "journal-entry")
    assert serious(auditor) == []

    auditor.goto("/journal")
    auditor.get_by_role("button", name="Verify the chain now").click()
    auditor.wait_for_url("**/journal#verification")
    state = auditor.locator("#verification-state")
    for _ in range(200):  # the walk runs in the background: reload until it has finished
        if "Verifying" not in state.inner_text():
            break
        auditor.reload()
        state = auditor.locator("#verification-state")
    assert "Intact" in state.inner_text()
    screenshot(auditor, "journal")
    assert serious(auditor) == []
