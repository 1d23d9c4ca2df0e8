"""The corresponding adjustment inputs summed from hand-built Table 3 rows: every action type and
subtype lands in its figure, the adjustment adds first transfers and subtracts uses towards the
NDC, and GHG and non-GHG quantities are never summed together."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from article6 import translation
from article6.domain.nomenclature import ActionSubtype, ActionType
from article6.reports.adjustment_writers import as_json, as_text, write_csv
from article6.reports.aef_spec import NA, TABLE
from article6.reports.corresponding_adjustments import (
    NO_QUANTITY,
    NOT_ENTERING,
    UNKNOWN_TYPE,
    AdjustmentInputs,
    Flow,
    derive,
    number,
    row_ranges,
)


def row(
    action: str,
    subtype: str | None = None,
    quantity: Any = 100,
    *,
    approach: str = "CA0001",
    vintage: int = 2024,
    metric: str = "GHG",
    non_ghg_metric: str = NA,
    non_ghg_quantity: str = NA,
    ndc_year: int | str = NA,
    purpose: str = NA,
    acquiring: str = NA,
    transferring: str = NA,
) -> tuple[Any, ...]:
    """A Table 3 row with the fields the inputs read; the others as an export fills them."""
    values = {
        "action_date": "01/06/2025",
        "action_type": action,
        "action_subtype": subtype,
        "cooperative_approach_id": approach,
        "authorization_id": "XXA-NDC-1",
        "first_transferring_party": "XXA",
        "registry_id": "XXA01",
        "first_id": 1,
        "last_id": 100,
        "metric": metric,
        "non_ghg_metric": non_ghg_metric,
        "quantity": quantity,
        "non_ghg_quantity": non_ghg_quantity,
        "mitigation_type": "Emission reductions",
        "vintage": vintage,
        "transferring_party": transferring,
        "acquiring_party": acquiring,
        "purpose": purpose,
        "ndc_year": ndc_year,
    }
    return tuple(values.get(key) for key in TABLE[3].keys)


def inputs(*rows: tuple[Any, ...]) -> AdjustmentInputs:
    return derive("XXA", 2025, "1.0", rows)


def figures(found: AdjustmentInputs, line: int = 0) -> dict[Flow, Decimal]:
    return {f.flow: f.total.quantity for f in found.lines[line].figures}


# Every action type and subtype ------------------------------------------------------------

FLOW_OF_TYPE = {
    ActionType.FIRST_TRANSFER: Flow.FIRST_TRANSFERRED,
    ActionType.TRANSFER: Flow.TRANSFERRED,
    ActionType.ACQUISITION: Flow.ACQUIRED,
    ActionType.USE: Flow.USED_TOWARDS_NDC,  # with its NDC year; see the OIMP use below
    ActionType.CANCELLATION: Flow.CANCELLED,
    ActionType.VOLUNTARY_CANCELLATION: Flow.VOLUNTARILY_CANCELLED,
    ActionType.AUTHORIZATION: None,
}
SUBTYPES = [None, *ActionSubtype, "First international transfer"]


@pytest.mark.parametrize("subtype", SUBTYPES, ids=lambda s: s or "no subtype")
@pytest.mark.parametrize("action", list(ActionType), ids=lambda a: a.value)
def test_every_action_type_and_subtype_lands_in_the_figure_of_its_type(
    action: ActionType, subtype: str | None
) -> None:
    found = inputs(row(action, subtype, 70, ndc_year=2025, acquiring="XXC", transferring="XXB"))

    flow = FLOW_OF_TYPE[action]
    if flow is None:
        assert found.lines == () and found.totals == ()
        [outside] = found.outside
        assert (outside.action_type, outside.action_subtype) == (action.value, subtype)
        assert outside.amount.quantity == 70 and outside.amount.rows == ((9, 9),)
        assert outside.reason == NOT_ENTERING[action.value]
        return
    assert found.outside == ()
    assert figures(found) == {f: Decimal(70 if f is flow else 0) for f in Flow}
    figure = found.lines[0].figure(flow)
    assert figure.total.rows == ((9, 9),)
    [part] = figure.parts
    expected = {
        Flow.ACQUIRED: "from XXB",
        Flow.USED_TOWARDS_NDC: "NDC year 2025",
        Flow.TRANSFERRED: f"{subtype}, to XXC" if subtype else "to XXC",
    }.get(flow, subtype or "no subtype")
    assert part.label == expected


def test_a_use_for_oimp_names_its_purpose_and_is_not_subtracted() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, ActionSubtype.USE_OR_CANCELLATION, 50, purpose="CORSIA"),
        row(ActionType.USE, None, 50, purpose="CORSIA"),
    )

    line = found.lines[0]
    assert figures(found)[Flow.USED_FOR_OIMP] == 50
    assert [p.label for p in line.figure(Flow.USED_FOR_OIMP).parts] == ["CORSIA"]
    assert line.figure(Flow.USED_FOR_OIMP).total.rows == ((10, 10),)
    assert line.adjustment == 50  # the first transfer at use, added once; the use is not subtracted


# The arithmetic ---------------------------------------------------------------------------


def test_the_adjustment_adds_first_transfers_and_subtracts_uses_towards_the_ndc() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY, 100),  # 9
        row(ActionType.FIRST_TRANSFER, ActionSubtype.USE_OR_CANCELLATION, 20),  # 10
        row(ActionType.USE, None, 20, purpose="CORSIA"),  # 11
        row(ActionType.ACQUISITION, None, 40, transferring="XXB"),  # 12
        row(ActionType.USE, None, 30, ndc_year=2025),  # 13
        row(ActionType.USE, None, 5, ndc_year=2026),  # 14
        row(ActionType.TRANSFER, None, 10, acquiring="XXC"),  # 15
        row(ActionType.VOLUNTARY_CANCELLATION, ActionSubtype.VOLUNTARY_OMGE, 3),  # 16
        row(ActionType.CANCELLATION, ActionSubtype.OTHER_CANCELLATIONS, 2),  # 17
        row(ActionType.FIRST_TRANSFER, ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY, 1),  # 18
    )

    [line] = found.lines
    assert figures(found) == {
        Flow.FIRST_TRANSFERRED: 121,
        Flow.TRANSFERRED: 10,
        Flow.ACQUIRED: 40,
        Flow.USED_TOWARDS_NDC: 35,
        Flow.USED_FOR_OIMP: 20,
        Flow.CANCELLED: 2,
        Flow.VOLUNTARILY_CANCELLED: 3,
    }
    assert line.figure(Flow.FIRST_TRANSFERRED).total.rows == ((9, 10), (18, 18))
    assert [
        (p.label, p.amount.quantity, p.amount.rows)
        for p in line.figure(Flow.USED_TOWARDS_NDC).parts
    ] == [
        ("NDC year 2025", 30, ((13, 13),)),
        ("NDC year 2026", 5, ((14, 14),)),
    ]
    assert line.adjustment == 121 - 35
    assert line.adjustment_by_year(2025) == ((2025, Decimal(121 - 30)), (2026, Decimal(-5)))
    assert line.net_transferred == 121 + 10 - 40
    assert line.arithmetic == (
        "adjustment = first transferred 121 − used towards NDC 35 = 86 t CO2 eq",
        "net transferred = first transferred 121 + transferred after first transfer 10"
        " − acquired 40 = 91 t CO2 eq",
        "first transferred = First transfer to another Party 101 + Use or cancellation 20"
        " = 121 t CO2 eq",
        "used towards NDC = NDC year 2025 30 + NDC year 2026 5 = 35 t CO2 eq",
    )
    assert found.totals[0].figures == line.figures
    assert found.table3_rows == 10


def test_an_acquiring_party_that_uses_more_than_it_first_transferred_adjusts_downwards() -> None:
    found = inputs(
        row(ActionType.ACQUISITION, None, 28_000, transferring="XXA"),
        row(ActionType.USE, None, 3_000, ndc_year=2025),
    )

    line = found.lines[0]
    assert line.adjustment == -3_000
    assert line.adjustment_arithmetic == (
        "adjustment = first transferred 0 − used towards NDC 3,000 = −3,000 t CO2 eq"
    )
    assert line.net_transferred_arithmetic == (
        "net transferred = first transferred 0 + transferred after first transfer 0"
        " − acquired 28,000 = −28,000 t CO2 eq"
    )


# Lines and metrics ------------------------------------------------------------------------


def test_lines_are_per_approach_metric_and_vintage_and_totals_per_metric() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, None, 10, approach="CA0002", vintage=2023),
        row(ActionType.FIRST_TRANSFER, None, 20, approach="CA0001", vintage=2024),
        row(ActionType.FIRST_TRANSFER, None, 30, approach="CA0001", vintage=2023),
        row(ActionType.FIRST_TRANSFER, None, 40, approach="CA0001", vintage=2023),
    )

    assert [(x.cooperative_approach_id, x.vintage) for x in found.lines] == [
        ("CA0001", 2023),
        ("CA0001", 2024),
        ("CA0002", 2023),
    ]
    assert [x.quantity(Flow.FIRST_TRANSFERRED) for x in found.lines] == [70, 20, 10]
    assert found.lines[0].figure(Flow.FIRST_TRANSFERRED).total.rows == ((11, 12),)
    [total] = found.totals
    assert (total.cooperative_approach_id, total.vintage, total.unit) == (None, None, "t CO2 eq")
    assert total.quantity(Flow.FIRST_TRANSFERRED) == 100
    assert total.figure(Flow.FIRST_TRANSFERRED).total.rows == ((9, 12),)


def test_ghg_and_each_non_ghg_metric_are_never_summed_together() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, None, 100),
        row(
            ActionType.FIRST_TRANSFER,
            None,
            10,
            metric="non-GHG",
            non_ghg_metric="MWh renewable electricity",
            non_ghg_quantity="25.5",
        ),
        row(
            ActionType.USE,
            None,
            4,
            metric="non-GHG",
            non_ghg_metric="MWh renewable electricity",
            non_ghg_quantity="10.2",
            ndc_year=2025,
        ),
        row(
            ActionType.FIRST_TRANSFER,
            None,
            7,
            metric="non-GHG",
            non_ghg_metric="hectares",
            non_ghg_quantity="7",
        ),
    )

    assert [(t.metric, t.unit, t.adjustment) for t in found.totals] == [
        ("GHG", "t CO2 eq", Decimal(100)),
        ("non-GHG", "MWh renewable electricity", Decimal("15.3")),
        ("non-GHG", "hectares", Decimal(7)),
    ]
    mwh = found.totals[1]
    assert mwh.adjustment_arithmetic == (
        "adjustment = first transferred 25.5 − used towards NDC 10.2 = 15.3"
        " MWh renewable electricity"
    )
    assert len(found.lines) == 3


# Rows that do not enter -------------------------------------------------------------------


def test_authorizations_unknown_types_and_unreadable_quantities_are_listed_not_counted() -> None:
    found = inputs(
        row(ActionType.AUTHORIZATION, None, 500),  # 9
        row(ActionType.AUTHORIZATION, None, 200),  # 10
        row("Holding", None, 5),  # 11
        row(ActionType.FIRST_TRANSFER, None, "many"),  # 12
        row(ActionType.FIRST_TRANSFER, None, "1,000"),  # 13: thousands separators are a number
    )

    assert [(o.action_type, o.amount.quantity, o.amount.rows, o.reason) for o in found.outside] == [
        ("Authorization", 700, ((9, 10),), NOT_ENTERING["Authorization"]),
        ("Holding", 5, ((11, 11),), UNKNOWN_TYPE),
        ("First transfer", 0, ((12, 12),), NO_QUANTITY),
    ]
    assert figures(found)[Flow.FIRST_TRANSFERRED] == 1_000
    assert found.lines[0].figure(Flow.FIRST_TRANSFERRED).total.rows == ((13, 13),)


def test_no_rows_no_lines() -> None:
    found = inputs()
    assert (found.lines, found.totals, found.outside, found.table3_rows) == ((), (), (), 0)
    assert "No Table 3 row enters the adjustment." in as_text(found)


# How it is written ------------------------------------------------------------------------


def test_rows_read_as_ranges_and_quantities_with_a_true_minus() -> None:
    assert row_ranges(((9, 9), (11, 14))) == "9, 11-14"
    assert number(Decimal(-3000)) == "−3,000"
    assert number(Decimal("12.50")) == "12.50"


def test_csv_is_one_figure_a_row_and_spreadsheet_safe() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, ActionSubtype.USE_OR_CANCELLATION, 50),
        row(ActionType.USE, None, 50, purpose="=HYPERLINK(1)"),
    )
    text = io.StringIO()
    write_csv(found, text)
    table = list(csv.DictReader(io.StringIO(text.getvalue())))

    oimp = [r for r in table if r["section"] == "line" and r["figure"] == "used for OIMP"]
    assert [(r["detail"], r["quantity"], r["table3_rows"]) for r in oimp] == [
        ("", "50", "10"),
        ("'=HYPERLINK(1)", "50", "10"),
    ]
    adjustment = next(r for r in table if r["figure"] == "adjustment" and not r["detail"])
    assert adjustment["quantity"] == "50"
    assert adjustment["arithmetic"].startswith("adjustment = first transferred 50")


def test_json_carries_numbers_rows_and_arithmetic() -> None:
    found = inputs(
        row(ActionType.FIRST_TRANSFER, None, 100),
        row(
            ActionType.FIRST_TRANSFER,
            None,
            1,
            metric="non-GHG",
            non_ghg_metric="MWh",
            non_ghg_quantity="2.5",
        ),
        row(ActionType.AUTHORIZATION, None, 9),
    )
    document = json.loads(json.dumps(as_json(found)))

    ghg, mwh = document["totals"]
    assert ghg["figures"]["first_transferred"] == {
        "label": "first transferred",
        "quantity": 100,
        "rows": [[9, 9]],
        "parts": [{"label": "no subtype", "quantity": 100, "rows": [[9, 9]]}],
    }
    assert (mwh["unit"], mwh["adjustment"]) == ("MWh", 2.5)
    assert ghg["adjustment_by_year"] == [{"year": 2025, "quantity": 100}]
    assert document["not_entering"][0]["rows"] == [[11, 11]]
    assert document["lines"][0]["arithmetic"][0] == (
        "adjustment = first transferred 100 − used towards NDC 0 = 100 t CO2 eq"
    )


def test_the_arithmetic_is_said_in_the_readers_language_and_the_files_keep_the_english() -> None:
    """The page says each line's arithmetic in French or Spanish, numbers grouped that way and
    a true minus sign; the sentence itself (JSON, CSV, the text) stays English."""
    found = inputs(
        row(ActionType.FIRST_TRANSFER, ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY, 43_000),
        row(ActionType.ACQUISITION, None, 28_000, transferring="XXB"),
        row(ActionType.USE, None, 50_000, ndc_year=2025),
        row(ActionType.USE, None, 1_000, ndc_year=2026),
        row(
            ActionType.USE,
            None,
            1,
            metric="non-GHG",
            non_ghg_metric="MWh",
            non_ghg_quantity="1234.5",
            ndc_year=2025,
        ),
    )
    line = found.lines[0]
    english = "adjustment = first transferred 43,000 − used towards NDC 51,000 = −8,000 t CO2 eq"
    assert line.adjustment_arithmetic == english
    with translation.speaking("fr"):
        french = [translation.said(text) for text in line.arithmetic]
        mwh = translation.said(found.totals[1].adjustment_arithmetic)
    with translation.speaking("es"):
        spanish = [translation.said(text) for text in line.arithmetic]
    space = "[\u202f\u00a0 ]"
    assert re.fullmatch(
        f"ajustement = transférées pour la première fois 43{space}000 − utilisées aux fins de"
        f" la CDN 51{space}000 = −8{space}000 t CO2 eq",
        french[0],
    ), french[0]
    assert french[1].startswith("transferts nets = transférées pour la première fois 43")
    assert "acquises 28" in french[1]
    assert re.search(f"CDN 2025 50{space}000 \\+ année de la CDN 2026 1{space}000", french[-1])
    assert re.search(f"= −1{space}234,5 MWh$", mwh), mwh
    assert spanish[0] == (
        "ajuste = transferidas por primera vez 43.000 − utilizadas para la CDN 51.000"
        " = −8.000 t CO2 eq"
    ), spanish[0]
    document = as_json(found)
    assert document["lines"][0]["arithmetic"][0] == english  # the file keeps the English
