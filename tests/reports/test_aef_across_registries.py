"""AEF Tables 3 and 4 when units cross registries (the `article6 network` demonstration): XXB01
first transfers 100 ITMOs to XXA in the IR, XXA sends 40 back, and 150 authorized A6.4ERs of
XXD enter XXA from the mechanism registry. Each movement is reported by both Parties with the
same identifiers, and each Party's holdings are what its actions imply."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

from article6.cli import main
from article6.demo.network import XXB_ADMIN, Clock, Network, build
from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.identifiers import block_of, serial_of
from article6.domain.protocol import MECHANISM_APPROACH
from article6.domain.wording import Words
from article6.reports.aef import ActionDateTime
from article6.reports.aef_consistency.findings import reason_read_back
from article6.reports.aef_spec import TABLE
from article6.reports.aef_validate import validate
from article6.reports.aef_writers import Format
from article6.services.aef_consistency import consistency, marks_to_set, run_consistency
from article6.services.aef_versions import export_aef, open_aef
from article6.services.commands import UnitSelection
from article6.services.context import Registry
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.unit_marks import (
    LiftMark,
    MarkUnitRanges,
    MarkUnits,
    lift_mark,
    list_marks,
    mark_unit_ranges,
)
from article6.store.database import make_engine

XXD_ADMIN = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T3 = {key: index for index, key in enumerate(TABLE[3].keys)}
T4 = {key: index for index, key in enumerate(TABLE[4].keys)}
ACCOUNTS: dict[str, str] = {}
"""The network's accounts by name ("XXA Party itmo_holding"), as the fixture built them."""


@pytest.fixture(scope="module")
def network(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[Network, Clock]]:
    """The demonstration's three movements, each completed on both sides, a minute apart."""
    base = tmp_path_factory.mktemp("network")
    clock = Clock(START)
    registries = {}
    for name in ("hub", "ir", "xxb", "a64"):
        shutil.copy(sqlite_template, base / f"{name}.db")
        registries[name] = Registry(make_engine(f"sqlite:///{base / name}.db"), clock)
    net, accounts = build(registries["hub"], registries["ir"], registries["xxb"], registries["a64"])
    ACCOUNTS.update(accounts)
    moves = [
        ("XXB01", XXB_ADMIN, "XXB Party amo_holding", "IR", "XXA Party itmo_holding", "XXA", 100),
        ("IR", XXA_ADMIN, "XXA Party itmo_holding", "XXB01", "XXB Party itmo_holding", "XXB", 40),
        (
            "A64",
            XXD_ADMIN,
            f"XXD Party amo_holding {MECHANISM_APPROACH}",
            "IR",
            f"XXA Party itmo_holding {MECHANISM_APPROACH}",
            "XXA",
            150,
        ),
    ]
    for source, actor, account, to, destination, party, quantity in moves:
        clock.advance(timedelta(minutes=1))
        propose_external_transfer(
            net.nodes[source].registry,
            actor,
            ProposeExternalTransfer(
                source_account=accounts[account],
                acquiring_registry=to,
                acquiring_account=accounts[destination],
                acquiring_party=party,
                units=UnitSelection(quantity=quantity),
            ),
        )
        net.settle()
    assert set(net.hub.transactions().values()) == {"completed"}
    yield net, clock
    for registry in registries.values():
        registry.engine.dispose()


WHERE = {"XXA": ("IR", XXA_ADMIN), "XXB": ("XXB01", XXB_ADMIN), "XXD": ("A64", XXD_ADMIN)}


def tables(network: tuple[Network, Clock], party: str) -> dict[int, list[list[Any]]]:
    node, actor = WHERE[party]
    with open_aef(network[0].nodes[node].registry, actor, party, 2026) as document:
        return {t.spec.number: [list(row) for row in t.rows] for t in document.tables}


