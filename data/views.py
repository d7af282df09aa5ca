"""What the overview and the matrix show, from the gap engine's results (pure pandas, no Dash).

Every function takes frames from ``data.queries`` (statuses, coverage, disparities, catalogue)
plus scalars, and returns a small frame or dict that a layout builder turns into components.
Keeping this here makes the numbers testable on hand-made frames and keeps the callbacks to
lookups on precomputed results. The country page's frames are in ``data.views_country``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from data import reference
from data.gaps import STATUSES

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
# beside MAP_COLUMNS: the gap reason in the status and coverage maps (``gaps.REASONS``) and,
# for ``stale``, its age in years
REASON_COLUMNS = ["reason", "age"]
_OUT = MAP_COLUMNS + REASON_COLUMNS


_DERIVED: dict[tuple[int, str], Any] = {}
_WATCHED: set[int] = set()


def derived(frame: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(frame)``, computed once per frame object (a look-up structure of a cached table).

    The engine's tables (``data.queries``) are built once per store version and never changed in
    place, so what is derived from one (its rows per series, its reasons per country) is kept as
    long as the table lives and dropped with it.
    """
    key = (id(frame), name)
    found = _DERIVED.get(key)
    if found is None:
        if key[0] not in _WATCHED:
            _WATCHED.add(key[0])
            weakref.finalize(frame, _forget, key[0])
        found = _DERIVED[key] = build(frame)
    return found


def _forget(ident: int) -> None:
    _WATCHED.discard(ident)
    for key in [k for k in list(_DERIVED) if k[0] == ident]:
        _DERIVED.pop(key, None)


