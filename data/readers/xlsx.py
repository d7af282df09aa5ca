"""XLSX workbooks as text rows, read once, so the same readers serve spreadsheets and CSV.

Cells become the text a CSV export would hold (floats via ``repr``: they round-trip exactly);
row numbers are sheet rows, as a person sees them in the spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.readers.files import Table, empty_cells, file_problem, finish_table
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


def xlsx_sheets(raw: bytes, file: str) -> tuple[list[Sheet], list[Problem]]:
    """Every non-empty sheet of a workbook, rows as text, read once."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open untrusted input is a problem
        return [], [
            file_problem(file, f"a readable XLSX workbook ({type(exc).__name__})", "bad_format")
        ]
    sheets: list[Sheet] = []
    try:
        for ws in book.worksheets:
            rows = [
                (number, texts)
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
                if any(texts := [cell_text(v) for v in values])
            ]
            if rows:
                sheets.append(Sheet(ws.title, rows))
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML inside a valid zip
        return sheets, [
            file_problem(file, f"a readable XLSX workbook ({type(exc).__name__})", "bad_format")
        ]
    finally:
        book.close()
    return sheets, []
