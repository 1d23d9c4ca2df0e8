"""The PDF certificate in the reader's language: Noto Sans and Noto Sans Arabic (from PyPI,
embedded) print every letter of French and Spanish (é è à ç œ ñ ¿ ¡ « » and Ő) and Arabic,
shaped and right to left; what neither font has is written by its base letter or '?', and a
translation in a script they cannot write is said in English, not as '?'s.

The catalogs here are real gettext catalogs, compiled into a temporary locale folder."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from article6 import translation
from article6.services.use_and_cancellation_certificates import Certificate
from article6.web.documents.certificate_pdf import certificate_pdf, printable

FRENCH = {
    "Certificate of cancellation": "Certificat d'annulation",
    "Certificate number": "Numéro du certificat",
    "Purpose": "Objet",
    "Requested by": "Demandé par",
    "{quantity:,} t CO2 eq": "{quantity:,} t éq. CO2",
    "Issued {moment}.": "Délivré le {moment}.",
    "The registry of {name} ({party}) certifies that the units below were cancelled and can "
    "never be transferred, used or cancelled again.": "Le registre de {name} ({party}) certifie "
    "que les unités ci-dessous ont été annulées\u202f: cœur, Œuvre, « à jamais ».",
}
SPANISH = {
    "Certificate of cancellation": "Certificado de cancelación",
    "Requested by": "Solicitado por",
    "Check this certificate against the registry's ledger: scan the QR code or open": (
        "¿Es auténtico? ¡Verifíquelo! Escanee el código QR o abra"
    ),
}
ARABIC = {
    "Certificate of cancellation": "شهادة الإلغاء",
    "Requested by": "طلبها",
    "Issued {moment}.": "صدرت في {moment}.",
}
CHINESE = "注销证书"


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for code, table in (("fr", FRENCH), ("es", SPANISH), ("ar", ARABIC)):
        catalog = Catalog(locale=code)
        for english, said in table.items():
            catalog.add(english, said)
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as f:
            write_mo(f, catalog)
    monkeypatch.setattr(translation, "LOCALE_DIR", tmp_path)
    translation.catalog.cache_clear()
    yield
    translation.catalog.cache_clear()


def certificate() -> Certificate:
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    return Certificate(
        transaction="XXA-2026-000042",
        kind="cancellation",
        action="Cancellation",
        party="XXA",
        party_name="République de Côte-d’Ivoire Ő",
        by="Party XXA",
        entity=None,
        entity_name=None,
        purpose="Voluntary cancellation",
        ndc_year=None,
        cancellation_purpose="OP",
        date=moment,
        quantity=1234,
        units=["CA0001-XXA01-XXA-1-1234-2025"],
        first_transfer=False,
        initiator="xxa.admin",
        approver=None,
        issued_at=moment,
        number="XXA-2026-000042.abc",
    )


def text_of(code: str) -> str:
    with translation.speaking(code):
        pdf = certificate_pdf(certificate(), "https://registry.example/public/certificates/x")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() for page in reader.pages)


def test_french_prints_every_letter(catalogs: None) -> None:
    words = text_of("fr")
    for said in (
        "Certificat d'annulation",
        "Numéro du certificat",
        "Demandé par",
        "Délivré le 4 mars 2026, 05:06:07 UTC.",
        "cœur, Œuvre, « à jamais »",
        "République de Côte-d’Ivoire Ő",  # beyond Windows-1252, in the font
    ):
        assert said in words, said
    # The quantity grouped the French way (a no-break space), not 1,234.
    assert re.search(r"1[\s\u00a0]234 t éq\. CO2", words), words
    assert "Certificate of cancellation" not in words


def test_spanish_prints_inverted_marks_and_tildes(catalogs: None) -> None:
    words = text_of("es")
    for said in ("Certificado de cancelación", "Solicitado por", "¿Es auténtico? ¡Verifíquelo!"):
        assert said in words, said


def test_arabic_prints_in_arabic_right_to_left_with_the_fonts_embedded(catalogs: None) -> None:
    with translation.speaking("ar"):
        pdf = certificate_pdf(certificate(), "https://registry.example/public/certificates/x")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # The text in the order it is drawn, left to right (what a reader of the page scans from
    # the right); the extractor's stray control codes from the shaped glyphs dropped.
    drawn = re.sub(r"[\x00-\x09\x0b-\x1f\u200e\u200f]", "", reader.pages[0].extract_text())
    lines = [" ".join(line.split()) for line in drawn.splitlines()]
    assert lines[0] == "الإلغاء شهادة", lines[0]  # "Certificate of cancellation", right to left
    assert "Certificate of cancellation" not in drawn
    issued = next(line for line in lines if "صدرت" in line)
    # "Issued {moment}.": the moment as Arabic writes it (day/month/year, its numbers left to
    # right), the sentence right to left
    assert issued == ".UTC ص 5:06:07 ،2026/03/04 في صدرت", issued
    assert "طلبها" in drawn  # a label, in its cell on the right
    assert "CA0001-XXA01-XXA-1-1234-2025" in drawn  # the units, left to right
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSansArabic" in f for f in fonts), fonts
    assert any("NotoSans" in f and "Arabic" not in f for f in fonts), fonts


def test_a_translation_the_fonts_cannot_write_is_said_in_english(
    catalogs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ARABIC, "Certificate of cancellation", CHINESE)
    translation.catalog.cache_clear()
    folder = translation.LOCALE_DIR / "ar" / "LC_MESSAGES"
    catalog = Catalog(locale="ar")
    for english, said in ARABIC.items():
        catalog.add(english, said)
    with open(folder / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    words = text_of("ar")
    assert "Certificate of cancellation" in words
    assert CHINESE not in words and "????" not in words


def test_english_stays_as_it_was(catalogs: None) -> None:
    words = text_of("en")
    for said in (
        "Certificate of cancellation",
        "1,234 t CO2 eq",
        "certifies that the units below were",
        "Issued 2026-03-04 05:06:07 UTC.",
    ):
        assert said in words, said


def test_what_the_fonts_write_and_their_fallbacks() -> None:
    assert printable("Cœur ¿Qué? ¡Sí! « Compte » – é è à ç ñ € Łódź Ő") == (
        "Cœur ¿Qué? ¡Sí! « Compte » – é è à ç ñ € Łódź Ő"
    )
    assert printable("شهادة") == "شهادة"
    assert printable("ﬁn") in ("ﬁn", "fin")  # a ligature, or its letters
    assert printable(CHINESE) == "????"
