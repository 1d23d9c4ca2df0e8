"""docs/security.md names, for each threat, the test that shows the defence holds: every test
it names must exist, or the threat model promises what nothing checks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+(?:\.py)?)(?:::(\w+))?`|`::(\w+)`")


def _references() -> list[tuple[str, str | None]]:
    """Each (path, test name) the document cites; `::name` continues the last path named."""
    found: list[tuple[str, str | None]] = []
    last = ""
    for match in REFERENCE.finditer((ROOT / "docs" / "security.md").read_text()):
        path, name, continued = match.groups()
        if path:
            last = path
            found.append((path, name))
        else:
            found.append((last, continued))
    return found


def test_the_threat_model_cites_tests():
    assert len(_references()) >= 20


def test_every_test_the_threat_model_cites_exists():
    missing = []
    for path, name in _references():
        target = ROOT / path
        if not target.exists():
            missing.append(path)
        elif name and f"def {name}(" not in target.read_text():
            missing.append(f"{path}::{name}")
    assert missing == []