def rows_by(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Value of ``column`` -> row positions in ``frame`` (once per frame, see ``derived``)."""

    def build(f: pd.DataFrame) -> dict[str, np.ndarray]:
        col = f[column]
        if isinstance(col.dtype, pd.CategoricalDtype):  # by its codes (a stable sort): the
            # same ascending positions, without a Python string per row (~0.25 s at 10M)
            codes = col.array.codes
            order = np.argsort(codes, kind="stable")
            counts = np.bincount(codes[codes >= 0], minlength=len(col.cat.categories))
            bounds = int((codes < 0).sum()) + np.concatenate([[0], np.cumsum(counts)])
            return {
                str(k): order[bounds[i] : bounds[i + 1]]
                for i, k in enumerate(col.cat.categories)
                if counts[i]
            }
        values = col.to_numpy(dtype=object)
        return {str(k): v for k, v in pd.Series(values).groupby(values, sort=False).indices.items()}

    return derived(frame, f"rows_by:{column}", build)


def text_cells(frame: pd.DataFrame, column: str, at: np.ndarray) -> np.ndarray:
    """A column's values at rows ``at`` (-1: missing, NaN), as an object array.

    What ``np.asarray(frame[column].array.take(at, allow_fill=True), dtype=object)`` gives,
    through the column's codes and distinct values, found once per frame (``derived``): a few
    hundred cells of a text column in ~1 us instead of ~30 us through Arrow's take and its
    conversion to Python strings. For the engine's small tables (statuses: one row per
    country x series), not for the observations (codes take 8 bytes a row).
    """

    def build(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        codes, distinct = pd.factorize(f[column])  # a missing value: code -1
        return codes, np.append(np.asarray(distinct, dtype=object), np.nan)  # [-1]: NaN

    codes, words = derived(frame, f"codes:{column}", build)
    at = np.asarray(at, dtype=np.intp)
    picked = codes[np.where(at >= 0, at, 0)] if len(codes) else np.full(len(at), -1)
    return words[np.where(at >= 0, picked, -1)]


def rows_of(frame: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    """``frame[frame[column] == value]`` through ``rows_by`` (same rows, same order)."""
    rows = rows_by(frame, column).get(value)
    return frame.iloc[rows] if rows is not None else frame.iloc[0:0]


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


_PAIR_KEYS = ["iso3", "headline", "year", "period_sort", "source_type"]


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
    # Choose on the few key columns, then take the chosen rows: sorting and copying every
    # column of a large group's pairs cost most of a map update. The series' rows are sorted
    # best first once per table (``derived``); a year window then only filters them. pandas
    # sorts on several columns stably (ties keep their rows' order), so filtering the sorted
    # rows gives the order sorting the filtered rows gives: the same pair is chosen.
    ranked = derived(disp, "ranked_pairs", lambda _: {})
    keys = ranked.get(series)
    if keys is None:
        # the series' rows through a look-up built once per table (``rows_of``), not a scan
        keys = rows_of(disp, "series", series)[_PAIR_KEYS]
        keys = keys[keys["iso3"] != ""]
        keys = keys.assign(_official=keys["source_type"] == "official")
        keys = keys.sort_values(["headline", "year", "period_sort", "_official"], ascending=False)
        keys = ranked[series] = keys[["iso3", "year"]]
    if year is not None:
        keys = keys[(keys["year"] <= year) & (keys["year"] > year - window)]
    first = ~keys["iso3"].duplicated().to_numpy()  # each country's best pair (its first row)
    return disp.loc[keys.index[first]]


# what the maps read of a pair (``map_frame``, ``tables.map_table``)
_MAP_PAIR = [
    "series",
    *_PAIR_KEYS,
    "value",
    "ref_value",
    "difference",
    "ratio",
    "direction",
    "period",
    "nature",
    "dataset",
    "source_row",
    "ref_source_row",
]


def series_pairs(disp: pd.DataFrame, series: str) -> pd.DataFrame:
    """The pairs of one series with the columns a map reads, kept per table and series.

    ``latest_pairs`` of it equals ``latest_pairs`` of ``disp`` in those columns; a map update
    then sorts and copies its few rows instead of every column of the group's pairs.
    """
    kept = derived(disp, "series_pairs", lambda _: {})
    part = kept.get(series)
    if part is None:
        cols = [c for c in dict.fromkeys(_MAP_PAIR) if c in disp]
        part = kept[series] = rows_of(disp, "series", series)[cols]
    return part


_NUMERIC = ("z", "value", "ref_value", "difference", "ratio", "age")


def _frame(iso3s: list[str], lang: str) -> pd.DataFrame:
    """MAP_COLUMNS with names, NaN numbers and empty texts (built at once: ~10x faster)."""
    named = names(iso3s, lang)
    cols: dict[str, Any] = {"iso3": list(iso3s), "name": [named[c] for c in iso3s]}
    cols.update({c: np.nan if c in _NUMERIC else "" for c in _OUT[2:]})
    return pd.DataFrame(cols)


def best_status(cov: pd.DataFrame) -> pd.Series:
    """The best status a country reaches over its expected series (coverage rows)."""
    best = pd.Series("no_data", index=cov.index, dtype=object)
    for status in reversed(STATUSES[:-1]):
        best = best.mask(cov[status] > 0, status)
    return best


def coverage_marker(cov: pd.DataFrame) -> pd.Series:
    """Why a country with no recent split is uncoloured ("" where the colour says it all).

    The coverage map colours the share of recent splits; a marker would overstate it (one
    recent series of 63 is not "disaggregated"), so only countries without any recent split
    get one: ``outdated`` (only older splits), ``community_only``, ``total_only`` (totals,
    never split) or ``no_data``.

    Args:
        cov: coverage rows (disaggregated, outdated, community_only, total_only counts).
    """
    marker = best_status(cov)
    return marker.where(cov["disaggregated"] <= 0, "")


def top_shares(frame: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` countries with the highest coverage, skipping 0 % (and NaN) entries.

    Args:
        frame: ``map_frame`` output in coverage mode (name, z = share).
        n: how many.
    """
    positive = frame[frame["z"].astype(float) > 0]
    return positive.sort_values(["z", "name"], ascending=[False, True]).head(n)


