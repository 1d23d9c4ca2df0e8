"""`article6 units mark | lift | marks`: one range, a file of ranges marked whole or not at all
(CSV or JSON), lifting, and the journal verifying afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from small_world import SECRETARIAT, SmallWorld, snapshot

from article6.cli import main
from article6.services import unit_marks
from article6.services.context import Registry


def run(database_url: str, *arguments: str) -> Result:
    return CliRunner().invoke(main, [*arguments, "--database", database_url])


def listed(registry: Registry) -> list[tuple[Any, ...]]:
    return [
        (m.registry_id, m.serial_first, m.serial_last, m.inconsistency_code, m.source, m.active)
        for m in unit_marks.list_marks(registry, SECRETARIAT)
    ]


def test_one_range_is_marked_listed_and_lifted(
    registry: Registry, world: SmallWorld, database_url: str
):
    marked = run(
        database_url,
        "units",
        "mark",
        "--registry",
        "XXA01",
        "--first",
        "1000",
        "--last",
        "1000",
        "--code",
        "IPC01",
        "--reason",
        "XXC reports no acquisition",
        "--user",
        "secretariat.admin",
    )
    assert marked.exit_code == 0, marked.output
    assert "mark 1: XXA01 1000-1000 (1 units) after IPC01 [check], in force" in marked.output
    assert listed(registry) == [("XXA01", 1000, 1000, "IPC01", "check", True)]

    lifted = run(database_url, "units", "lift", "1", "--reason", "resolved")
    assert lifted.exit_code == 0, lifted.output
    assert "lifted by article6-cli: resolved" in lifted.output
    shown = run(database_url, "units", "marks")
    assert shown.exit_code == 0 and "mark 1: XXA01 1000-1000" in shown.output
    assert run(database_url, "units", "marks", "--active").output.count("mark 1") == 0

    again = run(database_url, "units", "lift", "1", "--reason", "twice")
    assert again.exit_code == 1
    assert "C2011 mark: mark 1 was lifted already" in again.output
    assert run(database_url, "journal", "verify").exit_code == 0


def test_a_bad_code_is_refused_naming_the_check(
    registry: Registry, world: SmallWorld, database_url: str
):
    refused = run(
        database_url,
        *("units", "mark", "--registry", "XXA01", "--first", "5", "--last", "9"),
        *("--code", "IPC9", "--reason", "r"),
    )
    assert refused.exit_code == 1
    assert "C2011 inconsistency_code" in refused.output
    assert listed(registry) == []


def test_a_csv_file_is_marked_whole_or_not_at_all(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
):
    path = tmp_path / "marks.csv"
    header = "registry_id,serial_first,serial_last,inconsistency_code,reason\n"
    path.write_text(header + "XXA01,1,10,DR01,first\nXXA01,20,11,DR02,backwards\n")
    before = snapshot(registry)
    refused = run(database_url, "units", "mark", "--file", str(path))
    assert refused.exit_code == 1
    assert "C2011 marks.2.serial_last" in refused.output
    assert snapshot(registry) == before

    path.write_text(header + "XXA01,1,10,DR01,first\nXXA01,xx,11,DR02,not a number\n")
    unreadable = run(database_url, "units", "mark", "--file", str(path))
    assert unreadable.exit_code == 1
    assert "range 2: serial_first" in unreadable.output
    assert snapshot(registry) == before

    path.write_text(header + "XXA01,1,10,DR01,first\nA64,781,930,IPC01,mechanism units\n")
    marked = run(database_url, "units", "mark", "--file", str(path))
    assert marked.exit_code == 0, marked.output
    assert listed(registry) == [
        ("XXA01", 1, 10, "DR01", "file", True),
        ("A64", 781, 930, "IPC01", "file", True),
    ]
    assert run(database_url, "journal", "verify").exit_code == 0


def test_a_json_file_of_ranges_from_a_hub_notice(
    registry: Registry, world: SmallWorld, database_url: str, tmp_path: Path
):
    path = tmp_path / "notice.json"
    ranges = [
        {
            "registry_id": "XXB01",
            "serial_first": 901,
            "serial_last": 960,
            "inconsistency_code": "ISC02",
            "reason": "the hub's notice of 2 December",
            "source": "hub",
        }
    ]
    path.write_text(json.dumps({"marks": ranges}))
    marked = run(database_url, "units", "mark", "--file", str(path))
    assert marked.exit_code == 0, marked.output
    assert listed(registry) == [("XXB01", 901, 960, "ISC02", "hub", True)]
