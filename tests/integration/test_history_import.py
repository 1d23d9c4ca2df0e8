"""Importing a Party's history (docs/history-import.md), on SQLite and PostgreSQL: XXA's AEFs
of 2027-2029, written by the registry's own writer from a world that lived those years, go into
a registry where XXA has not acted yet. The registry's AEF of each year then gives back the
file it was given, field by field, and XXA holds what its last Table 4 says. A dry run changes
nothing; a broken history is refused whole, naming the file, the row and the check."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from history_world import (
    AFTER,
    YEARS,
    Clock,
    HistoryFiles,
    as_json_lines,
    build_history,
    fields_of,
    target_world,
)
from small_world import block_rows, journal_count, snapshot

from article6.demo.world import SECRETARIAT, XXA_ADMIN, XXC_ADMIN
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.reports.aef_writers import Format
from article6.services.aef_versions import export_aef
from article6.services.context import Registry
from article6.services.history_import import import_history
from article6.store import journal, verify
from article6.store.database import unit_of_work

REQUEST = "XXA letter 2030/14"

import_unasked = partial(import_history, without_hub_check=True)
"""These tests are not about the hub (tests/interop/test_history_hub_check.py is): each records
without asking it, as the secretariat may choose explicitly."""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> HistoryFiles:
    return build_history(tmp_path_factory.mktemp("history"), sqlite_template)


@pytest.fixture
def target(registry: Registry) -> Registry:
    target_world(registry)
    return Registry(registry.engine, clock=Clock(AFTER))


def refusals(command: Callable[[], Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(CommandRefused) as refused:
        command()
    return [(r.check.code, r.field, r.detail) for r in refused.value.refusals]


def held(registry: Registry, party: str) -> list[tuple[str, int, int, str]]:
    """The Party's blocks: (registry, first, last, state)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = connection.exec_driver_sql(
            "SELECT b.registry_id, b.serial_first, b.serial_last, b.state FROM unit_blocks b"
            " JOIN accounts a ON a.id = b.account_id WHERE a.party_code = ?"
            if registry.engine.dialect.name == "sqlite"
            else "SELECT b.registry_id, b.serial_first, b.serial_last, b.state FROM unit_blocks b"
            " JOIN accounts a ON a.id = b.account_id WHERE a.party_code = %s",
            (party,),
        )
        return sorted(tuple(r) for r in rows)


def ledger_verified(registry: Registry) -> list[str]:
    journal.seal(registry.engine)  # the sealer's round may be a moment away
    with unit_of_work(registry.engine, read_only=True) as connection:
        return verify.everything(connection)


