"""Series catalogue: what each series is, which way is better, and which groups it should show.

The catalogue joins three sources: the series seen in the store (code, titles and units as the
data give them), the editable ``raw/series.csv`` (indicator, goal, target, title, unit, polarity)
and the editable ``raw/expectations.csv`` (which breakdowns the IAEG-SDGs expect per series).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL, UNMAPPED_PREFIX
from data.vocab import RAW, Group, groups

POLARITIES = ("higher_better", "lower_better", "unknown")
CATALOGUE_COLUMNS = [
    "series",
    "indicator",
    "goal",
    "target",
    "title",
    "unit",
    "polarity",
    "dimensions",
    "groups",
    "countries",
    "about",
]
# Formats of national reporting platforms: a series only they publish is about that country.
NATIONAL_FORMATS = frozenset({"opensdg"})


def _read(path: Path) -> pd.DataFrame:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return pd.DataFrame(list(csv.DictReader(lines)), dtype=str).fillna("")


def series_file(path: Path | None = None) -> pd.DataFrame:
    """The editable series list.

    Columns: series, indicator, goal, target, title, unit, polarity, about (a group id, or "").
    """
    frame = _read(path or RAW / "series.csv")
    if "about" not in frame:
        frame["about"] = ""
    bad = sorted(set(frame["polarity"]) - set(POLARITIES) - {""})
    if bad:
        raise ValueError(f"series.csv: polarity {bad} not in {POLARITIES}")
    unknown = sorted(set(frame["about"]) - set(groups()) - {""})
    if unknown:
        raise ValueError(f"series.csv: about {unknown} is not a group id ({', '.join(groups())})")
    return frame


# Titles that say a series is about a group although none of its codes appear (derived only
# where the wording is unambiguous; series.csv's ``about`` column overrides).
_ABOUT_TITLES = {
    "disability": re.compile(
        r"\b(persons|people|population|children) with (severe )?disabilit", re.I
    ),
    "women": re.compile(r"^(?!.*\b(men|boys|male|by sex)\b).*\b(women|girls)\b", re.I),
}


def derived_about(title: str, dimensions: tuple[str, ...]) -> str:
    """The group a series is about, from its title ("" when none).

    Only for a series not split by that group's dimension (it would be visible by its codes).
    """
    for gid, pattern in _ABOUT_TITLES.items():
        if groups()[gid].dimension not in dimensions and pattern.search(title or ""):
            return gid
    return ""


def names_group(dimension: str, group: Group) -> bool:
    """Whether an expected breakdown (``expectations.csv``, metadata) names the group.

    "By age" does not say which age group: it names older persons, youth or children only when
    the file gives the group id.
    """
    return dimension == group.id or (dimension == group.dimension and group.dimension != "age")


def about_group(cat: pd.DataFrame, group: Group) -> frozenset[str]:
    """Series of the catalogue that are about the group (``about`` column)."""
    return frozenset(cat.loc[cat["about"] == group.id, "series"])


def expectations_file(path: str | Path = "") -> pd.DataFrame:
    """Expected breakdowns. Columns: series, dimension.

    ``dimension`` is a canonical dimension (sex, disability, ...) or, because "by age" does not
    say which age group, a group id (older, youth, children).
    """
    frame = _read(Path(path) if path else RAW / "expectations.csv")
    bad = sorted(set(frame["dimension"]) - set(DIMENSIONS) - set(groups()))
    if bad:
        raise ValueError(f"expectations: unknown dimension(s) {bad}; expected {DIMENSIONS}")
    return frame[["series", "dimension"]]


def observed_dimensions(obs: pd.DataFrame) -> pd.DataFrame:
    """Which dimensions each series is split by somewhere in the data.

    Decided once per distinct code, not per row (6.6 million string tests on the real extract
    before), then looked up by the rows' codes; series in order of first appearance.

    Args:
        obs: canonical observations.

    Returns:
        Columns ``series, dimension``: one row per dimension with a non-total code.
    """
    found = []
    series = pd.factorize(obs["series"], use_na_sentinel=True)
    for dim in DIMENSIONS:
        for name in _unique(series, _rows_where(obs[dim], _is_split)):
            found.append((name, dim))
    return pd.DataFrame(found, columns=["series", "dimension"])


def _is_split(code: object) -> bool:
    """A code that splits its dimension (not a total, not applicable, not unmapped)."""
    return (
        isinstance(code, str)
        and code not in (TOTAL, NOT_APPLICABLE)
        and not code.startswith(UNMAPPED_PREFIX)
    )


def _rows_where(column: pd.Series, test: Callable[[object], bool]) -> np.ndarray:
    """Boolean mask of the rows whose value passes ``test``, testing each distinct value once.

    A missing value is tested as ``None``.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    passed = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    # the sentinel -1 picks the extra last entry: the missing value's verdict
    passed = np.append(passed, bool(test(None)))
    return passed[codes]


def _unique(factorized: tuple[np.ndarray, object], mask: np.ndarray) -> list[object]:
    """Distinct values of a factorized column (``pd.factorize``) on the masked rows.

    In order of first appearance, as ``pd.unique`` of those rows.
    """
    codes, uniques = factorized
    picked = pd.unique(codes[mask])
    return [uniques[c] if c >= 0 else np.nan for c in picked]


