"""The Jinja2 environment of the print-ready report pages (templates/ next to this file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["quantity"] = lambda n: f"{n:,}".replace(",", "\u202f")
    env.filters["day"] = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    env.filters["moment"] = lambda d: d.strftime("%d/%m/%Y %H:%M:%S UTC")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
