"""Which format a header row belongs to, decided by column names (never by position alone).

=========  ======================================================================
format     header row holds
=========  ======================================================================
sdmx       first column ``DATAFLOW`` or ``STRUCTURE`` (SDMX-CSV 1.0 / 2.0), or both
           ``TIME_PERIOD`` and ``OBS_VALUE``
un         ``SeriesCode``, ``GeoAreaCode``, ``TimePeriod``, ``Value`` (plain or ``[..]``)
template   ``series``, ``period``, ``value``
opensdg    ``Year`` first and ``Value`` last
=========  ======================================================================

Checked in that order; the first match wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from data.readers.common import header_key

FORMATS: tuple[str, ...] = ("un", "opensdg", "sdmx", "template")

NEEDS: dict[str, str] = {
    "sdmx": "SDMX-CSV: first column DATAFLOW or STRUCTURE, or columns TIME_PERIOD and OBS_VALUE",
    "un": "UN SDG export: columns SeriesCode, GeoAreaCode, TimePeriod, Value",
    "template": "template: columns series, period, value (and iso3 or m49)",
    "opensdg": "Open SDG: first column Year, last column Value",
}


def sdmx_key(header: str) -> str:
    """An SDMX-CSV header's component id: ``SEX: Sex`` -> ``SEX``; ``STRUCTURE[;]`` -> ..."""
    text = str(header).strip()
    text = text.split(": ", 1)[0]
    return text.split("[", 1)[0].strip().upper()


def matches(fmt: str, headers: Sequence[str]) -> bool:
    """Whether ``headers`` look like format ``fmt``."""
    keys = {header_key(h) for h in headers}
    if fmt == "sdmx":
        ids = [sdmx_key(h) for h in headers]
        return bool(ids) and (
            ids[0] in ("DATAFLOW", "STRUCTURE") or {"TIME_PERIOD", "OBS_VALUE"} <= set(ids)
        )
    if fmt == "un":
        return {"seriescode", "geoareacode", "timeperiod", "value"} <= keys
    if fmt == "template":
        return {"series", "period", "value"} <= keys
    if fmt == "opensdg":
        filled = [h for h in headers if str(h).strip()]
        if not filled:
            return False
        return header_key(filled[0]) == "year" and header_key(filled[-1]) == "value"
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def format_from_headers(headers: Sequence[str]) -> str | None:
    """The first format (sdmx, un, template, opensdg) whose headers match, else None."""
    return next((f for f in ("sdmx", "un", "template", "opensdg") if matches(f, headers)), None)
