"""Every page of the seed's world after its four scenarios, read in French as each role, says
nothing in English that the catalog says in French (#19): each visible text (and the labels a
screen reader reads) is compared with the catalog's English messages, and one equal to a message
the catalog translates differently is English left on a French page.

The pages are found as a reader finds them: from the dashboard, following the links of each
page (GET only, never a form), the print-ready documents included; downloads for machines (CSV,
XLSX, JSON, the AEF) are not pages and are left out."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from http_world import HttpWorld
from test_scenarios_over_http import STEPS
from test_users_page import browser_session, form

import article6.translation

CATALOG = Path(article6.translation.__file__).parent / "locale/fr/LC_MESSAGES/messages.po"
ROLES = (
    "secretariat.admin",
    "xxa.admin",
    "xxa.user",
    "xxa.auditor",
    "auditor",
    "green.group.a",
    "xxc.admin",
)
PAGES_PER_ROLE = 200
"""Enough to reach every kind of page from the dashboard; a bound, so the walk stays short."""
LEFT_OUT = re.compile(
    r"format=(csv|xlsx|json|aef)|/aef|/export|\.(csv|xlsx|json|pdf)$|/sign-out|/static/|/language"
)
SAME_WORD = {
    # English words French writes the same way, or names and codes the catalog also holds.
    "Article 6",
    "OK",
    "OMGE",  # the cancellation purpose's code, which the French label names before its AGEM
}
ISO_DAY = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
"""A date written the ISO way: English keeps it on screens, French says its own (Babel). One
inside an identifier, a serial or a code is not a date (the lookarounds), nor is a
`<time datetime=...>` attribute, which is not visible text, nor a record shown as the machines
keep it (a journal entry's JSON body in `<pre>`, a value in `<code>`)."""
AS_RECORDED = ("pre", "code")
NAMES = {"auditor"}
"""The world's user names that are also English words: a name is written as it is."""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def english_said_otherwise() -> set[str]:
    """The catalog's English messages (without fields) that French says differently, less the
    names that are written as they are."""
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    found: set[str] = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        english = message.id.strip()
        if "{" in english or "%(" in english or len(english) < 3:
            continue
        if english != str(message.string).strip() and english not in SAME_WORD:
            found.add(english)
    return found - NAMES


class VisibleText(HTMLParser):
    """The texts a reader sees or hears, and the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.recorded: list[str] = []  # the texts shown as recorded (AS_RECORDED)
        self.links: list[str] = []
        self._hidden = 0
        self._as_recorded = 0
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        quoted = named.get("lang") == "en"  # an English original quoted on purpose
        if tag in ("script", "style", "template") or quoted:
            self._hidden += 1
        if tag in AS_RECORDED:
            self._as_recorded += 1
        if tag not in VOID:
            self._open.append((tag, tag in ("script", "style", "template") or quoted))
        if tag == "a" and named.get("href"):
            self.links.append(str(named["href"]))
        self.texts.extend(str(named[a]) for a in ATTRIBUTES if named.get(a))
        if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
            self.texts.append(str(named["value"]))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, hiding = self._open.pop()
            if hiding:
                self._hidden -= 1
            if opened in AS_RECORDED:
                self._as_recorded -= 1
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data)
            if self._as_recorded:
                self.recorded.append(data)


def visible(page: str) -> list[str]:
    reader = VisibleText()
    reader.feed(page)
    return reader.texts


def walk(browser: TestClient, english: set[str]) -> tuple[int, dict[str, set[str]]]:
    """The pages reached from the dashboard and, per page, the English texts and the ISO dates
    found on it."""
    waiting, seen = ["/"], set()
    found: dict[str, set[str]] = {}
    while waiting and len(seen) < PAGES_PER_ROLE:
        path = waiting.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page = browser.get(path)
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            continue
        assert '<html lang="fr"' in page.text, path
        reader = VisibleText()
        reader.feed(page.text)
        texts = {" ".join(t.split()) for t in reader.texts}
        left = texts & english
        dated = texts - {" ".join(t.split()) for t in reader.recorded}
        left |= {f"ISO date in {t!r}" for t in dated if ISO_DAY.search(t)}
        if left:
            found[path] = left
        for link in reader.links:
            target, _ = urldefrag(link)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if LEFT_OUT.search(target) or target in seen:
                continue
            if target.startswith("/api/") and "format=html" not in target:
                continue
            waiting.append(target)
    return len(seen), found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_of_the_played_world_is_french_for_every_role(world: HttpWorld) -> None:
    for step in STEPS.values():
        step(world)
    english = english_said_otherwise()
    assert len(english) > 500  # the catalog was read

    leaks: dict[str, dict[str, set[str]]] = {}
    walked = 0
    for name in ROLES:
        browser = browser_session(world.api, name)
        browser.cookies.set("article6_language", "fr")
        if browser.get("/").headers.get("location", "").startswith("/section"):
            page = browser.get("/section")  # a registry-wide role chooses a section first
            assert '<html lang="fr"' in page.text
            found_here = {" ".join(t.split()) for t in visible(page.text)} & english
            assert not found_here, found_here
            assert form(browser, "/section", {"party": "XXA", "next": "/"}).status_code == 303
        pages, found = walk(browser, english)
        walked += pages
        if found:
            leaks[name] = found

    assert walked > 600, walked  # every role walks its pages
    assert not leaks, "\n".join(
        f"{name} {path}: {sorted(texts)}"
        for name, found in leaks.items()
        for path, texts in found.items()
    )


NARROW = "[\u202f\u00a0 ]"
"""The space French groups digits with (Babel's CLDR data: a narrow no-break space)."""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_print_ready_documents_are_french_and_spanish_with_their_dates_and_numbers(
    world: HttpWorld,
) -> None:
    """The statement, the public report and a cancellation certificate, read in French and in
    Spanish after the scenarios: their words, the AEF's values beside their official English,
    dates and numbers the reader's way. The CSV and JSON files keep the English."""
    for step in STEPS.values():
        step(world)
    xxa = world.api["xxa.admin"]
    year = date.today().year
    account = world["XXA Party imp_cancellation"]
    statement = (
        f"/api/v1/parties/XXA/accounts/{account}/statement"
        f"?start={year}-01-01&end={year}-12-31&format=html"
    )
    public = "/api/v1/public/parties/XXA?format=html"

    def read(path: str, code: str) -> str:
        page = xxa.client.get(path, headers={**xxa.headers, "Accept-Language": code})
        assert page.status_code == 200, (path, page.text)
        assert f'<html lang="{code}"' in page.text, path
        return page.text

    french = read(statement, "fr")
    assert "Relevé de compte" in french and "Solde de clôture" in french
    assert f"1 janvier {year}" in french  # the period, the French way
    imp = 'fins d&#39;atténuation internationales \\(<abbr title="[^"]+">IMP</abbr>\\)'
    assert re.search(f"Annulation — {imp}</td>.*?>10{NARROW}000<", french, re.DOTALL), french
    spanish = read(statement, "es")
    assert "Saldo final" in spanish and f"1 de enero de {year}" in spanish
    assert "Cancelación — fines de mitigación internacional (<abbr" in spanish
    assert "10.000" in spanish

    french = read(public, "fr")
    assert "CDN (NDC)" in french and "Utilisation ou annulation (Use or Cancellation)" in french
    assert "1 avril 2025" in french and re.search(f"60{NARROW}000", french)
    assert "Premier transfert" in french or "vers une autre Partie" in french
    assert "Traduction non officielle" in french
    spanish = read(public, "es")
    assert "CDN (NDC)" in spanish and "Uso o cancelación (Use or Cancellation)" in spanish
    assert "1 de abril de 2025" in spanish and "60.000" in spanish
    assert "Traducción no oficial" in spanish

    cancelled = re.search(f"<td>(XXA01-\\d+)</td><td>Annulation — {imp}", read(statement, "fr"))
    assert cancelled, "the statement lists the cancellation"
    certificate = f"/api/v1/parties/XXA/transactions/{cancelled.group(1)}/certificate?format=html"
    french = read(certificate, "fr")
    assert "Certificat d'annulation" in french and "Utilisation (Use)" in french
    assert re.search(f"10{NARROW}000 t éq. CO2", french), french
    spanish = read(certificate, "es")
    assert "Uso (Use)" in spanish and "10.000" in spanish

    machine = xxa.client.get(statement.replace("format=html", "format=csv"), headers=xxa.headers)
    assert "closing balance" in machine.text  # the CSV stays English
