"""Certificates of use and cancellation as PDF: what the HTML certificate states, its number,
and a QR code and link to the public page that checks it against the ledger.

The QR code is drawn module by module as filled squares (vector, no image), from segno's
matrix. The PDF's built-in Helvetica writes Latin-1 only: a name in another script is written
by its closest Latin letters (the HTML certificate and the verification page keep it whole).
"""

from __future__ import annotations

import unicodedata

import segno
from fpdf import FPDF

from article6.services.use_and_cancellation_certificates import Certificate

MARGIN = 20.0
QR_SIZE = 36.0
"""Millimetres: a QR code a phone reads from paper at arm's length."""
LABEL_WIDTH = 38.0


def latin(text: str) -> str:
    """The text in Latin-1, the core font's alphabet: dashes and quotes by their ASCII kin,
    accents kept where Latin-1 has them, other letters by their base letter or '?'."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    if text.isascii():
        return text
    written = []
    for char in text:
        try:
            char.encode("latin-1")
            written.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            written.append(base or "?")
    return "".join(written)


def _moment(certificate: Certificate, which: str) -> str:
    moment = certificate.date if which == "date" else certificate.issued_at
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _facts(certificate: Certificate) -> list[tuple[str, str]]:
    by = certificate.by
    if certificate.entity:
        by += f" (authorized entity {certificate.entity} of {certificate.party})"
    action = certificate.action
    if certificate.first_transfer:
        action += "; also the units' first transfer"
    facts = [
        ("Certificate number", certificate.number),
        ("Transaction", certificate.transaction),
        ("Date (UTC)", _moment(certificate, "date")),
        ("By", by),
        ("AEF action", action),
        ("Purpose", certificate.purpose),
        ("Quantity", f"{certificate.quantity:,} t CO2 eq"),
        ("Requested by", certificate.initiator),
    ]
    if certificate.approver:
        facts.append(("Approved by", certificate.approver))
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
    """The certificate as a one- or two-page A4 PDF."""
    pdf = FPDF(format="A4")
    kind = "use" if certificate.kind == "use" else "cancellation"
    pdf.set_title(latin(f"Certificate of {kind} {certificate.number}"))
    pdf.set_author(latin(f"The registry of {certificate.party_name}"))
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.multi_cell(width - QR_SIZE - 4, 9, f"Certificate of {kind}", new_x="LMARGIN")
    _qr(pdf, verification_url, MARGIN + width - QR_SIZE, MARGIN - 4)
    pdf.set_y(MARGIN + QR_SIZE)
    pdf.set_font("Helvetica", size=11)
    done = "used" if certificate.kind == "use" else "cancelled"
    pdf.multi_cell(
        width,
        6,
        latin(
            f"The registry of {certificate.party_name} ({certificate.party}) certifies that the "
            f"units below were {done} and can never be transferred, used or cancelled again."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for label, value in _facts(certificate):
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(LABEL_WIDTH, 6, label)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(width - LABEL_WIDTH, 6, latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.multi_cell(
        width,
        6,
        "Units (cooperative approach - registry - first transferring Party - first - last - "
        "vintage)",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Courier", size=10)
    for unit in certificate.units:
        pdf.multi_cell(width, 5, latin(unit), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(
        width,
        5,
        "Check this certificate against the registry's ledger: scan the QR code or open",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 160)
    pdf.multi_cell(
        width, 5, latin(verification_url), link=verification_url, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.multi_cell(
        width,
        5,
        f"Issued {_moment(certificate, 'issued_at')}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
