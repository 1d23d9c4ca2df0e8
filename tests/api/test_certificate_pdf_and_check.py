"""Certificates of use and cancellation as PDF, and the public page that checks one against the
ledger: from the side of whoever holds the paper (does it say what the ledger says?) and of a
forger (an altered number, a guessed transaction, a ledger changed behind the certificate's
back all read "not found", and the page never says more than the certificate does)."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
import segno
from http_world import HttpWorld, holdings, ok
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from test_users_page import browser_session
from test_who_acts import GREEN_AMO, give_green_group_a

from article6.services.use_and_cancellation_certificates import Certificate, certificate_number

NOT_FOUND = "Not found: no certificate with this number matches the registry"


def cancelled_by_the_party(world: HttpWorld, quantity: int = 7) -> dict[str, Any]:
    """XXA links NDC units (and hands 20 to Green Group A), then cancels `quantity` itself."""
    give_green_group_a(world, quantity=20)
    before = sum(holdings(world.api).values())
    cancelled = ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/cancellations",
            {
                "source_account": world["XXA Party amo_holding"],
                "purpose": "voluntary",
                "units": {"quantity": quantity},
            },
        )
    )
    assert sum(holdings(world.api).values()) == before  # moved, not created or lost
    return cancelled


def certificate_json(world: HttpWorld, identifier: str) -> dict[str, Any]:
    return ok(
        world.api["xxa.admin"].get(f"/api/v1/parties/XXA/transactions/{identifier}/certificate"),
        200,
    )


def pdf_of(world: HttpWorld, identifier: str, caller: str = "xxa.admin") -> pypdf.PdfReader:
    response = world.api[caller].get(
        f"/api/v1/parties/XXA/transactions/{identifier}/certificate?format=pdf"
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(response.content))


def drawn_squares(reader: pypdf.PdfReader) -> list[tuple[float, float, float]]:
    """Every filled square on the first page (x, y, side): the QR code's dark modules."""
    content = reader.pages[0].get_contents()
    assert content is not None
    found = re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", content.get_data())
    return [(float(x), float(y), float(w)) for x, y, w, h in found if float(w) == -float(h)]


def qr_read(reader: pypdf.PdfReader) -> list[list[bool]]:
    """The drawn squares as the QR code's grid of modules (row by row from the top)."""
    squares = drawn_squares(reader)
    side = squares[0][2]
    left = min(x for x, _, _ in squares)
    top = max(y for _, y, _ in squares)  # PDF's y grows upwards
    cells = {(round((top - y) / side), round((x - left) / side)) for x, y, _ in squares}
    size = max(max(r, c) for r, c in cells) + 1
    return [[(r, c) in cells for c in range(size)] for r in range(size)]


def test_the_pdf_states_the_figures_and_links_the_page_that_checks_it(world: HttpWorld):
    cancelled = cancelled_by_the_party(world)
    identifier = cancelled["record"]
    stated = certificate_json(world, identifier)
    assert stated["number"].startswith(identifier + ".")
    reader = pdf_of(world, identifier)
    words = " ".join(page.extract_text() for page in reader.pages)
    url = f"http://testserver/public/certificates/{stated['number']}"
    for figure in (
        "Certificate of cancellation",
        stated["number"],
        identifier,
        "7 t CO2 eq",
        "Voluntary cancellation",
        stated["units"][0],
        stated["date"][:10],
        url,
    ):
        assert figure in words, figure
    links = [
        annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[0].get("/Annots", [])
    ]
    assert url in links
    # The QR code drawn on the page is the verification URL's, module for module.
    expected = [[bool(module) for module in row] for row in segno.make(url, error="m").matrix]
    assert qr_read(reader) == expected


def test_the_html_certificate_shows_its_number_and_the_link(world: HttpWorld):
    identifier = cancelled_by_the_party(world)["record"]
    number = certificate_json(world, identifier)["number"]
    page = world.api["xxa.admin"].get(
        f"/api/v1/parties/XXA/transactions/{identifier}/certificate?format=html"
    )
    assert number in page.text
    assert f'href="http://testserver/public/certificates/{number}"' in page.text
    assert "<svg" in page.text


def test_anyone_confirms_a_genuine_certificate_and_reads_only_what_it_states(world: HttpWorld):
    identifier = cancelled_by_the_party(world)["record"]
    stated = certificate_json(world, identifier)
    page = world.api.client.get(f"/public/certificates/{stated['number']}")  # not signed in
    assert page.status_code == 200
    assert "Genuine: the registry's ledger records now what this certificate states" in page.text
    for figure in (stated["units"][0], "Voluntary cancellation", "XXA", stated["date"][:10]):
        assert figure in page.text, figure
    assert re.search(r'id="certified-quantity">7 t CO<sub>2</sub> eq', page.text)
    # Who asked and who approved, and the accounts, are on no public page.
    assert "xxa.admin" not in page.text
    assert world["XXA Party amo_holding"] not in page.text


