"""XLSX workbooks as text rows, read once, so the same readers serve spreadsheets and CSV.

Cells become the text a CSV export would hold (floats via ``repr``: they round-trip exactly);
row numbers are sheet rows, as a person sees them in the spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from data.readers.files import Table, empty_cells, file_problem, finish_table
from data.readers.limits import Limits
from data.schema import Problem


def cell_text(value: object) -> str:
    """An XLSX cell value as the text a CSV export would hold (floats round-trip exactly)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Sheet:
    """A worksheet's non-empty rows as text: (sheet row number, cells)."""

    title: str
    rows: list[tuple[int, list[str]]]

    def table(self, header_at: int = 0) -> Table:
        """The sheet as a ``Table`` whose header is its ``header_at``-th non-empty row."""
        header = list(self.rows[header_at][1])
        while header and not header[-1]:
            header.pop()
        width = len(header)
        body = self.rows[header_at + 1 :]
        grid = [(cells + [""] * width)[:width] for _, cells in body]
        frame = pd.DataFrame(grid, columns=range(width), dtype=str) if grid else empty_cells(width)
        numbers = np.asarray([number for number, _ in body], dtype=np.int64)
        return finish_table(header, frame, numbers, self.title)


def xlsx_sheets(
    raw: bytes, file: str, limits: Limits | None = None
) -> tuple[list[Sheet], list[Problem]]:
    """Every non-empty sheet of a workbook, rows as text, read once.

    Rows are read as they are in the sheet, not as its declared dimension says (a wrong
    dimension would silently cut rows off); more rows or columns than ``limits`` allow stop
    the read with a ``too_large`` error.
    """
    limits = limits or Limits()
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open untrusted input is a problem
        return [], [
            file_problem(file, f"a readable XLSX workbook ({type(exc).__name__})", "bad_format")
        ]
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    try:
        for ws in book.worksheets:
            percent: dict[int, int] = {}  # column position -> first row with a percent cell
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # read-only mode trusts the declared dimension otherwise
            rows = []
            for number, cells in enumerate(ws.iter_rows(), start=1):
                if number > limits.max_rows + HEADER_ROOM or len(cells) > limits.max_columns:
                    return [], [_too_large(file, ws.title, number, len(cells), limits)]
                if any(texts := [_cell(c, i, number, percent) for i, c in enumerate(cells)]):
                    rows.append((number, texts))
            if rows:
                sheets.append(Sheet(ws.title, rows))
            problems.extend(
                _percent_warning(file, ws.title, col, row, rows) for col, row in percent.items()
            )
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML inside a valid zip
        return sheets, [
            file_problem(file, f"a readable XLSX workbook ({type(exc).__name__})", "bad_format")
        ]
    finally:
        book.close()
    return sheets, problems


HEADER_ROOM = 10  # rows a title above the header may take


def _too_large(file: str, sheet: str, row: int, width: int, limits: Limits) -> Problem:
    wide = width > limits.max_columns
    what = (
        f"at most {limits.max_columns} columns (raise GAPMAP_MAX_COLUMNS to allow more)"
        if wide
        else f"at most {limits.max_rows:,} data rows (raise GAPMAP_MAX_ROWS to allow more)"
    )
    value = f"sheet {sheet!r}: " + (f"{width:,} columns" if wide else f"row {row:,}")
    return Problem(file, row, None, value, what, "error", "too_large")


def _cell(cell: object, position: int, row: int, percent: dict[int, int]) -> str:
    """A cell as text; a percent-formatted number as the spreadsheet shows it (0.125 -> 12.5)."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
        percent.setdefault(position, row)
        shown = Decimal(repr(float(value))) * 100  # exact decimal shift, no binary rounding
        return format(shown.normalize(), "f")
    return cell_text(value)


def _percent_warning(file: str, sheet: str, col: int, row: int, rows: list) -> Problem:
    header = next((cells[col] for _, cells in rows if col < len(cells) and cells[col]), "")
    return Problem(
        file,
        row,
        header or f"column {col + 1}",
        None,
        f"plain numbers; sheet {sheet!r} formats this column as percent, so its cells were "
        "read as shown (0.125 shown as 12.5% is read as 12.5): check the unit",
        severity="warning",
        code="percent_cell",
    )
