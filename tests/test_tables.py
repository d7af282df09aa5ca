"""data/tables.py: each table equals what the page computes and what the gap engine says."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from data import pipeline, queries, tables, views
from data import views_country as vc
from data.cache import cache
from data.settings import Settings
from data.store import Provenance, Store
from layouts import state
from layouts.pages import content
from tests.conftest import obs_frame

HOSTILE_NAME = "<script>alert('name')</script> survey"
HOSTILE_FOOTNOTE = '=HYPERLINK("http://evil.example/","click")'
HOSTILE_SOURCE = "@SUM(A1:A9)"
HOSTILE_ATTRIBUTION = "+cmd|' /C calc'!A0 <b>bold</b>"


# ---- shared by test_api.py and test_downloads.py ----


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    """The illustrative demo store, built once."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("demo"), cache_type="NullCache", demo_on_empty=True
    )
    pipeline.ensure_demo(queries.configure(settings))
    return settings


def use(settings: Settings) -> Settings:
    """Make ``settings``' store the one ``data.queries`` and the page content answer from.

    Kept when it already is (its computed results with it: the tests only read).
    """
    try:
        if queries.settings() is settings:
            return settings
    except RuntimeError:
        pass
    queries.configure(settings)
    content.reset()
    return settings


@pytest.fixture
def demo(demo_settings):
    return use(demo_settings)


@pytest.fixture
def shape(realshape_store):
    return use(realshape_store)


def _pair_rows(iso3, m49, year, gv, rv, **extra):
    base = {
        "series": "SL_TLF_UEMDIS",
        "iso3": iso3,
        "m49": m49,
        "period": str(year),
        "year": year,
        "period_sort": float(year),
        "unit": "PERCENT",
        "indicator": "8.5.2",
        "goal": "8",
        "target": "8.5",
        "series_title": "Unemployment rate <i>by disability</i>",
        "nature": "C",
        **extra,
    }
    return [
        {**base, "disability": "PD", "value": gv},
        {**base, "disability": "PWD", "value": rv},
        {**base, "value": (gv + rv) / 2},
    ]


def build_hostile_store(data_dir: Path) -> Settings:
    """A small store whose texts try formula injection and markup; one value is negative."""
    settings = Settings(data_dir=data_dir, cache_type="NullCache", demo_on_empty=False)
    rows = _pair_rows("KEN", "404", 2022, -2.5, 4.0, source=HOSTILE_SOURCE)
    rows[0]["footnote"] = HOSTILE_FOOTNOTE
    rows += _pair_rows("UGA", "800", 2021, 12.0, 8.0, source="LFS", footnote="-minus first")
    Store(settings).import_frame(
        obs_frame(rows),
        Provenance(HOSTILE_NAME, "h.csv", "sum-h", "test", "official", "=CC0", HOSTILE_ATTRIBUTION),
    )
    return settings