def find_country(query: str, names: Mapping[str, str]) -> str:
    """ISO3 of the country a search box names ("" when none or ambiguous).

    Matches, ignoring case: an ISO3 code, a whole name, else the only name starting with the
    text, else the only name containing it.

    Args:
        query: what was typed.
        names: ISO3 -> display name.
    """
    text = " ".join(str(query or "").split()).casefold()
    if not text:
        return ""
    if text.upper() in names:
        return text.upper()
    folded = {iso3: str(name).casefold() for iso3, name in names.items()}
    exact = sorted(iso3 for iso3, name in folded.items() if name == text)
    if exact:
        return exact[0]
    for test in (str.startswith, str.__contains__):
        hits = [iso3 for iso3, name in folded.items() if test(name, text)]
        if len(hits) == 1:
            return hits[0]
    return ""


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
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per country of the selection with what the map colours and the hover shows.

    Args:
        mode: ``gaps`` (coverage, or the status of ``series`` when given), ``values`` or
            ``disparity``. Coverage rows get the country's most common gap ``reason``
            (``main_reasons``); status rows the series' ``reason`` and ``age``.
        iso3s: the countries of the chosen region.
        statuses: ``queries.statuses`` of the group (iso3, series, status, latest_year,
            reason, age), restricted to the series the coverage counts.
        coverage: ``queries.coverage`` of the group (iso3, expected, <statuses>, share).
        disparities: ``queries.disparities`` of the group.
        series: the chosen series ("" = all expected series; only valid in gaps mode).
        year: last year of the window, or None for latest.
        window: the recency window in years.
        polarity: the series' polarity (``higher_better``, ``lower_better``, ``unknown``).
        dataset_names: dataset id -> name for the source column.
        lang: language of the country names.
        pairs: ``latest_pairs`` of the series when the caller has them already.

    Returns:
        ``MAP_COLUMNS`` and ``REASON_COLUMNS``: ``z`` is what is coloured (share, status
        index, value or signed gap), NaN where the country has nothing to colour; ``status``
        says why.
    """
    args = (mode, iso3s, statuses, coverage, disparities, series, year, window, polarity)
    cols = map_columns(*args, dataset_names=dataset_names, lang=lang, pairs=pairs)
    if cols is None:
        return _plain_map_frame(*args, dataset_names=dataset_names, lang=lang, pairs=pairs)
    return pd.DataFrame(cols)


def _plain_map_frame(
    mode: str,
    iso3s: list[str],
    statuses: pd.DataFrame,
    coverage: pd.DataFrame,
    disparities: pd.DataFrame,
    series: str,
    year: int | None,
    window: int,
    polarity: str = "unknown",
    *,
    dataset_names: Mapping[int, str] | None = None,
    lang: str = "en",
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``map_frame`` the plain pandas way (frames of unusual shape: empty, no reasons)."""
    out = _frame(iso3s, lang).set_index("iso3")
    if mode == "gaps" and not series:
        cov = coverage.set_index("iso3").reindex(out.index)
        known = cov["expected"].fillna(0) > 0
        out["z"] = cov["share"].where(known)
        out["value"] = out["z"]
        out["status"] = coverage_marker(cov.fillna(0)).where(known, "")
        out["expected"] = cov["expected"].fillna(0).astype(int)
        out["disaggregated"] = cov["disaggregated"].fillna(0).astype(int)
        if "reason" in statuses:
            # each country's main reason depends on its rows only: computed once per table
            top = derived(statuses, "main_reasons", main_reasons).set_index("iso3")
            out["reason"] = top["reason"].reindex(out.index).fillna("").where(known, "")
        return out.reset_index()[_OUT]
    st = rows_of(statuses, "series", series).set_index("iso3").reindex(out.index)
    out["status"] = st["status"].fillna("no_data").astype(object)
    out["period"] = st["latest_year"].astype("string").fillna("")
    if "reason" in st:
        out["reason"] = st["reason"].astype(object).fillna("")
        out["age"] = pd.to_numeric(st["age"], errors="coerce").astype(float)
    if mode == "gaps":
        out["z"] = out["status"].map({s: float(i) for i, s in enumerate(STATUSES)})
        return out.reset_index()[_OUT]
    if pairs is None:
        pairs = latest_pairs(series_pairs(disparities, series), series, year, window)
    pairs = pairs.set_index("iso3")
    has = out.index.isin(pairs.index)
    found = pairs.reindex(out.index)  # whole columns at once, not a .loc write per column
    for col in ("value", "ref_value", "difference", "ratio"):
        out[col] = found[col].astype(float)
    for col in ("direction", "period", "nature", "source_type"):
        kept = np.where(has, found[col].astype(str).to_numpy(), out[col].to_numpy())
        out[col] = pd.Series(kept, index=out.index, dtype=out[col].dtype)
    source = found["dataset"].map(dict(dataset_names or {})).astype(object)
    out["source"] = pd.Series(source.where(has, "").fillna(""), dtype=out["source"].dtype)
    sign = {"higher_better": 1.0, "lower_better": -1.0}.get(polarity, 1.0)
    out["z"] = out["value"] if mode == "values" else out["difference"].astype(float) * sign
    return out.reset_index()[_OUT]


