"""Initial reports (decision 2/CMA.3 annex para 18), on SQLite and PostgreSQL: XXA records the
initial report of CA0001 and its updates (C3011), AEF Table 1 field 9 names their technical
expert review, and a first transfer under an approach with no initial report recorded is
completed with a warning, or refused whole when the registry is set to refuse (C3010)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from small_world import NDC, SmallWorld, holdings, selection, snapshot
from test_actions import international

from article6.demo.world import XXA_ADMIN, XXC_ADMIN
from article6.domain.checks import CommandRefused
from article6.domain.initial_reports import ReportKind
from article6.reports.aef_writers import Format
from article6.services import commands as c
from article6.services import cooperative_approaches
from article6.services.aef_versions import export_aef
from article6.services.context import Registry
from article6.services.initial_reports import (
    RecordInitialReport,
    initial_reports_of,
    record_initial_report,
)
from article6.store import journal, verify
from article6.store.database import unit_of_work


def report(
    registry: Registry,
    kind: ReportKind = ReportKind.INITIAL,
    on: date = date(2025, 5, 1),
    reference: str = "TER/2025/XXA/1",
    approach: str = "CA0001",
    party: str = "XXA",
    actor: object = XXA_ADMIN,
) -> object:
    return record_initial_report(
        registry,
        actor,  # type: ignore[arg-type]
        RecordInitialReport(
            party=party,
            cooperative_approach=approach,
            kind=kind,
            report_date=on,
            review_reference=reference,
        ),
    )


def refused(command: object) -> list[tuple[str, str]]:
    with pytest.raises(CommandRefused) as found:
        command()  # type: ignore[operator]
    return [(r.check.code, r.field) for r in found.value.refusals]


def test_the_initial_report_then_its_updates_are_recorded_in_order(
    registry: Registry, world: SmallWorld
) -> None:
    report(registry)
    report(registry, ReportKind.UPDATE, date(2026, 3, 1), "TER/2026/XXA/2")
    listed = initial_reports_of(registry, XXA_ADMIN, "XXA")
    assert [(r.kind, r.report_date, r.review_reference) for r in listed] == [
        (ReportKind.INITIAL, date(2025, 5, 1), "TER/2025/XXA/1"),
        (ReportKind.UPDATE, date(2026, 3, 1), "TER/2026/XXA/2"),
    ]
    assert refused(lambda: report(registry)) == [("C3011", "kind")]
    assert refused(lambda: report(registry, ReportKind.UPDATE, date(2026, 2, 1))) == [
        ("C3011", "report_date")
    ]


def test_a_report_must_name_an_approach_of_the_party_a_past_date_and_a_review(
    registry: Registry, world: SmallWorld
) -> None:
    cooperative_approaches.register_cooperative_approach(
        registry,
        __import__("article6.demo.world", fromlist=["SECRETARIAT"]).SECRETARIAT,
        c.RegisterCooperativeApproach(id="CA0002", name="Other", participating_parties=["XXC"]),
    )
    tomorrow = registry.now().date() + timedelta(days=1)
    assert refused(lambda: report(registry, approach="CA0002", on=tomorrow, reference=" ")) == [
        ("C3011", "cooperative_approach"),
        ("C3011", "report_date"),
        ("C3011", "review_reference"),
    ]
    assert refused(lambda: report(registry, ReportKind.UPDATE)) == [("C3011", "kind")]
    assert initial_reports_of(registry, XXA_ADMIN, "XXA") == []


def test_aef_table_1_names_the_review_of_the_initial_report(
    registry: Registry, world: SmallWorld, tmp_path: Path
) -> None:
    year = registry.now().year
    report(registry)
    output = tmp_path / "xxa.json"
    export_aef(registry, XXA_ADMIN, "XXA", year, Format.JSON, output)
    document = json.loads(output.read_text())
    table_1 = next(t for t in document["tables"] if t["number"] == 1)
    row = dict(zip(table_1["headings"], table_1["rows"][0], strict=True))
    field_9 = "Reference to the Article 6 technical expert review report of the initial report"
    assert row[field_9] == "CA0001: TER/2025/XXA/1 (initial report of 01/05/2025)"
    export_aef(registry, XXC_ADMIN, "XXC", year, Format.JSON, tmp_path / "xxc.json")
    xxc = json.loads((tmp_path / "xxc.json").read_text())
    xxc_1 = next(t for t in xxc["tables"] if t["number"] == 1)
    assert dict(zip(xxc_1["headings"], xxc_1["rows"][0], strict=True))[field_9] is None


def test_a_first_transfer_without_an_initial_report_is_completed_with_a_warning(
    registry: Registry, world: SmallWorld
) -> None:
    receipt = international(registry, world, selection(10, NDC))
    assert receipt.status == "completed"
    assert receipt.warnings == [
        "C3010: XXA has no initial report recorded for CA0001 (decision 2/CMA.3 annex para 18)"
    ]
    report(registry)
    assert international(registry, world, selection(10, NDC)).warnings == []


def test_set_to_refuse_a_first_transfer_without_an_initial_report_changes_nothing(
    registry: Registry, world: SmallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT", "refuse")
    before = snapshot(registry)
    assert refused(lambda: international(registry, world, selection(10, NDC))) == [
        ("C3010", "units")
    ]
    assert snapshot(registry) == before
    report(registry)
    moved = holdings(registry)
    assert international(registry, world, selection(10, NDC)).status == "completed"
    after = holdings(registry)
    xxc = "XXC Party itmo_holding"
    assert after[xxc][0] == moved.get(xxc, (0, 0))[0] + 10
    assert sum(q for q, _ in after.values()) == sum(q for q, _ in moved.values())
    journal.seal(registry.engine)  # the sealer's round may be a moment away
    with unit_of_work(registry.engine, read_only=True) as connection:
        assert verify.everything(connection) == []  # units conserved


def test_the_preview_of_a_first_transfer_warns_before_anything_is_recorded(
    registry: Registry, world: SmallWorld
) -> None:
    from article6.services import units
    from article6.services.preview import preview

    command = c.TransferInternationally(
        source_account=world["XXA Party amo_holding"],
        destination_account=world["XXC Party itmo_holding"],
        units=selection(10, NDC),
    )
    before = snapshot(registry)
    shown = preview(registry, units.transfer_internationally, XXA_ADMIN, command)
    assert shown.first_transfer
    assert [w[:6] for w in shown.receipt.warnings] == ["C3010:"]
    assert snapshot(registry) == before


def test_an_issuance_that_is_the_first_transfer_is_warned_about_too(
    registry: Registry, world: SmallWorld
) -> None:
    from test_actions import oimp

    from article6.domain.nomenclature import FirstTransferDefinition
    from article6.services import issuance

    oimp(registry, "XXA-OIMP-ISS", FirstTransferDefinition.ISSUANCE)
    issued = issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(
            mitigation_activity=world.activity,
            vintage=2024,
            quantity=50,
            authorization_id="XXA-OIMP-ISS",
        ),
    )
    assert issued.transaction is not None and issued.transaction.first_transfer
    assert [w[:6] for w in issued.warnings] == ["C3010:"]
    plain = issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=5),
    )
    assert plain.warnings == []  # MOs issued: no first transfer, nothing to warn about
