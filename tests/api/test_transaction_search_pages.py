"""The transaction search page: its filter is in the address (the form shows it back, the
"older" and export links repeat it), a bad field is named with its check, and the page's
export links download the list the page shows."""

from __future__ import annotations

import csv
import html
import io
import re

from http_world import HttpWorld, ok
from test_transaction_search_and_export import second_entity
from test_users_page import browser_session


def test_the_search_is_in_the_address_and_the_export_links(world: HttpWorld) -> None:
    blue = second_entity(world)
    browser = browser_session(world.api, "xxa.admin")
    page = browser.get(f"/transactions?kind=internal_transfer&account={blue}&vintage=2024")
    assert page.status_code == 200, page.text
    assert f'value="{blue}"' in page.text
    assert '<option value="internal_transfer" selected>' in page.text
    shown = set(re.findall(r'href="/transactions/([^"]+)"', page.text))
    assert len(shown) == 1
    link = re.search(r'href="(/transactions\.csv\?[^"]+)"', page.text)
    assert link
    exported = browser.get(html.unescape(link.group(1)))
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["transaction"] for r in rows} == shown
    assert rows[0]["destination_account"] == blue


def test_a_bad_field_is_named_and_nothing_is_listed(world: HttpWorld) -> None:
    browser = browser_session(world.api, "xxa.admin")
    page = browser.get("/transactions?since=2026-13-01&vintage=twenty&serial=x-y")
    assert page.status_code == 422
    for check, field in (("C1009", "since"), ("C1006", "vintage"), ("C1005", "serial")):
        assert re.search(rf"{check}</span>.*?\(field: {field}\)", page.text), (check, field)
    assert 'href="/transactions/' not in page.text
    assert "Traceback" not in page.text and "Input should" not in page.text


def test_an_entity_page_search_for_another_entity_finds_nothing(world: HttpWorld) -> None:
    blue = second_entity(world)
    browser = browser_session(world.api, "green.group.a")
    page = browser.get(f"/transactions?account={blue}")
    assert page.status_code == 200
    assert 'href="/transactions/' not in page.text
    admin = world.api["xxa.admin"]
    assert ok(admin.get(f"/api/v1/parties/XXA/transactions?account={blue}"), 200)["items"]


def test_the_account_page_links_its_blocks_and_transactions_files(world: HttpWorld) -> None:
    blue = second_entity(world)
    browser = browser_session(world.api, "xxa.admin")
    page = browser.get(f"/accounts/{blue}")
    assert page.status_code == 200, page.text
    blocks_link = re.search(r'href="(/holdings\.csv\?by=block[^"]*)"', page.text)
    assert blocks_link
    rows = list(csv.DictReader(io.StringIO(browser.get(html.unescape(blocks_link[1])).text)))
    assert {r["account"] for r in rows} == {blue}
    assert sum(int(r["quantity"]) for r in rows) == 40  # every unit Blue holds, no more
    dashboard = browser.get("/")
    per_account = re.search(r'href="(/holdings\.xlsx)"', dashboard.text)
    assert per_account
    answer = browser.get(per_account[1])
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
