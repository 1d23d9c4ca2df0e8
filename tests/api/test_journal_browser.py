"""The auditor's journal browser: the entries filtered by event, Party, actor, subject and
day, each entry with its body and both hashes; the chain verified from the page, read only
(nothing sealed or written), a broken entry reported; and who may see and run what."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from http_world import HttpWorld, ok
from sqlalchemy import func, select, text, update
from test_users_page import browser_session, form

from article6.services import chain_verification
from article6.store.schema import journal, journal_head

NDC = "XXA-NDC-2025-001"


def signed_in(world: HttpWorld, name: str) -> TestClient:
    """Signed in through the page, in XXA's section (a registry-wide role chooses one)."""
    browser = browser_session(world.api, name)
    if browser.get("/journal").status_code == 303:
        chosen = form(browser, "/section", {"party": "XXA", "next": "/journal"})
        assert chosen.status_code == 303, chosen.text
    return browser


def journal_seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'href="/journal/(\d+)"', page)]


def verify_now(browser: TestClient, world: HttpWorld) -> str:
    started = form(browser, "/journal/verification")
    assert started.status_code == 303, started.text
    chain_verification.wait(world.api.registry, timeout=60)
    return browser.get("/journal").text


def test_the_auditor_filters_the_journal_and_reads_an_entry(world: HttpWorld) -> None:
    browser = signed_in(world, "auditor")  # registry-wide
    everything = browser.get("/journal")
    assert everything.status_code == 200, everything.text
    assert '<a href="/journal" aria-current="page">Journal</a>' in everything.text
    all_seqs = journal_seqs(everything.text)
    assert all_seqs == sorted(all_seqs) and len(all_seqs) > 10

    issued = browser.get("/journal?party=XXA&event=UnitsIssued")
    assert issued.status_code == 200
    wanted = ok(
        world.api["secretariat.admin"].get("/api/v1/journal?event=UnitsIssued&limit=500"), 200
    )["items"]
    assert journal_seqs(issued.text) == [e["seq"] for e in wanted if e["party"] == "XXA"]
    assert journal_seqs(browser.get("/journal?actor=xxc.admin").text)
    assert journal_seqs(browser.get("/journal?actor=nobody.at.all").text) == []
    assert journal_seqs(browser.get("/journal?since=2999-01-01").text) == []
    bad = browser.get("/journal?until=yesterday")
    assert bad.status_code == 422 and "C1009" in bad.text and "(field: until)" in bad.text

    by_admin = ok(
        world.api["auditor"].get("/api/v1/journal?party=XXA&by=xxa.admin&limit=500"), 200
    )["items"]
    assert by_admin and {e["party"] for e in by_admin} == {"XXA"}
    assert {e["actor"].split(" (")[0] for e in by_admin} == {"xxa.admin"}

    entry = wanted[0]
    detail = browser.get(f"/journal/{entry['seq']}")
    assert detail.status_code == 200
    assert entry["hash"] in detail.text and entry["previous_hash"] in detail.text
    body = re.search(r'<pre id="entry-body">(.*?)</pre>', detail.text, re.S)
    assert body and "\n  " in html.unescape(body.group(1))  # pretty-printed


def test_verifying_from_the_page_reads_only_and_reports_a_break(world: HttpWorld) -> None:
    registry = world.api.registry
    browser = signed_in(world, "auditor")
    assert "Not verified from these pages" in browser.get("/journal").text

    def state() -> tuple[int, int, str]:
        with registry.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(journal)).scalar_one()
            head = connection.execute(select(journal_head.c.seq, journal_head.c.hash)).one()
        return count, head.seq, head.hash

    before = state()
    page = verify_now(browser, world)
    assert "Intact" in page and f"chain of {before[1]} entries" in page
    assert state() == before  # nothing written, not even the verification itself

    with registry.engine.begin() as connection:  # an intruder with the database's keys
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
        else:
            connection.execute(text("DROP TRIGGER journal_no_update"))
        connection.execute(update(journal).where(journal.c.seq == 3).values(body='{"x":1}'))
    page = verify_now(browser, world)
    assert "The chain is broken" in page
    assert "journal entry 3 was altered (hash mismatch)" in page


def test_who_sees_the_journal_and_who_verifies(world: HttpWorld) -> None:
    section_auditor = signed_in(world, "xxa.auditor")
    page = section_auditor.get("/journal")
    assert page.status_code == 200
    assert "Verify the chain now" not in page.text
    assert 'id="party"' not in page.text  # its section only
    xxc_entries = ok(world.api["xxc.admin"].get("/api/v1/parties/XXC/journal?limit=5"), 200)[
        "items"
    ]
    assert not set(journal_seqs(page.text)) & {e["seq"] for e in xxc_entries}
    # Another section's entry, asked for by its number: refused, nothing shown.
    refused = section_auditor.get(f"/journal/{xxc_entries[0]['seq']}")
    assert refused.status_code == 404 and xxc_entries[0]["hash"] not in refused.text
    # Starting a verification is for registry-wide roles.
    assert form(section_auditor, "/journal/verification").status_code == 403
    # An entity's representative does not see the journal, nor has it in the navigation.
    entity = signed_in(world, "green.group.a")
    assert entity.get("/journal").status_code == 403
    assert 'href="/journal"' not in entity.get("/").text
    secretariat = signed_in(world, "secretariat.admin")
    assert "Verify the chain now" in secretariat.get("/journal").text


def test_the_api_starts_and_follows_a_verification(world: HttpWorld) -> None:
    auditor = world.api["auditor"]
    started = auditor.post("/api/v1/journal/verification")
    assert started.status_code == 202, started.text
    assert started.json()["started_by"] == "auditor"
    chain_verification.wait(world.api.registry, timeout=60)
    state = ok(auditor.get("/api/v1/journal/verification"), 200)
    assert state["running"] is False and state["sound"] is True
    assert state["checked"] == state["total"] > 0 and state["problems"] == []
    refused = world.api["xxa.auditor"].post("/api/v1/journal/verification")
    assert refused.status_code == 403
