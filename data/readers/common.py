"""Cell grammar shared by every reader: numbers with bound flags, missing-value codes, periods.

Parsing happens once per distinct cell text and is then spread over the rows (a column of a
million cells has a few thousand distinct texts), so big files need no per-row Python loop.
Numbers use Python's ``float`` on the text, so ``float(text) == value`` exactly.

Periods (``period`` keeps the label as given; ``year`` = the year the period ends in;
``period_sort`` orders within a year):

====================================  ===========  =========================
label                                 year         period_sort
====================================  ===========  =========================
``2019`` (``2019.0`` becomes 2019)    2019         2019.0
``2004/05``, ``2004/2005``,           2005         2005.0 (ranges sort by their end)
``2004-2005``, ``2007/08 to 2008/09`` 2005, 2009   2005.0, 2009.0
``2000 Q2``, ``2000-Q2``, ``2000Q2``  2000         2000.25
``2000-S2`` (semester)                2000         2000.5
``2019-06``, ``2019-M06`` (month)     2019         2019 + 5/12
``2019-06-30`` (day)                  2019         2019 + (day of year - 1) / 366
====================================  ===========  =========================

``YYYY-MM`` with a dash is a month (SDMX, ISO 8601); a two-digit range needs a slash.
Years outside 1900-2100 are refused.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.schema import MISSING_VALUE_CODES, Problem
from data.vocab import Vocabulary

BLANK_FLAG = "NA"  # value_flag of an empty value cell (kept as a missing value)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_BOUND = re.compile(r"([<>])\s*(.+)")
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass
class Context:
    """What a reader needs besides the table, and where it collects problems."""

    file: str
    path: Path
    vocab: Vocabulary
    source_type: str = "official"
    country: str | None = None
    indicator: str | None = None
    keep_conflicts: bool = False  # conflicting duplicates become warnings; both rows kept
    problems: list[Problem] = field(default_factory=list)
    unmapped: dict[tuple[str, str], int] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        row: int | None,
        column: str | None,
        value: str | None,
        expected: str,
        code: str,
        severity: str = "error",
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, row, column, value, expected, severity, code))

    def add_rows(
        self,
        mask: np.ndarray,
        rows: np.ndarray,
        column: str,
        texts: pd.Series,
        expected: str,
        code: str,
        severity: str = "error",
    ) -> None:
        """Record one problem per row where ``mask`` holds (vectorised selection)."""
        hits = np.flatnonzero(mask)
        if len(hits):
            cells = np.asarray(texts, dtype=object)
            for i in hits:
                self.add(int(rows[i]), column, str(cells[i]), expected, code, severity)


def per_unique(texts: pd.Series, fn: Callable[[str], tuple[Any, ...]], n: int) -> list[np.ndarray]:
    """Apply ``fn`` (returning an ``n``-tuple) once per distinct text; one array per output."""
    codes, uniques = pd.factorize(texts, sort=False)
    results = [fn(str(u)) for u in uniques]
    outs = []
    for k in range(n):
        column = np.empty(len(results) + 1, dtype=object)
        column[:-1] = [r[k] for r in results]
        column[-1] = None  # code -1 (never produced: texts has no NaN) maps here
        outs.append(column[codes])
    return outs


# --- numbers -----------------------------------------------------------------------------------


def number(text: str) -> float | None:
    """A plain, finite decimal number (no thousands separators, no nan/inf, no 1e999), or None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _value_cell(text: str) -> tuple[float, str, str]:
    """(value, flag, status) with status ok | missing | blank | bad."""
    text = text.strip()
    if not text:
        return np.nan, BLANK_FLAG, "blank"
    if text.upper() in MISSING_VALUE_CODES:
        return np.nan, text.upper(), "missing"
    if m := _BOUND.fullmatch(text):
        val = number(m[2])
        return (val, m[1], "ok") if val is not None else (np.nan, "", "bad")
    val = number(text)
    return (val, "", "ok") if val is not None else (np.nan, "", "bad")


def parse_values(
    ctx: Context, texts: pd.Series, rows: np.ndarray, header: str
) -> tuple[np.ndarray, np.ndarray]:
    """Value cells -> (float values, flags); reports bad numbers and missing-value codes.

    ``<2.5``/``>95`` keep the number with flag ``<``/``>``; a missing-value code (``N``,
    ``..``, ``NaN`` ...) or an empty cell is NaN with the code (``NA`` for empty) as flag and
    a ``missing_value`` warning; anything else is a ``bad_number`` error.
    """
    values, flags, status = per_unique(texts, _value_cell, 3)
    ctx.add_rows(
        status == "bad",
        rows,
        header,
        texts,
        "a number such as 12.5, <2.5 or >95, or a missing-value code "
        f"({', '.join(sorted(MISSING_VALUE_CODES))})",
        "bad_number",
    )
    ctx.add_rows(
        (status == "missing") | (status == "blank"),
        rows,
        header,
        texts,
        "a number; kept as a missing value (NaN) with its code as value_flag",
        "missing_value",
        "warning",
    )
    return values.astype("float64"), flags.astype(object)


