"""The canonical observation: one row per value, whatever format it came from.

Readers turn files into frames with ``OBS_COLUMNS``; the store keeps exactly these columns; the
gap engine reads them. ``Problem`` is how every layer reports bad input: file, row, column, value
and what was expected, so that a person can fix the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

# The canonical group dimensions, with SDMX SDG codes as values ("_T" = total / not split).
DIMENSIONS: tuple[str, ...] = (
    "sex",
    "age",
    "disability",
    "location",
    "quantile",
    "migratory",
    "ethnicity",
    "education",
)

TOTAL = "_T"  # the dimension is not split (a total, or the series has no such dimension)
NOT_APPLICABLE = "_Z"  # SDMX "not applicable"; the UN export's NOTSPEC
UNMAPPED_PREFIX = "raw:"  # a label no mapping knows; kept as given, reported, never matched

SOURCE_TYPES: tuple[str, ...] = ("official", "community")

STR_COLUMNS: tuple[str, ...] = (
    "series",
    "indicator",
    "goal",
    "target",
    "series_title",
    "unit",
    "m49",
    "iso3",
    "area_name",
    "period",
    "value_flag",
    *DIMENSIONS,
    "other_dims",
    "nature",
    "reporting_type",
    "obs_status",
    "source_type",
    "source",
    "footnote",
)
FLOAT_COLUMNS: tuple[str, ...] = ("period_sort", "value", "lower", "upper", "n")
INT_COLUMNS: tuple[str, ...] = ("dataset", "source_row", "year")

# Column order of a canonical frame.
OBS_COLUMNS: tuple[str, ...] = (
    "dataset",  # id of the dataset (import) the row came from; 0 before import
    "source_row",  # 1-based line/row number in the source file (header = row 1)
    "series",  # SDG series code, e.g. SL_TLF_UEMDIS
    "indicator",  # e.g. 8.5.2 ("" when unknown)
    "goal",  # e.g. 8 ("10, 16" when shared)
    "target",  # e.g. 8.5
    "series_title",
    "unit",  # unit code/label as given, e.g. PERCENT
    "m49",  # UN M49 code, 3 digits zero-padded ("001" = World)
    "iso3",  # ISO 3166-1 alpha-3, "" for regions and groupings
    "area_name",
    "period",  # as given: "2019", "2004/05", "2000 Q1"
    "year",  # numeric year for ordering and recency (the year the period ends in)
    "period_sort",  # fractional year for ordering within a year (2000 Q2 -> 2000.25)
    "value",  # float; NaN only with a value_flag saying why
    "value_flag",  # "" | "<" | ">" (value is a bound) | a missing-value code such as "N"
    "lower",
    "upper",
    "n",  # sample size when given
    *DIMENSIONS,
    "other_dims",  # other breakdowns, "name=label;name=label" sorted by name; "" when none
    "nature",  # as given: C, CA, E, M, G, N, ... ("" when not given)
    "reporting_type",  # G (global) / N (national) when given
    "obs_status",
    "source_type",  # official | community
    "source",
    "footnote",
)

# What makes two rows the same observation (differing Nature, unit or reporting type = different).
KEY_COLUMNS: tuple[str, ...] = (
    "series",
    "m49",
    "period",
    *DIMENSIONS,
    "other_dims",
    "unit",
    "nature",
    "reporting_type",
    "source_type",
)

MISSING_VALUE_CODES = frozenset({"N", "NA", "NAN", "..", "-", "NV", "NP"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, precise enough to find and fix it."""

    file: str
    row: int | None  # 1-based line in the file, header = 1; None when about the whole file
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"  # "error" blocks an import; "warning" is reported, import proceeds
    code: str = "invalid"  # machine-readable kind: missing_column, bad_number, unknown_country, ...

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{self.severity}: {where}{got}; expected {self.expected}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


@dataclass
class ReadResult:
    """What a reader returns: canonical rows, problems found, and labels no mapping knew."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    unmapped: dict[tuple[str, str], int] = field(default_factory=dict)  # (dimension, label) -> n
    format: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block an import."""
        return [p for p in self.problems if p.severity == "error"]


