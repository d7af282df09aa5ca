"""What the country page shows, from the gap engine's results (pure pandas, no Dash).

Split from ``data.views`` (the overview and the matrix) so each stays small: the scorecard, the
series x groups status matrix, the missing splits, the time series lines, the provenance rows
and official next to community values, each a small frame a ``layouts.tables`` builder renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from data.gaps import STATUSES
from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL

_PLAIN = {TOTAL, NOT_APPLICABLE}


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
    part = statuses.loc[statuses["iso3"] == iso3, ["series", "group", "status"]].astype(object)
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
