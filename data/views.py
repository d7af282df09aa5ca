"""What the pages show, assembled from the gap engine's results (pure pandas, no Dash).

Every function takes frames from ``data.queries`` (statuses, coverage, disparities, observations,
catalogue, datasets) plus scalars, and returns a small frame or dict that a layout builder turns
into components. Keeping this here makes the numbers testable on hand-made frames and keeps the
callbacks to lookups on precomputed results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from data import reference
from data.gaps import STATUSES
from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL

MAP_COLUMNS = [
    "iso3",
    "name",
    "z",
    "status",
    "value",
    "ref_value",
    "difference",
    "ratio",
    "direction",
    "period",
    "source",
    "nature",
    "source_type",
    "expected",
    "disaggregated",
]
_PLAIN = {TOTAL, NOT_APPLICABLE}


def filter_choices(
    catalogue: pd.DataFrame, years: Iterable[int], regions: Iterable[str], groups: Iterable[str]
) -> dict[str, Any]:
    """Valid filter values (keyword arguments of ``layouts.state.Choices``).

    Args:
        catalogue: ``catalogue.CATALOGUE_COLUMNS`` (series, goal, groups, ...).
        years: years present in the observations.
        regions: M49 codes offered by the region picker.
        groups: group ids.
    """
    goals_of = {
        s: tuple(g.strip() for g in str(goal).split(",") if g.strip())
        for s, goal in zip(catalogue["series"], catalogue["goal"], strict=True)
    }
    goals = sorted({g for gs in goals_of.values() for g in gs}, key=_goal_key)
    return {
        "groups": tuple(groups),
        "goals": tuple(goals),
        "series_groups": dict(zip(catalogue["series"], catalogue["groups"], strict=True)),
        "series_goals": goals_of,
        "years": tuple(sorted({int(y) for y in years}, reverse=True)),
        "regions": tuple(regions),
    }


def _goal_key(goal: str) -> tuple[int, str]:
    return (int(goal), goal) if goal.isdigit() else (999, goal)


def names(iso3s: Iterable[str], lang: str = "en") -> dict[str, str]:
    """ISO3 -> country name in ``lang`` (CLDR)."""
    return {c: reference.area_name(c, lang) for c in iso3s}


def latest_pairs(disp: pd.DataFrame, series: str, year: int | None, window: int) -> pd.DataFrame:
    """One group/reference pair per country for a series: the best slice in the year window.

    Args:
        disp: ``gaps.disparity`` output (iso3, series, year, period_sort, headline, source_type,
            value, ref_value, difference, ratio, direction, ...).
        series: the series code.
        year: the last year of the window, or None for the latest available.
        window: window length in years (``year - window < y <= year``).

    Returns:
        The chosen rows, one per ISO3: headline slices first, then the latest year, then
        official before community.
    """
    d = disp[(disp["series"] == series) & (disp["iso3"] != "")]
    if year is not None:
        d = d[(d["year"] <= year) & (d["year"] > year - window)]
    d = d.assign(_official=d["source_type"] == "official")
    d = d.sort_values(["headline", "year", "period_sort", "_official"], ascending=False)
    return d.drop_duplicates("iso3").drop(columns="_official")


def _frame(iso3s: list[str], lang: str) -> pd.DataFrame:
    out = pd.DataFrame({"iso3": iso3s})
    out["name"] = out["iso3"].map(names(iso3s, lang))
    for col in MAP_COLUMNS[2:]:
        out[col] = np.nan if col in ("z", "value", "ref_value", "difference", "ratio") else ""
    return out


def best_status(cov: pd.DataFrame) -> pd.Series:
    """The best status a country reaches over its expected series (coverage rows)."""
    best = pd.Series("no_data", index=cov.index, dtype=object)
    for status in reversed(STATUSES[:-1]):
        best = best.mask(cov[status] > 0, status)
    return best


def map_frame(
    mode: str,
    iso3s: list[str],
    *,
    statuses: pd.DataFrame,
    coverage: pd.DataFrame,
    disparities: pd.DataFrame,
    series: str,
    year: int | None,
    window: int,
    polarity: str = "unknown",
    dataset_names: Mapping[int, str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per country of the selection with what the map colours and the hover shows.

    Args:
        mode: ``gaps`` (coverage, or the status of ``series`` when given), ``values`` or
            ``disparity``.
        iso3s: the countries of the chosen region.
        statuses: ``queries.statuses`` of the group (iso3, series, status, latest_year).
        coverage: ``queries.coverage`` of the group (iso3, expected, <statuses>, share).
        disparities: ``queries.disparities`` of the group.
        series: the chosen series ("" = all expected series; only valid in gaps mode).
        year: last year of the window, or None for latest.
        window: the recency window in years.
        polarity: the series' polarity (``higher_better``, ``lower_better``, ``unknown``).
        dataset_names: dataset id -> name for the source column.
        lang: language of the country names.

    Returns:
        ``MAP_COLUMNS``: ``z`` is what is coloured (share, status index, value or signed gap),
        NaN where the country has nothing to colour; ``status`` says why.
    """
    out = _frame(iso3s, lang).set_index("iso3")
    if mode == "gaps" and not series:
        cov = coverage.set_index("iso3").reindex(out.index)
        known = cov["expected"].fillna(0) > 0
        out["z"] = cov["share"].where(known)
        out["value"] = out["z"]
        out["status"] = best_status(cov.fillna(0)).where(known, "")
        out["expected"] = cov["expected"].fillna(0).astype(int)
        out["disaggregated"] = cov["disaggregated"].fillna(0).astype(int)
        return out.reset_index()[MAP_COLUMNS]
    st = statuses[statuses["series"] == series].set_index("iso3").reindex(out.index)
    out["status"] = st["status"].fillna("no_data").astype(object)
    out["period"] = st["latest_year"].astype("string").fillna("")
    if mode == "gaps":
        out["z"] = out["status"].map({s: float(i) for i, s in enumerate(STATUSES)})
        return out.reset_index()[MAP_COLUMNS]
    pairs = latest_pairs(disparities, series, year, window).set_index("iso3")
    pairs = pairs[pairs.index.isin(out.index)]
    for col in ("value", "ref_value", "difference", "ratio"):
        out.loc[pairs.index, col] = pairs[col].astype(float).to_numpy()
    for col in ("direction", "period", "nature", "source_type"):
        out.loc[pairs.index, col] = pairs[col].astype(str).to_numpy()
    source = pairs["dataset"].map(dict(dataset_names or {})).astype(object).fillna("")
    out.loc[pairs.index, "source"] = source.to_numpy()
    sign = {"higher_better": 1.0, "lower_better": -1.0}.get(polarity, 1.0)
    out["z"] = out["value"] if mode == "values" else out["difference"].astype(float) * sign
    return out.reset_index()[MAP_COLUMNS]