@pytest.fixture(scope="session")
def hostile_settings(tmp_path_factory) -> Settings:
    return build_hostile_store(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def hostile(hostile_settings):
    return use(hostile_settings)


class BufferedClient(FlaskClient):
    """A test client that reads a streamed answer whole and closes it (unless told not to)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def light_app(*modules) -> Flask:
    """A Flask server with only the given route modules (no Dash app around them)."""
    server = Flask("test-" + "-".join(m.__name__ for m in modules))
    server.test_client_class = BufferedClient
    cache.init_app(server, config={"CACHE_TYPE": "NullCache"})
    for module in modules:
        module.register(SimpleNamespace(server=server))
    return server


def read_csv_body(text: str) -> pd.DataFrame:
    """The table of a CSV with a leading ``#`` block (one table)."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next(i for i, line in enumerate(lines) if line and not line.startswith(("#", '"#')))
    return pd.read_csv(io.StringIO("\n".join(lines[start:])), keep_default_na=False, na_values=[""])


# ---- the view tables equal the page's frames ----

STATES = [
    {},
    {"series": "SL_TLF_UEMDIS"},
    {"mode": "values"},
    {"mode": "disparity", "group": "women"},
    {"mode": "values", "series": "SL_TLF_UEMDIS", "region": "002"},
    {"goal": "8"},
    {"mode": "progress", "base": "2017"},
    {"source": "community"},
]


def _state(**changes):
    return state.validate({**state.DEFAULTS, **changes}, content.choices())[0]


def _page_map(s):
    keys = ["mode", "group", "goal", "series", "year", "region", "source"]
    return content.map_frame.uncached(content.version(), *[s[k] for k in keys], "en", s["base"])


@pytest.mark.parametrize("changes", STATES)
def test_map_table_is_the_page_map_frame(demo, changes):
    s = _state(**changes)
    mine, series = tables.map_table(s)
    page, page_series = _page_map(s)
    assert series == page_series
    pd.testing.assert_frame_equal(mine[list(page.columns)], page)


@pytest.mark.parametrize("changes", [{}, {"mode": "values"}, {"mode": "progress"}])
def test_map_table_on_the_real_shape_store(shape, changes):
    s = _state(**changes)
    mine, _ = tables.map_table(s)
    page, _ = _page_map(s)
    pd.testing.assert_frame_equal(mine[list(page.columns)], page)


def test_map_values_carry_the_pair_provenance(demo):
    frame, series = tables.map_table(_state(mode="values"))
    drawn = frame[frame["value"].notna()]
    assert len(drawn)
    obs = queries.observations()
    for r in drawn.head(20).to_dict("records"):
        row = obs[(obs["dataset"] == r["dataset"]) & (obs["source_row"] == r["source_row"])]
        assert len(row) == 1
        assert row["value"].iloc[0] == r["value"]
        assert row["series"].iloc[0] == series
        assert str(row["source"].iloc[0]) == r["data_source"]
        ref = obs[(obs["dataset"] == r["dataset"]) & (obs["source_row"] == r["ref_source_row"])]
        assert ref["value"].iloc[0] == r["ref_value"]


@pytest.mark.parametrize("changes", [{}, {"sort": "women-asc", "region": "142"}])
def test_matrix_table_is_the_page_matrix_frame(demo, changes):
    s = _state(**changes)
    ids = list(content.all_groups())
    cov = pd.concat([queries.coverage(g, s["source"]) for g in ids], ignore_index=True)
    page = views.matrix_frame(
        cov,
        list(content.members(s["region"])),
        ids,
        s["sort"],
        "en",
        content.matrix_reasons(content.version(), s["source"]),
    )
    pd.testing.assert_frame_equal(tables.matrix_table(s), page)


@pytest.mark.parametrize("store", ["demo", "shape"])
def test_country_tables_are_the_page_frames(store, request):
    request.getfixturevalue(store)
    iso3, s = "KEN", _state()
    frames = content.group_frames(iso3, "all")
    groups = list(content.all_groups())
    obs = content.country_observations(iso3, "all")
    page_card = vc.scorecard(frames["coverage"], frames["disparities"], iso3, groups, obs)
    from layouts.pages import country

    series = country.pick_series(iso3, s)
    mine = tables.country_tables(iso3, s, series)
    pd.testing.assert_frame_equal(mine["scorecard"][list(page_card.columns)], page_card)
    published = vc.published_counts(obs)
    missing = vc.missing_splits(
        frames["statuses"], iso3, groups, content.choices().series_goals, published
    )
    pd.testing.assert_frame_equal(mine["missing"], missing)
    wide = vc.status_cells(frames["statuses"], iso3, groups)
    pd.testing.assert_frame_equal(mine["status_matrix"].set_index("series"), wide)
    prog = vc.progress_rows(queries.progress(s["group"]), iso3)
    pd.testing.assert_frame_equal(mine["progress"], prog)
    assert list(mine["timeseries"].columns[: len(vc.TS_COLUMNS)]) == vc.TS_COLUMNS


def test_scorecard_names_the_source_rows_of_its_largest_gap(demo):
    card = tables.scorecard_table("KEN")
    named = card[card["series"] != ""]
    assert len(named)
    obs = queries.observations()
    for r in named.to_dict("records"):
        row = obs[(obs["dataset"] == r["dataset"]) & (obs["source_row"] == r["source_row"])]
        assert row["value"].iloc[0] == r["value"] and row["series"].iloc[0] == r["series"]
        ref = obs[(obs["dataset"] == r["dataset"]) & (obs["source_row"] == r["ref_source_row"])]
        assert ref["value"].iloc[0] == r["ref_value"]


def test_timeseries_points_carry_their_source_footnote_and_nature(demo):
    from layouts.pages import country

    s = _state()
    ts = tables.country_tables("KEN", s, country.pick_series("KEN", s))["timeseries"]
    assert len(ts)
    obs = queries.observations()
    for r in ts.to_dict("records"):
        row = obs[(obs["dataset"] == r["dataset"]) & (obs["source_row"] == r["source_row"])]
        assert row["value"].iloc[0] == r["value"]
        assert (str(row["source"].iloc[0]), str(row["footnote"].iloc[0])) == (
            r["source"],
            r["footnote"],
        )
        assert str(row["nature"].iloc[0]) == r["nature"]


# ---- the API's tables equal the engine's ----


@pytest.mark.parametrize("store", ["demo", "shape"])
def test_gaps_table_equals_the_engine_and_the_cli(store, request, capsys):
    settings = request.getfixturevalue(store)
    for group in ("disability", "women"):
        mine = tables.gaps_table(group=group)
        engine = queries.statuses(group)[tables.GAP_COLUMNS]
        pd.testing.assert_frame_equal(mine, engine.astype(object).astype(mine.dtypes.to_dict()))
    from data import cli

    cli.main(["gaps", "--group", "disability", "--country", "KEN"], settings)
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    use(settings)
    mine = tables.gaps_table(group="disability", country="KEN")
    assert len(mine) == len(printed) > 0
    assert list(mine["series"]) == list(printed["series"])
    assert list(mine["status"]) == list(printed["status"])
    assert list(mine["reason"]) == list(printed["reason"])


def test_coverage_table_equals_the_engine(shape):
    mine = tables.coverage_table(group="disability")
    engine = queries.coverage("disability")
    assert list(mine["iso3"]) == list(engine["iso3"].astype(object))
    for col in ("expected", "disaggregated", "share"):
        assert mine[col].tolist() == engine[col].tolist()


def test_coverage_table_for_a_goal_counts_only_its_series(demo):
    goal8 = tables.coverage_table(group="disability", goal="8", country="KEN")
    every = tables.coverage_table(group="disability", country="KEN")
    expected8 = len(tables.series_in("disability", "8"))
    assert int(goal8["expected"].iloc[0]) == expected8 < int(every["expected"].iloc[0])


def test_observations_table_keeps_every_row_with_provenance(shape):
    mine = tables.observations_table(country="KEN")
    obs = queries.observations()
    ken = obs[obs["iso3"] == "KEN"]
    assert len(mine) == len(ken) > 0
    assert sorted(mine["value"].dropna().tolist()) == sorted(ken["value"].dropna().tolist())
    for col in ("dataset", "dataset_name", "source", "nature", "footnote", "source_row"):
        assert col in mine
    assert mine["dataset_name"].notna().all()


def test_observations_table_filters_like_the_dashboard(demo):
    obs = queries.observations()
    part = tables.observations_table(series="SL_TLF_UEMDIS", year=2019, source="official")
    expected = obs[
        (obs["series"] == "SL_TLF_UEMDIS")
        & (obs["year"] == 2019)
        & (obs["source_type"] == "official")
    ]
    assert len(part) == len(expected) > 0
    africa = tables.observations_table(region="002", series="SL_TLF_UEMDIS")
    assert set(africa["iso3"]) <= set(tables.countries_in("002"))
    assert "" not in set(africa["iso3"])


def test_disparities_table_equals_the_engine_with_footnotes(hostile):
    mine = tables.disparities_table(group="disability")
    engine = queries.disparities("disability")
    engine = engine[engine["iso3"] != ""]
    assert len(mine) == len(engine) == 2
    ken = mine[mine["iso3"] == "KEN"].iloc[0]
    assert ken["value"] == -2.5 and ken["ref_value"] == 4.0 and ken["difference"] == -6.5
    assert ken["footnote"] == HOSTILE_FOOTNOTE and ken["ref_footnote"] == ""
    assert ken["source"] == HOSTILE_SOURCE and ken["dataset_name"] == HOSTILE_NAME


def test_citation_names_every_dataset_and_licence(demo):
    cited = tables.citation(url="http://127.0.0.1/x")
    sets = queries.snapshot().datasets
    assert [d["id"] for d in cited["datasets"]] == sets["id"].tolist()
    assert "CC0-1.0" in cited["licence"]
    assert cited["citation"].startswith(tables.PROJECT)
    assert "http://127.0.0.1/x" in cited["citation"]
    only = tables.citation([4])
    assert [d["id"] for d in only["datasets"]] == [4]


def test_series_countries_groups_datasets_tables(shape):
    from tests import realshape

    series = tables.series_table()
    assert len(series) > 127 and realshape.UK_SERIES in set(series["series"])
    uk = series[series["series"] == realshape.UK_SERIES].iloc[0]
    assert uk["countries"] == "GBR"
    countries = tables.countries_table()
    assert {"KEN", "NPL"} <= set(countries["iso3"])
    assert set(tables.groups_table()["group"]) == set(content.all_groups())
    assert "checksum" not in tables.datasets_table()


@pytest.mark.parametrize("categorical", [True, False])
def test_value_positions_are_where_the_column_holds_the_value(categorical):
    """A country's rows among the observations (its codes compared when categorical): the
    positions pandas' grouping gives; a value absent or missing has none."""
    import numpy as np

    rng = np.random.default_rng(7)
    values = rng.choice(["KEN", "NPL", "BGD", "", None], size=5000).tolist()
    column = pd.Series(values, dtype="category" if categorical else object)
    if categorical:
        column = column.cat.add_categories(["ZZZ"])  # never used
    want = pd.Series(range(len(column))).groupby(column, observed=True).indices
    among = np.flatnonzero(rng.random(len(column)) < 0.3)  # a country's rows, say
    for key, rows in want.items():
        np.testing.assert_array_equal(tables.value_positions(column, str(key)), rows)
        # among some positions only: those of them that hold it
        found = tables.value_positions(column, str(key), among=among)
        np.testing.assert_array_equal(found, np.intersect1d(among, rows))
    for absent in ("ZZZ", "XXX"):
        assert len(tables.value_positions(column, absent)) == 0
        assert len(tables.value_positions(column, absent, among=among)) == 0
