"""The command line answers a mistake in one clear line (issue 17, item 14): a mistyped
`--database` creates nothing and prints no traceback; a short password names the rule; an AEF of
1999 is refused with its check; the hub never defaults to the registry's database. `make run`
builds the demo on its first run only, and the demo's output names who acts in each step."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from article6.cli import main
from article6.cli.interop import hub_database_url
from article6.store.database import DEFAULT_URL

ROOT = Path(__file__).resolve().parents[2]


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments))


def one_line_on_stderr(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["journal", "verify"],
        ["users", "unlock", "someone"],
        ["aef", "export", "--party", "XXA", "--year", "2025", "--output", "out.xlsx"],
        ["expire"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_mistyped_database_file_is_one_line_and_creates_nothing(
    tmp_path: Path, command: list[str]
):
    typo = tmp_path / "artcle6.db"
    said = one_line_on_stderr(run(*command, "--database", f"sqlite:///{typo}"))
    assert said == (
        f"Error: no registry database at {typo} (the file does not exist): check --database, "
        "or create one with `article6 db upgrade --database URL` or `article6 demo`"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_database_in_a_missing_folder_or_not_a_url_is_one_line(tmp_path: Path):
    missing = tmp_path / "no-such-folder" / "article6.db"
    said = one_line_on_stderr(run("db", "upgrade", "--database", f"sqlite:///{missing}"))
    assert said == f"Error: no folder {missing.parent} for the database {missing}: check --database"
    said = one_line_on_stderr(run("journal", "verify", "--database", "article6.db"))
    assert said.startswith("Error: --database article6.db is not a database URL")
    assert said.endswith("(for a file: sqlite:///article6.db)")
    said = one_line_on_stderr(run("journal", "verify", "--database", "postgresq://host/name"))
    assert said.startswith("Error: --database postgresq://host/name is not a database URL")
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_does_not_answer_is_one_line():
    said = one_line_on_stderr(
        run("journal", "verify", "--database", "postgresql://nobody@127.0.0.1:9/article6")
    )
    assert said.startswith("Error: could not open the database postgresql://nobody@127.0.0.1:9/")


def test_db_upgrade_creates_the_database_it_is_asked_for(tmp_path: Path):
    made = run("db", "upgrade", "--database", f"sqlite:///{tmp_path / 'new.db'}")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "new.db").is_file()


def test_a_short_password_is_a_sentence_naming_the_rule(database_url: str):
    result = run(
        "users",
        "create",
        "new.admin",
        "--display-name",
        "New administrator",
        "--role",
        "secretariat",
        "--password",
        "short",
        "--database",
        database_url,
    )
    said = one_line_on_stderr(result)
    assert said == (
        "refused: C4015 Password policy (password): a password has at least 12 characters"
    )


def test_a_malformed_user_name_is_a_sentence_not_the_validation_library(database_url: str):
    result = run(
        "users",
        "create",
        "New Admin",
        "--display-name",
        "",
        "--role",
        "secretariat",
        "--password",
        "a long enough password",
        "--database",
        database_url,
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "refused: C1011 Required text (name): a user name has 2 to 80 characters: lower-case "
        "letters, digits, '.', '_' or '-', beginning with a letter or a digit",
        "refused: C1011 Required text (display name): a display name has 1 to 200 characters",
    ]
    assert "pydantic" not in result.output and "validation error" not in result.output


def test_an_aef_of_1999_is_refused_with_the_reported_year_check(database_url: str, tmp_path: Path):
    output = tmp_path / "AEF-1999.xlsx"
    result = run(
        "aef",
        "export",
        "--party",
        "XXA",
        "--year",
        "1999",
        "--output",
        str(output),
        "--database",
        database_url,
    )
    said = one_line_on_stderr(result)
    assert said.startswith("refused: C1019 Reported year (year): 1999 is not a reported year")
    assert not output.exists()


def test_the_hub_does_not_default_to_the_registrys_database(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ARTICLE6_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARTICLE6_HUB_DATABASE_URL", raising=False)
    assert hub_database_url(None) == "sqlite:///article6-hub.db" != DEFAULT_URL
    said = one_line_on_stderr(run("hub", "--database", DEFAULT_URL))
    assert said.startswith("Error: the hub keeps its own database")


def test_the_demo_is_built_once_and_kept_and_names_who_acts(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'article6.db'}"
    built = run("demo", "--if-new", "--database", url)
    assert built.exit_code == 0, built.output
    entity_steps = [line for line in built.output.splitlines() if "awaiting approval" in line]
    assert entity_steps and all("by the authorized entity Green" in s for s in entity_steps)
    assert any("Green Group A, XXA-E0001" in s for s in entity_steps)  # 1b and 2b
    assert any("Green C Entity, XXC-E0001" in s for s in entity_steps)  # 2b
    first_passwords = built.output.split("Demo users")[1]
    kept = run("demo", "--if-new", "--database", url)
    assert kept.exit_code == 0, kept.output
    assert "is kept as it is" in kept.output
    assert "Building" not in kept.output and "Demo users" not in kept.output
    verified = run("journal", "verify", "--database", url)
    assert verified.exit_code == 0, verified.output
    rebuilt = run("demo", "--fresh", "--database", url)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output.split("Demo users")[1] != first_passwords


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_builds_the_demo_only_when_there_is_none_and_make_demo_rebuilds():
    def recipe(target: str) -> list[str]:
        dry = subprocess.run(
            ["make", "-n", "--no-print-directory", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return [line for line in dry.stdout.splitlines() if "article6 " in line]

    run_lines, demo_lines = recipe("run"), recipe("demo")
    assert "demo --if-new" in run_lines[0] and "--fresh" not in run_lines[0]
    assert "serve" in run_lines[1]
    assert "demo --fresh" in demo_lines[0]