def headline(cov: pd.DataFrame, iso3s: Iterable[str]) -> dict[str, Any]:
    """Headline numbers of a group over a set of countries.

    Args:
        cov: ``queries.coverage`` of the group.
        iso3s: the countries counted.

    Returns:
        ``countries`` (counted), ``any`` (countries with any split for the group: a
        disaggregated, outdated or community-only series), ``recent`` (countries with at least
        one recent official split), ``none`` (countries with no split at all), ``expected``
        and ``disaggregated`` (country-series pairs) and ``share`` (their ratio, NaN if 0).
    """
    part = cov[cov["iso3"].isin(list(iso3s)) & (cov["expected"] > 0)]
    any_split = part[["disaggregated", "outdated", "community_only"]].sum(axis=1) > 0
    expected = int(part["expected"].sum())
    disagg = int(part["disaggregated"].sum())
    return {
        "countries": int(len(part)),
        "any": int(any_split.sum()),
        "recent": int((part["disaggregated"] > 0).sum()),
        "none": int((~any_split).sum()),
        "expected": expected,
        "disaggregated": disagg,
        "share": disagg / expected if expected else float("nan"),
    }


def status_counts(statuses: pd.DataFrame, series: str, iso3s: Iterable[str]) -> dict[str, int]:
    """Countries per status for one series (every status present, in engine order)."""
    part = statuses[(statuses["series"] == series) & statuses["iso3"].isin(list(iso3s))]
    counts = part["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def default_series(disparities: pd.DataFrame, expected: list[str]) -> str:
    """The expected series with the most countries having a group value ("" if none)."""
    d = disparities[disparities["series"].isin(expected) & (disparities["iso3"] != "")]
    if d.empty:
        return expected[0] if expected else ""
    counts = d.groupby("series", observed=True)["iso3"].nunique()
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


def matrix_frame(
    coverages: pd.DataFrame,
    iso3s: list[str],
    groups: list[str],
    sort: str = "name",
    lang: str = "en",
) -> pd.DataFrame:
    """Countries x groups coverage, long format, in display order.

    Args:
        coverages: ``queries.coverage`` of several groups concatenated (iso3, group, expected,
            disaggregated, share).
        iso3s: countries (rows).
        groups: group ids (columns).
        sort: ``name`` or a group id (that group's share, highest first, then name).
        lang: language of names.

    Returns:
        Columns ``iso3, name, group, share, disaggregated, expected``, one row per cell, rows
        of one country adjacent, countries in sort order.
    """
    grid = pd.MultiIndex.from_product([iso3s, groups], names=["iso3", "group"])
    cov = coverages.set_index(["iso3", "group"])[["share", "disaggregated", "expected"]]
    out = cov[~cov.index.duplicated()].reindex(grid).reset_index()
    out[["disaggregated", "expected"]] = out[["disaggregated", "expected"]].fillna(0).astype(int)
    out["name"] = out["iso3"].map(names(iso3s, lang))
    order = out[["iso3", "name"]].drop_duplicates("iso3")
    if sort in groups:
        key = out[out["group"] == sort].set_index("iso3")["share"]
        order = order.assign(_k=order["iso3"].map(key).fillna(-1.0))
        order = order.sort_values(["_k", "name"], ascending=[False, True], kind="stable")
    else:
        order = order.sort_values("name", kind="stable")
    rank = {c: i for i, c in enumerate(order["iso3"])}
    out["_r"] = out["iso3"].map(rank)
    out["_g"] = out["group"].map({g: i for i, g in enumerate(groups)})
    out = out.sort_values(["_r", "_g"], kind="stable").drop(columns=["_r", "_g"])
    return out[["iso3", "name", "group", "share", "disaggregated", "expected"]].reset_index(
        drop=True
    )


def scorecard(cov: pd.DataFrame, disp: pd.DataFrame, iso3: str, groups: list[str]) -> pd.DataFrame:
    """Per group for one country: coverage and the largest disparity.

    Args:
        cov: coverage of several groups concatenated (iso3, group, expected, disaggregated,
            share).
        disp: disparities of several groups concatenated, with a ``group`` column.
        iso3: the country.
        groups: group ids in display order.

    Returns:
        Columns ``group, expected, disaggregated, share, series, value, ref_value, ratio,
        direction, period`` (the last six describe the largest relative gap among the latest
        headline pair of each series; "" / NaN when there is none).
    """
    c = cov[cov["iso3"] == iso3].drop_duplicates("group").set_index("group")
    out = pd.DataFrame({"group": groups}).set_index("group")
    out["expected"] = c["expected"].reindex(out.index).fillna(0).astype(int)
    out["disaggregated"] = c["disaggregated"].reindex(out.index).fillna(0).astype(int)
    out["share"] = c["share"].reindex(out.index)
    d = disp[(disp["iso3"] == iso3) & disp["ratio"].notna()]
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["group", "series"])
    d = d.assign(_gap=(d["ratio"] - 1).abs()).sort_values("_gap", ascending=False)
    d = d.drop_duplicates("group").set_index("group")
    for col in ("series", "value", "ref_value", "ratio", "direction", "period"):
        out[col] = d[col].reindex(out.index).astype(object) if col in d else np.nan
    out[["series", "direction", "period"]] = out[["series", "direction", "period"]].fillna("")
    return out.reset_index()