def catalogue(
    obs: pd.DataFrame,
    expectations: pd.DataFrame,
    series: pd.DataFrame,
    datasets: pd.DataFrame | None = None,
    declared: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per series in the store, described.

    Args:
        obs: canonical observations.
        expectations: ``expectations_file()``.
        series: ``series_file()``.
        datasets: ``store.datasets()`` (id, format, source_type); without it every series is
            taken as international.
        declared: ``store.declared()`` (series, iso3, dimension): splits a dataset's metadata
            declares expected; they make the series expected for the group like
            ``expectations``, but only of the declaring countries.

    Returns:
        ``CATALOGUE_COLUMNS``; ``dimensions`` is a sorted tuple of the dimensions the series is
        split by in the data or expected to be split by; polarity ``unknown`` when not given;
        ``countries`` is the sorted tuple of ISO3 codes a national series is expected of (see
        ``national_scope``), () for a series expected of every country.
    """
    first = obs.drop_duplicates("series")[
        ["series", "indicator", "goal", "target", "series_title", "unit"]
    ]
    first = first.astype(object).rename(columns={"series_title": "title"})
    known = series.set_index("series")
    out = first.set_index("series")
    for col in ("indicator", "goal", "target", "title", "unit", "polarity", "about"):
        given = known[col].reindex(out.index) if col in known else None
        current = out[col] if col in out else pd.Series("", index=out.index)
        if given is not None:
            current = given.where(given.fillna("") != "", current)
        out[col] = current.fillna("")
    out["polarity"] = out["polarity"].replace("", "unknown")
    dims = pd.concat(
        [observed_dimensions(obs), expectations[expectations["series"].isin(out.index)]]
    )
    by_series = dims.groupby("series")["dimension"].agg(lambda d: tuple(sorted(set(d))))
    out["dimensions"] = by_series.reindex(out.index).apply(
        lambda d: d if isinstance(d, tuple) else ()
    )
    exp = expectations[expectations["series"].isin(out.index)]
    listed = set(exp["series"])
    if declared is not None and len(declared):
        exp = pd.concat([exp, declared[["series", "dimension"]].drop_duplicates()])
        exp = exp[exp["series"].isin(out.index)]
    named = exp.groupby("series", sort=False)["dimension"].agg(list).to_dict()
    # a community partner's own series must not become "expected" in every country
    official = (obs["source_type"] == "official").to_numpy(dtype=bool)
    out["about"] = [
        given or derived_about(title, dims)
        for given, title, dims in zip(out["about"], out["title"], out["dimensions"], strict=True)
    ]
    out["groups"] = [
        tuple(
            g.id for g in groups().values() if g.id == about or _expected(g, seen, named.get(s, ()))
        )
        for s, seen, about in zip(
            out.index,
            _observed_groups(obs, official).reindex(out.index),
            out["about"],
            strict=True,
        )
    ]
    scope = national_scope(obs, datasets) if datasets is not None else {}
    out["countries"] = [() if s in listed else scope.get(s, ()) for s in out.index]
    return out.reset_index()[CATALOGUE_COLUMNS].sort_values("series", ignore_index=True)


def national_scope(obs: pd.DataFrame, datasets: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Series published only by national platforms or community datasets -> their countries.

    A series that only an Open SDG platform or a community dataset publishes says nothing about
    other countries: the UK's "food insecurity by age" is not a gap in Kenya. Such a series is
    expected only of the countries that published it (``expectations.csv`` can say otherwise).

    Args:
        obs: canonical observations (dataset, series, iso3).
        datasets: ``store.datasets()`` (id, format, source_type).

    Returns:
        Series -> sorted tuple of ISO3 codes, for national series only.
    """
    if obs.empty or datasets.empty:
        return {}
    national = datasets["format"].isin(NATIONAL_FORMATS) | (datasets["source_type"] != "official")
    local_ids = set(datasets.loc[national, "id"].astype(int))
    is_local = obs["dataset"].isin(local_ids).to_numpy(dtype=bool)
    international = set(_unique(pd.factorize(obs["series"], use_na_sentinel=True), ~is_local))
    placed = _rows_where(obs["iso3"], lambda code: code != "")  # a missing code counts too
    rows = obs.loc[is_local & placed, ["series", "iso3"]]
    rows = rows.astype(object).drop_duplicates()
    rows = rows[~rows["series"].isin(international)]
    return {s: tuple(sorted(g["iso3"])) for s, g in rows.groupby("series")}


def _observed_groups(obs: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """Series -> set of group ids whose group codes appear for that series in ``rows``."""
    found: dict[str, set[str]] = {}
    series = pd.factorize(obs["series"], use_na_sentinel=True)
    for g in groups().values():
        hit = _rows_where(obs[g.dimension], lambda c, g=g: _is_group_code(g, c)) & rows
        for name in _unique(series, hit):
            found.setdefault(name, set()).add(g.id)
    return pd.Series(found, dtype=object)


def _is_group_code(g: Group, code: object) -> bool:
    return isinstance(code, str) and bool(g.is_group_code(code))


def _expected(g: Group, observed: object, named: Iterable[str]) -> bool:
    """Whether the group is observed for the series, or one of its ``named`` breakdowns names it."""
    if isinstance(observed, set) and g.id in observed:
        return True
    return any(names_group(d, g) for d in named)


def expected_series(cat: pd.DataFrame, group: Group) -> list[str]:
    """Series a group should be visible in: its codes are observed, or the expectations say so.

    "By age" in the expectations does not make a series expected for older persons, youth or
    children (it does not say which ages); those need the group id in the file, or data.
    """
    has = cat["groups"].apply(lambda ids: group.id in ids)
    return sorted(cat.loc[has, "series"])
