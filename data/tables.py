"""One function per table: what a view shows, and what the API, a download and the brief give.

The page, the "Download data" file, the ``/api/v1/`` answer and the country brief of the same
filters are built by the same function here, so they can never disagree. Every function takes
scalars (the dashboard's URL parameters, already validated) and returns a frame from the gap
engine's results (``data.queries``) through the view frames of ``data.views`` and
``data.views_country``. Rows that are observations keep their provenance: dataset (id and
name), source, Nature, footnote and the row of the source file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from data import display, queries, reference, views
from data import views_country as vc
from data.catalogue import about_group
from data.schema import DIMENSIONS
from data.vocab import groups as all_groups

WORLD = "001"
OBSERVATION_COLUMNS = [
    "iso3",
    "m49",
    "area_name",
    "series",
    "series_title",
    "indicator",
    "goal",
    "period",
    "year",
    "value",
    "value_flag",
    "lower",
    "upper",
    "n",
    "unit",
    *DIMENSIONS,
    "other_dims",
    "source_type",
    "dataset",
    "dataset_name",
    "source",
    "nature",
    "footnote",
    "source_row",
    "reporting_type",
]
GAP_COLUMNS = ["iso3", "series", "group", "status", "reason", "age", "latest_year"]
PROVENANCE = ["dataset", "dataset_name", "source", "nature", "footnote", "source_row"]
DISPARITY_COLUMNS = [
    "iso3",
    "series",
    "group",
    "period",
    "year",
    "group_dim",
    "group_code",
    "ref_code",
    "value",
    "ref_value",
    "difference",
    "ratio",
    "direction",
    "headline",
    "small_sample",
    "unit",
    "source_type",
    *PROVENANCE,
    "ref_source_row",
    "ref_footnote",
]
PROJECT = "LNOB Data-Gap Map"


# ---- scope: the same countries and series the dashboard's filters select ----


def countries_in(region: str = WORLD) -> list[str]:
    """ISO3 codes of the counted countries of a region (every one for the world, ``001``)."""
    return list(_countries_in(region))


@lru_cache(maxsize=64)
def _countries_in(region: str) -> tuple[str, ...]:
    """``countries_in`` kept per region (the reference lists never change in a process)."""
    counted = reference.counted_countries()
    if region == WORLD:
        return tuple(counted)
    inside = set(reference.members(region))
    return tuple(c for c in counted if c in inside)


Version = tuple[int, int]  # (store identity, store version)


def _version() -> Version:
    """The key of per-version look-ups: the store's identity and its version.

    Another store opened in the same process (as tests do) restarts its versions at 1.
    """
    return queries.store().identity, queries.snapshot().version


def series_goals() -> dict[str, tuple[str, ...]]:
    """Series -> its SDG goals (from the catalogue's ``goal``, e.g. "10, 16")."""
    return dict(_series_goals(_version()))


@lru_cache(maxsize=4)
def _series_goals(version: Version) -> dict[str, tuple[str, ...]]:
    cat = queries.snapshot().catalogue
    return {
        str(s): tuple(g.strip() for g in str(goal).split(",") if g.strip())
        for s, goal in zip(cat["series"], cat["goal"], strict=True)
    }


def series_in(group: str, goal: str = "all") -> list[str]:
    """Series split by ``group`` within ``goal`` ("all": every goal), as the filters offer."""
    return list(_series_in(_version(), group, goal))


@lru_cache(maxsize=256)
def _series_in(version: Version, group: str, goal: str) -> tuple[str, ...]:
    cat = queries.snapshot().catalogue
    goals = _series_goals(version)
    return tuple(
        str(s)
        for s, gs in zip(cat["series"], cat["groups"], strict=True)
        if group in gs and (goal == "all" or goal in goals.get(str(s), ()))
    )


def dataset_names() -> dict[int, str]:
    """Dataset id -> name."""
    sets = queries.snapshot().datasets
    return {int(i): str(n) for i, n in zip(sets["id"], sets["name"], strict=True)}


def _groups(group: str) -> list[str]:
    return [group] if group else list(all_groups())


# ---- the API's tables (also the offline pack's) ----


def observations_table(
    *,
    country: str = "",
    series: str = "",
    goal: str = "all",
    year: int | None = None,
    region: str = WORLD,
    source: str = "all",
) -> pd.DataFrame:
    """Observations with their provenance, filtered like the dashboard.

    Returns:
        ``OBSERVATION_COLUMNS`` (strings as plain objects), one row per stored observation,
        ordered by country, series, period and source row; regional aggregates (iso3 "") only
        when neither a country nor a region other than the world is asked for.
    """
    obs = queries.observations(source)
    keep = pd.Series(True, index=obs.index)
    if country:
        keep &= obs["iso3"] == country
    elif region != WORLD:
        keep &= obs["iso3"].isin(countries_in(region))
    if series:
        keep &= obs["series"] == series
    if goal != "all":
        keep &= obs["series"].isin([s for s, gs in series_goals().items() if goal in gs])
    if year is not None:
        keep &= obs["year"] == year
    part = obs[keep.to_numpy()]
    part = part.sort_values(["iso3", "series", "period_sort", "source_row"], kind="stable")
    names = dataset_names()
    out = part.assign(dataset_name=part["dataset"].map(names).astype(object))[OBSERVATION_COLUMNS]
    return out.astype(_plain_types(out)).reset_index(drop=True)


def _plain_types(frame: pd.DataFrame) -> dict[str, Any]:
    return {c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}


def gaps_table(
    *,
    group: str = "",
    country: str = "",
    series: str = "",
    goal: str = "all",
    region: str = WORLD,
    source: str = "all",
) -> pd.DataFrame:
    """Status and reason of every country x expected series x group (``data.gaps``).

    With a country, the series that apply only to other countries are listed with reason
    ``not_expected_here`` and no status, as ``python -m data gaps --country`` does.

    Returns:
        ``GAP_COLUMNS``.
    """
    frames = []
    for g in _groups(group):
        st = queries.statuses(g, source)
        if goal != "all":
            st = st[st["series"].isin(series_in(g, goal))]
        frames.append(st)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=GAP_COLUMNS)
    if series:
        frame = frame[frame["series"] == series]
    if country:
        frame = frame[frame["iso3"] == country]
        others = [
            {"iso3": country, "series": s, "group": g, "status": "", "reason": "not_expected_here"}
            for g in _groups(group)
            for s in queries.not_expected_here(g, country)
            if (not series or s == series) and (goal == "all" or s in series_in(g, goal))
        ]
        if others:
            frame = pd.concat([frame, pd.DataFrame(others)], ignore_index=True)
    elif region != WORLD:
        frame = frame[frame["iso3"].isin(countries_in(region))]
    frame = frame.reindex(columns=GAP_COLUMNS)
    return frame.astype(_plain_types(frame)).reset_index(drop=True)