@lru_cache(maxsize=1)
def _text_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (what ``_frame`` columns get)."""
    return pd.Series(["x"]).dtype


_NAMES: dict[str, dict[str, str]] = {}


def _names_list(iso3s: list[str], lang: str) -> list[str]:
    """``names(iso3s, lang)`` in order, remembered per language (a few hundred codes each)."""
    known = _NAMES.setdefault(lang, {})
    out = []
    for c in iso3s:
        name = known.get(c)
        if name is None:
            name = known[c] = reference.area_name(c, lang)
        out.append(name)
    return out


def positions(codes: np.ndarray, iso3s: list[str]) -> np.ndarray | None:
    """Row of each ISO3 in ``codes`` (-1 when absent); None when a code repeats.

    What ``set_index("iso3").reindex(iso3s)`` reads, without building the frames.
    """
    at = {c: i for i, c in enumerate(codes.tolist())}
    if len(at) != len(codes):
        return None
    return np.fromiter((at.get(c, -1) for c in iso3s), np.int64, len(iso3s))


def taken(values: np.ndarray, pos: np.ndarray, fill: Any) -> np.ndarray:
    """``values`` at ``pos``, ``fill`` where ``pos`` is -1 (an object array)."""
    out = np.full(len(pos), fill, dtype=object)
    hit = pos >= 0
    out[hit] = values[pos[hit]]
    return out


def _texts(col: pd.Series) -> np.ndarray:
    """``col.astype(str).to_numpy()``: missing values stay NaN (a tenth of the time on codes)."""
    if isinstance(col.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(
        col.cat.categories
    ):
        words = np.append(col.cat.categories.to_numpy(dtype=object), np.nan)
        return words[col.cat.codes.to_numpy()]  # -1 (missing): the last, NaN
    return col.astype(str).to_numpy()


def _year_texts(years: Any) -> pd.Series:
    """``pd.Series(years).astype("string").fillna("")``: years as texts, "" where missing.

    Whole-number years written by numpy at once (~0.17 -> ~0.07 ms a map); other dtypes the
    plain way.
    """
    if not isinstance(years.dtype, pd.Int64Dtype):
        return pd.Series(years).astype("string").fillna("")
    texts = years.to_numpy(dtype=np.int64, na_value=0).astype(str).astype(object)
    texts[years.isna()] = ""
    return pd.Series(pd.array(texts, dtype="string"))


def map_columns(
    mode: str,
    iso3s: list[str],
    statuses: pd.DataFrame,
    coverage: pd.DataFrame,
    disparities: pd.DataFrame,
    series: str,
    year: int | None,
    window: int,
    polarity: str = "unknown",
    *,
    dataset_names: Mapping[int, str] | None = None,
    lang: str = "en",
    pairs: pd.DataFrame | None = None,
) -> dict[str, Any] | None:
    """``map_frame``'s columns (arrays in ``_OUT`` order), None for frames of unusual shape.

    Built as whole arrays by row positions and turned into a frame once: the same values and
    dtypes as ``_plain_map_frame`` (tests/test_payload_fast.py) at a tenth of its pandas calls.
    """
    n = len(iso3s)
    if not n or mode == "progress":
        return None
    text = _text_dtype()
    blank = np.full(n, "", dtype=object)
    nan = np.full(n, np.nan)
    cols: dict[str, Any] = {
        "iso3": np.array(iso3s, dtype=object),
        "name": np.array(_names_list(iso3s, lang), dtype=object),
    }
    cols.update({c: nan if c in _NUMERIC else blank for c in _OUT[2:]})
    if mode == "gaps" and not series:
        return _coverage_columns(cols, iso3s, statuses, coverage, text)
    if not {"iso3", "status", "latest_year"} <= set(statuses):
        return None
    rows = rows_by(statuses, "series").get(series)
    rows = rows if rows is not None else np.empty(0, dtype=np.intp)

    def cells(column: str, at: np.ndarray) -> Any:
        """The column's cells at rows ``at`` of ``statuses`` (-1: missing), nothing else."""
        return statuses[column].array.take(at, allow_fill=True)

    pos = positions(text_cells(statuses, "iso3", rows), iso3s)
    if pos is None:
        return None
    found = pos >= 0
    # each country's row in ``statuses`` (-1: none): the series' whole rows are never copied
    at = np.where(found, rows[np.where(found, pos, 0)], -1) if len(rows) else np.full(n, -1)
    status = text_cells(statuses, "status", at)
    status[pd.isna(status)] = "no_data"
    cols["status"] = pd.Series(status, dtype=object)
    period = _year_texts(cells("latest_year", at))
    cols["period"] = period
    if "reason" in statuses:
        reason = text_cells(statuses, "reason", at)
        reason[pd.isna(reason)] = ""
        cols["reason"] = pd.Series(reason, dtype=object)
        age = pd.Series(cells("age", at))
        cols["age"] = pd.to_numeric(age, errors="coerce").astype(float).to_numpy()
    if mode == "gaps":
        index = {s: float(i) for i, s in enumerate(STATUSES)}
        cols["z"] = np.array([index.get(s, np.nan) for s in status], dtype=float)
        return cols
    if pairs is None:
        pairs = latest_pairs(series_pairs(disparities, series), series, year, window)
    ppos = positions(pairs["iso3"].to_numpy(dtype=object), iso3s)
    if ppos is None:
        return None
    has = ppos >= 0
    at = np.where(has, ppos, 0)
    for col in ("value", "ref_value", "difference", "ratio"):
        values = pairs[col].astype(float).to_numpy()
        cols[col] = np.where(has, values[at], np.nan) if len(pairs) else nan
    base = {"period": period.to_numpy(dtype=object)}
    for col in ("direction", "period", "nature", "source_type"):
        kept = taken(_texts(pairs[col]), np.where(has, ppos, -1), "")
        kept = np.where(has, kept, base.get(col, blank))
        cols[col] = pd.Series(kept, dtype=period.dtype if col == "period" else text)
    named = dict(dataset_names or {})
    sets = pairs["dataset"].to_numpy()
    source = [named.get(sets[p], "") if h else "" for p, h in zip(ppos, has, strict=True)]
    cols["source"] = pd.Series(
        ["" if s is None or s != s else s for s in source], dtype=object
    ).astype(text)
    sign = {"higher_better": 1.0, "lower_better": -1.0}.get(polarity, 1.0)
    cols["z"] = cols["value"] if mode == "values" else cols["difference"] * sign
    return cols


