"""Readers: real files (UN SDG export, Open SDG, SDMX-CSV, community template) -> canonical rows.

``read`` is the one entry point. It reads the file once, finds the format (``detect_format``:
by content and header names; for XLSX the first sheet whose header row matches), and hands a
``Table`` of text cells to the format's reader. Bad input never raises: every issue is a
``schema.Problem`` with file, row (header = row 1, XLSX: the sheet row), column, value and what
was expected. Only programming errors (an unknown ``format`` or ``source_type``) raise.

Problem codes: missing_column, bad_number, unknown_country, unknown_label (warning),
conflicting_duplicate, duplicate (warning), bad_period, bad_encoding, empty_file, bad_sheet,
missing_value (warning), bad_format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from data.readers import limits as lim
from data.readers.build import finish_empty
from data.readers.common import Context
from data.readers.detect import FORMATS, NEEDS, format_from_headers, matches
from data.readers.files import Table, csv_table, decode, gunzip, is_xlsx
from data.readers.limits import Limits
from data.readers.opensdg import read_opensdg
from data.readers.sdmx import read_sdmx
from data.readers.template import read_template
from data.readers.un_export import read_un
from data.readers.xlsx import Sheet, xlsx_sheets
from data.schema import SOURCE_TYPES, Problem, ReadResult
from data.vocab import Vocabulary, vocabulary

__all__ = ["FORMATS", "detect_format", "read"]

READERS: dict[str, Callable[[Table, Context], ReadResult]] = {
    "un": read_un,
    "opensdg": read_opensdg,
    "sdmx": read_sdmx,
    "template": read_template,
}


def read(
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - the public keyword the callers use
    vocab: Vocabulary | None = None,
    source_type: str = "official",
    country: str | None = None,
    indicator: str | None = None,
    name: str | None = None,
    keep_conflicts: bool = False,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a data file into canonical observation rows, reporting every problem found.

    Args:
        path: CSV (optionally gzipped) or XLSX file.
        format: "un", "opensdg", "sdmx" or "template"; None = detect.
        vocab: label/column vocabulary; default the packaged one.
        source_type: "official" or "community", stored on every row.
        country: ISO3 (or M49) for formats without a country column (Open SDG, template).
        indicator: indicator id (e.g. "8.5.2") when the file name does not carry it (Open SDG).
        name: the file name to report in problems (e.g. the original name of an upload).
        keep_conflicts: report rows that share a key but differ in value as warnings and keep
            both (real Open SDG files lose breakdown labels); by default they are errors.
        limits: the largest input read (``limits.Limits``; default its defaults): a larger
            file is refused early with a ``too_large`` error and little memory spent.

    Returns:
        ``ReadResult`` whose frame has ``schema.OBS_COLUMNS`` (dataset 0, source_row set).
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {FORMATS}")
    if source_type not in SOURCE_TYPES:
        raise ValueError(f"unknown source_type {source_type!r}; expected one of {SOURCE_TYPES}")
    path = Path(path)
    ctx = Context(
        file=name or path.name,
        path=path,
        vocab=vocab or vocabulary(),
        source_type=source_type,
        country=country,
        indicator=indicator,
        keep_conflicts=keep_conflicts,
    )
    table, fmt, problems = _load(path, ctx.file, format, limits or Limits())
    ctx.problems.extend(problems)
    if table is None or fmt is None:
        return finish_empty(ctx, fmt or format or "")
    if table.sheet:
        ctx.metadata["sheet"] = table.sheet
    _clean_control_characters(table, ctx)
    return READERS[fmt](table, ctx)


# ANSI escape sequences first (so "[31m" does not remain), then any other control character
# but the line break a multi-line footnote may hold; a tab becomes a space.
_ANSI = r"\x1b\[[0-9;?]*[ -/]*[@-~]"
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def _clean_control_characters(table: Table, ctx: Context) -> None:
    """Remove control characters from every cell, with a warning naming each cleaned cell.

    An escape sequence or a form feed in a series code or a label would be stored and shown
    (and could rewrite a terminal); the cleaned text is what is stored.
    """
    pattern = re.compile(f"{_ANSI}|{_CONTROL}|\t")
    for col in table.cells.columns:
        texts = table.cells[col]
        dirty = texts.str.contains(pattern, regex=True).to_numpy(dtype=bool)
        if not dirty.any():
            continue
        clean = texts.str.replace("\t", " ", regex=False).str.replace(pattern, "", regex=True)
        header = table.headers[col] if col < len(table.headers) else str(col)
        shown = np.full(len(texts), "", dtype=object)
        shown[dirty] = [
            f"{t!r} (stored as {c!r})" for t, c in zip(texts[dirty], clean[dirty], strict=True)
        ]
        ctx.add_rows(
            dirty,
            table.rows,
            header,
            pd.Series(shown),
            "text without control characters (escape sequences, DEL, form feed ...); "
            "the cleaned text is stored",
            "control_character",
            "warning",
        )
        table.cells[col] = clean
    table.headers[:] = [pattern.sub("", h) for h in table.headers]


def detect_format(path: str | Path) -> str:
    """The format of a file ("un", "opensdg", "sdmx", "template"), or "" when none fits."""
    _, fmt, _ = _load(Path(path), Path(path).name, None, Limits())
    return fmt or ""


def _load(
    path: Path, file: str, wanted: str | None, limits: Limits
) -> tuple[Table | None, str | None, list[Problem]]:
    """Bytes -> (table, format, problems); the file is read from disk exactly once."""
    try:
        if refused := lim.file_size(path.stat().st_size, file, limits):
            return None, None, refused
        raw = path.read_bytes()
    except OSError as exc:
        return (
            None,
            None,
            [
                Problem(
                    file,
                    None,
                    None,
                    None,
                    f"a readable file ({exc.strerror})",
                    "error",
                    "bad_format",
                )
            ],
        )
    if refused := lim.gzip_size(raw, file, limits):
        return None, None, refused
    raw, problems = gunzip(raw, file)
    if raw is None:
        return None, None, problems
    if not raw.strip():
        return None, None, [_empty(file, "a header row and data rows; the file is empty")]
    if is_xlsx(raw):
        if refused := lim.xlsx_size(raw, file, limits):
            return None, None, refused
        sheets, problems = xlsx_sheets(raw, file, limits)
        return _pick_sheet(sheets, problems, file, wanted)
    data, problems = decode(raw, file)
    del raw  # UTF-8 input comes back as the same object; other encodings as a new one
    if data is None:
        return None, None, problems
    if refused := lim.text_shape(data, b",", file, limits):
        return None, None, problems + refused
    table, more = csv_table(data, file)
    problems += more
    if table is None:
        return None, None, problems
    if refused := lim.long_cells(table.cells, table.headers, table.rows, file, limits):
        return None, None, problems + refused
    fmt = wanted or format_from_headers(table.headers)
    if fmt is None:
        problems.append(
            Problem(
                file,
                1,
                None,
                ", ".join(table.headers)[:200],
                "a header row of one of: " + "; ".join(NEEDS.values()),
                "error",
                "bad_format",
            )
        )
        return None, None, problems
    return _with_rows(table, fmt, problems, file)


HEADER_SEARCH_ROWS = 10  # a sheet's header may sit below a title: look at its first rows


def _sheet_header(sheet: Sheet, wanted: str | None) -> tuple[int, str] | None:
    """(position of the header row, format) when one of the sheet's first rows is a header."""
    for at, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        fmt = wanted if wanted and matches(wanted, cells) else None
        fmt = fmt or (None if wanted else format_from_headers(cells))
        if fmt:
            return at, fmt
    return None


