"""The data-gap engine: for a country, a series and a group, what is known, how old, how far apart.

Pure functions over canonical observation frames (``schema.OBS_COLUMNS``). Nothing here averages
or drops observations: a group value is only ever compared with a reference value from the same
dataset, series, area, period, unit, Nature, reporting type and every other breakdown.

Statuses of (country, series, group), as of a year (default: the newest year of official,
observed country data in the store), in order of precedence:
- ``disaggregated``: official group and reference values observed for the same slice, the latest
  such year within ``recent_years`` of the as-of year (``as_of - latest < recent_years``: with 5
  and 2023, 2019-2023 count);
- ``outdated``: official group and reference observed, but only before that window;
- ``community_only``: only community (non-official) data give the split;
- ``total_only``: the country has the series, never split by that group;
- ``no_data``: the country has no observation of the series.
Beside each status a reason (``REASONS``) says why it is a gap, or what caveat a split carries.
Projections (Nature P) and values after the as-of year never count as data of their period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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
    dim = group.dimension
    others = [d for d in DIMENSIONS if d != dim]
    keys = [*_MATCH, *others]
    cols = [*keys, dim, "iso3", "year", "period_sort", "source_type", *_VALUE_COLS]
    ref_cols = {c: f"ref_{c}" for c in _VALUE_COLS}
    # Only rows with a value whose code is the group's or a reference's can pair. They are
    # matched on one integer per slice (the key columns' codes, NaN equal to NaN as in a
    # merge) instead of a merge on 16 object columns: the same pairs in the same order, many
    # times faster; only the paired rows' columns are ever copied.
    valid = obs["value"].notna().to_numpy()
    is_group = _is_group(obs, group).to_numpy() & valid
    refs = obs[dim].isin(group.reference).to_numpy(dtype=bool) & valid
    rows = np.flatnonzero(is_group | refs)
    codes = obs[dim].to_numpy(dtype=object)[rows]
    slices = _slice_ids(obs, keys, rows)
    left = np.flatnonzero(is_group[rows])
    at_cols = [obs.columns.get_loc(c) for c in cols]
    val_cols = [obs.columns.get_loc(c) for c in _VALUE_COLS]
    found = []
    for ref_code in group.reference:
        if not len(left):
            break
        right = np.flatnonzero(codes == ref_code)
        right = right[pd.Series(slices[right]).isin(slices[left]).to_numpy()]
        at = pd.DataFrame({"_k": slices[left], "_l": rows[left]}).merge(
            pd.DataFrame({"_k": slices[right], "_r": rows[right]}), on="_k", how="inner"
        )
        merged = pd.concat(
            [
                _plain(obs.iloc[at["_l"].to_numpy(), at_cols], cols).reset_index(drop=True),
                _plain(obs.iloc[at["_r"].to_numpy(), val_cols], _VALUE_COLS)
                .rename(columns=ref_cols)
                .reset_index(drop=True),
            ],
            axis=1,
        )
        merged["ref_code"] = ref_code
        merged["group_dim"] = dim
        found.append(merged)
        left = left[~pd.Series(slices[left]).isin(slices[right]).to_numpy()]
    if not found:
        names = [*cols, "ref_code", "group_dim", *ref_cols.values()]
        return pd.DataFrame(columns=names)
    return pd.concat(found, ignore_index=True)


def _slice_ids(obs: pd.DataFrame, keys: list[str], rows: np.ndarray) -> np.ndarray:
    """One integer per distinct combination of ``keys`` over ``obs``' rows at ``rows``.

    Equal values (NaN included) get equal integers, as a merge on those columns would match.
    """
    ids = np.zeros(len(rows), dtype=np.int64)
    size = 1
    for col in keys:
        column = obs[col]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()[rows].astype(np.int64) + 1  # NaN: -1 -> 0
            card = len(column.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(column.to_numpy()[rows], use_na_sentinel=False)
            card = max(len(uniques), 1)
        if size * card >= 2**62:  # renumber densely before the product could overflow
            ids, seen = pd.factorize(ids)
            size = max(len(seen), 1)
        ids = ids * card + codes
        size *= card
    return ids


# Nature codes of values that are not observations of the period (UN SDG / SDMX NATURE):
# E estimated, M modelled, P projected. They count as data, with the reason said.
ESTIMATE_NATURES = frozenset({"E", "M", "P"})
PROJECTION_NATURES = frozenset({"P"})  # never counted as data of its period
# Why a (country, series, group) is a gap, or the caveat of a split; "" = none.
REASONS: tuple[str, ...] = (
    "not_published",
    "not_expected_here",
    "declared_missing",
    "stale",
    "small_sample",
    "estimate_or_projection",
    "not_comparable",
    "community_only",
    "no_series",
)


def status(
    obs: pd.DataFrame,
    group: Group,
    series: Iterable[str],
    countries: Iterable[str],
    recent_years: int = 5,
    scope: Mapping[str, Iterable[str]] | None = None,
    *,
    as_of: int | None = None,
    specific: Iterable[str] | None = None,
    about: Iterable[str] = (),
    declared: Mapping[str, Iterable[str] | None] | None = None,
    small_n: int = 30,
) -> pd.DataFrame:
    """Status and reason of every (country, series) for one group.

    A country's statuses depend only on its own rows and on the store-wide context passed in
    (``as_of``, ``series``, ``specific``, ``scope``, ``declared``): adding rows for one country
    never changes another's.

    Args:
        obs: canonical observations (all areas; only rows with an ``iso3`` count as countries).
        group: the group.
        series: the series to report (usually those expected for the group).
        countries: ISO3 codes to report (usually every country).
        recent_years: the recency window (``GAPMAP_RECENT_YEARS``): a split is recent when
            ``as_of - year < recent_years``.
        scope: series -> the only countries it is expected of (national series, see
            ``catalogue.national_scope``); a series not named is expected of every country.
        as_of: the year statuses are computed as of: later values are ignored, and projections
            (Nature P) never count. Default ``as_of_year(obs)``.
        specific: series whose every value for the group counts without a reference (their
            dimension never holds a reference); default ``group_specific_series(obs, group)``.
        about: series about the group that carry none of its codes (``catalogue.about_group``,
            e.g. benefits for persons with severe disabilities): every value counts.
        declared: series -> countries that declared the split expected (None = every
            country): their missing split is ``declared_missing``.
        small_n: a sample smaller than this makes a split ``small_sample``.

    Returns:
        Columns ``iso3, series, group, status, latest_year`` (year of the latest split that
        decided the status; for ``total_only`` the latest year of any observation; NA for
        ``no_data``), ``reason`` (one of ``REASONS`` or ""), ``age`` (years since the latest
        official split, for ``stale``), ``latest_official_year``, ``latest_community_year``,
        ``newest_year`` (the as-of year), one row per country x series.
    """
    series = list(dict.fromkeys(series))
    countries = list(dict.fromkeys(countries))
    grid = pd.MultiIndex.from_product([countries, series], names=["iso3", "series"])
    if scope:
        only = {s: set(c) for s, c in scope.items()}
        keep = [s not in only or c in only[s] for c, s in grid]
        grid = grid[np.asarray(keep, dtype=bool)]
    sub = obs[obs["series"].isin(series) & obs["value"].notna()]  # a missing value is no data
    specific = set(group_specific_series(sub, group) if specific is None else specific)
    if as_of is None:
        as_of = as_of_year(sub)
    else:
        sub = sub[sub["year"] <= int(as_of)]
    sub = sub[sub["iso3"].isin(countries)]
    projected = _projected(sub)
    any_year = sub[~projected].groupby(["iso3", "series"], observed=True)["year"].max()
    found = pairs(sub, group)
    about = set(about)
    alone = sub[(sub["series"].isin(specific) & _is_group(sub, group)) | sub["series"].isin(about)]
    cols = ["iso3", "series", "source_type", "year", "nature", "n", "lower", "upper", "value"]
    evidence = pd.concat(
        [_plain(found, cols).assign(ref_n=found["ref_n"].to_numpy()), _plain(alone, cols)]
    )
    is_projection = _projected(evidence)
    real = evidence[~is_projection]
    by_type = real.groupby(["iso3", "series", "source_type"], observed=True)["year"].max()
    out = pd.DataFrame(index=grid)
    out["group"] = group.id
    out["any_year"] = any_year.reindex(grid)
    out["latest_official_year"] = _level(by_type, "official").reindex(grid)
    out["latest_community_year"] = _level(by_type, "community").reindex(grid)
    out["newest_year"] = as_of
    flags = _latest_flags(real[real["source_type"] == "official"], small_n)
    out = out.join(flags.reindex(grid)).join(_keys(evidence[is_projection], "projected"))
    groupish = _is_group(sub, group) | sub["series"].isin(about)
    out = out.join(_keys(sub[groupish & ~projected], "has_group"))
    out = out.reset_index()
    official = out["latest_official_year"].notna()
    recent = (as_of - out["latest_official_year"]) < recent_years
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
    out["reason"] = _reasons(out, _declared_mask(out, declared))
    age = (as_of - out["latest_official_year"]).where(out["status"] == "outdated")
    out["age"] = age.astype("Int64")
    for col in ("latest_official_year", "latest_community_year", "newest_year"):
        out[col] = out[col].astype("Int64")
    cols = ["iso3", "series", "group", "status", "latest_year", "reason", "age"]
    return out[[*cols, "latest_official_year", "latest_community_year", "newest_year"]]


def _keys(frame: pd.DataFrame, name: str) -> pd.Series:
    """True for every (iso3, series) present in ``frame`` (a column named ``name``)."""
    keys = frame[["iso3", "series"]].astype(object).drop_duplicates()
    index = pd.MultiIndex.from_frame(keys)
    return pd.Series(True, index=index, name=name, dtype=bool)


def _latest_flags(real: pd.DataFrame, small_n: int) -> pd.DataFrame:
    """Caveats of the latest official splits per (iso3, series): small sample, estimate."""
    if real.empty:
        return pd.DataFrame(columns=["small", "estimate"], dtype=bool)
    latest = real.groupby(["iso3", "series"], observed=True)["year"].transform("max")
    top = real[real["year"] == latest].copy()
    ref_n = top["ref_n"] if "ref_n" in top else np.nan
    wide = (top["upper"] - top["lower"]) > top["value"].abs()
    top["small"] = (top["n"] < small_n) | (ref_n < small_n) | wide
    top["estimate"] = top["nature"].isin(ESTIMATE_NATURES)
    # a caveat holds when every latest split carries it (one clean split is enough)
    flags = top.groupby(["iso3", "series"], observed=True)[["small", "estimate"]].all()
    flags.index = flags.index.set_levels([lv.astype(object) for lv in flags.index.levels])
    return flags


def _declared_mask(out: pd.DataFrame, declared: Mapping[str, Any] | None) -> np.ndarray:
    """0: not declared; 1: declared for every country (expectations.csv); 2: by this country."""
    if not declared:
        return np.zeros(len(out), dtype=int)
    return np.array(
        [
            0 if s not in declared else 1 if declared[s] is None else 2 * (c in set(declared[s]))
            for c, s in zip(out["iso3"], out["series"], strict=True)
        ],
        dtype=int,
    )


def _reasons(out: pd.DataFrame, declared: np.ndarray) -> np.ndarray:
    """The reason beside each status (see ``REASONS``).

    A published series never split is ``not_published``, and one not published at all
    ``no_series``, unless the country itself declared the split expected in its metadata
    (``declared_missing``); ``expectations.csv`` decides what is expected, not why it is missing.
    """
    st = out["status"].to_numpy()
    small = out["small"].fillna(False).to_numpy(dtype=bool)
    estimate = out["estimate"].fillna(False).to_numpy(dtype=bool)
    projected = out["projected"].fillna(False).to_numpy(dtype=bool)
    has_group = out["has_group"].fillna(False).to_numpy(dtype=bool)
    split = st == "disaggregated"
    gap = (st == "total_only") | (st == "no_data")
    return np.select(
        [
            split & small,
            split & estimate,
            st == "outdated",
            st == "community_only",
            gap & projected,
            (st == "total_only") & has_group,
            (st == "total_only") & (declared == 2),
            (st == "no_data") & (declared == 2),
            st == "total_only",
            st == "no_data",
        ],
        [
            "small_sample",
            "estimate_or_projection",
            "stale",
            "community_only",
            "estimate_or_projection",
            "not_comparable",
            "declared_missing",
            "declared_missing",
            "not_published",
            "no_series",
        ],
        default="",
    )


def _projected(frame: pd.DataFrame) -> pd.Series:
    """Rows that are not observations of their period: Nature P, or a period in the future."""
    from datetime import date

    nature = frame["nature"].astype(object).isin(PROJECTION_NATURES)
    return nature | (frame["year"] > date.today().year)


def as_of_year(obs: pd.DataFrame) -> int:
    """The default as-of year: the newest year of official, observed country data.

    Projections and future periods do not count; without official rows, all rows count; for
    an empty store, the current year. Community data never move it: one community survey
    must not make every other country's official data older.
    """
    rows = obs[(obs["iso3"].astype(object) != "") & obs["value"].notna()]
    rows = rows[~_projected(rows)]
    official = rows[rows["source_type"] == "official"]
    years = (official if len(official) else rows)["year"]
    if len(years):
        return int(years.max())
    from datetime import date

    return date.today().year


def _is_group(obs: pd.DataFrame, group: Group) -> pd.Series:
    """Rows whose code of the group's dimension belongs to the group.

    Asked once per distinct code (categories), not once per row.
    """
    codes = obs[group.dimension]
    if not isinstance(codes.dtype, pd.CategoricalDtype):
        codes = codes.astype(object).astype("category")
    cats = codes.cat.categories
    member = np.fromiter((bool(group.is_group_code(c)) for c in cats), bool, len(cats))
    member = np.append(member, bool(group.is_group_code(np.nan)) if codes.hasnans else False)
    return pd.Series(member[codes.cat.codes.to_numpy()], index=obs.index)


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


def progress(
    obs: pd.DataFrame,
    group: Group,
    expected: pd.DataFrame,
    years: Iterable[int],
    window: int = 5,
    *,
    specific: Iterable[str] = (),
    about: Iterable[str] = (),
    paired: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Coverage by year: how many expected splits had a value in that year or the window before.

    A split counts in year ``y`` when an official group value is paired with its reference (or
    is a value of a series about the group) in a year of ``(y - window, y]``; projections
    never count. The expected splits are those of ``status`` (the same rows), so the last year
    agrees with the coverage of ``status(..., as_of=y)``.

    Args:
        obs: canonical observations.
        group: the group.
        expected: ``status`` output of the group (iso3, series): the expected splits.
        years: the years to report.
        window: ``GAPMAP_RECENT_YEARS``.
        specific: as in ``status``.
        about: as in ``status``.
        paired: ``pairs`` of the official rows of ``obs`` when already computed (the
            disparity table; at least ``iso3, series, year, nature``): the same pairs as
            pairing the rows kept here, since the rows left out (other series or countries,
            projections) leave out whole slices (series, area, period and nature are matched).

    Returns:
        Columns ``iso3, group, year, expected, with_value, share``, one row per country of
        ``expected`` and year.
    """
    years = sorted({int(y) for y in years})
    grid = expected[["iso3", "series"]].astype(object).drop_duplicates()
    sub = obs[obs["value"].notna() & (obs["source_type"] == "official")]
    sub = sub[sub["series"].isin(set(grid["series"])) & sub["iso3"].isin(set(grid["iso3"]))]
    sub = sub[~_projected(sub)]
    alone = sub[
        (sub["series"].isin(set(specific)) & _is_group(sub, group)) | sub["series"].isin(set(about))
    ]
    cols = ["iso3", "series", "year"]
    if paired is None:
        paired = pairs(sub, group)
    else:  # the rows ``sub`` keeps, as pairs of them: both rows of a pair share these columns
        keep = paired["series"].isin(set(grid["series"])) & paired["iso3"].isin(set(grid["iso3"]))
        paired = paired[keep.to_numpy() & ~_projected(paired).to_numpy()]
    ev = pd.concat([_plain(paired, cols), _plain(alone, cols)]).drop_duplicates()
    ev = ev.merge(grid, on=["iso3", "series"], how="inner")
    counts = grid.groupby("iso3").size()
    frames = []
    for y in years:
        hit = ev[(ev["year"] <= y) & (ev["year"] > y - window)]
        found = hit.drop_duplicates(["iso3", "series"]).groupby("iso3").size()
        frames.append(
            pd.DataFrame(
                {
                    "iso3": counts.index,
                    "year": y,
                    "expected": counts.to_numpy(),
                    "with_value": found.reindex(counts.index).fillna(0).astype(int).to_numpy(),
                }
            )
        )
    cols = ["iso3", "group", "year", "expected", "with_value", "share"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["group"] = group.id
    out["share"] = out["with_value"] / out["expected"].replace(0, np.nan)
    return out.sort_values(["iso3", "year"], ignore_index=True)[cols]


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