def _coverage_columns(
    cols: dict[str, Any],
    iso3s: list[str],
    statuses: pd.DataFrame,
    coverage: pd.DataFrame,
    text: Any,
) -> dict[str, Any] | None:
    """The coverage map's columns (``map_columns`` without a series)."""
    if "reason" not in statuses:
        return None
    top = derived(statuses, "main_reasons", main_reasons)
    if top.empty or top["reason"].dtype != text:
        return None
    pos = positions(derived(coverage, "iso3", lambda f: f["iso3"].to_numpy(dtype=object)), iso3s)
    tpos = positions(top["iso3"].to_numpy(dtype=object), iso3s)
    if pos is None or tpos is None:
        return None
    found = pos >= 0

    def counts(column: str) -> np.ndarray:
        values = coverage[column].to_numpy(dtype=float)
        return np.where(found, values[np.where(found, pos, 0)], np.nan)

    expected = np.nan_to_num(counts("expected"), nan=0.0)
    known = expected > 0
    share = counts("share")
    cols["z"] = np.where(known, share, np.nan)
    cols["value"] = cols["z"]
    best = np.full(len(iso3s), "no_data", dtype=object)
    for status in reversed(STATUSES[:-1]):
        best = np.where(counts(status) > 0, status, best)
    disagg = np.nan_to_num(counts("disaggregated"), nan=0.0)
    marker = np.where(disagg <= 0, best, "")
    cols["status"] = pd.Series(np.where(known, marker, "").astype(object), dtype=object)
    cols["expected"] = expected.astype(int)
    cols["disaggregated"] = disagg.astype(int)
    reason = taken(top["reason"].to_numpy(dtype=object), tpos, "")
    reason[pd.isna(reason)] = ""
    cols["reason"] = np.where(known, reason, "").astype(object)
    return cols


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
    inside = set(iso3s)
    codes = derived(cov, "iso3", lambda f: f["iso3"].to_numpy(dtype=object))
    keep = np.fromiter((c in inside for c in codes), bool, len(codes))
    counts = ["expected", "disaggregated", "outdated", "community_only"]
    if all(cov[c].dtype == np.int64 for c in counts):  # whole numbers: numpy sums are exact
        exp, dis, old, com = (
            derived(cov, f"int:{c}", lambda f, c=c: f[c].to_numpy()) for c in counts
        )
        rows = keep & (exp > 0)
        dis, split = dis[rows], (dis[rows] + old[rows] + com[rows]) > 0
        expected, disagg = int(exp[rows].sum()), int(dis.sum())
        return {
            "countries": int(rows.sum()),
            "any": int(split.sum()),
            "recent": int((dis > 0).sum()),
            "none": int((~split).sum()),
            "expected": expected,
            "disaggregated": disagg,
            "share": disagg / expected if expected else float("nan"),
        }
    part = cov[keep & (cov["expected"] > 0).to_numpy()]
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
    # the series' cells of the two columns read, not its whole rows (0.3 -> 0.1 ms at 10M)
    rows = rows_by(statuses, "series").get(series)
    rows = rows if rows is not None else np.empty(0, dtype=np.intp)
    codes, status_of = (text_cells(statuses, c, rows) for c in ("iso3", "status"))
    inside = set(iso3s)
    counts = dict.fromkeys(STATUSES, 0)
    for code, status in zip(codes, status_of, strict=True):
        if code in inside and status in counts:
            counts[status] += 1
    return counts