def _pick_sheet(
    sheets: list[Sheet], problems: list[Problem], file: str, wanted: str | None
) -> tuple[Table | None, str | None, list[Problem]]:
    """The first sheet with a header row (among its first rows) of the wanted or any format."""
    if not sheets:
        if not problems:
            problems.append(_empty(file, "a workbook with a sheet holding a header row"))
        return None, None, problems
    found = [(sheet, *hit) for sheet in sheets if (hit := _sheet_header(sheet, wanted))]
    if len(found) > 1:
        names = ", ".join(repr(s.title) for s, _, _ in found)
        problems.append(
            Problem(
                file,
                None,
                None,
                names,
                "one sheet of data per file; several sheets hold "
                "data here: save each as its own file (nothing is read silently)",
                code="bad_sheet",
            )
        )
        return None, None, problems
    if found:
        sheet, at, fmt = found[0]
        return _with_rows(sheet.table(at), fmt, problems, file)
    if wanted and len(sheets) == 1:
        return _with_rows(sheets[0].table(), wanted, problems, file)  # reader names what lacks
    names = ", ".join(repr(s.title) for s in sheets)
    needs = NEEDS[wanted] if wanted else "; ".join(NEEDS.values())
    problems.append(
        Problem(
            file,
            None,
            None,
            names,
            f"a sheet with a header row of {needs}; no sheet has one (sheets: {names})",
            "error",
            "bad_sheet",
        )
    )
    return None, None, problems


def _with_rows(
    table: Table, fmt: str, problems: list[Problem], file: str
) -> tuple[Table | None, str | None, list[Problem]]:
    if table.cells.empty:
        where = f" (sheet {table.sheet!r})" if table.sheet else ""
        problems.append(_empty(file, f"data rows below the header row{where}; found none"))
        return None, fmt, problems
    return table, fmt, problems


def _empty(file: str, expected: str) -> Problem:
    return Problem(file, None, None, None, expected, "error", "empty_file")