def coverage_table(
    *,
    group: str = "",
    country: str = "",
    goal: str = "all",
    region: str = WORLD,
    source: str = "all",
) -> pd.DataFrame:
    """Coverage per country and group (``gaps.coverage``; restricted to a goal's series).

    Returns:
        Columns ``iso3, group, expected, <one count per status>, share``.
    """
    frames = []
    for g in _groups(group):
        if goal == "all":
            frames.append(queries.coverage(g, source))
            continue
        from data import gaps

        st = queries.statuses(g, source)
        part = st[st["series"].isin(series_in(g, goal))]
        if len(part):
            frames.append(gaps.coverage(part))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=["iso3", "group", "expected", *_statuses(), "share"])
    frame = frame.astype({"iso3": object, "group": object})
    if country:
        frame = frame[frame["iso3"] == country]
    elif region != WORLD:
        frame = frame[frame["iso3"].isin(countries_in(region))]
    return frame.reset_index(drop=True)


def _statuses() -> tuple[str, ...]:
    from data.gaps import STATUSES

    return STATUSES


def _notes(obs: pd.DataFrame) -> dict[tuple[int, int], tuple[str, str]]:
    """(dataset, source_row) -> (source, footnote) of the observations."""
    return {
        (int(d), int(r)): (str(s), str(f))
        for d, r, s, f in zip(
            obs["dataset"], obs["source_row"], obs["source"], obs["footnote"], strict=True
        )
    }


def rows_for(
    obs: pd.DataFrame, pairs: pd.DataFrame, rows: tuple[str, ...] = ("source_row", "ref_source_row")
) -> pd.DataFrame:
    """The observations a look-up by (dataset, source row) of ``pairs`` can find, in order.

    A dictionary of these gives the same answers for the pairs' keys as one of all ``obs``
    (the same rows in the same order: the last of a repeated key still wins), built from a
    few rows instead of every observation of a country or series.
    """
    want = np.concatenate([_key(pairs["dataset"], pairs[r]) for r in rows if r in pairs])
    return obs[np.isin(_key(obs["dataset"], obs["source_row"]), want)]


