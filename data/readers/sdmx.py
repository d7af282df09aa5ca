"""Reader for SDMX-CSV as the SDG SDMX API exports it (DSD IAEG-SDGs:SDG), versions 1.0 and 2.0.

Follows the SDMX-CSV field guide (sdmx-twg/sdmx-csv): 1.0 starts with ``DATAFLOW``; 2.0 with
``STRUCTURE`` (possibly ``STRUCTURE[;]``), ``STRUCTURE_ID``, optional ``STRUCTURE_NAME`` and
``ACTION``, ``SERIES_KEY``/``OBS_KEY``. With ``labels=both`` headers read ``SEX: Sex`` and coded
cells ``F: Female``: the id/code before ": " is used (a series or area label becomes
series_title / area_name). With ``labels=name`` the extra name columns have headers that are not
upper-case component ids and are ignored, as are other custom columns.

Components: SERIES -> series, REF_AREA (M49, or ISO3) -> m49/iso3, TIME_PERIOD -> period,
OBS_VALUE -> value (empty or ``NaN`` = missing, kept with a warning), UNIT_MEASURE -> unit,
NATURE, REPORTING_TYPE, OBS_STATUS, COMMENT_OBS -> footnote, SOURCE_DETAIL -> source,
UPPER_BOUND/LOWER_BOUND, TIME_DETAIL (period label when it is a period). SEX, AGE,
URBANISATION, INCOME_WEALTH_QUANTILE, EDUCATION_LEV, DISABILITY_STATUS, ... map through the
vocabulary; any other dimension (FREQ, OCCUPATION, CUST_BREAKDOWN ...) and UNIT_MULT go to
``other_dims``; descriptive attributes (BASE_PER, GEO_INFO_*, TIME_COVERAGE, DATA_LAST_UPDATE,
COMMENT_TS) are dropped. Rows whose ACTION is ``D`` (delete) are not observations: they are
skipped with one warning.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from data.readers.build import (
    areas_from_codes,
    assign_dimensions,
    finish,
    finish_empty,
    other_dims,
)
from data.readers.common import (
    Context,
    apply_time_detail,
    parse_numbers,
    parse_periods,
    parse_values,
    per_unique,
)
from data.readers.detect import sdmx_key
from data.readers.files import Table
from data.schema import ReadResult

REQUIRED: tuple[str, ...] = ("SERIES", "REF_AREA", "TIME_PERIOD", "OBS_VALUE")
TEXT_FIELDS: dict[str, str] = {
    "UNIT_MEASURE": "unit",
    "NATURE": "nature",
    "REPORTING_TYPE": "reporting_type",
    "OBS_STATUS": "obs_status",
    "COMMENT_OBS": "footnote",
    "SOURCE_DETAIL": "source",
}
FREE_TEXT = frozenset({"COMMENT_OBS", "SOURCE_DETAIL", "COMMENT_TS", "OBS_VALUE"})
STRUCTURAL = frozenset(
    {"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY"}
)
DROPPED = frozenset(
    {
        "BASE_PER",
        "BASE_PERIOD",
        "GEO_INFO_URL",
        "GEO_INFO_TYPE",
        "TIME_COVERAGE",
        "DATA_LAST_UPDATE",
        "COMMENT_TS",
        "UPPER_BOUND",
        "LOWER_BOUND",
        "TIME_DETAIL",
    }
)
_COMPONENT_ID = re.compile(r"[A-Z][A-Z0-9_]*")


def _component(header: str) -> str | None:
    """The component id of a header, None for label/custom columns."""
    raw = str(header).strip().split(": ", 1)[0].split("[", 1)[0].strip()
    return raw if _COMPONENT_ID.fullmatch(raw) else None


def _split_code(text: str) -> tuple[str, str]:
    code, sep, label = text.partition(": ")
    return (code.strip(), label.strip()) if sep else (text.strip(), "")


def _positions(heads: list[str]) -> dict[str, int]:
    """Component id -> column position (first occurrence; label/custom columns left out)."""
    ids: dict[str, int] = {}
    for i, h in enumerate(heads):
        comp = _component(h) if i else sdmx_key(h)
        if comp and comp not in ids:
            ids[comp] = i
    return ids


def read_sdmx(table: Table, ctx: Context) -> ReadResult:
    """Canonical rows from an SDMX-CSV table (see module docstring)."""
    heads, ids = table.headers, _positions(table.headers)
    missing = [c for c in REQUIRED if c not in ids]
    for comp in missing:
        ctx.add(
            1, comp, None, f"an SDMX-CSV column {comp}; found: {', '.join(heads)}", "missing_column"
        )
    if missing:
        return finish_empty(ctx, "sdmx")
    table = _without_deletions(table, ctx, ids)
    cells, rows = table.cells, table.rows
    split = {c: per_unique(cells[i], _split_code, 2) for c, i in ids.items() if c not in FREE_TEXT}
    code = {c: pd.Series(v[0], dtype=object).astype(str) for c, v in split.items()}
    out: dict[str, object] = {"series": code["SERIES"], "series_title": split["SERIES"][1]}
    out["m49"], out["iso3"], names = areas_from_codes(
        ctx, heads[ids["REF_AREA"]], code["REF_AREA"], rows
    )
    out["area_name"] = np.where(split["REF_AREA"][1] != "", split["REF_AREA"][1], names)
    out["period"], out["year"], out["period_sort"] = parse_periods(
        ctx, code["TIME_PERIOD"], rows, heads[ids["TIME_PERIOD"]]
    )
    out["value"], out["value_flag"] = parse_values(
        ctx, cells[ids["OBS_VALUE"]], rows, heads[ids["OBS_VALUE"]]
    )
    _attributes(ctx, table, ids, code, out)
    skip = {*REQUIRED, *TEXT_FIELDS, *STRUCTURAL, *DROPPED}
    breakdowns = [(heads[i], code[c]) for c, i in ids.items() if c not in skip and c in code]
    dims, leftovers = assign_dimensions(
        ctx, breakdowns, rows, lambda h: ctx.vocab.dimension_for_column(sdmx_key(h))
    )
    out.update(dims)
    out["other_dims"] = other_dims([(sdmx_key(h), t) for h, t in leftovers], len(rows))
    structure = next((c for c in ("STRUCTURE_ID", "DATAFLOW") if c in code), None)
    if structure:
        ctx.metadata["structure"] = sorted(set(code[structure]) - {""})
    return finish(ctx, out, rows, "sdmx")


def _attributes(
    ctx: Context,
    table: Table,
    ids: dict[str, int],
    code: dict[str, pd.Series],
    out: dict[str, object],
) -> None:
    """Unit, nature, status, comments, bounds and the time detail."""
    for comp, field in TEXT_FIELDS.items():
        if comp in ids:
            out[field] = code[comp] if comp in code else table.cells[ids[comp]]
    for comp, field in (("UPPER_BOUND", "upper"), ("LOWER_BOUND", "lower")):
        if comp in ids:
            out[field] = parse_numbers(ctx, code[comp], table.rows, table.headers[ids[comp]])
    if "TIME_DETAIL" in ids:
        apply_time_detail(code["TIME_DETAIL"], out)


def _without_deletions(table: Table, ctx: Context, ids: dict[str, int]) -> Table:
    """Drop ACTION=D rows (instructions to delete, not observations) with one warning."""
    if "ACTION" not in ids:
        return table
    action = table.cells[ids["ACTION"]].str.split(":").str[0].str.strip().str.upper()
    delete = (action == "D").to_numpy()
    if not delete.any():
        return table
    first = int(table.rows[np.argmax(delete)])
    ctx.add(
        first,
        table.headers[ids["ACTION"]],
        "D",
        f"observations (ACTION I, A or R); {int(delete.sum())} delete row(s) skipped",
        "bad_format",
        "warning",
    )
    keep = ~delete
    return Table(
        table.headers, table.cells[keep].reset_index(drop=True), table.rows[keep], table.sheet
    )
