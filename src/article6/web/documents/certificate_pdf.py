"""Certificates of use and cancellation as PDF: what the HTML certificate states, its number,
and a QR code and link to the public page that checks it against the ledger.

The QR code is drawn module by module as filled squares (vector, no image), from segno's
matrix. The text is set in Noto Sans, with Noto Sans Arabic for what it lacks (both installed
from PyPI with the project, OFL, subset into the PDF), shaped by HarfBuzz: the certificate
prints in the reader's language, Arabic joined and right to left. A character neither font has
(a Chinese name, say) is written by its base letter or '?', and a sentence whose translation
they cannot write is said in English rather than as '?'s.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import fontpkg_noto_sans
import fontpkg_noto_sans_arabic
import segno
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from fpdf import FPDF

from article6.domain.wording import Words, words
from article6.services.use_and_cancellation_certificates import Certificate
from article6.translation import language, said
from article6.web.rendering import recorded, when_said
from article6.web.vocabulary import official

MARGIN = 20.0
QR_SIZE = 36.0
"""Millimetres: a QR code a phone reads from paper at arm's length."""
LABEL_WIDTH = 38.0
SANS = "NotoSans"
ARABIC = "NotoSansArabic"
FONT_FILES = {
    SANS: fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf",
    ARABIC: fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf",
}
"""Variable fonts: their default instance is the regular weight; the bold one is made once."""
BOLD = {"wght": 700.0, "wdth": 100.0}
KIN = {
    "\u2011": "-",
    "\u2212": "-",
    "\u2032": "'",
}


@cache
def bold(family: str) -> Path:
    """The bold instance of `family`, made from the variable font once and kept in the
    temporary folder under a name its source's digest fixes (making it takes seconds)."""
    source = FONT_FILES[family]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "article6-fonts" / f"{family}-Bold-{digest}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        instance = instancer.instantiateVariableFont(TTFont(source), BOLD)
        partial = target.with_suffix(f".{os.getpid()}.part")
        instance.save(partial)
        os.replace(partial, target)  # whole or not at all, whoever else makes it too
    return target


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """The characters the two fonts draw."""
    found: set[int] = set()
    for path in FONT_FILES.values():
        found.update(TTFont(path, lazy=True)["cmap"].getBestCmap())
    return frozenset(found)


def writable(char: str) -> bool:
    return ord(char) in covered() or char in "\n\t"


def printable(text: str) -> str:
    """The text as the fonts write it: what they draw kept as it is, a few signs by their
    nearest kin, other letters by their base letter ('ﬁ' as 'fi') or '?'."""
    if text.isascii():
        return text
    written = []
    for char in text:
        if writable(char):
            written.append(char)
            continue
        kin = KIN.get(char)
        if kin is not None and all(writable(c) for c in kin):
            written.append(kin)
            continue
        base = "".join(
            c
            for c in unicodedata.normalize("NFKD", char)
            if writable(c) and not unicodedata.combining(c)
        )
        written.append(base or "?")
    return "".join(written)


def spoken(text: Words) -> str:
    """`text` in the reader's language; in English when the translation is in a script the
    fonts cannot write, rather than '?'s."""
    translated = said(text)
    written = printable(translated)
    return written if written.count("?") <= translated.count("?") else printable(str(text))


LRM = "\u200e"
"""The left-to-right mark both fonts carry (zero width): around a date or a number inside
right-to-left text, it keeps `2026-03-04` in its order."""


def ltr(text: str) -> str:
    """`text` held left to right in a right-to-left page, unless it has right-to-left letters
    of its own (a name in Arabic stays as the algorithm lays it out)."""
    if language().direction != "rtl" or any(
        unicodedata.bidirectional(c) in ("R", "AL") for c in text
    ):
        return text
    return f"{LRM}{text}{LRM}"


def _moment(certificate: Certificate, which: str) -> str:
    moment = certificate.date if which == "date" else certificate.issued_at
    return ltr(printable(when_said(moment)))


def _facts(certificate: Certificate) -> list[tuple[Words, str]]:
    by = certificate.by
    if certificate.entity:
        entity = words(
            "(authorized entity {entity} of {party})",
            entity=certificate.entity,
            party=certificate.party,
        )
        by += " " + spoken(entity)
    shown = official(certificate.action)  # beside the official English, in the reader's language
    written = printable(shown)
    action = written if written.count("?") <= shown.count("?") else certificate.action
    if certificate.first_transfer:
        action += "; " + spoken(words("also the units' first transfer"))
    facts = [
        (words("Certificate number"), certificate.number),
        (words("Transaction"), certificate.transaction),
        (words("Date (UTC)"), _moment(certificate, "date")),
        (words("By"), by),
        (words("AEF action"), action),
        (words("Purpose"), said(certificate.purpose)),
        (words("Quantity"), spoken(words("{quantity:,} t CO2 eq", quantity=certificate.quantity))),
        (words("Requested by"), recorded(certificate.initiator)),
    ]
    if certificate.approver:
        facts.append((words("Approved by"), recorded(certificate.approver)))
    return facts