def with_provenance(pairs: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Disparity rows with dataset name, source and both footnotes looked up by source row.

    Args:
        pairs: ``gaps.disparity`` rows (dataset, source_row, ref_source_row, ...).
        obs: observations covering those rows (dataset, source_row, source, footnote).
    """
    notes = _notes(rows_for(obs, pairs)) if len(pairs) else {}
    keys = list(zip(pairs["dataset"].astype(int), pairs["source_row"].astype(int), strict=True))
    refs = zip(pairs["dataset"].astype(int), pairs["ref_source_row"].astype(int), strict=True)
    return pairs.assign(
        dataset_name=pairs["dataset"].map(dataset_names()).astype(object),
        source=[notes.get(k, ("", ""))[0] for k in keys],
        footnote=[notes.get(k, ("", ""))[1] for k in keys],
        ref_footnote=[notes.get(k, ("", ""))[1] for k in refs],
    )


def with_provenance_of(pairs: pd.DataFrame, source: str, series: str) -> pd.DataFrame:
    """``with_provenance(pairs, obs)`` with ``obs`` the source's observations of ``series``.

    The pairs' rows are found through a sorted key of the observations built once per store
    version (``_obs_keys``) instead of a dictionary of every observation of the series.
    """
    return pairs.assign(
        dataset_name=pairs["dataset"].map(dataset_names()).astype(object),
        **source_notes(pairs, source, series),
    )


def source_notes(
    pairs: pd.DataFrame, source: str, series: str, refs: bool = True
) -> dict[str, list[str]]:
    """The columns ``with_provenance_of`` adds beside ``dataset_name``, as lists.

    ``source`` and ``footnote`` of each pair's group row, and ``ref_footnote`` of its reference
    row unless ``refs`` is False (the map reads only the first two).
    """
    obs = queries.observations(source)
    wanted = ["source", "footnote", *(["ref_footnote"] if refs else [])]
    in_order = _key_columns(source)
    keys = order = None
    if in_order is None:  # not in (dataset, source row) order: a sorted copy of the keys
        keys, order, unique = _obs_keys(_version(), source, id(obs))
    if (in_order is None and not unique) or not len(pairs):
        # a source row read twice: the plain way (last one wins)
        named = with_provenance(pairs, obs[(obs["series"] == series).to_numpy()])
        return {name: named[name].tolist() for name in wanted}

    def found(rows: str) -> tuple[np.ndarray, np.ndarray]:
        datasets = pairs["dataset"].to_numpy(dtype=np.int64)
        want_rows = pairs[rows].to_numpy(dtype=np.int64)
        if in_order is not None:
            pos, hit = _find_in_order(*in_order, datasets, want_rows)
        else:
            want = (datasets << 32) | want_rows
            at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
            pos, hit = order[at], keys[at] == want
        # only the pairs' rows are read below, never whole columns
        hit &= obs["series"].iloc[pos].to_numpy(dtype=object) == series
        return pos, hit

    def column(name: str, pos: np.ndarray, hit: np.ndarray) -> list[str]:
        values = obs[name].iloc[pos].to_numpy(dtype=object)
        return [str(v) if h else "" for v, h in zip(values, hit, strict=True)]

    pos, hit = found("source_row")
    out = {"source": column("source", pos, hit), "footnote": column("footnote", pos, hit)}
    if refs:
        out["ref_footnote"] = column("footnote", *found("ref_source_row"))
    return out


def _key(dataset: pd.Series, row: pd.Series) -> np.ndarray:
    return (dataset.to_numpy(dtype=np.int64) << 32) | row.to_numpy(dtype=np.int64)


def in_key_order(source: str = "all") -> bool:
    """Whether the source's rows are in (dataset, source row) order, each key once.

    As a store keeps them (imported file by file, row by row). Checked once per store version
    (~50 ms at 10M rows; the warm-up asks, so workers share the answer).
    """
    return _key_columns(source) is not None


def _key_columns(source: str) -> tuple[np.ndarray, np.ndarray] | None:
    obs = queries.observations(source)
    same = source != "all" and obs is queries.observations("all")  # one answer for both
    return _in_key_order(_version(), id(obs), "all" if same else source)


@lru_cache(maxsize=4)
def _in_key_order(version: Version, _of: int, source: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The source's dataset and source-row columns if ``in_key_order``, else None.

    Then a key is found by binary search in the columns themselves: no sorted copy of 10M
    keys (160 MB and 0.5 s in every worker at 10M observations).
    """
    obs = queries.observations(source)
    datasets = obs["dataset"].to_numpy(dtype=np.int64)
    rows = obs["source_row"].to_numpy(dtype=np.int64)
    if len(rows) > 1:
        same = datasets[1:] == datasets[:-1]
        if not ((datasets[1:] > datasets[:-1]) | (same & (rows[1:] > rows[:-1]))).all():
            return None
    return datasets, rows


def _find_in_order(
    datasets: np.ndarray, rows: np.ndarray, want_sets: np.ndarray, want_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of (dataset, source row) keys in columns sorted by them, and which exist."""
    pos = np.zeros(len(want_sets), dtype=np.intp)
    hit = np.zeros(len(want_sets), dtype=bool)
    if not len(rows):
        return pos, hit
    for d in np.unique(want_sets):
        mine = want_sets == d
        lo, hi = np.searchsorted(datasets, d, "left"), np.searchsorted(datasets, d, "right")
        at = lo + np.searchsorted(rows[lo:hi], want_rows[mine])
        at = np.minimum(at, len(rows) - 1)
        pos[mine] = at
        hit[mine] = (datasets[at] == d) & (rows[at] == want_rows[mine])
    return pos, hit


@lru_cache(maxsize=6)
def _obs_keys(version: Version, source: str, _of: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """The source's observation keys, sorted: (keys, their row positions, all keys unique).

    A key is the dataset id and the source row in one integer.
    """
    obs = queries.observations(source)
    keys = _key(obs["dataset"], obs["source_row"])
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    unique = bool(len(ordered) == 0 or (ordered[1:] != ordered[:-1]).all())
    return ordered, order, unique


def disparities_table(
    *,
    group: str = "",
    country: str = "",
    series: str = "",
    goal: str = "all",
    year: int | None = None,
    region: str = WORLD,
    source: str = "all",
) -> pd.DataFrame:
    """Every matched group/reference pair with its gap and provenance (``gaps.disparity``).

    Returns:
        ``DISPARITY_COLUMNS`` (``group_code``: the group's code in its dimension).
    """
    frames = []
    for g in _groups(group):
        d = queries.disparities(g, source)
        keep = d["iso3"] != ""
        if country:
            keep &= d["iso3"] == country
        elif region != WORLD:
            keep &= d["iso3"].isin(countries_in(region))
        if series:
            keep &= d["series"] == series
        if goal != "all":
            keep &= d["series"].isin(series_in(g, goal))
        if year is not None:
            keep &= d["year"] == year
        part = d[keep.to_numpy()]
        if len(part):
            dim = all_groups()[g].dimension
            frames.append(part.assign(group=g, group_code=part[dim].astype(object)))
    if not frames:
        return pd.DataFrame(columns=DISPARITY_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    obs = queries.observations(source)
    obs = obs[obs["iso3"].isin(set(out["iso3"]))] if len(out) < len(obs) else obs
    out = with_provenance(out, obs).sort_values(["iso3", "series", "group", "period_sort"])
    out = out[DISPARITY_COLUMNS]
    return out.astype(_plain_types(out)).reset_index(drop=True)


def series_table() -> pd.DataFrame:
    """The series catalogue: code, indicator, goal, target, title, unit, polarity, groups.

    ``groups`` and ``countries`` (a national series' countries) are joined with ", ".
    """
    cat = queries.snapshot().catalogue
    cols = ["series", "indicator", "goal", "target", "title", "unit", "polarity"]
    out = cat[cols].astype(object).copy()
    out["groups"] = [", ".join(g) for g in cat["groups"]]
    out["countries"] = [", ".join(c) if c else "" for c in cat["countries"]]
    return out.sort_values("series").reset_index(drop=True)


def countries_table(lang: str = "en") -> pd.DataFrame:
    """Every country or area the dashboard knows: ISO3, M49, name, and whether it is counted."""
    frame = reference.countries()
    counted = set(reference.counted_countries())
    return pd.DataFrame(
        {
            "iso3": frame["iso3"].astype(object),
            "m49": frame["m49"].astype(object),
            "name": [reference.area_name(c, lang) for c in frame["iso3"]],
            "counted": [c in counted for c in frame["iso3"]],
        }
    ).sort_values("iso3", ignore_index=True)


def groups_table() -> pd.DataFrame:
    """The LNOB groups: id, label, dimension, group codes and reference codes."""
    rows = [
        {
            "group": g.id,
            "label": g.label,
            "dimension": g.dimension,
            "codes": " ".join(g.codes),
            "reference": " ".join(g.reference),
        }
        for g in all_groups().values()
    ]
    return pd.DataFrame(rows, columns=["group", "label", "dimension", "codes", "reference"])


def datasets_table(ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Datasets with their provenance (all, or those of ``ids``), without import options."""
    sets = queries.snapshot().datasets
    if ids is not None:
        sets = sets[sets["id"].isin({int(i) for i in ids})]
    cols = [c for c in sets.columns if c not in ("options", "checksum")]
    return sets[cols].reset_index(drop=True)


def citation(ids: Iterable[int] | None = None, url: str = "", today: date | None = None) -> dict:
    """How to cite a table: the project, the datasets it draws on and their licences.

    Args:
        ids: the datasets the table's rows come from (None: every dataset in the store).
        url: the address the table was taken from.
        today: the retrieval date (default: today).

    Returns:
        ``citation`` (one sentence), ``licence`` (the datasets' licences, "; "-joined),
        ``datasets`` (id, name, source_type, attribution, licence, illustrative), ``retrieved``
        (ISO date), ``url`` and ``as_of`` (the year statuses are computed as of).
    """
    sets = datasets_table(ids)
    day = (today or date.today()).isoformat()
    who = sorted({str(a).strip().rstrip(".") for a in sets["attribution"] if str(a).strip()})
    credits = "; ".join(who) or "; ".join(sorted(set(sets["name"].astype(str)))) or "no dataset"
    licences = sorted({str(x).strip() for x in sets["licence"] if str(x).strip()})
    text = f"{PROJECT}, data from {credits}. Retrieved {day}" + (f" from {url}." if url else ".")
    keep = ["id", "name", "source_type", "attribution", "licence", "illustrative"]
    return {
        "citation": text,
        "licence": "; ".join(licences) or "not stated by the datasets",
        "datasets": sets[keep].to_dict("records"),
        "retrieved": day,
        "url": url,
        "as_of": int(queries.snapshot().as_of or 0),
    }


# ---- the views' tables: the map, the coverage matrix and the country page ----

MAP_PROVENANCE = ["dataset", "source_row", "ref_source_row", "data_source", "footnote"]


def group_statuses(group: str, source: str = "all", goal: str = "all") -> pd.DataFrame:
    """Statuses of a group, restricted to the series of one goal unless goal is "all".

    One frame per store version, group, source and goal (the same object on every call, so
    the look-ups ``views`` derives from it are built once).
    """
    st = queries.statuses(group, source)
    if goal == "all":
        return st
    return _goal_statuses(_version(), group, source, goal, id(st))


@lru_cache(maxsize=64)
def _goal_statuses(version: Version, group: str, source: str, goal: str, _of: int) -> pd.DataFrame:
    st = queries.statuses(group, source)
    return st[st["series"].isin(series_in(group, goal))]


def group_coverage(group: str, source: str = "all", goal: str = "all") -> pd.DataFrame:
    """``coverage_table`` of one group and goal for every country, once per store version."""
    return _group_coverage(_version(), group, source, goal, id(group_statuses(group, source, goal)))


@lru_cache(maxsize=64)
def _group_coverage(version: Version, group: str, source: str, goal: str, _of: int) -> pd.DataFrame:
    return coverage_table(group=group, goal=goal, source=source)


def shown_series(mode: str, group: str, goal: str, series: str, source: str) -> str:
    """The series a map shows: the chosen one, else (values, disparity) the best covered one."""
    if mode == "progress":
        return ""
    if series or mode == "gaps":
        return series
    reach = queries.series_reach(group, source)
    return _best_series(_version(), group, goal, source, id(reach))


@lru_cache(maxsize=1024)  # every group x goal x source
def _best_series(version: Version, group: str, goal: str, source: str, _of: int) -> str:
    """``views.best_series`` of a group, goal and source, once per store version.

    ~1.6 ms of a map update at 10M observations, the same answer for every one.
    """
    return views.best_series(queries.series_reach(group, source), series_in(group, goal))


def catalogue_value(series: str, column: str, default: str = "") -> str:
    """One catalogue cell of a series (its unit, polarity, ...), ``default`` if not listed."""
    cat = queries.snapshot().catalogue
    rows = views.rows_by(cat, "series").get(series)
    # the column's cell only: taking the whole row copied every catalogue column (~0.5 ms)
    return str(cat[column].iloc[rows[0]]) if rows is not None and len(rows) else default


def map_table(state: Mapping[str, str], lang: str = "en") -> tuple[pd.DataFrame, str]:
    """What the map of a filter state colours, one row per country, and the series it shows.

    Args:
        state: validated URL state (``layouts.state.PARAMS``: mode, group, goal, series, year,
            region, source, base).
        lang: language of the country names.

    Returns:
        (frame, series). The frame is ``views.progress_frame`` in progress mode, else
        ``views.map_frame`` (``MAP_COLUMNS`` + ``REASON_COLUMNS``) plus ``MAP_PROVENANCE``:
        the drawn pair's dataset id, source rows, the source's own name and footnote ("" /
        NA where the country has no value).
    """
    mode, group, goal, source = state["mode"], state["group"], state["goal"], state["source"]
    region = state.get("region") or WORLD
    if mode == "progress":
        now = int(queries.snapshot().as_of or 0)
        first = min(int(state["base"]), now) if now else int(state["base"])
        prog = queries.progress(group, first_year=first)
        return views.progress_frame(prog, countries_in(region), first, now, lang), ""
    series = shown_series(mode, group, goal, state.get("series", ""), source)
    year = None if state["year"] == "latest" else int(state["year"])
    window = queries.settings().recent_years
    disp = queries.disparities(group, source)
    iso3s = countries_in(region)
    pairs = None
    if mode in ("values", "disparity"):  # chosen once, for the frame and its provenance
        pairs = views.latest_pairs(views.series_pairs(disp, series), series, year, window)
    args = (mode, iso3s, group_statuses(group, source, goal), group_coverage(group, source, goal))
    cols = views.map_columns(
        *args,
        disp,
        series,
        year,
        window,
        catalogue_value(series, "polarity", "unknown"),
        dataset_names=dataset_names(),
        lang=lang,
        pairs=pairs,
    )
    if cols is None:  # frames of unusual shape: the plain way
        return _plain_map_table(args, disp, series, year, window, source, lang, pairs), series
    n = len(iso3s)
    blank = pd.Series(np.full(n, pd.NA, dtype=object), dtype=object)
    cols.update(dict.fromkeys(MAP_PROVENANCE, blank))
    if pairs is not None and len(disp):
        at = views.positions(pairs["iso3"].to_numpy(dtype=object), iso3s)
        if at is None:
            return _plain_map_table(args, disp, series, year, window, source, lang, pairs), series
        notes = source_notes(pairs, source, series, refs=False)
        has = at >= 0
        rows = np.where(has, at, 0)
        for col in MAP_PROVENANCE[:3]:
            values = pairs[col].to_numpy(dtype=np.int64)
            picked = values[rows] if len(values) else np.zeros(n, dtype=np.int64)
            cols[col] = pd.arrays.IntegerArray(np.where(has, picked, 0), ~has)
        for col, src in (("data_source", "source"), ("footnote", "footnote")):
            # what reindexing gives: the pair's text, NaN where the country has none (the frame
            # infers the same dtype from it; no pair at all: float NaN, as reindexing gives)
            texts = np.array(notes[src], dtype=object)
            cols[col] = np.where(has, texts[rows], np.nan) if len(texts) else np.full(n, np.nan)
    return pd.DataFrame(cols), series


def _plain_map_table(
    args: tuple[Any, ...],
    disp: pd.DataFrame,
    series: str,
    year: int | None,
    window: int,
    source: str,
    lang: str,
    pairs: pd.DataFrame | None,
) -> pd.DataFrame:
    """``map_table``'s frame the plain pandas way (frames of unusual shape)."""
    mode, iso3s, statuses, cov = args
    frame = views.map_frame(
        mode,
        iso3s,
        statuses=statuses,
        coverage=cov,
        disparities=disp,
        series=series,
        year=year,
        window=window,
        polarity=catalogue_value(series, "polarity", "unknown"),
        dataset_names=dataset_names(),
        lang=lang,
        pairs=pairs,
    )
    frame = frame.assign(**dict.fromkeys(MAP_PROVENANCE, pd.NA))
    if mode in ("values", "disparity") and len(disp):
        if pairs is None:
            pairs = views.latest_pairs(views.series_pairs(disp, series), series, year, window)
        pairs = with_provenance_of(pairs, source, series).set_index("iso3")
        found = pairs.reindex(frame["iso3"])
        for col, src in zip(
            MAP_PROVENANCE, [*MAP_PROVENANCE[:3], "source", "footnote"], strict=True
        ):
            frame[col] = found[src].to_numpy()
        for col in MAP_PROVENANCE[:3]:
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    return frame


def matrix_reasons(source: str) -> pd.DataFrame:
    """The main gap reason of every country x group (``views.main_reasons``) for a source."""
    return pd.concat(
        [views.main_reasons(queries.statuses(g, source), ["iso3", "group"]) for g in all_groups()],
        ignore_index=True,
    )


def matrix_table(
    state: Mapping[str, str], lang: str = "en", reasons: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The coverage matrix of a filter state: countries x groups, long, in display order.

    Returns:
        ``views.matrix_frame`` output (iso3, name, group, share, disaggregated, expected,
        reason) for the state's region, source and sort.
    """
    ids = list(all_groups())
    source = state["source"]
    cov = pd.concat([queries.coverage(g, source) for g in ids], ignore_index=True)
    reasons = matrix_reasons(source) if reasons is None else reasons
    region = state.get("region") or WORLD
    return views.matrix_frame(cov, countries_in(region), ids, state["sort"], lang, reasons)


def country_frames(iso3: str, source: str) -> dict[str, pd.DataFrame]:
    """Statuses, coverage and disparities (with ``group``) of every group for one country.

    The disparities carry the columns the scorecard reads (``scorecard_table``: its pair and
    that pair's provenance), not all ~40: at 10M observations a country has ~12,000 pairs
    over the groups, and joining every column of them was most of a country page's first
    look-up.
    """
    parts: dict[str, list[pd.DataFrame]] = {"statuses": [], "coverage": [], "disparities": []}
    read = {"disparities": _SCORECARD_READS}
    for g in all_groups():
        frames = queries.country_frames(iso3, g, source, read)
        parts["statuses"].append(frames["statuses"])
        parts["coverage"].append(frames["coverage"])
        parts["disparities"].append(frames["disparities"].assign(group=g))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


# the disparity columns ``scorecard_table`` reads (``group`` is added per group)
_SCORECARD_READS = tuple(c for c in (*vc._CARD, "nature") if c != "group")


def _scorecard_columns(disp: pd.DataFrame) -> list[str]:
    """``_SCORECARD_READS`` that ``disp`` has."""
    return [c for c in _SCORECARD_READS if c in disp]


def country_observations(
    iso3: str, source: str = "all", series: str | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """The canonical observations of one country, in store order.

    ``series``: only that series' rows (``frame[frame["series"] == series]``), found among the
    country's codes before any row is copied. ``columns``: only those columns. A country has
    ~40,000 rows at 10M observations: copying all of them and every column took ~20 ms of a
    country page that shows one series.
    """
    obs = queries.observations(source)
    rows = country_rows(iso3, source)
    if series is not None and len(rows):
        rows = value_positions(obs["series"], series, among=rows)
    frame = obs if columns is None else obs[columns]
    return frame.iloc[rows] if len(rows) else frame.iloc[0:0]


def country_rows(iso3: str, source: str = "all") -> np.ndarray:
    """Row positions of one country's observations in ``queries.observations(source)``.

    Ascending. Found when the country is asked for (its codes compared: a few ms at 10M rows)
    and the last ones kept per worker. An index of every country, built at every start, took
    0.4 s of the 10M cold start and 80 MB of each worker (bench/RESULTS.md, eleventh round).
    """
    obs = queries.observations(source)
    # one answer for both when "official" is every row (the same frame)
    same = source != "all" and obs is queries.observations("all")
    return _country_rows(_version(), "all" if same else source, id(obs), iso3)


@lru_cache(maxsize=16)  # ~40k positions a country at 10M rows: ~5 MB a worker at most
def _country_rows(version: Version, source: str, _of: int, iso3: str) -> np.ndarray:
    return value_positions(queries.observations(source)["iso3"], iso3)


def value_positions(column: pd.Series, value: str, among: np.ndarray | None = None) -> np.ndarray:
    """Positions of ``value`` in ``column``, ascending (``np.flatnonzero(column == value)``).

    A categorical column (the observations' strings) compares its integer codes. ``among``:
    only those positions (ascending) are looked at, and those holding ``value`` returned.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        code = column.cat.categories.get_indexer([value])[0]
        if code < 0:
            return np.empty(0, dtype=np.intp)
        codes = column.array.codes
        if among is None:
            return np.flatnonzero(codes == code)
        return among[codes[among] == code]
    if among is None:
        return np.flatnonzero((column == value).to_numpy(dtype=bool, na_value=False))
    return among[(column.iloc[among] == value).to_numpy(dtype=bool, na_value=False)]


_NOTE_COLUMNS = ("dataset", "source_row", "source", "footnote")  # what ``_notes`` reads


def scorecard_table(
    iso3: str, source: str = "all", frames: dict[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The country page's scorecard (``views_country.scorecard``) with the largest gap's source.

    Args:
        iso3: the country.
        source: the source type.
        frames: ``country_frames(iso3, source)`` when the caller has them already.

    Returns:
        The scorecard's columns plus ``PROVENANCE`` and ``ref_source_row`` of the pair named
        in ``series``/``value``/``ref_value`` (NA when the group has none).
    """
    frames = country_frames(iso3, source) if frames is None else frames
    # the columns the scorecard's caveat and its pair's provenance read
    obs = country_observations(iso3, source, columns=[*_NOTE_COLUMNS])
    groups = list(all_groups())
    card = vc.scorecard(frames["coverage"], frames["disparities"], iso3, groups, obs)
    # the pair the scorecard names: its rows chosen in the scorecard's own order, among the
    # columns read here only (every step copies the frame; disparities carry ~40 columns)
    disp = frames["disparities"]
    # only the series the scorecard names: ``meaningful_pairs`` judges each series on its own
    # rows and the sort below is stable, so the first row of each key is the same (a tenth
    # of a country's ~12,000 pairs at 10M observations)
    disp = disp[disp["series"].isin(set(card["series"])).to_numpy()]
    d = vc.meaningful_pairs(disp[["group", *_scorecard_columns(disp)]])
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    keys = ["group", "series", "source_type", "period", "value", "ref_value"]
    d = d.drop_duplicates(keys)
    # the row of each scorecard line (keys unique: one match at most), and only those rows'
    # provenance looked up (a country has ~1,400 pairs, the scorecard names ten at most)
    at = (
        card[keys]
        .astype(object)
        .merge(d[keys].astype(object).assign(_at=np.arange(len(d))), on=keys, how="left")["_at"]
    )
    hit = at.notna().to_numpy()
    found = with_provenance(d.iloc[at[hit].astype(int).to_numpy()], obs)
    extra = [*PROVENANCE, "ref_source_row"]
    named = card.copy()  # the scorecard's own columns untouched
    for col in extra:
        values = np.full(len(card), np.nan, dtype=object)  # NaN where the group has no pair
        values[hit] = found[col].astype(object).to_numpy()
        named[col] = values
    for col in ("dataset", "source_row", "ref_source_row"):
        named[col] = pd.to_numeric(named[col]).astype("Int64")
    return named


def country_tables(
    iso3: str,
    state: Mapping[str, str],
    series: str,
    group_name: str = "",
    words: display.Words | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of the country page for a state and the series it shows.

    Args:
        iso3: the country.
        state: validated URL state (group, source used).
        series: the series the page shows (``layouts.pages.country.pick_series``; "" = none).
        group_name: the group's name for the line of a series about the group.
        words: a language's names of breakdown codes (the brief's; downloads: English).

    Returns:
        ``scorecard``, ``progress`` (``progress_rows``), ``timeseries`` (``timeseries_frame``
        plus dataset name, source, Nature and footnote per point), ``provenance``
        (``provenance_rows``, newest 400 as on the page), ``official_vs_community``,
        ``missing`` (``missing_splits``) and ``status_matrix`` (series x groups cell keys).
    """
    group, source = state["group"], state["source"]
    groups = list(all_groups())
    frames = country_frames(iso3, source)
    obs = country_observations(iso3, source)
    names = dataset_names()
    out = {
        "scorecard": scorecard_table(iso3, source, frames),
        "progress": vc.progress_rows(queries.progress(group), iso3),
    }
    mine = obs[obs["series"] == series] if series else obs.iloc[0:0]
    disp = queries.country_frames(iso3, group, source)["disparities"]
    pairs = disp[disp["series"] == series]
    dim = all_groups()[group].dimension if group in all_groups() else None
    ts = (
        vc.timeseries_frame(mine, pairs, dim, words=words)
        if series
        else pd.DataFrame(columns=vc.TS_COLUMNS)
    )
    g = all_groups().get(group)
    if g is not None and series in about_group(queries.snapshot().catalogue, g):
        ts = vc.as_group_line(ts, group_name or g.label)
    notes = _notes(mine)
    rows = list(zip(ts["dataset"].astype(int), ts["source_row"].astype(int), strict=True))
    nature = {
        (int(d), int(r)): str(n)
        for d, r, n in zip(mine["dataset"], mine["source_row"], mine["nature"], strict=True)
    }
    out["timeseries"] = ts.assign(
        dataset_name=ts["dataset"].map(names).astype(object),
        source=[notes.get(k, ("", ""))[0] for k in rows],
        nature=[nature.get(k, "") for k in rows],
        footnote=[notes.get(k, ("", ""))[1] for k in rows],
    )
    out["provenance"] = vc.provenance_rows(mine, names, words=words)
    every = queries.country_frames(iso3, group, "all")["disparities"]
    out["official_vs_community"] = vc.official_vs_community(every, iso3)
    published = vc.published_counts(obs)
    out["missing"] = vc.missing_splits(frames["statuses"], iso3, groups, series_goals(), published)
    out["status_matrix"] = vc.status_cells(frames["statuses"], iso3, groups).reset_index()
    return out