def test_three_years_of_workbooks_come_back_field_by_field(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    view = import_unasked(target, SECRETARIAT, "XXA", history.xlsx(), REQUEST)
    assert view.recorded and [y.year for y in view.years] == list(YEARS)
    assert view.years[0].actions == {"Authorization": 2, "First transfer": 1}
    for year, given in zip(YEARS, history.xlsx(), strict=True):
        again = tmp_path / f"again-{year}.xlsx"
        export_aef(target, XXA_ADMIN, "XXA", year, Format.XLSX, again, version="1.0")
        assert fields_of(again) == fields_of(given), year
    last = fields_of(history.workbooks[("XXA", 2029)])[4]
    assert sum(int(row["quantity"]) for row in last) == view.held_units == 400
    # Holdings now are the last Table 4: 250 NDC units held, 150 CORSIA units authorized.
    assert [(r, f, la) for r, f, la, _ in held(target, "XXA")] == [
        ("XXA01", int(row["first_id"].split("-")[3]), int(row["last_id"].split("-")[3]))
        for row in sorted(last, key=lambda r: int(r["first_id"].split("-")[3]))
    ]
    assert ledger_verified(target) == []  # conservation, holdings = blocks, no overlap


def test_the_years_drafts_give_the_imported_holdings_and_live_actions_follow(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    import_unasked(target, SECRETARIAT, "XXA", history.xlsx(), REQUEST)
    draft = tmp_path / "draft-2029.json"
    export_aef(target, XXA_ADMIN, "XXA", 2029, Format.JSON, draft)
    assert fields_of(draft)[4] == fields_of(history.workbooks[("XXA", 2029)])[4]
    after = tmp_path / "draft-2030.json"
    export_aef(target, XXA_ADMIN, "XXA", 2030, Format.JSON, after)
    assert fields_of(after)[3] == []  # the import is no action of 2030
    assert fields_of(after)[4] == fields_of(history.workbooks[("XXA", 2029)])[4]


def test_json_documents_and_json_lines_import_the_same_history(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    lines = as_json_lines(
        [history.json_documents[("XXA", y)] for y in YEARS], tmp_path / "xxa.jsonl"
    )
    view = import_unasked(target, SECRETARIAT, "XXA", [lines], REQUEST)
    assert [y.source for y in view.years] == ["xxa.jsonl"] * 3
    for year in YEARS:
        again = tmp_path / f"again-{year}.json"
        export_aef(target, XXA_ADMIN, "XXA", year, Format.JSON, again, version="1.0")
        assert fields_of(again) == fields_of(history.json_documents[("XXA", year)]), year
    assert view.held_units == 400 and ledger_verified(target) == []


def test_a_dry_run_changes_nothing(target: Registry, history: HistoryFiles) -> None:
    before = snapshot(target)  # every row of every table, the journal and its head included
    view = import_unasked(target, SECRETARIAT, "XXA", history.xlsx(), REQUEST, dry_run=True)
    assert not view.recorded and view.held_units == 400
    assert [y.rows["3"] for y in view.years] == [3, 3, 2]
    assert snapshot(target) == before


def test_each_record_is_journaled_with_its_file_and_sha256(
    target: Registry, history: HistoryFiles
) -> None:
    view = import_unasked(target, SECRETARIAT, "XXA", history.xlsx(), REQUEST)
    with unit_of_work(target.engine, read_only=True) as connection:
        rows = connection.exec_driver_sql(
            "SELECT event, subject, body FROM journal_pending UNION ALL"
            " SELECT event, subject, body FROM journal ORDER BY 1, 2"
        ).all()
    imported = [(e, s, b) for e, s, b in rows if e.startswith("History")]
    assert [(e, s) for e, s, _ in imported] == [
        ("HistoryHoldingsImported", view.transaction),
        *(("HistoryYearImported", f"history-XXA-{y}") for y in YEARS),
    ]
    for year, (_, _, body) in zip(YEARS, imported[1:], strict=True):
        entry = json.loads(body)
        assert entry["source"] == f"xxa-{year}.xlsx"
        given = history.workbooks[("XXA", year)].read_bytes()
        assert entry["sha256"] == hashlib.sha256(given).hexdigest()
    assert json.loads(imported[0][2])["on_request_of"] == REQUEST


def test_only_the_secretariat_imports_on_a_request(target: Registry, history: HistoryFiles) -> None:
    assert refusals(lambda: import_unasked(target, XXA_ADMIN, "XXA", history.xlsx(), REQUEST)) == [
        ("C7009", "actor", "only the secretariat imports a Party's history")
    ]
    secretariat = Actor("secretariat", Role.SECRETARIAT)
    assert refusals(lambda: import_unasked(target, secretariat, "XXA", history.xlsx(), " "))[0][
        :2
    ] == ("C7009", "on_request_of")


def test_a_gap_between_years_is_refused(target: Registry, history: HistoryFiles) -> None:
    files = [history.workbooks[("XXA", 2027)], history.workbooks[("XXA", 2029)]]
    before = block_rows(target), journal_count(target)
    assert refusals(lambda: import_unasked(target, SECRETARIAT, "XXA", files, REQUEST)) == [
        ("C7004", "xxa-2029.xlsx", "the history jumps from 2027 to 2029: give every year between")
    ]
    assert (block_rows(target), journal_count(target)) == before


def test_a_break_in_continuity_names_the_line_and_the_check(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    lines = as_json_lines(
        [history.json_documents[("XXA", y)] for y in YEARS], tmp_path / "xxa.jsonl"
    )
    kept = [
        line
        for line in lines.read_text().splitlines()
        if not ('"year": 2028, "table": 3' in line and '"acquiring_party": "XXC"' in line)
    ]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(kept) + "\n")
    found = refusals(lambda: import_unasked(target, SECRETARIAT, "XXA", [broken], REQUEST))
    assert {code for code, _, _ in found} == {"C7005"}
    assert any(
        field.startswith("broken.jsonl line ") and "ISC03" in detail for _, field, detail in found
    )
    assert block_rows(target) == (0, 0) or ledger_verified(target) == []


def test_overlapping_held_ranges_are_refused(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    lines = as_json_lines(
        [history.json_documents[("XXA", y)] for y in YEARS], tmp_path / "xxa.jsonl"
    )
    text = lines.read_text().splitlines()
    held_2029 = [line for line in text if '"year": 2029, "table": 4' in line]
    overlapping = tmp_path / "overlap.jsonl"
    overlapping.write_text("\n".join([*text, held_2029[0]]) + "\n")
    found = refusals(lambda: import_unasked(target, SECRETARIAT, "XXA", [overlapping], REQUEST))
    assert ("C7006", f"overlap.jsonl line {len(text) + 1}") in {(c, f) for c, f, _ in found}


def test_units_held_by_another_party_are_refused(target: Registry, history: HistoryFiles) -> None:
    from article6.services import commands as c
    from article6.services import issuance

    issuance.issue_units(
        target,
        XXA_ADMIN,
        c.IssueUnits(mitigation_activity=_activity(target), vintage=2024, quantity=1000),
    )
    files = history.xlsx("XXC")
    before = block_rows(target), journal_count(target)
    found = refusals(lambda: import_unasked(target, SECRETARIAT, "XXC", files, REQUEST))
    assert found and {code for code, _, _ in found} == {"C7007"}, found
    _, field, detail = found[0]
    assert field == "xxc-2029.xlsx, sheet 'Table 4 Holdings' row 8"
    assert "already held here by XXA" in detail
    assert (block_rows(target), journal_count(target)) == before


def _activity(registry: Registry) -> str:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return str(
            connection.exec_driver_sql("SELECT identifier FROM mitigation_activities").scalar_one()
        )


def test_the_historys_authorizations_are_recorded_and_the_party_acts_on_its_units_at_once(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    from small_world import selection
    from test_actions import international

    from article6.store import records

    lines = as_json_lines(
        [history.json_documents[("XXA", y)] for y in YEARS], tmp_path / "xxa.jsonl"
    )
    renamed = tmp_path / "renamed.jsonl"
    renamed.write_text(lines.read_text().replace("XXA-NDC-1", "XXA-NDC-7"))
    view = import_unasked(target, SECRETARIAT, "XXA", [renamed], REQUEST)
    assert view.authorizations == ["XXA-NDC-7 version 1"]
    with unit_of_work(target.engine, read_only=True) as connection:
        recorded = records.authorization(connection, "XXA", "XXA-NDC-7")
    assert recorded is not None
    assert (recorded.version, recorded.date_of_authorization.isoformat()) == (1, "2025-04-01")
    assert recorded.authorized_parties == ("XXC",)
    world = target_world_accounts(target)
    moved = international(target, world, selection(10, "XXA-NDC-7"))
    assert moved.status == "completed" and moved.transaction is not None
    assert moved.transaction.first_transfer
    assert ledger_verified(target) == []


def target_world_accounts(registry: Registry) -> Any:
    from small_world import SmallWorld

    from article6.services.reads import ledger

    found = SmallWorld()
    for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN)):
        for account in ledger.accounts(registry, actor, party):
            holder = "Party" if account.holder == "PARTY" else account.entity_name
            found.accounts[f"{party} {holder} {account.kind}"] = account.identifier
    return found


# Table 5: the history's authorized entities become the Party's entity records -------------


def with_entities(history: HistoryFiles, tmp_path: Path, *extra: dict[str, str]) -> Path:
    """The history as JSON lines, with `extra` Table 5 rows added to 2027 and 2028 (shaped
    like the history's own Table 5 rows)."""
    lines = as_json_lines(
        [history.json_documents[("XXA", y)] for y in YEARS], tmp_path / "xxa.jsonl"
    )
    rows = [json.loads(line) for line in lines.read_text().splitlines()]
    shape = next(r["row"] for r in rows if r.get("table") == 5)
    added = [
        {"record": "aef", "year": year, "table": 5, "row": {**shape, **row}}
        for year in YEARS[:2]
        for row in extra
    ]
    output = tmp_path / "entities.jsonl"
    output.write_text("".join(json.dumps(r) + "\n" for r in [*rows, *added]))
    return output


BLUE = {
    "date_of_authorization": "01/03/2027",
    "name": "Blue Carbon Ltd",
    "country_of_incorporation": "XXA",
    "identification_number": "BC-42",
    "cooperative_approach_id": "CA0001",
}


def entities_of(registry: Registry, party: str) -> list[tuple[str, str, str, str | None]]:
    from article6.store.party_directory import entities_of as listed

    with unit_of_work(registry.engine, read_only=True) as connection:
        return [
            (e.identifier, e.name, e.identification_number, e.imported_source)
            for e in listed(connection, party, None, None)
        ]


def test_table_5_entities_are_recorded_once_marked_imported(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    from article6.services.reads import ledger

    path = with_entities(history, tmp_path, BLUE)
    before_entities = entities_of(target, "XXA")
    before = snapshot(target)
    dry = import_unasked(target, SECRETARIAT, "XXA", [path], REQUEST, dry_run=True)
    assert dry.entities == ["Blue Carbon Ltd (XXA, BC-42) for CA0001"]  # named in two years
    assert snapshot(target) == before

    view = import_unasked(target, SECRETARIAT, "XXA", [path], REQUEST)
    assert view.recorded and view.entities == dry.entities
    after = entities_of(target, "XXA")
    # the world's own entities, named in every year's Table 5, are not recorded again
    assert after[: len(before_entities)] == before_entities
    [(identifier, name, number, source)] = after[len(before_entities) :]
    assert (name, number, source) == ("Blue Carbon Ltd", "BC-42", "entities.jsonl")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    with unit_of_work(target.engine, read_only=True) as connection:
        stored = connection.exec_driver_sql(
            "SELECT imported_sha256 FROM authorized_entities WHERE identifier = "
            + ("?" if target.engine.dialect.name == "sqlite" else "%s"),
            (identifier,),
        ).scalar_one()
        body = connection.exec_driver_sql(
            "SELECT body FROM journal_pending WHERE event = 'HistoryEntityImported' UNION ALL"
            " SELECT body FROM journal WHERE event = 'HistoryEntityImported'"
        ).scalar_one()
    assert stored == sha256
    entry = json.loads(body)
    assert (entry["identifier"], entry["source"], entry["sha256"]) == (
        identifier,
        "entities.jsonl",
        sha256,
    )
    assert entry["date_of_authorization"] == "2027-03-01" and entry["new_entity"] is True
    accounts = [a for a in ledger.accounts(target, XXA_ADMIN, "XXA") if a.holder == identifier]
    assert {a.kind for a in accounts} >= {"mo_holding", "amo_holding", "itmo_holding"}
    assert ledger_verified(target) == []


def test_an_entity_already_recorded_here_is_not_recorded_again(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    from datetime import date

    from article6.services import commands as c
    from article6.services.authorized_entities import record_authorized_entity

    record_authorized_entity(
        target,
        XXA_ADMIN,
        c.RecordAuthorizedEntity(
            name="Blue Carbon Ltd",
            country_of_incorporation="XXA",
            identification_number="BC-42",
            cooperative_approach="CA0001",
            date_of_authorization=date(2027, 3, 1),
        ),
    )
    before = entities_of(target, "XXA")
    view = import_unasked(
        target, SECRETARIAT, "XXA", [with_entities(history, tmp_path, BLUE)], REQUEST
    )
    assert view.recorded and view.entities == []
    assert entities_of(target, "XXA") == before


def test_an_entity_named_like_another_with_another_identity_is_refused_whole(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    path = with_entities(history, tmp_path, BLUE, {**BLUE, "identification_number": "BC-99"})
    before = snapshot(target)
    found = refusals(lambda: import_unasked(target, SECRETARIAT, "XXA", [path], REQUEST))
    assert found and {code for code, _, _ in found} == {"C7011"}
    assert all(place.startswith("entities.jsonl line ") for _, place, _ in found)
    assert snapshot(target) == before
    foreign = with_entities(history, tmp_path, {**BLUE, "cooperative_approach_id": "CA0099"})
    assert {
        code
        for code, _, _ in refusals(
            lambda: import_unasked(target, SECRETARIAT, "XXA", [foreign], REQUEST)
        )
    } == {"C7011"}
