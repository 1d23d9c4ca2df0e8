"""Certificates of use and cancellation: print-ready HTML of a `Certificate`."""

from __future__ import annotations

from article6.services.use_and_cancellation_certificates import Certificate
from article6.web.documents.rendering import render


def certificate_html(certificate: Certificate) -> str:
    return render("certificate.html", certificate=certificate)
