"""The public report of a Party: JSON and print-ready HTML of a `PublicReport`, readable by
anyone (no accounts, no entities)."""

from __future__ import annotations

from article6.services.public_reports import NO_ENDORSEMENT, PublicReport
from article6.web.documents.rendering import render


def public_json(report: PublicReport) -> str:
    return report.model_dump_json(indent=2)


def public_html(report: PublicReport) -> str:
    return render("public.html", report=report, notice=NO_ENDORSEMENT)
