"""The transaction search and the exports over HTTP: every field of the filter narrows the
list, a filter never widens what a role may see (written from the attacker's side), and the
CSV and XLSX files hold exactly the filtered list, streamed page by page."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from http_world import HttpWorld, holdings, ok

from article6.domain.access import Actor, Role
from article6.domain.filters import TransactionFilter
from article6.http.exports import csv_chunks, xlsx_chunks
from article6.services.reads import exports
from article6.store import transaction_pages

NDC = "XXA-NDC-2025-001"
GREEN_AMO = "XXA Green Group A amo_holding"


def identifiers(page: dict[str, Any]) -> list[str]:
    return [t["identifier"] for t in page["items"]]


def second_entity(world: HttpWorld) -> str:
    """A second entity of XXA (Blue Holdings, XXA-E0002) with 40 units, and its representative
    `blue.rep`; Green Group A holds 100. Returns Blue's AMO holding account."""
    admin = world.api["xxa.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/entities",
            {
                "name": "Blue Holdings",
                "identification_number": "B-3003",
                "country_of_incorporation": "XXA",
                "cooperative_approach": "CA0001",
                "date_of_authorization": "2025-03-01",
            },
        )
    )
    world.api.add_user("xxa.admin", "blue.rep", Role.ENTITY, "XXA", "XXA-E0002")
    accounts = ok(admin.get("/api/v1/parties/XXA/accounts?holder=XXA-E0002"), 200)
    blue = next(a["identifier"] for a in accounts if a["kind"] == "amo_holding")
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1_000},
            },
        )
    )
    for destination, quantity in ((world[GREEN_AMO], 100), (blue, 40)):
        ok(
            admin.post(
                "/api/v1/parties/XXA/transfers",
                {
                    "source_account": world["XXA Party amo_holding"],
                    "destination_account": destination,
                    "units": {"quantity": quantity},
                },
            )
        )
    return blue


def test_each_field_narrows_the_list(world: HttpWorld) -> None:
    blue = second_entity(world)
    before = holdings(world.api)
    admin = world.api["xxa.admin"]
    everything = ok(admin.get("/api/v1/parties/XXA/transactions?limit=500"), 200)["items"]
    to_blue = next(t for t in everything if t["destination_account"] == blue)
    url = "/api/v1/parties/XXA/transactions"

    by_entity = ok(admin.get(f"{url}?entity=XXA-E0002"), 200)
    assert identifiers(by_entity) == [to_blue["identifier"]]
    by_id = ok(admin.get(f"{url}?transaction={to_blue['identifier']}"), 200)
    assert identifiers(by_id) == [to_blue["identifier"]]
    by_kind = ok(admin.get(f"{url}?kind=issuance"), 200)
    assert by_kind["items"] and {t["kind"] for t in by_kind["items"]} == {"issuance"}
    by_vintage = ok(admin.get(f"{url}?vintage=2024"), 200)
    assert len(by_vintage["items"]) == len(everything)
    assert ok(admin.get(f"{url}?vintage=2023"), 200)["items"] == []

    # A serial: the transactions that moved that unit, in its registry or any.
    moved = to_blue["ranges"][0]
    for serial in (str(moved["first"]), f"{moved['registry']}-{moved['last']}"):
        movers = identifiers(ok(admin.get(f"{url}?serial={serial}"), 200))
        assert to_blue["identifier"] in movers
        assert all(
            any(r["first"] <= moved["first"] <= r["last"] for r in t["ranges"])
            for t in everything
            if t["identifier"] in movers
        )
    # Dates: everything is today (by the registry's clock), nothing tomorrow.
    created = to_blue["created_at"]
    assert ok(admin.get(f"{url}?since={created}"), 200)["items"]
    assert ok(admin.get(f"{url}?until={everything[-1]['created_at']}"), 200)["items"] == []
    assert holdings(world.api) == before  # reads move nothing


def test_bad_search_fields_are_named(world: HttpWorld) -> None:
    admin = world.api["xxa.admin"]
    response = admin.get("/api/v1/parties/XXA/transactions?serial=not-a-unit")
    assert response.status_code == 422
    assert [(c["check"], c["field"]) for c in response.json()["checks"]] == [("C1005", "serial")]


