"""The sentences the consistency checks write, so a unit mark's reason (kept in English as the
check wrote it: `"DR01 (2025): …"`) can be read back and said in the reader's language."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from article6.domain.wording import Words, reread, words

MARKED = words("{code} ({year}): {message}")
"""A mark's reason set from a finding: the check's code, the year checked, the finding."""


def marked_for(code: str, year: int, message: str) -> Words:
    return words("{code} ({year}): {message}", code=code, year=year, message=message)


@cache
def finding_templates() -> tuple[Words, ...]:
    """Every `words("…")` template of the checks (read from their source, so a new finding is
    never missed), the mark's own first, then the longest: the most particular reads first."""
    found: set[str] = set()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "words"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    found.discard(MARKED.template)
    ordered = sorted(found, key=lambda template: (-len(template), template))
    return (MARKED, *(Words(template) for template in ordered))


def reason_read_back(reason: str) -> str:
    """A mark's reason as the `Words` the check wrote, when it was one; else as it stands."""
    return reread(reason, finding_templates())