def status_matrix(statuses: pd.DataFrame, iso3: str, groups: list[str]) -> pd.DataFrame:
    """Series x groups status for one country ("" where the group is not expected).

    Args:
        statuses: statuses of several groups concatenated (iso3, series, group, status).
        iso3: the country.
        groups: columns in order.

    Returns:
        Index ``series`` (sorted), one column per group.
    """
    part = statuses[statuses["iso3"] == iso3]
    wide = part.pivot_table(index="series", columns="group", values="status", aggfunc="first")
    return wide.reindex(columns=groups).astype(object).fillna("").sort_index()


def missing_splits(statuses: pd.DataFrame, iso3: str, groups: list[str]) -> pd.DataFrame:
    """What to ask the statistics office for: every expected split that is not recent.

    Returns:
        Columns ``series, group, status, latest_year`` for statuses other than
        ``disaggregated``, ordered by group order then status (no data last) then series.
    """
    part = statuses[(statuses["iso3"] == iso3) & (statuses["status"] != "disaggregated")]
    part = part[part["group"].isin(groups)]
    part = part.assign(
        _g=part["group"].map({g: i for i, g in enumerate(groups)}),
        _s=part["status"].map({s: i for i, s in enumerate(STATUSES)}),
    )
    part = part.sort_values(["_g", "_s", "series"], kind="stable")
    return part[["series", "group", "status", "latest_year"]].reset_index(drop=True)


def _plain_rows(obs: pd.DataFrame) -> pd.Series:
    """Rows with no breakdown at all (every dimension a total, no other breakdown)."""
    plain = pd.Series(True, index=obs.index)
    for dim in DIMENSIONS:
        plain &= obs[dim].astype(object).isin(_PLAIN)
    return plain & (obs["other_dims"].astype(object) == "")