def test_an_entity_cannot_widen_its_view_by_filtering(world: HttpWorld) -> None:
    """Green Group A's representative asks for Blue's account, Blue's entity, and a transaction
    of Blue's by its id or serial: nothing, in the list and in the exports."""
    blue = second_entity(world)
    green = world.api["green.group.a"]
    admin = world.api["xxa.admin"]
    to_blue = ok(admin.get(f"/api/v1/parties/XXA/transactions?account={blue}"), 200)["items"][0]
    attempts = (
        f"account={blue}",
        "entity=XXA-E0002",
        f"transaction={to_blue['identifier']}",
        f"serial={to_blue['ranges'][0]['first']}&entity=XXA-E0002",
    )
    for query in attempts:
        page = ok(green.get(f"/api/v1/parties/XXA/transactions?{query}"), 200)
        assert page["items"] == [], query
        exported = green.get(f"/api/v1/parties/XXA/transactions.csv?{query}")
        assert exported.status_code == 200
        assert list(csv.reader(io.StringIO(exported.text)))[1:] == [], query
    # The same filters answer the Party's administrator, and Blue's own representative.
    assert ok(admin.get("/api/v1/parties/XXA/transactions?entity=XXA-E0002"), 200)["items"]
    blue_rep = world.api["blue.rep"]
    seen = ok(blue_rep.get("/api/v1/parties/XXA/transactions"), 200)
    assert identifiers(seen) == [to_blue["identifier"]]
    # Green sees its own transfer only, whatever it asks.
    own = ok(green.get("/api/v1/parties/XXA/transactions"), 200)
    assert [t["destination_account"] for t in own["items"]] == [world[GREEN_AMO]]
    # Another Party's holdings file is refused before any byte of it.
    refused = green.get("/api/v1/parties/XXC/holdings.csv")
    assert refused.status_code == 403


def test_exports_hold_the_filtered_list(world: HttpWorld) -> None:
    second_entity(world)
    admin = world.api["xxa.admin"]
    listed = ok(admin.get("/api/v1/parties/XXA/transactions?kind=internal_transfer"), 200)
    as_csv = admin.get("/api/v1/parties/XXA/transactions.csv?kind=internal_transfer")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["transaction"] for r in rows] == identifiers(listed)
    assert {r["quantity"] for r in rows} == {"100", "40"}  # no grouping
    assert all(r["created_at"].endswith("Z") and "T" in r["created_at"] for r in rows)

    as_xlsx = admin.get("/api/v1/parties/XXA/transactions.xlsx?kind=internal_transfer")
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][:2] == ("transaction", "created_at")
    assert [r[0] for r in cells[1:]] == identifiers(listed)
    assert sorted(r[5] for r in cells[1:]) == [40, 100]  # quantities are numbers

    per_account = admin.get("/api/v1/parties/XXA/holdings.csv")
    totals = list(csv.DictReader(io.StringIO(per_account.text)))
    held = holdings(world.api)
    assert sum(int(r["quantity"]) for r in totals) == sum(
        q for name, q in held.items() if name.startswith("XXA")
    )  # conservation: the file holds every unit the section holds
    per_block = admin.get("/api/v1/parties/XXA/holdings.xlsx?by=block")
    blocks = list(
        openpyxl.load_workbook(io.BytesIO(per_block.content), read_only=True).active.iter_rows(  # type: ignore[union-attr]
            values_only=True
        )
    )
    assert sum(r[5] for r in blocks[1:]) == sum(int(r["quantity"]) for r in totals)


def test_a_large_export_is_written_as_its_pages_are_read(
    world: HttpWorld, monkeypatch: Any
) -> None:
    """Pages of one: each chunk of the file goes out after one more page is read, never after
    all of them, so memory holds a page whatever the size of the export."""
    second_entity(world)
    monkeypatch.setattr(exports, "EXPORT_PAGE", 1)
    reads: list[int] = []
    real = transaction_pages.filtered_page

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(transaction_pages, "filtered_page", counted)
    admin = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")
    for write in (csv_chunks, xlsx_chunks):
        reads.clear()
        sheet = exports.transactions(world.api.registry, admin, "XXA", TransactionFilter())
        assert reads == []  # nothing read until the file is written
        pages_read_at_each_chunk = [len(reads) for _ in write(sheet)]
        assert len(reads) >= 4  # issuance, link and two transfers: a page each
        # A chunk went out after the first page, after the second, after the third…
        assert set(range(1, len(reads) + 1)) <= set(pages_read_at_each_chunk)
        assert pages_read_at_each_chunk == sorted(pages_read_at_each_chunk)