def _qr(pdf: FPDF, url: str, x: float, y: float) -> None:
    code = segno.make(url, error="m")
    rows = list(code.matrix)
    side = QR_SIZE / (len(rows) + 8)  # a quiet zone of four modules each side
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 4) * side, y + (r + 4) * side, side, side, style="F")


def typeset(pdf: FPDF) -> bool:
    """Noto Sans with Noto Sans Arabic behind it, shaped by HarfBuzz, right to left for a
    right-to-left reader (True then)."""
    for family, path in FONT_FILES.items():
        pdf.add_font(family, "", path)
        pdf.add_font(family, "B", bold(family))
    pdf.set_fallback_fonts([ARABIC])
    rtl = language().direction == "rtl"
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    return rtl


def certificate_pdf(certificate: Certificate, verification_url: str) -> bytes:
    """The certificate as a one- or two-page A4 PDF, in the current language."""
    pdf = FPDF(format="A4")
    rtl = typeset(pdf)
    align = "R" if rtl else "L"
    used = certificate.kind == "use"
    number = certificate.number
    title = (
        words("Certificate of use {number}", number=number)
        if used
        else words("Certificate of cancellation {number}", number=number)
    )
    pdf.set_title(spoken(title))
    pdf.set_author(
        printable(said(words("The registry of {party_name}", party_name=certificate.party_name)))
    )
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(SANS, style="B", size=18)
    heading = words("Certificate of use") if used else words("Certificate of cancellation")
    if rtl:  # the heading on the right, the QR code on the left
        pdf.set_x(MARGIN + QR_SIZE + 4)
    pdf.multi_cell(width - QR_SIZE - 4, 9, spoken(heading), new_x="LMARGIN", align=align)
    _qr(pdf, verification_url, MARGIN if rtl else MARGIN + width - QR_SIZE, MARGIN - 4)
    pdf.set_y(MARGIN + QR_SIZE)
    pdf.set_font(SANS, size=11)
    named = {"name": printable(certificate.party_name), "party": certificate.party}
    certifies = (
        words(
            "The registry of {name} ({party}) certifies that the units below were used and "
            "can never be transferred, used or cancelled again.",
            **named,
        )
        if used
        else words(
            "The registry of {name} ({party}) certifies that the units below were cancelled "
            "and can never be transferred, used or cancelled again.",
            **named,
        )
    )
    pdf.multi_cell(width, 6, spoken(certifies), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.ln(3)
    facts = [(spoken(label), value) for label, value in _facts(certificate)]
    pdf.set_font(SANS, style="B", size=10)
    # A label as wide as the longest one says (French and Spanish say more than English).
    label_width = max([LABEL_WIDTH] + [pdf.get_string_width(label) + 3 for label, _ in facts])
    label_width = min(label_width, width / 2)
    for label, value in facts:
        top = pdf.get_y()
        pdf.set_font(SANS, style="B", size=10)
        pdf.set_x(MARGIN + width - label_width if rtl else MARGIN)
        pdf.cell(label_width, 6, label, align=align)
        pdf.set_font(SANS, size=10)
        pdf.set_xy(MARGIN if rtl else MARGIN + label_width, top)
        pdf.multi_cell(
            width - label_width,
            6,
            ltr(printable(value)),
            new_x="LMARGIN",
            new_y="NEXT",
            align=align,
        )
    pdf.ln(3)
    pdf.set_font(SANS, style="B", size=11)
    heading = words(
        "Units (cooperative approach - registry - first transferring Party - first - last - "
        "vintage)"
    )
    pdf.multi_cell(width, 6, spoken(heading), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.set_font("Courier", size=10)  # the unit ranges: ASCII, one column per character
    pdf.set_text_shaping(False)  # read left to right in every language
    for unit in certificate.units:
        pdf.multi_cell(width, 5, printable(unit), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.ln(4)
    pdf.set_font(SANS, size=10)
    check = words("Check this certificate against the registry's ledger: scan the QR code or open")
    pdf.multi_cell(width, 5, spoken(check), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.set_text_color(0, 0, 160)
    pdf.multi_cell(
        width,
        5,
        ltr(printable(verification_url)),
        link=verification_url,
        new_x="LMARGIN",
        new_y="NEXT",
        align=align,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    issued = words("Issued {moment}.", moment=_moment(certificate, "issued_at"))
    pdf.multi_cell(width, 5, spoken(issued), new_x="LMARGIN", new_y="NEXT", align=align)
    return bytes(pdf.output())
