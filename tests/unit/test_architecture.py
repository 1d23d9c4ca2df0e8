"""The shape of the house (DESIGN.md section 1), checked on the source rather than trusted.

Which layer may import which, that only the command line imports the demonstration, and that
no two sibling modules import each other are import-linter's contracts (pyproject.toml, run by
`make lint` and here). What they cannot say is checked below: the domain imports nothing from
SQLAlchemy, FastAPI or Jinja; all SQL lives in `store/`, so outside it SQLAlchemy is named only
for the types that carry a connection or a row between the layers and for the errors a service
may answer; the tables themselves are the store's.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "article6"

FRAMEWORKS = ("sqlalchemy", "fastapi", "starlette", "jinja2", "pydantic_settings")
CARRIERS = {"Connection", "Engine", "Row", "RowMapping"}
SCHEMA_MODULES = (
    "schema",
    "identity_schema",
    "interop_schema",
    "reports_schema",
    "safeguards_schema",
)


def modules(*layers: str, outside: str | None = None) -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    if layers:
        found = [path for path in found if path.relative_to(PACKAGE).parts[0] in layers]
    if outside is not None:
        found = [path for path in found if path.relative_to(PACKAGE).parts[0] != outside]
    return found


def imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every import of a source file."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name, node.lineno


def named(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_every_import_contract_holds() -> None:
    """The layers, the demonstration kept apart, no cycles: import-linter's verdict. It runs
    in its own process, since it configures logging for the whole process it runs in."""
    linter = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(linter), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("path", modules("domain"), ids=named)
def test_the_domain_imports_no_framework(path: Path) -> None:
    offending = [
        f"line {line}: {module}"
        for module, _name, line in imports(path)
        if module.split(".")[0] in FRAMEWORKS
    ]
    assert not offending, f"{named(path)} reaches outside the domain: {offending}"


@pytest.mark.parametrize("path", modules(outside="store"), ids=named)
def test_sql_is_written_only_in_the_store(path: Path) -> None:
    offending = []
    for module, name, line in imports(path):
        if module == "sqlalchemy" or module == "sqlalchemy.engine":
            if name not in CARRIERS:
                offending.append(f"line {line}: {name} from {module}")
        elif module.startswith("sqlalchemy") and not module.startswith("sqlalchemy.exc"):
            offending.append(f"line {line}: {module}")
        elif module in {f"article6.store.{schema}" for schema in SCHEMA_MODULES}:
            offending.append(f"line {line}: the table {name} from {module}")
    assert not offending, f"{named(path)} builds SQL outside store/: {offending}"
