"""The data-gap engine: for a country, a series and a group, what is known, how old, how far apart.

Pure functions over canonical observation frames (``schema.OBS_COLUMNS``). Nothing here averages
or drops observations: a group value is only ever compared with a reference value from the same
dataset, series, area, period, unit, Nature, reporting type and every other breakdown.

Statuses of (country, series, group), in order of precedence:
- ``disaggregated``: official group and reference values observed for the same slice, the latest
  such year within ``recent_years`` of the newest year of that series in the store
  (``newest - latest < recent_years``: with 5 and newest 2023, 2019-2023 count);
- ``outdated``: official group and reference observed, but only before that window;
- ``community_only``: only community (non-official) data give the split;
- ``total_only``: the country has the series, never split by that group;
- ``no_data``: the country has no observation of the series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL
from data.vocab import Group

STATUSES: tuple[str, ...] = ("disaggregated", "outdated", "community_only", "total_only", "no_data")
# Columns that must be equal for a group value and a reference value to be compared.
_MATCH = ("dataset", "series", "m49", "period", "other_dims", "unit", "nature", "reporting_type")
_VALUE_COLS = ("value", "value_flag", "lower", "upper", "n", "source_row")
_TOTAL_LIKE = (TOTAL, NOT_APPLICABLE)


def _plain(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    out = frame.loc[:, list(columns)].copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


def pairs(obs: pd.DataFrame, group: Group) -> pd.DataFrame:
    """Every group observation matched with its reference observation.

    Args:
        obs: canonical observations.
        group: the LNOB group (dimension, group codes, reference codes by preference).

    Returns:
        One row per group observation that has a reference: the ``_MATCH`` columns, ``iso3``,
        ``year``, ``period_sort``, ``source_type``, every dimension (the group's dimension holds
        the group code), ``ref_code``, ``group_dim`` (the group's dimension), the group's
        ``value, value_flag, lower, upper, n, source_row`` and the same with a ``ref_`` prefix.
        For each group observation the reference is the first code of ``group.reference``
        observed for that slice. Rows
        without a value (missing-value codes such as ``N``) are never paired.
    """
    obs = obs[obs["value"].notna()]
    dim = group.dimension
    others = [d for d in DIMENSIONS if d != dim]
    keys = [*_MATCH, *others]
    codes = obs[dim].astype(object)
    is_group = codes.map(group.is_group_code).astype(bool)
    cols = [*keys, dim, "iso3", "year", "period_sort", "source_type", *_VALUE_COLS]
    grp = _plain(obs[is_group], cols)
    found = []
    for ref_code in group.reference:
        if grp.empty:
            break
        ref = _plain(obs[codes == ref_code], [*keys, *_VALUE_COLS])
        ref = ref.rename(columns={c: f"ref_{c}" for c in _VALUE_COLS})
        merged = grp.merge(ref, on=keys, how="inner")
        merged["ref_code"] = ref_code
        merged["group_dim"] = dim
        found.append(merged)
        grp = grp[~grp.set_index(keys).index.isin(merged.set_index(keys).index)]
    if not found:
        names = [*cols, "ref_code", "group_dim", *(f"ref_{c}" for c in _VALUE_COLS)]
        return pd.DataFrame(columns=names)
    return pd.concat(found, ignore_index=True)


def status(
    obs: pd.DataFrame,
    group: Group,
    series: Iterable[str],
    countries: Iterable[str],
    recent_years: int = 5,
    scope: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Status of every (country, series) for one group.

    Args:
        obs: canonical observations (all areas; only rows with an ``iso3`` count as countries).
        group: the group.
        series: the series to report (usually those expected for the group).
        countries: ISO3 codes to report (usually every country).
        recent_years: the recency window (``GAPMAP_RECENT_YEARS``).
        scope: series -> the only countries it is expected of (national series, see
            ``catalogue.national_scope``); a series not named is expected of every country.

    Returns:
        Columns ``iso3, series, group, status, latest_year`` (year of the latest split that
        decided the status; for ``total_only`` the latest year of any observation; NA for
        ``no_data``), ``latest_official_year``, ``latest_community_year``, ``newest_year``
        (newest year of the series in the store), one row per country x series.
    """
    series = list(dict.fromkeys(series))
    countries = list(dict.fromkeys(countries))
    grid = pd.MultiIndex.from_product([countries, series], names=["iso3", "series"])
    if scope:
        only = {s: set(c) for s, c in scope.items()}
        keep = [s not in only or c in only[s] for c, s in grid]
        grid = grid[np.asarray(keep, dtype=bool)]
    sub = obs[obs["series"].isin(series) & obs["value"].notna()]  # a missing value is no data
    newest = newest_years(sub)
    specific = group_specific_series(sub, group)
    sub = sub[sub["iso3"].isin(countries)]
    any_year = sub.groupby(["iso3", "series"], observed=True)["year"].max()
    cols = ["iso3", "series", "source_type", "year"]
    alone = sub[sub["series"].isin(specific) & _is_group(sub, group)]
    evidence = pd.concat([_plain(pairs(sub, group), cols), _plain(alone, cols)])
    by_type = evidence.groupby(["iso3", "series", "source_type"], observed=True)["year"].max()
    out = pd.DataFrame(index=grid)
    out["group"] = group.id
    out["any_year"] = any_year.reindex(grid)
    out["latest_official_year"] = _level(by_type, "official").reindex(grid)
    out["latest_community_year"] = _level(by_type, "community").reindex(grid)
    out["newest_year"] = newest.reindex(out.index.get_level_values("series")).to_numpy()
    out = out.reset_index()
    official = out["latest_official_year"].notna()
    recent = (out["newest_year"] - out["latest_official_year"]) < recent_years
    conditions = [
        official & recent,
        official,
        out["latest_community_year"].notna(),
        out["any_year"].notna(),
    ]
    out["status"] = np.select(conditions, list(STATUSES[:4]), default="no_data")
    latest = np.select(
        conditions[:3] + [conditions[3]],
        [out["latest_official_year"]] * 2 + [out["latest_community_year"], out["any_year"]],
        default=np.nan,
    )
    out["latest_year"] = pd.array(latest, dtype="Int64")
    for col in ("latest_official_year", "latest_community_year", "newest_year"):
        out[col] = out[col].astype("Int64")
    cols = ["iso3", "series", "group", "status", "latest_year"]
    return out[[*cols, "latest_official_year", "latest_community_year", "newest_year"]]


def _is_group(obs: pd.DataFrame, group: Group) -> pd.Series:
    codes = obs[group.dimension].astype(object)
    return codes.map(group.is_group_code).astype(bool)


def newest_years(obs: pd.DataFrame) -> pd.Series:
    """Newest year per series from official rows (all rows for a series with no official one).

    Community data from one country must not move the recency window of every other country.
    """
    official = obs[obs["source_type"] == "official"].groupby("series", observed=True)["year"].max()
    every = obs.groupby("series", observed=True)["year"].max()
    # Plain string keys: reindexing one CategoricalIndex by another fails in pandas 3.1 once
    # there are more than 127 categories and one side is empty (int8 vs int16 codes).
    official.index = official.index.astype(object)
    every.index = every.index.astype(object)
    return official.reindex(every.index).fillna(every)


def group_specific_series(obs: pd.DataFrame, group: Group) -> set[str]:
    """Series about the group itself: its dimension never holds a reference code in ``obs``.

    Under-5 mortality (age ``<5Y`` only) or women's share of managers (sex ``F`` only) have no
    reference to compare with: there, a value for the group is what makes it visible.
    """
    present = set(obs.loc[_is_group(obs, group), "series"].astype(object))
    with_reference = set(
        obs.loc[obs[group.dimension].isin(group.reference), "series"].astype(object)
    )
    return present - with_reference


def _level(by_type: pd.Series, source_type: str) -> pd.Series:
    """Latest year per (iso3, series) for one source type (empty when it has none)."""
    if source_type not in set(by_type.index.get_level_values("source_type")):
        return pd.Series(dtype="float64")
    return by_type.xs(source_type, level="source_type", drop_level=True)


def coverage(statuses: pd.DataFrame) -> pd.DataFrame:
    """Counts of each status per (country, group) and the share disaggregated.

    Args:
        statuses: output of ``status`` (possibly several groups concatenated).

    Returns:
        Columns ``iso3, group, expected, disaggregated, outdated, community_only, total_only,
        no_data, share`` (share = disaggregated / expected, NaN when nothing is expected).
    """
    counts = pd.crosstab([statuses["iso3"], statuses["group"]], statuses["status"])
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    counts = counts.reset_index()
    counts.insert(2, "expected", counts[list(STATUSES)].sum(axis=1))
    counts["share"] = counts["disaggregated"] / counts["expected"].replace(0, np.nan)
    return counts


def region_coverage(cov: pd.DataFrame, members: dict[str, list[str]]) -> pd.DataFrame:
    """Coverage of regions, summed over their member countries (never the regions' own rows).

    Args:
        cov: output of ``coverage``.
        members: region M49 code -> ISO3 codes of member countries.

    Returns:
        Columns ``region, group, countries, expected, <statuses>, share`` where ``countries`` is
        the number of member countries and the counts are sums over them.
    """
    frames = []
    for region, iso3s in members.items():
        part = cov[cov["iso3"].isin(iso3s)]
        summed = part.groupby("group")[["expected", *STATUSES]].sum()
        summed.insert(0, "countries", part.groupby("group")["iso3"].nunique())
        summed.insert(0, "region", region)
        frames.append(summed.reset_index())
    if not frames:
        return pd.DataFrame(
            columns=["region", "group", "countries", "expected", *STATUSES, "share"]
        )
    out = pd.concat(frames, ignore_index=True)
    out["share"] = out["disaggregated"] / out["expected"].replace(0, np.nan)
    return out[["region", "group", "countries", "expected", *STATUSES, "share"]]


def disparity(
    found: pd.DataFrame, polarity: dict[str, str], small_n: int = 30, group: Group | None = None
) -> pd.DataFrame:
    """Group versus reference for every matched pair.

    Args:
        found: output of ``pairs``.
        polarity: series -> ``higher_better`` | ``lower_better`` | ``unknown``.
        small_n: sample sizes below this are flagged.
        group: the group the pairs are of (its dimension is never counted as a split); by
            default taken from ``found["group_dim"]``.

    Returns:
        ``found`` plus ``difference`` (group - reference), ``ratio`` (group / reference, NaN
        when the reference is 0), ``direction`` (``worse``, ``better``, ``equal`` or ``unknown``
        when the polarity is unknown or a value is only a bound), ``small_sample`` and
        ``headline`` (True for the slice where every other breakdown is a total).
    """
    out = found.copy()
    out["difference"] = out["value"] - out["ref_value"]
    out["ratio"] = out["value"] / out["ref_value"].where(out["ref_value"] != 0)
    pol = out["series"].astype(object).map(polarity).astype(object).fillna("unknown")
    sign = np.where(pol == "higher_better", 1, np.where(pol == "lower_better", -1, 0))
    signed = out["difference"] * sign
    bounded = (out["value_flag"] != "") | (out["ref_value_flag"] != "")
    out["direction"] = np.select(
        [(sign == 0) | bounded | out["difference"].isna(), signed < 0, signed > 0],
        ["unknown", "worse", "better"],
        default="equal",
    )
    out["small_sample"] = (out["n"] < small_n) | (out["ref_n"] < small_n)
    out["headline"] = _headline(out, group)
    return out


def _headline(found: pd.DataFrame, group: Group | None) -> pd.Series:
    """True where no breakdown but the group's own is split.

    A breakdown with one code throughout a series (e.g. age 15+ for every unemployment value)
    is the series' base, not a split.
    """
    if found.empty:
        return pd.Series(False, index=found.index, dtype=bool)
    own = group.dimension if group is not None else str(found["group_dim"].iloc[0])
    split = pd.Series(0, index=found.index)
    for col in [*(d for d in DIMENSIONS if d != own), "other_dims"]:
        single = found.groupby("series", observed=True)[col].transform("nunique") == 1
        total = found[col].isin(_TOTAL_LIKE) | (found[col] == "")
        split += ~(total | single)
    return split == 0