def actions(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """Table 3 rows as (type, subtype, first ID, last ID, quantity, transferring, acquiring)."""
    return [
        (
            row[T3["action_type"]],
            row[T3["action_subtype"]],
            row[T3["first_id"]],
            row[T3["last_id"]],
            row[T3["quantity"]],
            row[T3["transferring_party"]],
            row[T3["acquiring_party"]],
        )
        for row in rows
    ]


def units(first: int, last: int, origin: str = "XXB01") -> tuple[str, str]:
    """The identifiers of XXB's CA0001 vintage 2024 units, or XXD's A6.4ERs (CA6400, 2025)."""
    if origin == "A64":
        return f"CA6400-A64-XXD-{first}-2025", f"CA6400-A64-XXD-{last}-2025"
    return f"CA0001-XXB01-XXB-{first}-2024", f"CA0001-XXB01-XXB-{last}-2024"


def test_xxa_reports_both_acquisitions_and_the_return(network: tuple[Network, Clock]) -> None:
    rows = tables(network, "XXA")[3]

    assert actions(rows) == [
        ("Acquisition", None, *units(901, 1000), 100, "XXB", "NA"),
        ("Transfer", None, *units(961, 1000), 40, "NA", "XXB"),
        ("Acquisition", None, *units(781, 930, "A64"), 150, "XXD", "NA"),
    ]
    # Every action is tracked in XXA's section of the IR, whoever issued the units.
    assert {row[T3["registry_id"]] for row in rows} == {"XXA01"}


def test_xxb_reports_its_authorization_its_first_transfer_and_the_units_it_got_back(
    network: tuple[Network, Clock],
) -> None:
    rows = tables(network, "XXB")[3]

    assert actions(rows) == [
        ("Authorization", None, *units(401, 1000), 600, "NA", "NA"),
        ("First transfer", "First transfer to another Party", *units(901, 1000), 100, "NA", "XXA"),
        ("Acquisition", None, *units(961, 1000), 40, "XXA", "NA"),
    ]
    assert {row[T3["registry_id"]] for row in rows} == {"XXB01"}


def test_both_parties_report_each_movement_alike(network: tuple[Network, Clock]) -> None:
    """A transfer (first or not) and its acquisition agree on the units, their quantity,
    approach, authorization, first transferring Party and vintage (the CARP's IPC01)."""
    same = ("first_id", "last_id", "quantity", "cooperative_approach_id", "authorization_id")
    same += ("first_transferring_party", "vintage", "metric", "mitigation_type")

    def movements(party: str, kinds: tuple[str, ...]) -> list[tuple[Any, ...]]:
        return [
            tuple(row[T3[key]] for key in same)
            for row in tables(network, party)[3]
            if row[T3["action_type"]] in kinds
        ]

    sent = ("First transfer", "Transfer")
    assert movements("XXB", sent) == movements("XXA", ("Acquisition",))[:1]
    assert movements("XXA", sent) == movements("XXB", ("Acquisition",))
    assert movements("XXD", sent) == movements("XXA", ("Acquisition",))[1:]


def test_holdings_name_the_registry_that_issued_the_units(network: tuple[Network, Clock]) -> None:
    held = tables(network, "XXA")[4]

    assert [
        (row[T4["registry_id"]], row[T4["first_id"]], row[T4["last_id"]], row[T4["quantity"]])
        for row in held
    ] == [
        ("XXA01", *units(781, 930, "A64"), 150),
        ("XXA01", *units(901, 960), 60),
    ]
    # A64's serials 781-930 and XXB01's 901-960 overlap as numbers, not as units.
    assert len({block_of(row[T4["first_id"]]) for row in held}) == 2


def test_each_party_s_holdings_are_what_its_actions_imply(network: tuple[Network, Clock]) -> None:
    """Held = authorized + acquired - transferred, unit by unit: an authorized unit is an ITMO
    held until it leaves (2/CMA.3 annex para 1(f); the CARP's ISC01 and DR01)."""

    def unit_ids(first: str, last: str) -> set[tuple[str | None, int]]:
        low, high = serial_of(first), serial_of(last)
        assert low is not None and high is not None
        return {(block_of(first), serial) for serial in range(low, high + 1)}

    for party in ("XXA", "XXB"):
        found = tables(network, party)
        implied: set[tuple[str | None, int]] = set()
        for row in found[3]:
            ids = unit_ids(row[T3["first_id"]], row[T3["last_id"]])
            action, subtype = row[T3["action_type"]], row[T3["action_subtype"]]
            if action in ("Authorization", "Acquisition"):
                implied |= ids
            elif action == "Transfer" or subtype == "First transfer to another Party":
                implied -= ids
        held: set[tuple[str | None, int]] = set()
        for row in found[4]:
            held |= unit_ids(row[T4["first_id"]], row[T4["last_id"]])
        assert held == implied, party
        assert sum(row[T4["quantity"]] for row in found[4]) == len(implied)
    assert sum(row[T4["quantity"]] for row in tables(network, "XXA")[4]) == 210


def test_json_carries_the_utc_time_and_the_workbook_and_csv_the_day(
    network: tuple[Network, Clock], tmp_path: Path
) -> None:
    registry = network[0].nodes["IR"].registry
    exported = {
        format: export_aef(
            registry, XXA_ADMIN, "XXA", 2026, format, tmp_path / f"xxa.{format.value}"
        ).output
        for format in Format
    }
    document = json.loads(Path(exported[Format.JSON]).read_text(encoding="utf-8"))
    times = [row[0] for row in document["tables"][2]["rows"]]
    with Path(exported[Format.CSV], "table3_actions.csv").open(encoding="utf-8") as f:
        days = [row[0] for row in list(csv.reader(f))[1:]]
    sheet = openpyxl.load_workbook(exported[Format.XLSX])["Table 3 Actions"]
    # The official sheet: Table 3's data from row 9, the action date in column B as a date cell.
    printed = [
        f"{cell.value:%d/%m/%Y}"
        for (cell,) in sheet.iter_rows(min_row=9, min_col=2, max_col=2)
        if cell.value is not None
    ]

    # The three movements happened a minute apart, on one day: only the time orders them.
    assert times == [
        "2026-06-01T12:01:00.000Z",
        "2026-06-01T12:02:00.000Z",
        "2026-06-01T12:03:00.000Z",
    ]
    assert days == printed == ["01/06/2026"] * 3
    assert [validate(Path(path)) for path in exported.values()] == [[], [], []]


def test_an_action_time_keeps_its_millisecond_and_reads_back() -> None:
    at = ActionDateTime(datetime(2026, 12, 2, 7, 13, 5, 123456, tzinfo=UTC))

    assert (str(at), at.iso) == ("02/12/2026", "2026-12-02T07:13:05.123Z")
    assert ActionDateTime.read(at.iso) == at
    assert ActionDateTime.read("02/12/2026") == "02/12/2026"  # an earlier version's day
    # A naive time from the database is UTC.
    assert ActionDateTime(datetime(2026, 12, 31, 23, 30)).iso == "2026-12-31T23:30:00.000Z"
    # Another zone is converted to UTC: 00:30 in Berlin on 1 January is still 31/12 in UTC.
    berlin = datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert str(ActionDateTime(berlin)) == "31/12/2026"


# The CARP's consistency checks across the three registries ----------------------------------

HOME = {"XXA": "IR", "XXC": "IR", "XXB": "XXB01", "XXD": "A64"}
ACTORS = {"XXA": XXA_ADMIN, "XXC": XXA_ADMIN, "XXB": XXB_ADMIN, "XXD": XXD_ADMIN}


@pytest.mark.parametrize("format", [Format.JSON, Format.XLSX])
@pytest.mark.parametrize("node", ["IR", "XXB01", "A64"])
def test_every_registrys_aef_passes_the_consistency_checks_with_the_others_as_files(
    network: tuple[Network, Clock], tmp_path: Path, node: str, format: Format
) -> None:
    """Each registry checks its own Parties' AEFs with the other registries' AEFs given as
    files (as the secretariat would receive them): zero inconsistencies, every Party-year
    filed consistent."""
    net, _ = network
    files = [
        Path(
            export_aef(
                net.nodes[home].registry,
                ACTORS[party],
                party,
                2026,
                format,
                tmp_path / f"{party}.{format.value}",
            ).output
        )
        for party, home in HOME.items()
        if home != node and party != "XXC"
    ]

    view = consistency(net.nodes[node].registry, SECRETARIAT, 2026, files)

    assert [(c.code, c.found) for c in view.codes if not c.passed] == []
    assert view.consistent and view.inconsistencies == 0
    checked = {(f.party, f.filing) for f in view.submissions if f.year == 2026}
    assert {party for party, _ in checked} >= {"XXA", "XXB", "XXD"}
    assert {filing for _, filing in checked} == {"consistent"}


def test_a_transfer_the_acquirer_does_not_report_is_found_by_ipc01_and_dr03(
    network: tuple[Network, Clock], tmp_path: Path
) -> None:
    """The attacker's (or the careless Party's) side: XXA's AEF as a file without its
    acquisition of XXB's 100 units. The IR's own XXA is not loaded: the file stands for it."""
    net, _ = network
    xxb = Path(
        export_aef(
            net.nodes["XXB01"].registry, XXB_ADMIN, "XXB", 2026, Format.JSON, tmp_path / "xxb.json"
        ).output
    )
    xxa = Path(
        export_aef(
            net.nodes["IR"].registry, XXA_ADMIN, "XXA", 2026, Format.JSON, tmp_path / "xxa.json"
        ).output
    )
    document = json.loads(xxa.read_text(encoding="utf-8"))
    actions = next(t for t in document["tables"] if t["number"] == 3)
    actions["rows"] = [
        row
        for row in actions["rows"]
        if not (row[T3["action_type"]] == "Acquisition" and row[T3["transferring_party"]] == "XXB")
    ]
    xxa.write_text(json.dumps(document), encoding="utf-8")

    view = consistency(net.nodes["A64"].registry, SECRETARIAT, 2026, [xxb, xxa])

    failed = {c.code: c for c in view.codes if not c.passed}
    assert "IPC01" in failed and "DR03" in failed
    [unmatched] = failed["IPC01"].inconsistencies
    assert set(unmatched.parties) == {"XXA", "XXB"}
    assert any(r.party == "XXB" and r.sheet == "Table 3 Actions" for r in unmatched.rows)
    assert not view.consistent


def xxb_without_its_first_transfer_to_xxa(net: Network, tmp_path: Path) -> Path:
    """XXB's AEF as a JSON file that leaves out its first transfer of 100 units to XXA."""
    xxb = Path(
        export_aef(
            net.nodes["XXB01"].registry, XXB_ADMIN, "XXB", 2026, Format.JSON, tmp_path / "xxb.json"
        ).output
    )
    document = json.loads(xxb.read_text(encoding="utf-8"))
    actions = next(t for t in document["tables"] if t["number"] == 3)
    actions["rows"] = [r for r in actions["rows"] if r[T3["acquiring_party"]] != "XXA"]
    xxb.write_text(json.dumps(document), encoding="utf-8")
    return xxb


def test_the_secretariat_marks_the_units_an_inconsistency_names_and_they_stop_moving(
    network: tuple[Network, Clock], tmp_path: Path
) -> None:
    """XXB's AEF arrives without its first transfer to XXA: IPC01 names XXA's acquisition of
    XXB01 901-1000. The secretariat marks the ranges the check names (`marks_to_set`, what
    `article6 aef consistency --marks` writes); XXA's units from XXB then do not move (C2010
    naming IPC01) and nothing changes, until the marks are lifted."""
    net, _ = network
    ir = net.nodes["IR"].registry
    xxb = xxb_without_its_first_transfer_to_xxa(net, tmp_path)
    xxd = Path(
        export_aef(
            net.nodes["A64"].registry, XXD_ADMIN, "XXD", 2026, Format.JSON, tmp_path / "xxd.json"
        ).output
    )

    result, _ = run_consistency(ir, SECRETARIAT, 2026, [xxb, xxd])
    ranges = marks_to_set(result)
    for r in ranges:  # each reason reads back as the check's words, for the pages to say (#19)
        reason = str(r["reason"])
        assert len(reason) == 500 or isinstance(reason_read_back(reason), Words), reason

    assert {"registry_id": "XXB01", "serial_first": 901, "serial_last": 1000} in [
        {k: r[k] for k in ("registry_id", "serial_first", "serial_last")}
        for r in ranges
        if r["inconsistency_code"] == "IPC01"
    ]
    recorded = mark_unit_ranges(
        ir, SECRETARIAT, MarkUnitRanges(marks=[MarkUnits.model_validate(r) for r in ranges])
    )
    held_before = tables(network, "XXA")[4]
    try:
        with pytest.raises(CommandRefused) as refused:
            propose_external_transfer(
                ir,
                XXA_ADMIN,
                ProposeExternalTransfer(
                    source_account=ACCOUNTS["XXA Party itmo_holding"],
                    acquiring_registry="XXB01",
                    acquiring_account=ACCOUNTS["XXB Party itmo_holding"],
                    acquiring_party="XXB",
                    units=UnitSelection(quantity=10),
                ),
            )
        [refusal] = refused.value.refusals
        # The units are named by several checks (IPC01, and XXB's own ISC01 and DR03): the
        # refusal names a mark and its check.
        named = {r["inconsistency_code"] for r in ranges}
        assert refusal.check.code == "C2010" and "IPC01" in named
        assert any(f"consistency check {code}" in refusal.detail for code in named)
        assert tables(network, "XXA")[4] == held_before  # nothing moved, nothing lost
    finally:
        for mark in recorded.marks:
            lift_mark(ir, SECRETARIAT, LiftMark(mark=mark.id, reason="resolved in the test"))


def test_the_command_line_writes_the_ranges_to_mark_and_units_mark_reads_them(
    network: tuple[Network, Clock], tmp_path: Path
) -> None:
    """`article6 aef consistency --marks FILE` (exit 1: inconsistent) writes what
    `article6 units mark --file FILE` marks, all at once; then lifted again."""
    net, _ = network
    ir = net.nodes["IR"].registry
    database = ir.engine.url.render_as_string(hide_password=False)
    xxb = xxb_without_its_first_transfer_to_xxa(net, tmp_path)
    marks = tmp_path / "marks.json"
    runner = CliRunner()

    arguments = ["--year", "2026", "--aef", str(xxb), "--marks", str(marks)]
    checked = runner.invoke(main, ["aef", "consistency", *arguments, "--database", database])
    assert checked.exit_code == 1, checked.output
    listed = json.loads(marks.read_text(encoding="utf-8"))["marks"]
    assert {"IPC01"} <= {r["inconsistency_code"] for r in listed}

    marked = runner.invoke(main, ["units", "mark", "--file", str(marks), "--database", database])
    assert marked.exit_code == 0, marked.output
    in_force = list_marks(ir, SECRETARIAT)
    try:
        assert len([m for m in in_force if m.lifted_at is None]) == len(listed)
    finally:
        for mark in in_force:
            if mark.lifted_at is None:
                lift_mark(ir, SECRETARIAT, LiftMark(mark=mark.id, reason="resolved in the test"))
