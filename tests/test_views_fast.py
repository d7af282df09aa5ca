"""The per-version look-ups of the map (data.views / data.tables) equal the plain computation.

Each fast path is compared, on the real-shape store (tests/realshape.py), with the scan it
replaces: row filters, reasons per country, the chosen pairs and their provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data import queries, views
from data import tables as data_tables
from data.vocab import groups as all_groups

SOURCES = ("all", "official", "community")


def _regions() -> list[list[str]]:
    every = data_tables.countries_in("001")
    return [every, data_tables.countries_in("002"), data_tables.countries_in("142"), ["KEN"], []]


def _plain_reason_totals(statuses: pd.DataFrame, iso3s) -> dict[str, int]:
    part = statuses[statuses["iso3"].isin(list(iso3s))]
    part = part[part["status"].astype(object) != "disaggregated"]
    counts = part["reason"].astype(object)
    counts = counts[counts != ""].value_counts()
    order = views._reason_order(pd.Series(counts.index, index=counts.index))
    ranked = sorted(counts.items(), key=lambda kv: (-int(kv[1]), order[kv[0]]))
    return {str(r): int(n) for r, n in ranked}


def _plain_headline(cov, iso3s):
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


def _plain_latest_pairs(disp, series, year, window):
    keys = disp.loc[disp["series"].to_numpy() == series, views._PAIR_KEYS]
    keys = keys[keys["iso3"] != ""]
    if year is not None:
        keys = keys[(keys["year"] <= year) & (keys["year"] > year - window)]
    keys = keys.assign(_official=keys["source_type"] == "official")
    keys = keys.sort_values(["headline", "year", "period_sort", "_official"], ascending=False)
    return disp.loc[keys.drop_duplicates("iso3").index]


def test_ranked_pairs_filtered_by_year_equal_a_sort_of_the_window():
    """``latest_pairs`` sorts a series' rows once and filters them per year window: the same
    rows as filtering first and sorting then, ties (same country, year, period, source) and
    missing periods included, whatever the windows asked before."""
    import numpy as np

    rng = np.random.default_rng(3)
    n = 4000
    disp = pd.DataFrame(
        {
            "series": rng.choice(["S", "T"], n),
            "iso3": rng.choice(["KEN", "NPL", "BGD", "VNM", ""], n),
            "headline": rng.random(n) < 0.3,
            "year": rng.integers(2005, 2025, n),
            "source_type": rng.choice(["official", "community"], n),
            "value": np.arange(n, dtype=float),  # tells the rows apart
        }
    )
    disp["period_sort"] = disp["year"] + rng.choice([0.0, 0.5, np.nan], n)
    disp.index = rng.permutation(n) + 100  # labels unlike positions
    for series in ("S", "T"):
        for year in (None, 2024, 2010, 2015, None, 2006):
            fast = views.latest_pairs(disp, series, year, 5)
            plain = _plain_latest_pairs(disp, series, year, 5)
            pd.testing.assert_frame_equal(fast, plain)
            assert len(fast) == fast["iso3"].nunique() > 0


@pytest.mark.parametrize("source", SOURCES)
def test_status_lookups_equal_scans(realshape, source):
    checked = 0
    for group in all_groups():
        st = data_tables.group_statuses(group, source)
        assert data_tables.group_statuses(group, source) is st  # one object: look-ups kept
        for series in sorted(set(st["series"].astype(object)))[:12] + ["NOPE"]:
            fast = views.rows_of(st, "series", series)
            plain = st[st["series"] == series]
            pd.testing.assert_frame_equal(fast, plain)
            for iso3s in _regions():
                assert views.status_counts(st, series, iso3s) == {
                    s: int((plain[plain["iso3"].isin(iso3s)]["status"] == s).sum())
                    for s in views.STATUSES
                }
                checked += 1
        for iso3s in _regions():
            assert views.reason_totals(st, iso3s) == _plain_reason_totals(st, iso3s)
            cov = data_tables.group_coverage(group, source)
            assert repr(views.headline(cov, iso3s)) == repr(_plain_headline(cov, iso3s))
        top = views.main_reasons(st).set_index("iso3")["reason"]
        for iso3s in _regions():
            part = st[st["iso3"].isin(iso3s)]
            plain = views.main_reasons(part).set_index("iso3")["reason"]
            pd.testing.assert_series_equal(
                top.reindex(plain.index),
                plain,
                check_index_type=False,
                check_categorical=False,
                check_dtype=False,
            )
    assert checked > 0


@pytest.mark.parametrize("in_order", [True, False])
@pytest.mark.parametrize("source", SOURCES)
def test_pairs_and_provenance_equal_scans(realshape, source, in_order, monkeypatch):
    """Source rows found in the store's own key order, or (rows in another order) through a
    sorted copy of the keys: the same provenance as a scan."""
    if not in_order:
        monkeypatch.setattr(data_tables, "_key_columns", lambda source: None)
    else:
        assert data_tables.in_key_order(source)  # a store keeps its rows in key order
    window = queries.settings().recent_years
    checked = 0
    for group in all_groups():
        disp = queries.disparities(group, source)
        for series in sorted(set(disp["series"].astype(object)))[:15]:
            for year in (None, 2020, 2016):
                fast = views.latest_pairs(views.series_pairs(disp, series), series, year, window)
                plain = _plain_latest_pairs(disp, series, year, window)
                pd.testing.assert_frame_equal(fast, plain[fast.columns])
                obs = queries.observations(source)
                want = data_tables.with_provenance(plain, obs[obs["series"] == series])
                got = data_tables.with_provenance_of(plain, source, series)
                pd.testing.assert_frame_equal(got, want)
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("source", SOURCES)
def test_the_series_a_map_chooses_is_the_best_covered_one(realshape, source):
    """``shown_series`` keeps its choice per store version: the same as choosing it again."""
    for group in all_groups():
        for goal in ("all", "1", "5", "99"):
            for mode in ("values", "disparity", "values"):
                reach = queries.series_reach(group, source)
                want = views.best_series(reach, data_tables.series_in(group, goal))
                assert data_tables.shown_series(mode, group, goal, "", source) == want
            assert data_tables.shown_series("values", group, goal, "X1", source) == "X1"
            assert data_tables.shown_series("gaps", group, goal, "", source) == ""


def test_goal_statuses_and_series_lists_equal_plain(realshape):
    cat = queries.snapshot().catalogue
    for group in all_groups():
        for goal in ("all", "1", "5", "8", "10", "99"):
            expected = [
                str(s)
                for s, gs, g in zip(cat["series"], cat["groups"], cat["goal"], strict=True)
                if group in gs and (goal == "all" or goal in [x.strip() for x in str(g).split(",")])
            ]
            assert data_tables.series_in(group, goal) == expected
            st = queries.statuses(group, "all")
            plain = st if goal == "all" else st[st["series"].isin(expected)]
            pd.testing.assert_frame_equal(data_tables.group_statuses(group, "all", goal), plain)
            pd.testing.assert_frame_equal(
                data_tables.group_coverage(group, "all", goal),
                data_tables.coverage_table(group=group, goal=goal, source="all"),
            )


def test_derived_values_go_with_their_frame():
    frame = pd.DataFrame({"series": ["a", "b", "a"], "x": [1, 2, 3]})
    assert views.rows_of(frame, "series", "a")["x"].tolist() == [1, 3]
    key = (id(frame), "rows_by:series")
    assert key in views._DERIVED
    del frame
    import gc

    gc.collect()
    assert key not in views._DERIVED


def _plain_notes(obs):
    return {
        (int(d), int(r)): (str(s), str(f))
        for d, r, s, f in zip(
            obs["dataset"], obs["source_row"], obs["source"], obs["footnote"], strict=True
        )
    }


@pytest.mark.parametrize("source", SOURCES)
def test_country_lookups_equal_scans(realshape, source):
    from data import views_country as vc

    obs_all = queries.observations(source)
    checked = 0
    for iso3 in ("KEN", "NPL", "GBR", "BRA", "ZZZ"):
        obs = data_tables.country_observations(iso3, source)
        pd.testing.assert_frame_equal(obs, obs_all[(obs_all["iso3"] == iso3).to_numpy()])
        # one series' rows and a few columns, found without copying the others: the same
        for series in [*pd.unique(obs["series"].astype(object))[:4], "NOT_A_SERIES"]:
            pd.testing.assert_frame_equal(
                data_tables.country_observations(iso3, source, series),
                obs[(obs["series"] == series).to_numpy()],
            )
        columns = ["dataset", "source_row", "footnote"]
        pd.testing.assert_frame_equal(
            data_tables.country_observations(iso3, source, columns=columns), obs[columns]
        )
        frames = data_tables.country_frames(iso3, source)
        pd.testing.assert_frame_equal(
            data_tables.scorecard_table(iso3, source, frames),
            data_tables.scorecard_table(iso3, source),
        )
        pairs = frames["disparities"]
        if pairs.empty:
            continue
        # provenance and footnotes from the few rows the pairs can find = from every row
        notes = _plain_notes(obs)
        got = data_tables.with_provenance(pairs, obs)
        keys = zip(pairs["dataset"].astype(int), pairs["source_row"].astype(int), strict=True)
        assert got["footnote"].tolist() == [notes.get(k, ("", ""))[1] for k in keys]
        plain_notes = {
            (int(d), int(r)): vc._note(f)
            for d, r, f in zip(obs["dataset"], obs["source_row"], obs["footnote"], strict=True)
        }
        want = [
            plain_notes.get((int(d), int(g))) is not None
            and plain_notes.get((int(d), int(r))) is not None
            and plain_notes.get((int(d), int(g))) != plain_notes.get((int(d), int(r)))
            for d, g, r in zip(
                pairs["dataset"], pairs["source_row"], pairs["ref_source_row"], strict=True
            )
        ]
        assert vc.footnotes_differ(pairs, obs).tolist() == want
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    "col",
    [
        pd.Series(pd.Categorical(["worse", "better", None, "worse"])),
        pd.Series(["a", None, "b"], dtype=object),
        pd.Series(pd.Categorical([1.5, None, 2.0])),  # codes of numbers: the plain way
        pd.Series(pd.Categorical([], categories=["x"])),
    ],
)
def test_texts_of_a_column_are_what_astype_str_gives(col):
    got, want = views._texts(col), col.astype(str).to_numpy()
    assert got.dtype == want.dtype and len(got) == len(want)
    assert all(g == w or (g != g and w != w) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("dtype", ["str", "category", object])
def test_text_cells_are_what_a_take_gives(dtype):
    col = pd.Series(["KEN", None, "NPL", "KEN", "VNM"], dtype=dtype)
    frame = pd.DataFrame({"iso3": col})
    for at in ([0, 1, 2, 3, 4], [4, -1, 0, 0, 1], [-1, -1], []):
        at = np.array(at, dtype=np.intp)
        want = np.asarray(col.array.take(at, allow_fill=True), dtype=object)
        got = views.text_cells(frame, "iso3", at)
        assert got.dtype == object
        assert [x if isinstance(x, str) else "NA" for x in got] == [
            x if isinstance(x, str) else "NA" for x in want
        ]
        assert pd.isna(got).tolist() == pd.isna(want).tolist()
    empty = pd.DataFrame({"iso3": pd.Series([], dtype=dtype)})
    nothing = views.text_cells(empty, "iso3", np.array([-1, -1]))
    assert len(nothing) == 2 and pd.isna(nothing).all()


@pytest.mark.parametrize("dtype", ["Int64", "float64", object])
def test_year_texts_are_what_astype_string_gives(dtype):
    years = pd.array([2019, None, 2005, 1999, None, 2024], dtype=dtype)
    want = pd.Series(years).astype("string").fillna("")
    pd.testing.assert_series_equal(views._year_texts(years), want)
    empty = pd.array([], dtype=dtype)
    pd.testing.assert_series_equal(
        views._year_texts(empty), pd.Series(empty).astype("string").fillna("")
    )


@pytest.mark.parametrize("categorical", [True, False])
def test_rows_by_a_column_are_the_positions_of_each_value(categorical):
    """Built from a categorical column's codes (no string per row): the same ascending
    positions as grouping the values, missing values and unused categories left out."""
    rng = np.random.default_rng(7)
    values = rng.choice(np.array(["B", "A", "C", None], dtype=object), 5000)
    col = pd.Series(values, dtype="category") if categorical else pd.Series(values, dtype=object)
    if categorical:
        col = col.cat.add_categories(["UNUSED"])
    frame = pd.DataFrame({"series": col, "v": np.arange(len(col))})
    got = views.rows_by(frame, "series")
    want = {str(k): np.flatnonzero((values == k) & pd.notna(values)) for k in ("A", "B", "C")}
    assert set(got) == set(want)
    for k, rows in want.items():
        np.testing.assert_array_equal(got[k], rows)
        pd.testing.assert_frame_equal(views.rows_of(frame, "series", k), frame.iloc[rows])
    assert views.rows_of(frame, "series", "UNUSED").empty


def test_keys_found_in_the_stores_order_equal_a_dictionary():
    """``source_notes`` finds a pair's source rows by binary search in the observations'
    own (dataset, source row) columns when they are in that order (no sorted copy)."""
    datasets = np.repeat(np.array([1, 2, 5], dtype=np.int64), [4, 3, 5])
    rows = np.array([2, 3, 7, 9, 1, 4, 6, 2, 3, 5, 8, 13], dtype=np.int64)
    where = {(int(d), int(r)): i for i, (d, r) in enumerate(zip(datasets, rows, strict=True))}
    want_sets = np.array([1, 1, 2, 5, 5, 3, 1, 5, 0], dtype=np.int64)
    want_rows = np.array([7, 8, 1, 13, 2, 1, 2, 14, 2], dtype=np.int64)
    pos, hit = data_tables._find_in_order(datasets, rows, want_sets, want_rows)
    keys = list(zip(want_sets.tolist(), want_rows.tolist(), strict=True))
    assert hit.tolist() == [k in where for k in keys]
    assert pos[hit].tolist() == [where[k] for k in keys if k in where]
