"""``GET /download/data/<view>.<fmt>?<the page's query string>``: what a view shows, as a file.

``view`` is ``map``, ``matrix`` or ``country-<ISO3>``, ``fmt`` is ``csv`` or ``xlsx``. The
query string is the page's own (``layouts.state`` parameters, plus ``lang``), read as the page
reads it: a parameter the page would not understand falls back the same way, and the file
says so. The tables come from ``data.tables``, the functions the pages, the API and the brief
use, so a file never disagrees with the screen.

Each file says where it comes from: a CSV starts with rows whose single cell begins with
``#`` (view, URL, date, citation, licence, datasets, notes), visible to anyone who opens it in
a spreadsheet; an XLSX has the same in an "About" sheet. Text cells beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return get a leading apostrophe (OWASP "CSV
injection"); numbers stay numbers, so -3.2 is still a number. XLSX files are written with
openpyxl (write-only mode: rows streamed into the file, not held as cell objects).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import pandas as pd
from flask import Response, abort, request

from data import reference, tables
from layouts.i18n import group_title, supported, t

VIEWS = ("map", "matrix", "country")
FORMATS = ("csv", "xlsx")
ROUTE = "/download/data/<path:name>"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_ROWS = 5000


# ---- cells made safe for spreadsheets ----


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, prefixed with ``'``; others unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``neutralise`` applied to every text cell of ``frame`` (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            text = out[col].astype(object)
            risky = text.astype(str).str.startswith(_DANGEROUS).astype(bool)
            if not risky.any():
                continue
            risky &= text.map(lambda v: isinstance(v, str)).astype(bool)  # -2.5 stays a number
            out[col] = text.where(~risky, "'" + text.where(risky, "").astype(str))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def cell(value: Any) -> Any:
    """A value as openpyxl takes it: Python scalars, None for missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, tuple | list | set | frozenset):
        return ", ".join(str(v) for v in value)
    return value


def about_rows(info: Mapping[str, Any], lang: str | None = None) -> list[tuple[str, str]]:
    """(field, text) pairs of a file's provenance block.

    Args:
        info: ``view`` (title), ``url``, ``filters`` (text), ``notes`` (texts) and the keys of
            ``data.tables.citation`` (citation, licence, datasets, retrieved, as_of).
        lang: language.
    """
    rows = [
        (t("download.field.view", lang), info["view"]),
        (t("download.field.url", lang), info["url"]),
        (t("download.field.retrieved", lang), info["retrieved"]),
        (t("download.field.citation", lang), info["citation"]),
        (t("download.field.licence", lang), info["licence"]),
        (t("download.field.filters", lang), info.get("filters", "")),
        (t("download.field.as_of", lang), str(info.get("as_of") or "")),
    ]
    for d in info["datasets"]:
        kind = d["source_type"] + (", illustrative" if d.get("illustrative") else "")
        licence = d.get("licence") or "\u2014"
        text = f"{d['name']} ({kind}). {d.get('attribution') or ''} Licence: {licence}"
        rows.append((t("download.field.dataset", lang, id=d["id"]), " ".join(text.split())))
    for note in info.get("notes", ()):
        rows.append((t("download.field.note", lang), note))
    return rows


