"""docs/operations.md is the operator's one document: its table of settings is what `article6
settings` prints from `settings.py`, and every `ARTICLE6_*` variable the code reads is in it,
so the two cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from article6.cli import main
from article6.settings import PREFIX, SERVER_VARIABLES, Settings, settings_markdown

ROOT = Path(__file__).parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"


def test_the_document_holds_the_generated_table_of_settings():
    assert settings_markdown() in OPERATIONS.read_text()
    assert CliRunner().invoke(main, ["settings"]).output == settings_markdown()


def test_every_setting_has_a_meaning():
    for name, field in Settings.model_fields.items():
        assert field.description, f"{PREFIX}{name.upper()} has no docstring"


def test_every_variable_the_code_reads_is_documented():
    read = {
        name
        for path in (ROOT / "src" / "article6").rglob("*.py")
        for name in re.findall(r"ARTICLE6_([A-Z_]+[A-Z])", path.read_text())
    }
    known = {name.upper() for name in Settings.model_fields} | set(SERVER_VARIABLES)
    assert read <= known, f"undocumented: {sorted(read - known)}"
    table = OPERATIONS.read_text()
    for name in known:
        assert f"`{PREFIX}{name}`" in table
