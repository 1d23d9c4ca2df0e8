"""What the registry recorded in English, shown in the reader's language (#19): a certificate's
purpose and who asked for it, who initiated a transaction, the transfers waiting for
acceptance; and quantities typed in forms the way the page's language writes them. The API and
the journal keep the English and the JSON integers."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from http_world import HttpWorld, holdings, ok
from test_acceptance_over_http import waiting_transfer
from test_users_page import browser_session, form

NDC = "XXA-NDC-2025-001"
COOKIE = "article6_language"


def in_language(browser: TestClient, code: str) -> TestClient:
    browser.cookies.set(COOKIE, code)
    return browser


def french_get(world: HttpWorld, caller: str, path: str) -> httpx.Response:
    client = world.api[caller]
    return client.client.get(path, headers={**client.headers, "Accept-Language": "fr"})


def used_by_xxc(world: HttpWorld) -> str:
    """XXA links and transfers 300 NDC units to XXC, which uses 100 towards its NDC for 2025."""
    api = world.api
    ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 300},
            },
        )
    )
    ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/international-transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world["XXC Party itmo_holding"],
                "units": {"quantity": 300, "authorization_id": NDC},
            },
        )
    )
    before = sum(holdings(api).values())
    used = ok(
        api["xxc.admin"].post(
            "/api/v1/parties/XXC/uses",
            {
                "source_account": world["XXC Party itmo_holding"],
                "ndc_year": 2025,
                "units": {"quantity": 100},
            },
        )
    )
    assert sum(holdings(api).values()) == before  # moved, not created or lost
    return str(used["record"])


def test_a_certificate_says_its_purpose_and_who_asked_in_french(world: HttpWorld) -> None:
    used = used_by_xxc(world)
    path = f"/api/v1/parties/XXC/transactions/{used}/certificate"
    page = french_get(world, "xxc.admin", path + "?format=html")
    assert page.status_code == 200, page.text
    assert "Utilisation aux fins de la CDN de XXC pour 2025" in page.text, page.text
    assert "xxc.admin (administrateur, XXC)" in page.text
    # What machines read keeps the English.
    certificate = ok(french_get(world, "xxc.admin", path), 200)
    assert certificate["purpose"] == "Use towards the NDC of XXC for 2025"
    assert certificate["initiator"] == "xxc.admin (administrator, XXC)"


def test_who_initiated_a_transaction_is_said_in_spanish(world: HttpWorld) -> None:
    used = used_by_xxc(world)
    xxc = in_language(browser_session(world.api, "xxc.admin"), "es")
    page = xxc.get(f"/transactions/{used}")
    assert page.status_code == 200
    assert "xxc.admin (administrador, XXC)" in page.text, page.text
    transaction = ok(world.api["xxc.admin"].get(f"/api/v1/parties/XXC/transactions/{used}"), 200)
    assert transaction["initiator"] == "xxc.admin (administrator, XXC)"


def test_a_transfer_waiting_for_acceptance_names_its_initiator_in_french(world: HttpWorld) -> None:
    waiting_transfer(world)
    xxc = in_language(browser_session(world.api, "xxc.admin"), "fr")
    page = xxc.get("/incoming-transfers")
    assert page.status_code == 200
    assert "xxa.user (utilisateur de la Partie, XXA)" in page.text, page.text


def preview(browser: TestClient, quantity: str) -> httpx.Response:
    return form(
        browser,
        "/actions/link",
        {"account": "", "authorization_id": NDC, "quantity": quantity},
    )


def test_quantities_are_read_the_way_the_page_language_types_them(world: HttpWorld) -> None:
    xxa = browser_session(world.api, "xxa.admin")
    account = world["XXA Party mo_holding"]

    def typed(code: str, quantity: str) -> httpx.Response:
        in_language(xxa, code)
        fields = {"account": account, "authorization_id": NDC, "quantity": quantity}
        return form(xxa, "/actions/link", fields)

    before = holdings(world.api)
    for code, quantity in (
        ("en", "8,000"),
        ("en", "8000"),
        ("fr", "8 000"),
        ("fr", "8\u00a0000"),
        ("fr", "8\u202f000"),
        ("fr", "8.000"),
        ("es", "8.000"),
        ("es", "8 000"),
    ):
        shown = typed(code, quantity)
        assert shown.status_code == 200, (code, quantity, shown.text[:2000])
        assert 'id="preview"' in shown.text, (code, quantity)
        assert 'role="alert"' not in shown.text, (code, quantity)
    for code, quantity in (
        ("en", "8.5"),
        ("en", "8.000"),  # eight, or eight thousand? Refused, not guessed.
        ("fr", "8,5"),
        ("fr", "8,000"),
        ("es", "8,000"),
        ("es", "8,5"),
        ("es", "80.00"),
    ):
        refused = typed(code, quantity)
        assert refused.status_code >= 400, (code, quantity)
        assert "C1005" in refused.text, (code, quantity)
        assert 'id="quantity"' in refused.text and 'aria-invalid="true"' in refused.text
        assert f'value="{quantity}"' in refused.text, (code, quantity)  # kept as typed
    assert holdings(world.api) == before  # only previews: nothing moved