def _csv_line(values: Iterable[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(list(values))
    return buf.getvalue()


def csv_header_block(rows: Iterable[tuple[str, str]]) -> str:
    """The leading ``#`` rows of a CSV file: one cell each, ``# field: text``."""
    # one line per row, whatever the text holds (line breaks would shift the table's start)
    return "".join(_csv_line([neutralise(" ".join(f"# {k}: {v}".split()))]) for k, v in rows)


def csv_chunks(frame: pd.DataFrame, header: bool = True, size: int = 0) -> Iterator[str]:
    """A frame as CSV text in chunks of ``size`` rows (``CHUNK_ROWS``), neutralised, exact."""
    if header:
        yield _csv_line(neutralise(str(c)) for c in frame.columns)
    size = size or CHUNK_ROWS
    for start in range(0, len(frame), size):
        part = safe_frame(frame.iloc[start : start + size])
        yield part.to_csv(index=False, header=False, lineterminator="\r\n")


def csv_file(sheets: Mapping[str, pd.DataFrame], about: list[tuple[str, str]]) -> str:
    """A CSV file: the provenance block, then each table.

    With several tables, a ``# table: name`` row starts each, after a blank row.
    """
    parts = [csv_header_block(about)]
    several = len(sheets) > 1
    for name, frame in sheets.items():
        parts.append("\r\n")
        if several:
            parts.append(_csv_line([f"# table: {name}"]))
        parts.extend(csv_chunks(frame))
    return "".join(parts)


def xlsx_file(sheets: Mapping[str, pd.DataFrame], about: list[tuple[str, str]]) -> bytes:
    """An XLSX workbook: one sheet per table, then an "About" sheet with the provenance."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(_sheet_name(name))
        safe = safe_frame(frame)
        sheet.append([str(c) for c in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            sheet.append([cell(v) for v in row])
    sheet = book.create_sheet(t("download.about"))
    for key, text in about:
        sheet.append([neutralise(key), neutralise(text)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return clean[:31] or "Data"


# ---- the views' files ----


def _labels(frame: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Status and reason codes beside their words (``status_label``, ``reason_label``)."""
    out = frame.copy()
    if "status" in out:
        at = list(out.columns).index("status") + 1
        words = [t(f"status.{s}", lang) if s else "" for s in out["status"].astype(object)]
        out.insert(at, "status_label", words)
    if "reason" in out:
        at = list(out.columns).index("reason") + 1
        words = [t(f"reason.{r}", lang) if r else "" for r in out["reason"].fillna("")]
        out.insert(at, "reason_label", words)
    if "group" in out and "group_label" not in out:
        at = list(out.columns).index("group") + 1
        out.insert(at, "group_label", [group_title(str(g), lang) for g in out["group"]])
    return out


_MAP_COLUMNS = {
    "coverage": ["iso3", "name", "z", "disaggregated", "expected", "status", "reason"],
    "status": ["iso3", "name", "status", "reason", "age", "period"],
    "values": [
        "iso3",
        "name",
        "value",
        "ref_value",
        "difference",
        "ratio",
        "direction",
        "period",
        "status",
        "reason",
        "age",
        "source_type",
        "source",
        "nature",
        *tables.MAP_PROVENANCE,
    ],
}
_MAP_COLUMNS["disparity"] = ["iso3", "name", "z", *_MAP_COLUMNS["values"][2:]]
_MAP_RENAME = {"z": "share", "source": "dataset_name"}


def map_sheets(s: Mapping[str, str], lang: str | None) -> tuple[dict[str, pd.DataFrame], str]:
    """The map's table (its columns for the map kind), and the series shown."""
    frame, series = tables.map_table(s, lang or "en")
    if s["mode"] == "progress":
        return {t("download.table.data", lang): frame.sort_values("name")}, series
    kind = "status" if s["mode"] == "gaps" and series else s["mode"]
    kind = "coverage" if kind == "gaps" else kind
    rename = {**_MAP_RENAME, "z": "share" if kind == "coverage" else "signed_gap"}
    out = frame[_MAP_COLUMNS[kind]].rename(columns=rename).sort_values("name")
    return {t("download.table.data", lang): _labels(out, lang)}, series


def matrix_sheets(s: Mapping[str, str], lang: str | None) -> dict[str, pd.DataFrame]:
    """The coverage matrix, one row per cell (country x group), in the page's order."""
    return {t("download.table.data", lang): _labels(tables.matrix_table(s, lang or "en"), lang)}


def country_sheets(
    iso3: str, s: Mapping[str, str], series: str, lang: str | None
) -> dict[str, pd.DataFrame]:
    """Every table of the country page (``data.tables.country_tables``), codes and words."""
    found = tables.country_tables(iso3, s, series, group_title(s["group"], lang))
    if "status_matrix" in found:  # cells in words, as the page shows them (not cell keys)
        found["status_matrix"] = _status_words(found["status_matrix"], lang)
    return {name: _labels(frame, lang) for name, frame in found.items()}


def _status_words(wide: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Series x groups cells (``status|reason|age`` keys) in the page's words."""
    from layouts.tables import status_words

    out = wide.copy()
    for col in out.columns:
        if col != "series":
            out[col] = [status_words(str(c), lang) for c in out[col].astype(object)]
    return out


def _view_path(view: str, iso3: str) -> str:
    return f"/country/{iso3}" if view == "country" else ("/matrix" if view == "matrix" else "/")


def build(name: str, query: Mapping[str, Any], host_url: str) -> tuple[bytes | str, str, str]:
    """The file ``name`` (``map.csv``, ``country-KEN.xlsx``) for a page's query.

    Returns:
        (content, mimetype, download file name). Raises ``LookupError`` for an unknown view,
        format or country.
    """
    from layouts import state
    from layouts.pages import content

    stem, _, fmt = name.rpartition(".")
    view, _, iso3 = stem.partition("-")
    iso3 = iso3.upper()
    if fmt not in FORMATS or view not in VIEWS or bool(iso3) != (view == "country"):
        raise LookupError(name)
    if view == "country" and iso3 not in set(reference.countries()["iso3"]):
        raise LookupError(name)
    lang = supported(_first(query.get("lang")))
    s, problems = state.validate(query, content.choices())
    search = state.to_search(s)
    notes = [
        t("download.note.fallback", lang, param=p.param, value=p.value, fallback=p.fallback)
        for p in problems
    ]
    if view == "map":
        sheets, series = map_sheets(s, lang)
        mode = t(f"mode.{s['mode']}", lang)
        what = f"{mode} {content.titles().get(series, series)}".strip()
        title = t("download.view.map", lang, what=f"{group_title(s['group'], lang)}, {what}")
    elif view == "matrix":
        sheets = matrix_sheets(s, lang)
        title = t("download.view.matrix", lang, region=content.region_name(s["region"], lang))
    else:
        from layouts.pages import country

        series = country.pick_series(iso3, s)
        sheets = country_sheets(iso3, s, series, lang)
        name_ = reference.area_name(iso3, lang or "en")
        title = t("download.view.country", lang, country=name_)
        prov = sheets.get("provenance")
        if prov is not None and len(prov) >= 400:
            url = f"{host_url.rstrip('/')}/api/v1/observations?country={iso3}&series={series}"
            notes.append(t("download.note.provenance", lang, n=len(prov), url=url))
    url = host_url.rstrip("/") + _view_path(view, iso3) + search
    # statuses and coverage are computed over every dataset: all of them are cited
    info = {
        **tables.citation(None, url),
        "view": title,
        "filters": search.lstrip("?") or "(defaults)",
    }
    if any(d.get("illustrative") for d in info["datasets"]):
        notes.append(t("download.note.illustrative", lang))
    info["notes"] = [*notes, t("download.note.exact", lang), t("download.note.formula", lang)]
    about = about_rows(info, lang)
    file_name = f"lnob-gap-map-{stem}-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return "\ufeff" + csv_file(sheets, about), MIMETYPES[fmt], file_name
    return xlsx_file(sheets, about), MIMETYPES[fmt], file_name


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)


def register(app: Any) -> None:
    """Add ``GET /download/data/<view>.<fmt>`` to the Dash app's Flask server."""

    @app.server.route(ROUTE, endpoint="download_data")
    def download_data(name: str) -> Response:
        query = request.args.to_dict(flat=False)
        try:
            body, mimetype, file_name = build(name, query, request.host_url)
        except LookupError:
            abort(404)
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
        response.headers["Cache-Control"] = "no-store"
        return response