def default_series(disparities: pd.DataFrame, expected: list[str]) -> str:
    """The expected series with the most countries having a group value ("" if none)."""
    return best_series(series_reach(disparities), expected)


def series_reach(disparities: pd.DataFrame) -> pd.Series:
    """Countries with a group value per series (series in sorted order).

    Computed once per group and source (``queries.series_reach``), so choosing a map's
    series is a look-up instead of a regrouping of every pair on each request.
    """
    d = disparities[disparities["iso3"] != ""]
    return d.groupby("series", observed=True)["iso3"].nunique()


def best_series(reach: pd.Series, expected: list[str]) -> str:
    """The expected series reaching the most countries (``series_reach``); ties by code."""
    counts = reach[reach.index.isin(expected)]
    if counts.empty:
        return expected[0] if expected else ""
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


ASCENDING = "-asc"  # suffix of a matrix sort value: lowest coverage first


def sort_key(sort: str) -> tuple[str, bool]:
    """(group id or "name", ascending) of a matrix sort value such as ``women-asc``."""
    if sort.endswith(ASCENDING):
        return sort[: -len(ASCENDING)], True
    return sort, False


def matrix_frame(
    coverages: pd.DataFrame,
    iso3s: list[str],
    groups: list[str],
    sort: str = "name",
    lang: str = "en",
    reasons: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Countries x groups coverage, long format, in display order.

    Args:
        coverages: ``queries.coverage`` of several groups concatenated (iso3, group, expected,
            disaggregated, share).
        iso3s: countries (rows).
        groups: group ids (columns).
        sort: ``name``, a group id (that group's share, highest first, then name) or a group
            id with ``ASCENDING`` appended (lowest first); countries the group has no expected
            series for come last either way.
        lang: language of names.
        reasons: ``main_reasons(statuses, ["iso3", "group"])`` of the groups: each cell's
            most common gap reason ("" when none or not given).

    Returns:
        Columns ``iso3, name, group, share, disaggregated, expected, reason``, one row per
        cell, rows of one country adjacent, countries in sort order.
    """
    grid = pd.MultiIndex.from_product([iso3s, groups], names=["iso3", "group"])
    cov = coverages.set_index(["iso3", "group"])[["share", "disaggregated", "expected"]]
    out = cov[~cov.index.duplicated()].reindex(grid).reset_index()
    out[["disaggregated", "expected"]] = out[["disaggregated", "expected"]].fillna(0).astype(int)
    out["name"] = out["iso3"].map(names(iso3s, lang))
    out["reason"] = ""
    if reasons is not None and len(reasons):
        top = reasons.astype({"iso3": object, "group": object}).set_index(["iso3", "group"])
        found = top["reason"].reindex(pd.MultiIndex.from_frame(out[["iso3", "group"]]))
        out["reason"] = found.fillna("").to_numpy()
    order = out[["iso3", "name"]].drop_duplicates("iso3")
    group, ascending = sort_key(sort)
    if group in groups:
        key = out[out["group"] == group].set_index("iso3")["share"]
        order = order.assign(_k=order["iso3"].map(key), _na=lambda o: o["_k"].isna())
        order = order.sort_values(
            ["_na", "_k", "name"], ascending=[True, ascending, True], kind="stable"
        )
    else:
        order = order.sort_values("name", kind="stable")
    rank = {c: i for i, c in enumerate(order["iso3"])}
    out["_r"] = out["iso3"].map(rank)
    out["_g"] = out["group"].map({g: i for i, g in enumerate(groups)})
    out = out.sort_values(["_r", "_g"], kind="stable").drop(columns=["_r", "_g"])
    cols = ["iso3", "name", "group", "share", "disaggregated", "expected", "reason"]
    return out[cols].reset_index(drop=True)


# ---- reasons (issue #7): why a country's split is a gap, counted for legends and cells ----

GAP_STATUSES = ("outdated", "community_only", "total_only", "no_data")


def _reason_order(reasons: pd.Series) -> pd.Series:
    from data.gaps import REASONS

    return reasons.map({r: i for i, r in enumerate(REASONS)}).fillna(len(REASONS))


def main_reasons(statuses: pd.DataFrame, keys: Iterable[str] = ("iso3",)) -> pd.DataFrame:
    """The most common gap reason per key (country, or country and group), with its count.

    A gap is an expected split that is not ``disaggregated`` (recent and official); its reason
    is the engine's (``gaps.REASONS``). Ties go to the first reason of ``REASONS``.

    Args:
        statuses: ``queries.statuses`` rows (iso3, series, group, status, reason, ...).
        keys: the columns to group by.

    Returns:
        Columns ``*keys, reason, n, gaps`` (``n``: gaps with that reason; ``gaps``: all gaps of
        the key), one row per key having at least one gap with a reason.
    """
    keys = list(keys)
    gap = statuses["status"].to_numpy(dtype=object) != "disaggregated"
    gaps_ = statuses.loc[gap, [*keys, "reason"]]
    total = gaps_.groupby(keys, observed=True, sort=False).size().rename("gaps")
    named = gaps_[gaps_["reason"].to_numpy(dtype=object) != ""]
    if named.empty:
        return pd.DataFrame(columns=[*keys, "reason", "n", "gaps"])
    counts = named.groupby([*keys, "reason"], observed=True, sort=False).size()
    counts = counts.rename("n").reset_index()
    counts["_o"] = _reason_order(counts["reason"])
    counts = counts.sort_values([*keys, "n", "_o"], ascending=[True] * len(keys) + [False, True])
    top = counts.drop_duplicates(keys).drop(columns="_o")
    return top.merge(total.reset_index(), on=keys, how="left").reset_index(drop=True)


def reason_totals(statuses: pd.DataFrame, iso3s: Iterable[str]) -> dict[str, int]:
    """Gaps (expected splits not ``disaggregated``) per reason over some countries, most first."""
    per_country = derived(statuses, "reason_counts", _reason_counts)
    counts: dict[str, int] = {}
    for iso3 in set(iso3s):
        for reason, n in per_country.get(iso3, {}).items():
            counts[reason] = counts.get(reason, 0) + n
    order = _reason_order(pd.Series(list(counts), dtype=object)).tolist()
    rank = dict(zip(counts, order, strict=True))
    ranked = sorted(counts.items(), key=lambda kv: (-int(kv[1]), rank[kv[0]], kv[0]))
    return {str(r): int(n) for r, n in ranked}


def _reason_counts(statuses: pd.DataFrame) -> dict[str, dict[str, int]]:
    """ISO3 -> gap reason -> gaps (not ``disaggregated``, reason given), for ``reason_totals``."""
    gap = statuses["status"].to_numpy(dtype=object) != "disaggregated"
    part = statuses.loc[gap, ["iso3", "reason"]].astype(object)
    part = part[part["reason"].to_numpy() != ""]
    out: dict[str, dict[str, int]] = {}
    for (iso3, reason), n in part.groupby(["iso3", "reason"], sort=False).size().items():
        out.setdefault(str(iso3), {})[str(reason)] = int(n)
    return out


def status_reasons(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per status shown on a status map: countries, and countries per reason (most first).

    Args:
        frame: ``map_frame`` output in status mode (status, reason, age).

    Returns:
        status -> {"n": countries, "reasons": [(reason, n), ...], "ages": (min, max) or None};
        statuses in engine order, only those present.
    """
    out: dict[str, dict[str, Any]] = {}
    for status in STATUSES:
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        counts = part["reason"][part["reason"] != ""].value_counts()
        order = _reason_order(pd.Series(counts.index, index=counts.index))
        ranked = sorted(counts.items(), key=lambda kv: (-int(kv[1]), order[kv[0]]))
        ages = pd.to_numeric(part["age"], errors="coerce").dropna()
        out[status] = {
            "n": int(len(part)),
            "reasons": [(str(r), int(n)) for r, n in ranked],
            "ages": (int(ages.min()), int(ages.max())) if len(ages) else None,
        }
    return out


# ---- progress (issue #7): change since a base year in the share of splits with a value ----


def progress_frame(
    progress: pd.DataFrame, iso3s: list[str], base: int, now: int, lang: str = "en"
) -> pd.DataFrame:
    """One row per country: share of expected splits with a value at ``base`` and ``now``.

    Args:
        progress: ``queries.progress`` of the group (iso3, year, expected, with_value, share).
        iso3s: the countries of the chosen region.
        base: the base year (clipped to the years present).
        now: the as-of year.
        lang: language of the names.

    Returns:
        Columns ``iso3, name, z`` (change in share, NaN when nothing is expected),
        ``expected, base_n, now_n, base_share, now_share, base, now, direction``
        (``improved``, ``declined``, ``unchanged`` or "").
    """
    out = _frame(iso3s, lang)[["iso3", "name"]].set_index("iso3")
    years = set(progress["year"].astype(int)) if len(progress) else set()
    base = min(max(int(base), min(years)), max(years)) if years else int(base)
    at = {
        y: progress[progress["year"] == y].set_index("iso3").reindex(out.index) for y in (base, now)
    }
    expected = at[now]["expected"].fillna(0).astype(int)
    known = expected > 0
    out["expected"] = expected
    out["base_n"] = at[base]["with_value"].fillna(0).astype(int)
    out["now_n"] = at[now]["with_value"].fillna(0).astype(int)
    out["base_share"] = at[base]["share"].astype(float).where(known)
    out["now_share"] = at[now]["share"].astype(float).where(known)
    out["z"] = (out["now_share"] - out["base_share"]).where(known)
    out["base"], out["now"] = base, int(now)
    change = out["now_n"] - out["base_n"]
    direction = np.select([change > 0, change < 0], ["improved", "declined"], "unchanged")
    out["direction"] = np.where(known, direction, "")
    return out.reset_index()


def progress_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Countries that improved, declined or stayed unchanged (``progress_frame`` rows)."""
    d = frame["direction"].value_counts()
    return {k: int(d.get(k, 0)) for k in ("improved", "declined", "unchanged")}
