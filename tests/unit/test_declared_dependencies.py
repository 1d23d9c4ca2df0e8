"""Every third-party module the registry imports at run time is a dependency pyproject.toml
declares: a plain `pip install .` must be enough to run every `article6` command, not only the
ones a development install happens to cover."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "article6"


def canonical(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        canonical(re.split(r"[\[=<>!~; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]
    }


def imported_modules() -> dict[str, str]:
    """Every absolute top-level module imported anywhere in `src/article6` (nested imports
    included), with the first file that imports it."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def third_party(modules: dict[str, str]) -> dict[str, str]:
    local = {"article6", "__future__"}
    return {
        module: path
        for module, path in modules.items()
        if module not in sys.stdlib_module_names and module not in local
    }


def test_every_runtime_import_is_a_declared_dependency():
    declared = declared_distributions()
    providers = packages_distributions()
    undeclared = {
        module: f"{path} imports it; provided by {providers.get(module) or 'nothing installed'}"
        for module, path in third_party(imported_modules()).items()
        if not declared & {canonical(d) for d in providers.get(module, [])}
    }
    assert undeclared == {}


def test_the_walk_sees_nested_imports_and_the_doors_libraries():
    """The walk itself: a lazy import inside a function counts like one at the top."""
    modules = third_party(imported_modules())
    assert modules["xlsxwriter"] == "src/article6/reports/aef_writers.py"
    assert {"fastapi", "sqlalchemy", "httpx", "markupsafe"} <= modules.keys()
    assert "json" not in modules and "article6" not in modules
