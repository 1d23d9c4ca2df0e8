"""Account statements: print-ready HTML and CSV of a `Statement` (services.account_statements)."""

from __future__ import annotations

from typing import IO

from article6.reports import csv_cells
from article6.services.account_statements import Statement
from article6.web.documents.rendering import render

CSV_HEADINGS = (
    "Date (UTC)",
    "Transaction",
    "Kind",
    "Counterpart account",
    "Quantity in",
    "Quantity out",
    "Balance",
    "Units",
)


def statement_html(statement: Statement) -> str:
    return render("statement.html", statement=statement)


def statement_csv(statement: Statement, f: IO[str]) -> None:
    """Opening balance, one line per transaction, closing balance; units as identifiers."""
    writer = csv_cells.writer(f)
    writer.writerow(CSV_HEADINGS)
    writer.writerow(
        [statement.start.isoformat(), "", "opening balance", "", "", "", statement.opening, ""]
    )
    for line in statement.lines:
        writer.writerow(
            [
                line.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                line.transaction,
                line.kind,
                line.counterpart or "",
                line.quantity_in,
                line.quantity_out,
                line.balance,
                " ".join(line.units),
            ]
        )
    writer.writerow(
        [statement.end.isoformat(), "", "closing balance", "", "", "", statement.closing, ""]
    )
