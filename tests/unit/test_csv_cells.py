"""What a spreadsheet would evaluate is written as text; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from article6.reports.csv_cells import neutralised, restored, writer


@pytest.mark.parametrize(
    "typed",
    ["=1+1", '=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-A1"],
)
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(typed: str):
    assert neutralised(typed) == "'" + typed
    assert restored(neutralised(typed)) == typed


@pytest.mark.parametrize("number", [-12, 0, 7, "-12", "-0.5", "+3", "12"])
def test_numbers_and_text_that_is_only_a_number_are_left_alone(number: object):
    assert neutralised(number) == number


def test_the_writer_neutralises_every_cell_and_keeps_numbers_numeric():
    written = io.StringIO()
    csv_writer = writer(written)
    csv_writer.writerow(["=cmd|' /C calc'!A0", -5, "plain", None])
    csv_writer.writerows([["@x", 3]])
    rows = list(csv.reader(io.StringIO(written.getvalue())))
    assert rows == [["'=cmd|' /C calc'!A0", "-5", "plain", ""], ["'@x", "3"]]
