"""Reader for the UN SDG Global Database export (portal download, SDG API ``Series/DataCSV``).

Columns are found by name, plain (``Sex``) or bracketed (``[Sex]``), ignoring case, spaces and
underscores. Required: ``SeriesCode``, ``GeoAreaCode``, ``TimePeriod``, ``Value``. Optional and
mapped: Goal, Target, Indicator, SeriesDescription, GeoAreaName, Time_Detail (gives the period
label when it is a period, e.g. ``2004-2005``), UpperBound, LowerBound, Source, FootNote, Nature,
Units, Reporting Type, ObservationStatus / Observation Status. Columns the vocabulary knows
(``Sex``, ``Age``, ``Disability status`` ...) become group dimensions; ``OtherDimensions``
(``name=CODE;...``) and every other column become ``other_dims``, except the descriptive
TimeCoverage, BasePeriod, GeoInfoUrl and GeoInfoType. ``GeoAreaCode`` is M49; aggregates get an
empty ISO3. Rows differing only by Nature, Units or Reporting Type stay separate observations.
"""

from __future__ import annotations

import numpy as np

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
    find_column,
    parse_numbers,
    parse_periods,
    parse_values,
)
from data.readers.files import Table
from data.schema import ReadResult

REQUIRED: tuple[str, ...] = ("SeriesCode", "GeoAreaCode", "TimePeriod", "Value")
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "goal": ("Goal",),
    "target": ("Target",),
    "indicator": ("Indicator",),
    "series_title": ("SeriesDescription",),
    "unit": ("Units", "Unit"),
    "nature": ("Nature",),
    "reporting_type": ("Reporting Type",),
    "obs_status": ("ObservationStatus", "Observation Status"),
    "source": ("Source",),
    "footnote": ("FootNote",),
}
OTHER_FIELDS: tuple[str, ...] = (
    "GeoAreaName",
    "Time_Detail",
    "UpperBound",
    "LowerBound",
    "OtherDimensions",
    "TimeCoverage",
    "BasePeriod",
    "GeoInfoUrl",
    "GeoInfoType",
)


def read_un(table: Table, ctx: Context) -> ReadResult:
    """Canonical rows from a UN SDG export table (see module docstring for the columns)."""
    heads = table.headers
    pos = {name: find_column(heads, name) for name in REQUIRED}
    missing = [name for name, i in pos.items() if i is None]
    for name in missing:
        ctx.add(
            1,
            name,
            None,
            f"a column {name} (or [{name}]); found: {', '.join(heads)}",
            "missing_column",
        )
    if missing:
        return finish_empty(ctx, "un")
    cells, rows = table.cells, table.rows
    col = {name: cells[i] for name, i in pos.items()}
    out: dict[str, object] = {"series": col["SeriesCode"]}
    out["m49"], out["iso3"], names = areas_from_codes(
        ctx, heads[pos["GeoAreaCode"]], col["GeoAreaCode"], rows
    )
    out["period"], out["year"], out["period_sort"] = parse_periods(
        ctx, col["TimePeriod"], rows, heads[pos["TimePeriod"]]
    )
    if (at := find_column(heads, "Time_Detail")) is not None:
        apply_time_detail(table.cells[at], out)
    out["value"], out["value_flag"] = parse_values(ctx, col["Value"], rows, heads[pos["Value"]])
    used = set(pos.values())
    for field, names_ in TEXT_FIELDS.items():
        if (i := find_column(heads, *names_)) is not None:
            out[field] = cells[i]
            used.add(i)
    used |= _optional(table, ctx, out, names)
    breakdowns = [(heads[i], cells[i]) for i in range(len(heads)) if i not in used and heads[i]]
    dims, leftovers = assign_dimensions(ctx, breakdowns, rows)
    out.update(dims)
    pairs_at = find_column(heads, "OtherDimensions")
    out["other_dims"] = other_dims(
        [(h.strip("[] "), t) for h, t in leftovers],
        len(rows),
        cells[pairs_at] if pairs_at is not None else None,
    )
    # every cell the rows need is in ``out`` now: let the grid go before the frame is built
    del cells, col, breakdowns, leftovers, dims
    table.release()
    return finish(ctx, out, rows, "un")


def _optional(table: Table, ctx: Context, out: dict[str, object], names: np.ndarray) -> set[int]:
    """Area name, bounds; returns the positions of every known non-breakdown column."""
    heads, cells, rows = table.headers, table.cells, table.rows
    used = {i for i in (find_column(heads, n) for n in OTHER_FIELDS) if i is not None}
    name_at = find_column(heads, "GeoAreaName")
    if name_at is not None:
        given = cells[name_at].to_numpy(dtype=object)
        out["area_name"] = np.where(given == "", names, given)
    else:
        out["area_name"] = names
    for field, header in (("upper", "UpperBound"), ("lower", "LowerBound")):
        if (i := find_column(heads, header)) is not None:
            out[field] = parse_numbers(ctx, cells[i], rows, heads[i])
    return used
