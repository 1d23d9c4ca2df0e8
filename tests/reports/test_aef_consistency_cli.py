"""`article6 aef consistency` after the seed's scenarios: exit 0 on this registry's consistent
AEFs, 1 when an AEF file of a Party kept elsewhere is inconsistent with them, 2 for a file
that is not an AEF; `--fill` writes the checked AEFs with their CARP fields filled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from consistency_world import action, loaded, submission
from scenario_world import Reported

from article6.cli import main
from article6.reports.aef import AEFDocument
from article6.reports.aef_consistency import check, filled_document
from article6.reports.aef_writers import Format, write


@pytest.fixture(scope="module")
def database(reported_once: Reported) -> str:
    return reported_once.registry.engine.url.render_as_string(hide_password=False)


def consistency(database: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["aef", "consistency", "--year", "2025", "--database", database, *options]
    )
    return result.exit_code, result.stdout


def elsewhere(path: Path) -> Path:
    """YYY's AEF from another registry: it says it acquired from XXA units XXA never sent."""
    acquired = action("03/06/2025", "Acquisition", 1, 10, transferring_party="XXA")
    acquired.update(
        first_id="CA0001-XXA01-XXA-1-2024",
        last_id="CA0001-XXA01-XXA-10-2024",
        first_transferring_party="XXA",
        authorization_id="XXA-NDC-2025-001",
        registry_id="YYY01",
    )
    [yyy] = loaded({("YYY", 2025): {1: [submission("YYY", 2025)], 3: [acquired]}}, "yyy.json")
    document: AEFDocument = filled_document(yyy, check([yyy], 2025))
    write(document, Format.JSON, path)
    return path


def test_this_registrys_aefs_are_consistent(database: str) -> None:
    status, output = consistency(database)
    assert status == 0, output
    assert "II01   passed" in output and "DR04   passed" in output
    assert "XXA 2025 v1.0 [this registry (draft)]: consistent" in output
    assert output.rstrip().endswith("AEF 2025: consistent")


def test_an_inconsistent_file_of_another_registry_fails_the_year(
    database: str, tmp_path: Path
) -> None:
    path = elsewhere(tmp_path / "yyy.json")
    status, output = consistency(database, "--aef", str(path), "--format", "json")
    assert status == 1
    result = json.loads(output)
    failed = {c["code"]: c["inconsistencies"] for c in result["codes"] if not c["passed"]}
    assert set(failed) == {"ISC01", "IPC01", "DR03"}
    [mismatch] = failed["IPC01"]
    assert mismatch["parties"] == ["XXA", "YYY"]
    assert mismatch["rows"] == [
        {
            "source": "yyy.json",
            "party": "YYY",
            "year": 2025,
            "version": "1.0",
            "table": 3,
            "sheet": "Table 3 Actions",
            "row": 2,
            "units": "CA0001-XXA01-XXA-1-2024 to CA0001-XXA01-XXA-10-2024",
            # the range again, as the secretariat marks it (`units mark`)
            "registry_id": "XXA01",
            "serial_first": 1,
            "serial_last": 10,
        }
    ]
    filed = {(f["party"], f["filing"]) for f in result["submissions"] if f["year"] == 2025}
    assert filed == {("XXA", "inconsistent"), ("XXC", "consistent"), ("YYY", "inconsistent")}


def test_fill_writes_the_checked_aefs_with_the_result(database: str, tmp_path: Path) -> None:
    path = elsewhere(tmp_path / "yyy.json")
    status, _ = consistency(database, "--aef", str(path), "--fill", str(tmp_path / "filled"))
    assert status == 1
    written = sorted(p.name for p in (tmp_path / "filled").iterdir())
    assert written == [
        "AEF-XXA-2025-v1.0-checked.json",
        "AEF-XXC-2025-v1.0-checked.json",
        "AEF-YYY-2025-v1.0-checked.json",
    ]
    yyy = json.loads((tmp_path / "filled" / written[2]).read_text())
    assert yyy["tables"][0]["rows"][0][5].startswith("Consistency checks failed: ")
    assert yyy["tables"][2]["rows"][0][25] == "ISC01, IPC01, DR03"
    xxc = json.loads((tmp_path / "filled" / written[1]).read_text())
    assert xxc["tables"][0]["rows"][0][5].startswith("Consistency checks passed: ")


def test_a_file_that_is_not_an_aef_is_refused_naming_it(database: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"tables": []}))
    result = CliRunner().invoke(
        main, ["aef", "consistency", "--year", "2025", "--database", database, "--aef", str(path)]
    )
    assert result.exit_code == 2
    assert "C1018" in result.stderr and "notes.json" in result.stderr
