"""Reader for the project's tidy template for community data (CSV or XLSX, one value a row).

The template is what a civil-society partner fills in by hand; ``data/raw/template_example.csv``
is a worked example. Column names ignore case, spaces and underscores; order is free.

===============  ========  ===================================================================
column           needed    content
===============  ========  ===================================================================
series           yes       SDG series code the value speaks to (``SL_TLF_UEMDIS``), or the
                           partner's own code when no SDG series fits
period           yes       ``2021``, ``2020/21``, ``2021 Q3`` ... (see ``readers.common``)
value            yes       a number; ``<2.5`` / ``>95`` for bounds; ``N`` / ``..`` / empty =
                           missing (kept, warned)
iso3 or m49      yes [1]   the country: ISO 3166 alpha-3 (``KEN``) or UN M49 (``404``)
indicator        no        SDG indicator id, e.g. ``8.5.2``
series_title     no        what the series measures, in words
unit             no        e.g. ``PERCENT``
lower, upper     no        confidence-interval bounds
n                no        sample size (unweighted respondents behind the value), >= 0
sex, age,        no        one column per group dimension, blank = total. Canonical codes
disability,                (``F``, ``Y15T24``, ``PD``/``PWD``, ``R``, ``Q1``, ``MIGPER``) or
location,                  labels the vocabulary maps (``Female``, ``15-24``, ``Persons with
quantile,                  disability``, ``Rural``); unknown labels are kept as ``raw:...``
migratory,                 and reported
ethnicity,
education
nature           no        how the value was made, e.g. ``C`` (country data), ``E`` (estimate)
source           no        who collected it: organisation, survey, year
footnote         no        anything a reader of the value must know (sampling, definitions)
===============  ========  ===================================================================

[1] or pass ``country=`` to ``read``. Any other column is kept as a breakdown in ``other_dims``
(``name=value``), or as a dimension when the vocabulary knows its header.
"""

from __future__ import annotations

import numpy as np

from data.readers.build import (
    area_from_argument,
    areas_from_codes,
    assign_dimensions,
    finish,
    finish_empty,
    other_dims,
)
from data.readers.common import Context, header_key, parse_numbers, parse_periods, parse_values
from data.readers.files import Table
from data.schema import DIMENSIONS, ReadResult

REQUIRED: tuple[str, ...] = ("series", "period", "value")
TEXT_FIELDS: tuple[str, ...] = (
    "indicator",
    "seriestitle",
    "unit",
    "nature",
    "source",
    "footnote",
    "obsstatus",
)
NUMBER_FIELDS: tuple[str, ...] = ("lower", "upper", "n")
AREA_FIELDS: tuple[str, ...] = ("iso3", "m49")
_CANON = {"seriestitle": "series_title", "obsstatus": "obs_status"}


def read_template(table: Table, ctx: Context) -> ReadResult:
    """Canonical rows from a filled-in template (see module docstring for the columns)."""
    heads, cells, rows = table.headers, table.cells, table.rows
    pos: dict[str, int] = {}
    for i, h in enumerate(heads):
        pos.setdefault(header_key(h), i)
    missing = [name for name in REQUIRED if name not in pos]
    if not any(a in pos for a in AREA_FIELDS) and not ctx.country:
        missing.append("iso3")
    for name in missing:
        ctx.add(
            1,
            name,
            None,
            f"a column {name} (template columns: see template_example.csv);"
            f" found: {', '.join(heads)}",
            "missing_column",
        )
    if missing:
        return finish_empty(ctx, "template")
    out: dict[str, object] = {"series": cells[pos["series"]]}
    out["period"], out["year"], out["period_sort"] = parse_periods(
        ctx, cells[pos["period"]], rows, heads[pos["period"]]
    )
    out["value"], out["value_flag"] = parse_values(
        ctx, cells[pos["value"]], rows, heads[pos["value"]]
    )
    for field in TEXT_FIELDS:
        if field in pos:
            out[_CANON.get(field, field)] = cells[pos[field]]
    for field in NUMBER_FIELDS:
        if field in pos:
            out[field] = parse_numbers(
                ctx, cells[pos[field]], rows, heads[pos[field]], count=field == "n"
            )
    _areas(table, ctx, pos, out)
    known = {*REQUIRED, *TEXT_FIELDS, *NUMBER_FIELDS, *AREA_FIELDS}
    breakdowns = [
        (h, cells[i])
        for i, h in enumerate(heads)
        if h.strip() and header_key(h) not in known and pos[header_key(h)] == i
    ]
    dims, leftovers = assign_dimensions(ctx, breakdowns, rows, lambda h: _dimension(ctx, h))
    out.update(dims)
    out["other_dims"] = other_dims(leftovers, len(rows))
    return finish(ctx, out, rows, "template")


def _dimension(ctx: Context, header: str) -> str | None:
    """Template dimension columns are named after the dimension; else ask the vocabulary."""
    key = header_key(header)
    return key if key in DIMENSIONS else ctx.vocab.dimension_for_column(header)


def _areas(table: Table, ctx: Context, pos: dict[str, int], out: dict[str, object]) -> None:
    """Country per row from iso3 (or m49) cells; blank cells take the ``country`` argument."""
    heads, cells, rows = table.headers, table.cells, table.rows
    at = pos.get("iso3", pos.get("m49"))
    fallback = area_from_argument(ctx, ctx.country) if ctx.country else None
    if at is None:
        if fallback:
            out["m49"], out["iso3"], out["area_name"] = fallback
        return
    texts = cells[at]
    if fallback:
        texts = texts.where(texts != "", fallback[0])
    m49, iso3, names = areas_from_codes(ctx, heads[at], texts, rows)
    if "iso3" in pos and "m49" in pos:
        given = cells[pos["m49"]].str.lstrip("0").to_numpy(dtype=object)
        clash = (given != "") & (iso3 != "") & (given != np.char.lstrip(m49.astype(str), "0"))
        ctx.add_rows(
            clash,
            rows,
            heads[pos["m49"]],
            cells[pos["m49"]],
            "the M49 code of the iso3 in the same row",
            "unknown_country",
        )
    out["m49"], out["iso3"], out["area_name"] = m49, iso3, names
