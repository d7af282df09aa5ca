"""Reader for Open SDG indicator CSVs (national reporting platforms, one file per indicator).

Layout: ``Year`` first, ``Value`` last, any breakdown columns in between with free-text labels;
a blank breakdown cell means "total". Column roles:

* ``Year`` -> period (``2004/05``, ``2000 Q1``, ``2007/08 to 2008/09``: see ``readers.common``).
* ``Value`` -> value; an empty cell is a suppressed/missing value (kept, flag ``NA``, warning).
* ``Units`` / ``Unit measure`` -> unit (else the metadata's ``computation_units``).
* ``Observation status`` -> obs_status.
* Columns the vocabulary maps (``Sex``, ``Age``, ``Disability status``, ``Ethnicity`` ...) ->
  group dimensions; the first non-blank of two columns with the same dimension wins.
* Everything else (``Series``, ``Region``, ``Country``, ``GeoCode``, ``Unit multiplier`` ...)
  -> ``other_dims``.

Indicator id: the ``indicator`` argument, else the file name (``indicator_8-5-2.csv`` -> 8.5.2,
``16-b-1`` -> 16.b.1), else the metadata's ``indicator_number``. **Series code**: Open SDG files
carry no SDG series code, and an indicator id is not one, so rows get ``OSDG_<g>_<t>_<i>``
(``OSDG_8_5_2``, ``OSDG_16_B_1``) unless the metadata has a ``series_code``; ``indicator``
keeps the id for matching with UN series.

Country: the ``country`` argument (ISO3 or M49), else the metadata's
``national_geographical_coverage`` when it is exactly a country name; otherwise an error.

Metadata: YAML front matter of ``<file>.md`` beside the CSV, or ``<g-t-i>.md`` beside it or in a
sibling ``meta/`` folder (or the same names as plain ``.yml``/``.yaml`` files); it is returned in
``ReadResult.metadata["opensdg"]`` and gives series_title (``indicator_name`` unless it is a
translation key, else ``indicator_available`` or ``graph_title``), unit, source
(``source_organisation_1``) and the splits the country declares (``expected_disaggregations``:
``ReadResult.metadata["declared"]``, kept with the dataset).

Rows that share every breakdown but differ in value are reported as ``conflicting_duplicate``
*warnings*, not errors: Open SDG files are publications whose rows sometimes lose a breakdown
label (the ONS 4.3.1, 8.5.1 and 9.5.2 files do), and refusing a whole national file over them
would hide the rest of its data. Both rows are kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from data import reference
from data.readers.build import (
    area_from_argument,
    assign_dimensions,
    finish,
    finish_empty,
    other_dims,
)
from data.readers.common import Context, find_column, header_key, parse_periods, parse_values
from data.readers.files import Table
from data.schema import ReadResult

_ID_IN_NAME = re.compile(r"(\d{1,2})[-_.]([a-z0-9]{1,2})[-_.]([a-z0-9]{1,2})", re.IGNORECASE)
_TRANSLATION_KEY = re.compile(r"[\w-]+(?:\.[\w-]+)+")
UNIT_COLUMNS: tuple[str, ...] = ("Units", "Unit measure")
STATUS_COLUMNS: tuple[str, ...] = ("Observation status",)


def read_opensdg(table: Table, ctx: Context) -> ReadResult:
    """Canonical rows from an Open SDG indicator table (see module docstring)."""
    heads, cells, rows = table.headers, table.cells, table.rows
    year_at, value_at = find_column(heads, "Year"), find_column(heads, "Value")
    for name, at in (("Year", year_at), ("Value", value_at)):
        if at is None:
            ctx.add(
                1,
                name,
                None,
                f"a column {name} (Open SDG: Year first, Value last); found: {', '.join(heads)}",
                "missing_column",
            )
    if year_at is None or value_at is None:
        return finish_empty(ctx, "opensdg")
    meta = _metadata(ctx)
    ind = indicator_id(ctx, meta)
    out: dict[str, object] = _series_fields(ctx, ind, meta)
    _country(ctx, meta, out)
    out["period"], out["year"], out["period_sort"] = parse_periods(
        ctx, cells[year_at], rows, heads[year_at]
    )
    out["value"], out["value_flag"] = parse_values(ctx, cells[value_at], rows, heads[value_at])
    used = {year_at, value_at}
    unit = str(meta.get("computation_units") or "")
    out["unit"] = np.full(len(rows), unit, dtype=object)
    for at in (i for i, h in enumerate(heads) if header_key(h) in _keys(UNIT_COLUMNS)):
        cell = cells[at].to_numpy(dtype=object)
        out["unit"] = np.where(cell != "", cell, out["unit"])
        used.add(at)
    if (at := find_column(heads, *STATUS_COLUMNS)) is not None:
        out["obs_status"] = cells[at]
        used.add(at)
    breakdowns = [(h, cells[i]) for i, h in enumerate(heads) if i not in used and h.strip()]
    dims, leftovers = assign_dimensions(ctx, breakdowns, rows)
    out.update(dims)
    out["other_dims"] = other_dims(leftovers, len(rows))
    if out.get("series"):
        _declared(ctx, meta, str(out["series"]))
    return finish(ctx, out, rows, "opensdg")


def _declared(ctx: Context, meta: dict[str, Any], series: str) -> None:
    """The metadata's ``expected_disaggregations`` as canonical dimensions of this series.

    Kept in ``ctx.metadata["declared"]`` as ``[(series, dimension), ...]``: a split the
    country declared but did not publish is then a visible gap (``declared_missing``).
    Names no column mapping knows (``Place of occurrence``) are listed as a warning.
    """
    wanted = meta.get("expected_disaggregations") or []
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list):
        return
    found, unknown = [], []
    for name in (str(w).strip() for w in wanted if str(w).strip()):
        dim = ctx.vocab.dimension_for_column(name)
        (found if dim else unknown).append(dim or name)
    ctx.metadata["declared"] = [(series, d) for d in dict.fromkeys(found)]
    if unknown:
        ctx.add(
            None,
            "expected_disaggregations",
            ", ".join(unknown),
            "a group dimension (sex, age, disability, ...); these declared breakdowns are not "
            "LNOB groups and are not tracked",
            "unknown_dimension",
            "warning",
        )


def _keys(names: tuple[str, ...]) -> set[str]:
    return {header_key(n) for n in names}


def indicator_id(ctx: Context, meta: dict[str, Any]) -> str | None:
    """``8.5.2`` from the argument, the file name or the metadata; None when none has it."""
    for text in (
        ctx.indicator,
        Path(ctx.file).stem,
        ctx.path.stem,
        str(meta.get("indicator_number") or ""),
    ):
        if text and (m := _ID_IN_NAME.search(str(text))):
            return f"{int(m[1])}.{m[2].lower()}.{m[3].lower()}"
    return None


def _series_fields(ctx: Context, ind: str | None, meta: dict[str, Any]) -> dict[str, object]:
    if ind is None:
        ctx.add(
            None,
            None,
            ctx.file,
            "an indicator id: name the file indicator_<g>-<t>-<i>.csv"
            " (e.g. indicator_8-5-2.csv) or pass indicator='8.5.2'",
            "bad_format",
        )
        return {}
    goal, target, _ = ind.split(".")
    series = str(meta.get("series_code") or "OSDG_" + ind.replace(".", "_").upper())
    title = str(meta.get("indicator_name") or "")
    if not title or _TRANSLATION_KEY.fullmatch(title):
        title = str(meta.get("indicator_available") or meta.get("graph_title") or "")
    return {
        "series": series,
        "indicator": ind,
        "goal": goal,
        "target": f"{goal}.{target}",
        "series_title": title,
        "source": str(meta.get("source_organisation_1") or ""),
    }


def _country(ctx: Context, meta: dict[str, Any], out: dict[str, object]) -> None:
    found = area_from_argument(ctx, ctx.country) if ctx.country else _country_in(meta)
    if found is None and not ctx.country:
        ctx.add(
            None,
            None,
            None,
            "a country: pass country='GBR' (ISO3) when the file and its metadata do not name one",
            "bad_format",
        )
    if found is not None:
        out["m49"], out["iso3"], out["area_name"] = found


def _country_in(meta: dict[str, Any]) -> tuple[str, str, str] | None:
    """A country named exactly by ``national_geographical_coverage``."""
    name = str(meta.get("national_geographical_coverage") or "").strip().casefold()
    if not name:
        return None
    frame = reference.countries()
    hit = frame[
        (frame["name_en"].str.casefold() == name) | (frame["name_m49"].str.casefold() == name)
    ]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return str(row["m49"]), str(row["iso3"]), str(row["name_en"])


def _metadata(ctx: Context) -> dict[str, Any]:
    """The indicator's metadata: YAML front matter of a ``.md`` file, or a ``.yml`` file."""
    path = _metadata_path(ctx)
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix in (".yml", ".yaml"):
            meta = yaml.safe_load(text)
        else:
            parts = re.split(r"^---\s*$", text, maxsplit=2, flags=re.MULTILINE)
            meta = yaml.safe_load(parts[1]) if len(parts) == 3 and not parts[0].strip() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        ctx.add(
            None,
            None,
            path.name,
            f"readable YAML front matter ({type(exc).__name__})",
            "bad_format",
            "warning",
        )
        return {}
    if not isinstance(meta, dict):
        ctx.add(
            None, None, path.name, "YAML front matter between --- lines", "bad_format", "warning"
        )
        return {}
    ctx.metadata["opensdg"] = meta
    ctx.metadata["metadata_file"] = str(path)
    return meta


def _metadata_path(ctx: Context) -> Path | None:
    here = ctx.path.parent
    stems = [ctx.path.with_suffix("")]
    if m := _ID_IN_NAME.search(ctx.indicator or ctx.path.stem):
        gti = f"{int(m[1])}-{m[2].lower()}-{m[3].lower()}"
        stems += [here / gti, here.parent / "meta" / gti, here / "meta" / gti]
    candidates = [stem.with_name(stem.name + ext) for stem in stems for ext in _META_EXTS]
    return next((p for p in candidates if p.is_file()), None)


_META_EXTS = (".md", ".yml", ".yaml")