def test_an_entitys_certificate_names_the_entity_and_checks_as_genuine(world: HttpWorld):
    give_green_group_a(world, quantity=20)
    asked = ok(
        world.api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations",
            {"source_account": world[GREEN_AMO], "purpose": "voluntary", "units": {"quantity": 3}},
        )
    )
    identifier = asked["record"]
    if asked["transaction"]["status"] == "awaiting_approval":
        ok(
            world.api["xxa.admin"].post(
                f"/api/v1/parties/XXA/transactions/{identifier}/approval", {}
            ),
            200,
        )
    reader = pdf_of(world, identifier, "green.group.a")
    words = " ".join(page.extract_text() for page in reader.pages)
    assert "authorized entity XXA-E0001 of XXA" in words
    number = certificate_json(world, identifier)["number"]
    page = world.api.client.get(f"/public/certificates/{number}")
    assert page.status_code == 200 and "XXA-E0001" in page.text


def test_an_altered_or_guessed_number_reads_not_found_and_says_nothing_more(world: HttpWorld):
    identifier = cancelled_by_the_party(world)["record"]
    number = certificate_json(world, identifier)["number"]
    transaction, digest = number.rsplit(".", 1)
    flipped = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    transfers = ok(world.api["xxa.admin"].get("/api/v1/parties/XXA/transactions"), 200)
    another = next(t["identifier"] for t in transfers["items"] if t["identifier"] != identifier)
    for forged in (
        f"{transaction}.{flipped}",  # one character of the digest changed
        transaction,  # the transaction alone, as one would guess it
        f"{transaction}.",
        f"{another}.{digest}",  # the digest moved onto another transaction
        f"XXA01-99999999.{digest}",  # a transaction that does not exist
        number + "0",
        "x" * 400,
    ):
        page = world.api.client.get(f"/public/certificates/{forged}")
        assert page.status_code == 404, forged
        assert NOT_FOUND in page.text, forged
        assert "Voluntary cancellation" not in page.text and " t CO" not in page.text


def test_a_certificate_altered_with_a_number_recomputed_for_it_reads_not_found(
    world: HttpWorld,
):
    """A forger who knows how the number is made, and makes one for the figures they wrote
    (70 for 7, another purpose), still gets "not found": the page makes the number from the
    ledger, not from the paper."""
    identifier = cancelled_by_the_party(world)["record"]
    stated = Certificate.model_validate(certificate_json(world, identifier))
    for altered in ({"quantity": 70}, {"purpose": "Use towards the NDC of XXA for 2030"}):
        number = certificate_number(stated.model_copy(update=altered))
        page = world.api.client.get(f"/public/certificates/{number}")
        assert page.status_code == 404 and NOT_FOUND in page.text, altered
    # The ledger itself refuses the change (a final transaction cannot change), so a genuine
    # number stays genuine.
    with pytest.raises(DatabaseError), world.api.registry.engine.begin() as connection:
        connection.execute(
            text("UPDATE transactions SET quantity = 70 WHERE identifier = :identifier"),
            {"identifier": identifier},
        )
    assert world.api.client.get(f"/public/certificates/{stated.number}").status_code == 200


def test_the_transaction_page_links_the_pdf(world: HttpWorld):
    identifier = cancelled_by_the_party(world)["record"]
    browser = browser_session(world.api, "xxa.admin")
    page = browser.get(f"/transactions/{identifier}")
    assert page.status_code == 200
    pdf = f"/api/v1/parties/XXA/transactions/{identifier}/certificate?format=pdf"
    assert f'id="certificate-pdf" href="{pdf}"' in page.text
    assert browser.get(pdf).headers["content-type"] == "application/pdf"


def test_the_pdf_in_french_says_its_action_and_dates_the_french_way(world: HttpWorld):
    """The PDF is said in the `Accept-Language` language: the AEF action beside its official
    English, dates in French (the month in words) (#19)."""
    identifier = cancelled_by_the_party(world, quantity=970)["record"]
    caller = world.api["xxa.admin"]
    response = caller.client.get(
        f"/api/v1/parties/XXA/transactions/{identifier}/certificate?format=pdf",
        headers={**caller.headers, "Accept-Language": "fr"},
    )
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    said = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Certificat d'annulation" in said, said
    assert "Annulation (Cancellation)" in said or "Annulation volontaire" in said, said
    assert re.search(r"\d{1,2} [a-zéû]+\.? 20\d\d", said), said  # 3 déc. 2026
    assert "970 t" in said, said