class ImportError_(Exception):
    """An import was refused; ``problems`` says why. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s):\n{lines}{more}")


def empty_frame() -> pd.DataFrame:
    """A canonical frame with no rows and the right dtypes."""
    return conform(pd.DataFrame({c: [] for c in OBS_COLUMNS}))


def conform(frame: pd.DataFrame | Mapping[str, Any], *, consume: bool = False) -> pd.DataFrame:
    """Give a frame exactly the canonical columns, in order, with canonical dtypes.

    Missing string columns become "" (dimensions become "_T"), missing numbers NaN. Each distinct
    text is stored once and spread over the rows (factorised), which keeps big frames cheap.

    Args:
        frame: any subset of ``OBS_COLUMNS`` (a frame, or a mapping of equal-length columns
            such as a reader's arrays: no intermediate frame is built); extra columns dropped.
        consume: with a dict, remove each column from it once converted, so that a big
            input is freed column by column instead of living beside the whole result.

    Returns:
        A new frame with ``OBS_COLUMNS``: str columns as text without NaN, floats as float64,
        ints as int64; index 0..n-1.
    """
    if isinstance(frame, pd.DataFrame):
        n = len(frame)
        present = set(frame.columns)
    else:
        n = len(next(iter(frame.values()))) if frame else 0
        present = set(frame)
    take = frame.pop if consume and isinstance(frame, dict) else frame.__getitem__
    out: dict[str, Any] = {}
    for col in OBS_COLUMNS:
        given = col in present
        if col in STR_COLUMNS:
            if given:
                out[col] = _shared_text(take(col), col in DIMENSIONS)
            else:
                out[col] = pd.Series(np.full(n, TOTAL if col in DIMENSIONS else ""), dtype="str")
        elif col in FLOAT_COLUMNS:
            values = np.asarray(take(col)) if given else np.full(n, np.nan)
            out[col] = pd.to_numeric(values, errors="raise").astype("float64")
        else:
            values = np.asarray(take(col)) if given else np.zeros(n, dtype="int64")
            numbers = pd.to_numeric(values, errors="raise").astype("float64")
            out[col] = np.nan_to_num(numbers, nan=0.0).astype("int64")
    index = pd.RangeIndex(n)
    return pd.DataFrame({c: _unindexed(v, index) for c, v in out.items()}, index=index)


def _unindexed(values: Any, index: pd.RangeIndex) -> Any:
    if isinstance(values, pd.Series):
        return pd.Series(values.array, index=index, copy=False)
    return values


def is_canonical(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is already what ``conform`` returns (so conforming it changes nothing).

    Columns in order with their canonical dtypes, a 0..n-1 index, no missing text and no blank
    dimension: checked column by column without copying.
    """
    index = frame.index
    if list(frame.columns) != list(OBS_COLUMNS) or not isinstance(index, pd.RangeIndex):
        return False
    if index.start != 0 or index.step != 1 or len(index) != len(frame):
        return False
    for col in OBS_COLUMNS:
        dtype = frame[col].dtype
        if col in FLOAT_COLUMNS:
            if dtype != np.float64:
                return False
        elif col in INT_COLUMNS:
            if dtype != np.int64:
                return False
        elif dtype != _TEXT_DTYPE or frame[col].isna().any():
            return False
        elif col in DIMENSIONS and (frame[col] == "").any():
            return False
    return True


_TEXT_DTYPE = pd.StringDtype(storage="pyarrow", na_value=np.nan)  # pandas 3's default "str"


def _shared_text(values: Any, dimension: bool) -> pd.Series:
    """Text column as pandas' default string dtype, built from its distinct values.

    Blank (and missing) dimension cells become ``TOTAL``; missing text becomes "".
    """
    if not isinstance(values, pd.Series | pd.Index):
        values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
    texts = ["" if pd.isna(u) else str(u) for u in np.asarray(uniques, dtype=object)]
    if dimension:
        texts = [t or TOTAL for t in texts]
    texts.append(TOTAL if dimension else "")  # code -1 (missing) takes the last one
    codes = np.where(codes < 0, len(texts) - 1, codes).astype(np.int64)
    taken = pa.array(texts, type=pa.large_string()).take(pa.array(codes))
    return pd.Series(taken, dtype=_TEXT_DTYPE)


def duplicate_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Rows sharing a key (``KEY_COLUMNS``) with different values: one error per conflicting row.

    Args:
        frame: canonical frame with ``source_row``.
        file: the file name to report.

    Returns:
        Errors for conflicting duplicates; exact duplicates are warnings (both rows kept).
    """
    if frame.empty:
        return []
    keys = list(KEY_COLUMNS)
    dup = frame[frame.duplicated(keys, keep=False)]
    problems: list[Problem] = []
    for _, grp in dup.groupby(keys, sort=False, dropna=False):
        vals = grp["value"].astype(str) + "|" + grp["value_flag"]
        first = int(grp["source_row"].iloc[0])
        conflict = (vals != vals.iloc[0]).any()
        for _, row in grp.iloc[1:].iterrows():
            problems.append(
                Problem(
                    file=file,
                    row=int(row["source_row"]),
                    column="Value",
                    value=_fmt(row["value"], row["value_flag"]),
                    expected=(
                        f"one value per series/area/period/breakdown; row {first} has "
                        f"{_fmt(grp['value'].iloc[0], grp['value_flag'].iloc[0])}"
                        + (" (to keep both as separate rows: --keep-conflicts)" if conflict else "")
                    ),
                    severity="error" if conflict else "warning",
                    code="conflicting_duplicate" if conflict else "duplicate",
                )
            )
    return problems


def _fmt(value: float, flag: str) -> str:
    if pd.isna(value):
        return flag or "empty"
    return f"{flag if flag in ('<', '>') else ''}{float(value)!r}"
