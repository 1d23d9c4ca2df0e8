"""The Jinja2 environment of the print-ready report pages (templates/ next to this file)."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from article6 import translation
from article6.web.rendering import (
    at_each_rendering,
    purpose_said,
    recorded,
    subtype_words,
    transaction_kind,
    when_said,
)
from article6.web.vocabulary import official

TEMPLATES = Path(__file__).parent / "templates"
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.filters.update(at_each_rendering({"said": translation.said}))
    # The document's language and direction (<html lang dir>) are the ones it is said in.
    env.globals["language"] = translation.language
    # One format with the pages: in English ISO dates and 50,000; in the other languages their
    # own (Babel); the kinds of transaction in words.
    env.filters.update(
        at_each_rendering(
            {
                "quantity": translation.grouped,
                "day": translation.day,
                "moment": when_said,
                "tx_kind": transaction_kind,
                "recorded": recorded,
                "official": official,  # the AEF's vocabulary, its official English beside
                "subtype": subtype_words,
                "movement_kind": movement_kind,
            }
        )
    )
    return env


def movement_kind(kind: str) -> Markup:
    """A statement line's kind ("cancellation (IMP)") in words, its purpose in words with the
    code beside ("Annulation — fins d'atténuation internationales (IMP)")."""
    base, _, purpose = kind.partition(" (")
    said = escape(transaction_kind(base))
    if not purpose:
        return said
    return Markup("{} — {}").format(said, purpose_said(purpose.removesuffix(")")))


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@cache
def inline_style_sources() -> tuple[str, ...]:
    """The Content-Security-Policy sources (`'sha256-…'`) of the reports' inline stylesheets:
    a saved report prints the same without the server, and the policy allows exactly these."""
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for style in STYLE.findall(template.read_text(encoding="utf-8")):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            found.append(f"'sha256-{digest}'")
    return tuple(found)