def _optional_cell(text: str) -> tuple[float, bool]:
    text = text.strip()
    if not text or text.upper() in MISSING_VALUE_CODES:
        return np.nan, True
    val = number(text)
    return (np.nan, False) if val is None else (val, True)


def parse_numbers(
    ctx: Context,
    texts: pd.Series | None,
    rows: np.ndarray,
    header: str,
    *,
    non_negative: bool = False,
    count: bool = False,
) -> np.ndarray:
    """Optional numeric cells (bounds, sample sizes): blank -> NaN, junk -> ``bad_number``.

    ``count``: a sample size, a whole number of at least 1.
    """
    if texts is None:
        return np.full(len(rows), np.nan)
    values, ok = per_unique(texts, _optional_cell, 2)
    values = values.astype("float64")
    bad = ~ok.astype(bool)
    if non_negative:
        bad |= values < 0
    if count:
        with np.errstate(invalid="ignore"):
            bad |= (values < 1) | (np.mod(values, 1) != 0) & ~np.isnan(values)
    expected = (
        "a whole number of at least 1 (a sample size)"
        if count
        else "a finite number" + (" >= 0" if non_negative else "")
    )
    ctx.add_rows(bad, rows, header, texts, expected + " or an empty cell", "bad_number")
    return np.where(bad, np.nan, values)


# --- periods -----------------------------------------------------------------------------------

_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_RANGE = re.compile(r"(\d{4})\s*(?:/\s*(\d{2})|[/-]\s*(\d{4}))")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q([1-4])", re.IGNORECASE)
_SEMESTER = re.compile(r"(\d{4})-?S([12])", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-M?(\d{2})", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def period(text: str) -> tuple[str, int, float] | None:
    """(label, year, period_sort) for a period label, None when it is not one."""
    text = " ".join(text.split())
    parts = re.split(r"\s+to\s+", text, flags=re.IGNORECASE)
    if len(parts) == 2:
        first, last = period(parts[0]), period(parts[1])
        if first is None or last is None or last[2] < first[2]:
            return None
        return text, last[1], last[2]
    year, sort = _single_period(text)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    label = text if not _YEAR.fullmatch(text) else text[:4]
    return label, year, sort


def _single_period(text: str) -> tuple[int | None, float]:
    if m := _YEAR.fullmatch(text):
        return int(m[1]), float(m[1])
    if m := _QUARTER.fullmatch(text):
        return int(m[1]), int(m[1]) + (int(m[2]) - 1) / 4
    if m := _SEMESTER.fullmatch(text):
        return int(m[1]), int(m[1]) + (int(m[2]) - 1) / 2
    if m := _RANGE.fullmatch(text):
        start = int(m[1])
        end = int(m[3]) if m[3] else start // 100 * 100 + int(m[2])
        if m[2] and end < start:
            end += 100
        return (end, float(end)) if 0 <= end - start <= 20 else (None, 0.0)
    if m := _MONTH.fullmatch(text):
        month = int(m[2])
        return (int(m[1]), int(m[1]) + (month - 1) / 12) if 1 <= month <= 12 else (None, 0.0)
    if m := _DAY.fullmatch(text):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None, 0.0
        return day.year, day.year + (day.timetuple().tm_yday - 1) / 366
    return None, 0.0


def _period_cell(text: str) -> tuple[str, int, float, bool]:
    found = period(text)
    return (text, -1, np.nan, False) if found is None else (*found, True)


def parse_periods(
    ctx: Context, texts: pd.Series, rows: np.ndarray, header: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Period cells -> (labels, years, period_sort); reports ``bad_period`` errors."""
    labels, years, sorts, ok = per_unique(texts, _period_cell, 4)
    bad = ~ok.astype(bool)
    ctx.add_rows(
        bad,
        rows,
        header,
        texts,
        f"a period such as 2019, 2004/05, 2000 Q1 or 2019-06 (years {MIN_YEAR}-{MAX_YEAR})",
        "bad_period",
    )
    years = np.where(bad, 0, years).astype("int64")
    return labels.astype(object), years, sorts.astype("float64")


def _detail_cell(text: str) -> tuple[str, int, float, bool]:
    found = period(text) if text.strip() else None
    return ("", 0, 0.0, False) if found is None else (*found, True)


def apply_time_detail(details: pd.Series, out: dict[str, Any]) -> None:
    """Use a time-detail cell (``2004-2005``) as the period label where it is a valid period.

    The year (and so recency) stays the source's own ``TimePeriod``: the UN gives 2016 for a
    2015-2017 survey, and that is the year its users see.
    """
    labels, _years, _sorts, ok = per_unique(details, _detail_cell, 4)
    use = ok.astype(bool)
    if use.any():
        out["period"] = np.where(use, labels, out["period"])


def find_column(headers: Sequence[str], *names: str) -> int | None:
    """Position of the first header matching one of ``names`` (see ``header_key``)."""
    wanted = {header_key(n) for n in names}
    return next((i for i, h in enumerate(headers) if header_key(h) in wanted), None)


def header_key(header: str) -> str:
    """Header comparison key: no brackets, case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-\[\]]", "", str(header)).casefold()
