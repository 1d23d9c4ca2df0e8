"""The corresponding adjustment inputs of XXA and XXC after the seed's scenarios: the figures are
the sums of their AEF's Table 3 quantities, per action and per approach, metric and vintage;
who may read them; and `article6 aef adjustments` in each format."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scenario_world import Reported

from article6.cli import main
from article6.demo import world as demo
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.reports.aef_spec import TABLE
from article6.reports.corresponding_adjustments import Flow
from article6.services.aef_versions import SubmitAEF, open_aef, submit_aef
from article6.services.corresponding_adjustments import adjustment_inputs

ACTOR = {"XXA": demo.XXA_ADMIN, "XXC": demo.XXC_ADMIN}
KEY = {key: index for index, key in enumerate(TABLE[3].keys)}


def table3(reported: Reported, party: str, year: int = 2025) -> list[tuple[Any, ...]]:
    with open_aef(reported.registry, ACTOR[party], party, year) as document:
        return [tuple(r) for t in document.tables if t.spec.number == 3 for r in t.rows]


def sums_by_action(rows: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """Table 3 quantities summed per (approach, metric, vintage, action type, use towards the
    NDC or not), straight from the AEF's cells."""
    found: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in rows:
        if r[KEY["action_type"]] == "Authorization":
            continue  # authorizing units adjusts nothing: they are listed apart (`outside`)
        towards_ndc = isinstance(r[KEY["ndc_year"]], int)
        key = (
            r[KEY["cooperative_approach_id"]],
            r[KEY["metric"]],
            r[KEY["vintage"]],
            r[KEY["action_type"]],
            towards_ndc,
        )
        found[key] += r[KEY["quantity"]]
    return dict(found)


FLOW_ACTION = {
    Flow.FIRST_TRANSFERRED: ("First transfer", False),
    Flow.TRANSFERRED: ("Transfer", False),
    Flow.ACQUIRED: ("Acquisition", False),
    Flow.USED_TOWARDS_NDC: ("Use", True),
    Flow.USED_FOR_OIMP: ("Use", False),
    Flow.CANCELLED: ("Cancellation", False),
    Flow.VOLUNTARILY_CANCELLED: ("Voluntary Cancellation", False),
}


@pytest.mark.parametrize("party", ["XXA", "XXC"])
def test_the_figures_are_the_sums_of_the_aefs_table_3(reported_once: Reported, party: str):
    rows = table3(reported_once, party)
    expected = sums_by_action(rows)

    inputs = adjustment_inputs(reported_once.registry, ACTOR[party], party, 2025)

    found = {}
    for line in inputs.lines:
        for flow, (action, towards_ndc) in FLOW_ACTION.items():
            quantity = line.quantity(flow)
            if quantity:
                key = (line.cooperative_approach_id, line.metric, line.vintage, action, towards_ndc)
                found[key] = int(quantity)
    assert found == expected
    assert inputs.table3_rows == len(rows)
    assert (inputs.party, inputs.year, inputs.version, inputs.draft) == (party, 2025, "1.0", True)
    assert inputs.provisional is False  # the clock stands in January 2026
    # Each figure names the sheet rows (from row 9) whose quantities it sums.
    for line in inputs.lines:
        for figure in line.figures:
            named = [n for a, b in figure.total.rows for n in range(a, b + 1)]
            assert sum(rows[n - 9][KEY["quantity"]] for n in named) == figure.total.quantity


def test_xxa_adds_its_first_transfers_and_xxc_subtracts_its_use(reported_once: Reported):
    xxa = adjustment_inputs(reported_once.registry, demo.XXA_ADMIN, "XXA", 2025)
    xxc = adjustment_inputs(reported_once.registry, demo.XXC_ADMIN, "XXC", 2025)

    [line] = xxa.lines
    assert (line.cooperative_approach_id, line.metric, line.unit, line.vintage) == (
        "CA0001",
        "GHG",
        "t CO2 eq",
        2024,
    )
    first = line.figure(Flow.FIRST_TRANSFERRED)
    assert [(p.label, p.amount.quantity, p.amount.rows) for p in first.parts] == [
        ("First transfer to another Party", 28_000, ((13, 13), (16, 16))),
        ("Use or cancellation", 15_000, ((10, 10), (14, 14))),
    ]
    assert line.quantity(Flow.USED_FOR_OIMP) == 15_000  # CORSIA: not subtracted by anyone
    assert line.adjustment == 43_000
    assert line.adjustment_by_year(2025) == ((2025, Decimal(43_000)),)
    # Rows 9 and 12 authorize 20,000 and 30,000 units: listed, not counted.
    assert [(o.action_type, o.amount.quantity, o.amount.rows) for o in xxa.outside] == [
        ("Authorization", 50_000, ((9, 9), (12, 12)))
    ]

    [used] = xxc.lines
    assert used.quantity(Flow.ACQUIRED) == 28_000
    assert [(p.label, p.amount.quantity) for p in used.figure(Flow.USED_TOWARDS_NDC).parts] == [
        ("NDC year 2025", 3_000)
    ]
    assert used.adjustment == -3_000
    assert used.adjustment_arithmetic == (
        "adjustment = first transferred 0 − used towards NDC 3,000 = −3,000 t CO2 eq"
    )
    # What XXA first transferred to XXC is what XXC acquired.
    assert first.parts[0].amount.quantity == used.quantity(Flow.ACQUIRED)