def timeseries_frame(obs: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Group, reference and total lines of one series in one country.

    Args:
        obs: observations of one country and series (canonical columns).
        pairs: ``gaps.disparity`` rows of the same country, series and group.

    Returns:
        Columns ``line`` (group, reference, total), ``year, period, period_sort, value, lower,
        upper, source_type, dataset, source_row``, sorted by line then time. Only the headline
        slice (or, without one, the most observed slice) and the most common unit are kept.
    """
    cols = [
        "line",
        "year",
        "period",
        "period_sort",
        "value",
        "lower",
        "upper",
        "source_type",
        "dataset",
        "source_row",
    ]
    frames = []
    if not pairs.empty:
        p = pairs[pairs["headline"]] if pairs["headline"].any() else pairs
        unit = p["unit"].mode().iloc[0]
        p = p[p["unit"] == unit]
        g = p[
            [
                "year",
                "period",
                "period_sort",
                "value",
                "lower",
                "upper",
                "source_type",
                "dataset",
                "source_row",
            ]
        ].assign(line="group")
        r = p[
            [
                "year",
                "period",
                "period_sort",
                "ref_value",
                "ref_lower",
                "ref_upper",
                "source_type",
                "dataset",
                "ref_source_row",
            ]
        ]
        r = r.set_axis(cols[1:], axis=1).assign(line="reference")
        frames += [g, r]
    total = obs[_plain_rows(obs)]
    if not total.empty:
        unit = total["unit"].astype(object).mode().iloc[0]
        total = total[total["unit"].astype(object) == unit]
        frames.append(total[cols[1:]].assign(line="total"))
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(
        [f[cols].astype({"period": object, "source_type": object}) for f in frames],
        ignore_index=True,
    )
    out = out.drop_duplicates(["line", "period", "source_type", "dataset"])
    order = {"group": 0, "reference": 1, "total": 2}
    return out.sort_values(
        ["line", "period_sort"],
        key=lambda s: s.map(order) if s.name == "line" else s,
        kind="stable",
    ).reset_index(drop=True)


def breakdown(row: Mapping[str, Any]) -> str:
    """Human-readable breakdown of an observation ("sex=F, disability=PD" or "total")."""
    parts = [f"{d}={row[d]}" for d in DIMENSIONS if str(row[d]) not in _PLAIN]
    if row.get("other_dims"):
        parts.append(str(row["other_dims"]).replace(";", ", "))
    return ", ".join(parts) or "total"


def provenance_rows(
    obs: pd.DataFrame, dataset_names: Mapping[int, str], limit: int = 400
) -> pd.DataFrame:
    """Where every value of one country and series comes from.

    Args:
        obs: observations (canonical columns) of one country and series.
        dataset_names: dataset id -> name.
        limit: at most this many rows (newest first).

    Returns:
        Columns ``period, breakdown, value, value_flag, unit, source_type, dataset, source,
        source_row, nature, footnote``.
    """
    o = obs.sort_values(["period_sort", "source_row"], ascending=[False, True]).head(limit)
    out = pd.DataFrame(
        {
            "period": o["period"].astype(object),
            "breakdown": [breakdown(r) for r in o.to_dict("records")],
            "value": o["value"],
            "value_flag": o["value_flag"].astype(object),
            "unit": o["unit"].astype(object),
            "source_type": o["source_type"].astype(object),
            "dataset": o["dataset"]
            .map(dict(dataset_names))
            .astype(object)
            .fillna(o["dataset"].astype(str)),
            "source": o["source"].astype(object),
            "source_row": o["source_row"],
            "nature": o["nature"].astype(object),
            "footnote": o["footnote"].astype(object),
        }
    )
    return out.reset_index(drop=True)


def official_vs_community(disp: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Latest official and community group values per series where both exist.

    Args:
        disp: disparities of one group (iso3, series, source_type, headline, year, period,
            value, ref_value).
        iso3: the country.

    Returns:
        Columns ``series, official_value, official_ref, official_period, community_value,
        community_ref, community_period``.
    """
    d = disp[disp["iso3"] == iso3].sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["series", "source_type"])
    cols = ["series"]
    parts = []
    for kind in ("official", "community"):
        k = d[d["source_type"] == kind].set_index("series")[["value", "ref_value", "period"]]
        parts.append(k.add_prefix(f"{kind}_").rename(columns={f"{kind}_ref_value": f"{kind}_ref"}))
        cols += [f"{kind}_value", f"{kind}_ref", f"{kind}_period"]
    both = parts[0].join(parts[1], how="inner").reset_index()
    return both[cols].sort_values("series", ignore_index=True)
