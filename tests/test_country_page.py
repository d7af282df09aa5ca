"""The country page's pure parts on hand-made frames (issue #6, items 4, 5, 6 and 9).

Meaningful "largest disparity", missing splits grouped by goal, official and community values
as separate named lines, why a view is empty, and words instead of codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dash import html

from data import gaps, views_country
from data.vocab import group
from layouts import figures, tables
from layouts.pages import country
from tests.conftest import obs_frame
from tests.test_components import markdown_table, texts, walk

DIS = group("disability")


def _pair(year, pd_value, pwd_value, series="SL_TLF_UEMDIS", source="official", **kw):
    base = {
        "series": series,
        "iso3": "KEN",
        "m49": "404",
        "period": str(year),
        "year": year,
        "period_sort": float(year),
        "source_type": source,
        "unit": "PERCENT",
        **kw,
    }
    return [
        {**base, "disability": "PD", "value": pd_value},
        {**base, "disability": "PWD", "value": pwd_value},
    ]


def _disp(rows):
    return gaps.disparity(gaps.pairs(obs_frame(rows), DIS), {"SL_TLF_UEMDIS": "lower_better"})


# -- largest disparity: meaningful pairs only, source named ----------------------------------
def test_share_of_total_and_counts_are_not_disparities():
    disp = _disp(
        [
            *_pair(2022, 12.0, 8.0),  # a rate: 12 vs 8 (ratio 1.5)
            *_pair(2022, 99.8, 0.2, series="SHARE_S"),  # split of a whole: sums to 100
            *_pair(2021, 95.0, 5.0, series="SHARE_S"),
            *_pair(2022, 5000.0, 100.0, series="COUNT_S", unit="NUMBER"),  # counts
        ]
    )
    kept = views_country.meaningful_pairs(disp)
    assert set(kept["series"]) == {"SL_TLF_UEMDIS"}
    card = views_country.scorecard(
        pd.DataFrame(
            {"iso3": ["KEN"], "group": ["disability"], "expected": [3], "disaggregated": [3]}
        ).assign(share=1.0),
        disp.assign(group="disability"),
        "KEN",
        ["disability"],
    ).iloc[0]
    # before: SHARE_S (ratio 499) or COUNT_S (ratio 50) was "the largest disparity"
    assert card["series"] == "SL_TLF_UEMDIS"
    assert (card["source_type"], card["unit"]) == ("official", "PERCENT")


def test_a_pair_summing_to_100_once_is_kept_when_other_years_do_not():
    disp = _disp([*_pair(2022, 60.0, 40.0), *_pair(2021, 30.0, 20.0)])
    assert len(views_country.meaningful_pairs(disp)) == 2


def test_scorecard_says_source_type_and_unit_in_words():
    card = pd.DataFrame(
        {
            "group": ["disability"],
            "expected": [2],
            "disaggregated": [1],
            "share": [0.5],
            "series": ["S1"],
            "value": [12.0],
            "ref_value": [8.0],
            "ratio": [1.5],
            "direction": ["worse"],
            "period": ["2022"],
            "source_type": ["community"],
            "unit": ["PERCENT"],
        }
    )
    box = tables.scorecard_table(card, {"S1": "Unemployment rate"})
    text = texts(box)
    assert "Unemployment rate (community, 2022): 12% vs 8% (worse)" in text
    assert "PERCENT" not in text
    # wide on a phone: it scrolls in its own region, reachable by keyboard, never the page
    assert box.tabIndex == "0" and box.role == "region"


# -- missing splits: by goal, collapsed, with counts -----------------------------------------
def test_missing_splits_grouped_by_goal_and_collapsed():
    statuses = pd.DataFrame(
        {
            "iso3": ["KEN"] * 5,
            "series": ["A", "B", "C", "D", "E"],
            "group": ["disability"] * 5,
            "status": ["no_data", "total_only", "disaggregated", "outdated", "no_data"],
            "latest_year": [pd.NA, 2020, 2022, 2010, pd.NA],
        }
    )
    goals = {"A": ("8",), "B": ("10", "16"), "C": ("8",), "D": ("8",)}
    missing = views_country.missing_splits(statuses, "KEN", ["disability"], goals)
    assert missing["goal"].tolist() == ["8", "8", "10", ""]  # numeric goal order, unknown last
    assert missing["series"].tolist() == ["D", "A", "B", "E"]  # outdated before no data
    block = tables.missing_list(missing, {"A": "Alpha"})
    details = [c for c in walk(block) if isinstance(c, html.Details)]
    summaries = [d.children[0].children for d in details]
    assert summaries == [
        "Goal 8 \u2014 2 missing",
        "Goal 10 \u2014 1 missing",
        "No SDG goal recorded \u2014 1 missing",
    ]
    assert not any(getattr(d, "open", False) for d in details)  # collapsed
    assert "4 expected splits are not available and recent" in texts(block)
    items = [c.children for c in walk(details[0]) if isinstance(c, html.Li)]
    assert items[1] == "Alpha split by Persons with disabilities (no data at all)"


# -- time series: official and community never joined, lines named in words ------------------
@pytest.fixture
def npl_like():
    rows = [
        *_pair(2017, 30.0, 20.0),
        *_pair(2022, 19.5, 10.4, source="community", dataset=2),
        {
            "series": "SL_TLF_UEMDIS",
            "iso3": "KEN",
            "m49": "404",
            "period": "2020",
            "value": 25.0,
            "unit": "PERCENT",
        },
    ]
    obs = obs_frame(rows)
    return obs, gaps.disparity(gaps.pairs(obs, DIS), {})


def test_timeseries_frame_keeps_sources_apart_and_names_lines(npl_like):
    obs, disp = npl_like
    frame = views_country.timeseries_frame(obs, disp, "disability")
    lines = frame.groupby(["line", "label", "source_type"])["value"].apply(list).to_dict()
    assert lines == {
        ("group", "Persons with disabilities", "official"): [30.0],
        ("group", "Persons with disabilities", "community"): [19.5],
        ("reference", "Persons without disabilities", "official"): [20.0],
        ("reference", "Persons without disabilities", "community"): [10.4],
        ("total", "", "official"): [25.0],
    }
    assert set(frame["unit"]) == {"PERCENT"}


def test_timeseries_figure_separate_labelled_traces(npl_like):
    obs, disp = npl_like
    frame = views_country.timeseries_frame(obs, disp, "disability")
    fig = figures.timeseries_figure(frame, title="Unemployment", unit="%")
    names = [t.name for t in fig.data]
    assert names == [
        "Persons with disabilities (community)",
        "Persons with disabilities (official)",
        "Persons without disabilities (community)",
        "Persons without disabilities (official)",
        "Total (official)",
    ]
    # before: one "Group" line through 30 (official 2017) and 19.5 (community 2022)
    by_name = {t.name: list(t.y) for t in fig.data}
    assert by_name["Persons with disabilities (official)"] == [30.0]
    assert by_name["Persons with disabilities (community)"] == [19.5]
    community = [t for t in fig.data if "community" in t.name]
    official = [t for t in fig.data if "official" in t.name]
    assert {t.marker.symbol for t in community}.isdisjoint({t.marker.symbol for t in official})
    assert "community" in fig.data[0].hovertemplate


def test_timeseries_table_names_lines_like_the_legend(npl_like):
    obs, disp = npl_like
    frame = views_country.timeseries_frame(obs, disp, "disability")
    text = texts(tables.timeseries_table(frame, "Cap", unit="%"))
    assert "Persons with disabilities (community) 2022 19.5%" in text


def test_two_datasets_of_one_source_type_are_two_lines():
    obs = obs_frame([*_pair(2017, 30.0, 20.0), *_pair(2018, 31.0, 21.0, dataset=7, source_row=99)])
    frame = views_country.timeseries_frame(obs, gaps.disparity(gaps.pairs(obs, DIS), {}))
    fig = figures.timeseries_figure(frame, dataset_names={1: "UN SDG", 7: "ONS"})
    names = [t.name for t in fig.data]
    assert "Persons with disabilities (official) \u2014 ONS" in names
    assert "Persons with disabilities (official) \u2014 UN SDG" in names


# -- empty views say why ---------------------------------------------------------------------
def test_total_only_series_says_it_is_never_split():
    rows = [
        {
            "series": "FX_001",
            "iso3": "KEN",
            "m49": "404",
            "period": str(y),
            "value": 1.0 + y,
            "unit": "PERCENT",
            "sex": sex,
        }
        for y in range(2015, 2020)
        for sex in ("F", "M")
    ]
    obs = obs_frame(rows)
    frame = views_country.timeseries_frame(obs, gaps.pairs(obs.iloc[0:0], DIS), "disability")
    assert not frame.empty  # the values the country has are drawn (one sex: its most common)
    facts = views_country.series_facts(obs, frame, "total_only")
    why = country.why_text(facts, "Kenya", "disability", "all", "en")
    assert why.startswith("Kenya publishes this series 10 times (10 official), never split by ")
    assert "disability" in why and "totals only" in why
    assert "No data for this selection" not in why


def test_no_value_at_all_says_so():
    facts = {"values": 0, "by_source": {}, "group_points": 0, "shown": 0, "status": "no_data"}
    why = country.why_text(facts, "Kenya", "disability", "official", "en")
    assert why.startswith("Kenya has no value of this series (official data only")
    facts = {**facts, "values": 3, "group_points": 2, "shown": 5}
    assert country.why_text(facts, "Kenya", "disability", "all", "en") == ""


def test_group_summary_in_words():
    cov = pd.DataFrame(
        {"iso3": ["KEN"], "group": ["disability"], "expected": [5], "disaggregated": [1]}
    )
    statuses = pd.DataFrame(
        {
            "iso3": ["KEN"] * 5,
            "group": ["disability"] * 5,
            "series": list("ABCDE"),
            "status": ["disaggregated", "outdated", "total_only", "total_only", "no_data"],
        }
    )
    facts = views_country.group_summary(cov, statuses, "KEN", "disability")
    text = country.group_summary_text(facts, "Kenya", "disability", "en")
    assert text.startswith(
        "Kenya: 1 of 5 expected splits for persons with disabilities are available"
    )
    assert "1 are outdated" in text and "2 are published as totals only" in text


def test_rank_series_group_values_first_then_any_value():
    ranked = views_country.rank_series(["A", "B", "C", "D"], {"D"}, {"C", "D"})
    assert ranked == ["D", "C", "A", "B"]


# -- words, not codes ------------------------------------------------------------------------
def test_provenance_in_words():
    obs = obs_frame(
        [
            {
                "series": "S",
                "iso3": "KEN",
                "m49": "404",
                "period": "2022",
                "value": 7.5,
                "unit": "PERCENT",
                "age": "Y_GE15",
                "disability": "PD",
            },
            {
                "series": "S",
                "iso3": "KEN",
                "m49": "404",
                "period": "2021",
                "value": 7.0,
                "unit": "PERCENT",
            },
        ]
    )
    rows = views_country.provenance_rows(obs, {1: "UN SDG"})
    table = markdown_table(tables.provenance_table(rows, "Cap"))
    text = " ".join(table.itertext())
    assert "15 years and over, Persons with disabilities" in text
    assert "7.5%" in text and "Total" in text
    assert "age=" not in text and "Y_GE15" not in text and "PERCENT" not in text


def test_series_option_label_title_first():
    assert country.series_label("SL_TLF_UEMDIS", {"SL_TLF_UEMDIS": "Unemployment rate"}) == (
        "Unemployment rate (SL_TLF_UEMDIS)"
    )
    assert country.series_label("X", {}) == "X"


def test_with_unit():
    assert tables.with_unit(12.0, "%") == "12%"
    assert tables.with_unit(3.4, "per 1,000 live births") == "3.4 per 1,000 live births"
    assert tables.with_unit(np.nan, "%") == "\u2014"