def test_the_partys_readers_and_the_secretariat_read_them_others_are_refused(
    reported_once: Reported,
):
    registry = reported_once.registry
    auditor = Actor("xxa.auditor", Role.AUDITOR, "XXA")
    for actor in (demo.XXA_ADMIN, demo.SECRETARIAT, auditor):
        assert adjustment_inputs(registry, actor, "XXA", 2025).lines

    # Another section's administrator acts outside their section (C4006); XXA's entity may not
    # read the Party's AEF (C4002).
    for actor, check in ((demo.XXC_ADMIN, "C4006"), (demo.GREEN_GROUP_A, "C4002")):
        with pytest.raises(CommandRefused) as refused:
            adjustment_inputs(registry, actor, "XXA", 2025)
        assert refused.value.codes == [check]


@pytest.mark.parametrize("year", [2020, 2027])
def test_a_year_before_2021_or_after_the_current_one_is_refused(reported_once: Reported, year: int):
    with pytest.raises(CommandRefused) as refused:
        adjustment_inputs(reported_once.registry, demo.XXA_ADMIN, "XXA", year)
    [refusal] = refused.value.refusals
    assert (refusal.check.code, refusal.field) == ("C1019", "year")
    assert str(year) in refusal.detail


def test_a_submitted_version_gives_the_same_figures_and_a_later_action_leaves_it(
    reported: Reported,
):
    registry = reported.registry
    submitted = submit_aef(registry, demo.XXA_ADMIN, SubmitAEF(party="XXA", year=2025))

    draft = adjustment_inputs(registry, demo.XXA_ADMIN, "XXA", 2025)
    stored = adjustment_inputs(registry, demo.XXA_ADMIN, "XXA", 2025, submitted.version)

    assert (stored.version, stored.draft) == ("1.0", False)
    assert draft.version == "1.1"
    assert stored.lines == draft.lines and stored.totals == draft.totals


# The command line ---------------------------------------------------------------------------


def cli(reported: Reported, *arguments: str) -> Any:
    database = reported.registry.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["aef", "adjustments", *arguments, "--database", database])


def test_the_command_line_writes_text_csv_and_json(reported_once: Reported, tmp_path: Path):
    text = cli(reported_once, "--party", "XXA", "--year", "2025")
    assert text.exit_code == 0, text.output
    assert "Corresponding adjustment inputs of XXA for 2025: AEF version 1.0 (draft)" in text.output
    assert "CA0001, GHG (t CO2 eq), vintage 2024" in text.output
    assert (
        "adjustment = first transferred 43,000 − used towards NDC 0 = 43,000 t CO2 eq"
        in text.output
    )
    assert "rows 10, 13-14, 16" in text.output

    output = tmp_path / "xxc.csv"
    written = cli(
        reported_once,
        "--party",
        "XXC",
        "--year",
        "2025",
        "--format",
        "csv",
        "--output",
        str(output),
    )
    assert written.exit_code == 0, written.output
    table = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    acquired = next(r for r in table if r["section"] == "line" and r["figure"] == "acquired")
    assert (acquired["cooperative_approach_id"], acquired["vintage"], acquired["quantity"]) == (
        "CA0001",
        "2024",
        "28000",
    )
    total = next(r for r in table if r["section"] == "total" and r["figure"] == "adjustment")
    assert total["quantity"] == "-3000"

    document = cli(reported_once, "--party", "XXC", "--year", "2025", "--format", "json")
    assert document.exit_code == 0, document.output
    parsed = json.loads(document.output)
    assert parsed["totals"][0]["adjustment"] == -3000
    assert parsed["lines"][0]["figures"]["used_towards_ndc"]["parts"] == [
        {"label": "NDC year 2025", "quantity": 3000, "rows": [[11, 11]], "ndc_year": 2025}
    ]


def test_the_command_line_names_the_check_when_refused(reported_once: Reported):
    refused = cli(reported_once, "--party", "XXA", "--year", "2020")
    assert refused.exit_code == 1
    assert "C1019 year" in refused.output
