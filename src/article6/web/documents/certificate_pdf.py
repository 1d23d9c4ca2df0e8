"""Certificates of use and cancellation as PDF: what the HTML certificate states, its number,
and a QR code and link to the public page that checks it against the ledger.

The QR code is drawn module by module as filled squares (vector, no image), from segno's
matrix. The PDF's built-in Helvetica writes Windows-1252 only (WinAnsiEncoding): every letter
of French and Spanish (é, œ, ñ, ¿, «…) but no other script. A name in another script is written
by its closest Latin letters (the HTML certificate and the verification page keep it whole); a
sentence whose translation the font cannot write is said in English rather than as '?'s.
"""

from __future__ import annotations

import unicodedata

import segno
from fpdf import FPDF

from article6.domain.wording import Words, words
from article6.services.use_and_cancellation_certificates import Certificate
from article6.translation import said
from article6.web.rendering import recorded, when_said
from article6.web.vocabulary import official

MARGIN = 20.0
QR_SIZE = 36.0
"""Millimetres: a QR code a phone reads from paper at arm's length."""
LABEL_WIDTH = 38.0
ENCODING = "windows-1252"
"""The core fonts' alphabet as fpdf2 embeds them (/WinAnsiEncoding): Latin-1 and œ, Œ, €,
typographic quotes and dashes."""
KIN = {
    "\u202f": "\u00a0",  # narrow no-break space (French ":" and "»"): a no-break space
    "\u2009": " ",
    "\u2011": "-",
    "\u2212": "-",
    "\u2032": "'",
}


def writable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def latin(text: str) -> str:
    """The text in the core font's alphabet: what it has kept as it is, spaces and signs by
    their nearest kin, other letters by their base letter ('ő' as 'o', 'ﬁ' as 'fi') or '?'."""
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
    """`text` in the reader's language, as the core font writes it; in English when the
    translation is in a script the font cannot write (Arabic, say), rather than '?'s."""
    translated = said(text)
    written = latin(translated)
    return written if written.count("?") <= translated.count("?") else latin(str(text))


def _moment(certificate: Certificate, which: str) -> str:
    moment = certificate.date if which == "date" else certificate.issued_at
    return _written(when_said(moment), moment.strftime("%Y-%m-%d %H:%M:%S UTC"))


def _written(said: str, english: str) -> str:
    """`said` as the core font writes it, or `english` when the font cannot write it."""
    written = latin(said)
    return written if written.count("?") <= said.count("?") else english


def _facts(certificate: Certificate) -> list[tuple[Words, str]]:
    by = certificate.by
    if certificate.entity:
        entity = words(
            "(authorized entity {entity} of {party})",
            entity=certificate.entity,
            party=certificate.party,
        )
        by += " " + spoken(entity)
    action = _written(official(certificate.action), certificate.action)
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


def certificate_pdf(certificate: Certificate, verification_url: str) -> bytes:
    """The certificate as a one- or two-page A4 PDF, in the current language."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    used = certificate.kind == "use"
    number = certificate.number
    title = (
        words("Certificate of use {number}", number=number)
        if used
        else words("Certificate of cancellation {number}", number=number)
    )
    pdf.set_title(spoken(title))
    pdf.set_author(
        latin(said(words("The registry of {party_name}", party_name=certificate.party_name)))
    )
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", style="B", size=18)
    heading = words("Certificate of use") if used else words("Certificate of cancellation")
    pdf.multi_cell(width - QR_SIZE - 4, 9, spoken(heading), new_x="LMARGIN")
    _qr(pdf, verification_url, MARGIN + width - QR_SIZE, MARGIN - 4)
    pdf.set_y(MARGIN + QR_SIZE)
    pdf.set_font("Helvetica", size=11)
    named = {"name": latin(certificate.party_name), "party": certificate.party}
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
    pdf.multi_cell(width, 6, spoken(certifies), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    facts = [(spoken(label), value) for label, value in _facts(certificate)]
    pdf.set_font("Helvetica", style="B", size=10)
    # A label as wide as the longest one says (French and Spanish say more than English).
    label_width = max([LABEL_WIDTH] + [pdf.get_string_width(label) + 3 for label, _ in facts])
    label_width = min(label_width, width / 2)
    for label, value in facts:
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(label_width, 6, label)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(width - label_width, 6, latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    heading = words(
        "Units (cooperative approach - registry - first transferring Party - first - last - "
        "vintage)"
    )
    pdf.multi_cell(width, 6, spoken(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", size=10)
    for unit in certificate.units:
        pdf.multi_cell(width, 5, latin(unit), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    check = words("Check this certificate against the registry's ledger: scan the QR code or open")
    pdf.multi_cell(width, 5, spoken(check), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 160)
    pdf.multi_cell(
        width, 5, latin(verification_url), link=verification_url, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    issued = words("Issued {moment}.", moment=_moment(certificate, "issued_at"))
    pdf.multi_cell(width, 5, spoken(issued), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
