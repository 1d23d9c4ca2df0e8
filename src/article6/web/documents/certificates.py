"""Certificates of use and cancellation: print-ready HTML of a `Certificate`."""

from __future__ import annotations

import segno
from markupsafe import Markup

from article6.services.use_and_cancellation_certificates import Certificate
from article6.web.documents.rendering import render


def certificate_html(certificate: Certificate, verification_url: str | None = None) -> str:
    """The certificate; with `verification_url` (the public page that checks it), also that
    link as text and as a QR code (inline SVG: the saved page needs no server)."""
    qr = None
    if verification_url:
        qr = Markup(segno.make(verification_url, error="m").svg_inline(scale=3))
    return render(
        "certificate.html", certificate=certificate, verification_url=verification_url, qr=qr
    )
