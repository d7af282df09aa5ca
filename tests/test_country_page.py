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
from tests.test_components import markdown_table, texts, tree, walk

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
    details = list(tree(block).iter("details"))  # one markup block, real <details>/<ul>/<li>
    summaries = [d.find("summary").text for d in details]
    assert summaries == [
        "Goal 8 \u2014 2 missing",
        "Goal 10 \u2014 1 missing",
        "No SDG goal recorded \u2014 1 missing",
    ]
    assert not any("open" in d.attrib for d in details)  # collapsed
    assert "4 expected splits are not available and recent" in texts(block)
    assert all(d.find("ul").get("className") == "missing-list" for d in details)
    items = ["".join(li.itertext()) for li in details[0].find("ul").iter("li")]
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


# == issue #7: reasons in words, progress, exact figures, comparability, scope ================
def _statuses_with_reasons():
    return pd.DataFrame(
        {
            "iso3": ["KEN"] * 5,
            "series": ["A", "B", "C", "D", "E"],
            "group": ["disability"] * 5,
            "status": ["total_only", "outdated", "no_data", "disaggregated", "no_data"],
            "latest_year": [2021, 2014, pd.NA, 2022, pd.NA],
            "reason": ["not_published", "stale", "declared_missing", "small_sample", "no_series"],
            "age": pd.array([pd.NA, 9, pd.NA, pd.NA, pd.NA], dtype="Int64"),
        }
    )


def test_missing_splits_say_their_reason_in_words():
    st = _statuses_with_reasons()
    missing = views_country.missing_splits(st, "KEN", ["disability"], {}, {"A": 40, "B": 12})
    assert missing.set_index("series")["reason"].to_dict() == {
        "A": "not_published",
        "B": "stale",
        "C": "declared_missing",
        "E": "no_series",
    }
    lis = ["".join(li.itertext()) for li in tree(tables.missing_list(missing, {})).iter("li")]
    items = {text.split(" split by")[0]: text for text in lis}
    assert "Not split \u2014 published 40 times, never by disability" in items["A"]
    assert "Outdated \u2014 9 years old" in items["B"]
    assert "Declared but missing" in items["C"]
    assert "Not published at all" in items["E"]
    # a symbol too, hidden from screen readers (the words carry the meaning)
    glyphs = [
        e
        for e in tree(tables.missing_list(missing, {})).iter("span")
        if "glyph-" in e.get("className", "")
    ]
    assert glyphs and all(g.get("aria-hidden") == "true" for g in glyphs)


def test_status_matrix_cells_carry_reasons():
    st = _statuses_with_reasons()
    wide = views_country.status_cells(st, "KEN", ["disability", "women"])
    assert wide.loc["B", "disability"] == "outdated|stale|9"
    assert wide.loc["A", "women"] == ""
    # without reasons (older frames) a cell is the bare status
    assert views_country.status_cells(st.drop(columns=["reason", "age"]), "KEN", ["disability"])[
        "disability"
    ].tolist() == ["total_only", "outdated", "no_data", "disaggregated", "no_data"]
    text = texts(tables.status_matrix_table(wide, {}))
    assert "Outdated split \u2014 9 years old" in text
    assert "Totals only \u2014 Not split" in text
    assert "Disaggregated (recent) \u2014 Small sample" in text
    assert "No data \u2014 Declared but missing" in text


def test_group_summary_counts_reasons():
    st = _statuses_with_reasons()
    cov = pd.DataFrame(
        {"iso3": ["KEN"], "group": ["disability"], "expected": [5], "disaggregated": [1]}
    )
    facts = views_country.group_summary(cov, st, "KEN", "disability")
    assert list(facts["reasons"]) == [  # in the order of gaps.REASONS
        "not_published",
        "declared_missing",
        "stale",
        "small_sample",
        "no_series",
    ]
    text = country.group_summary_text(facts, "Kenya", "disability", "en")
    assert "Reasons: Not split 1; Declared but missing 1; Outdated 1; Small sample 1" in text


def _readme_reasons():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0].strip("`") in gaps.REASONS:
            rows[cells[0].strip("`")] = cells[2].replace("`", "")
    return rows


def test_reasons_key_explains_every_reason_with_the_readme_sentence():
    readme = _readme_reasons()
    assert set(readme) == set(gaps.REASONS)
    key = tables.reasons_key(gaps.REASONS)
    assert isinstance(key, html.Details) and not getattr(key, "open", False)
    assert key.children[0].children == "What the reasons mean"
    terms = [c.children for c in walk(key) if isinstance(c, html.Dt)]
    sentences = [c.children for c in walk(key) if isinstance(c, html.Dd)]
    assert len(terms) == len(gaps.REASONS) and all(terms)
    assert sentences == [readme[r] for r in gaps.REASONS]


@pytest.fixture
def progress():
    return pd.DataFrame(
        {
            "iso3": ["KEN"] * 3 + ["NPL"],
            "group": ["disability"] * 4,
            "year": [2023, 2015, 2019, 2015],
            "expected": [49, 49, 49, 10],
            "with_value": [11, 3, 7, 1],
            "share": [11 / 49, 3 / 49, 7 / 49, 0.1],
        }
    )


def test_progress_chart_sentence_and_table_show_the_same_numbers(progress):
    rows = views_country.progress_rows(progress, "KEN")
    assert rows["year"].tolist() == [2015, 2019, 2023]
    text = country.progress_summary_text(rows, "Kenya", "disability", 4, "en")
    assert text.startswith(
        "Kenya: 3 of 49 expected splits for persons with disabilities had an official value "
        "in 2015, 11 of 49 in 2023"
    )
    fig = figures.progress_figure(rows, axis="Splits with a value")
    assert list(fig.data[0].x) == [2015, 2019, 2023]
    assert list(fig.data[0].y) == [3, 7, 11]
    assert fig.layout.height <= 240 and not fig.data[0].showlegend
    table = markdown_table(tables.progress_table(rows, "Cap"))
    body = [[" ".join(c.itertext()) for c in tr] for tr in table.iter("tr")][1:]
    assert body == [
        ["2015", "3", "49", "6%"],
        ["2019", "7", "49", "14%"],
        ["2023", "11", "49", "22%"],
    ]


def test_progress_block_table_is_collapsed_and_reachable(progress):
    from layouts import ids

    rows = views_country.progress_rows(progress, "KEN")
    with _app_context():
        block = country.progress_block(rows, "Kenya", "disability", 4, "en")
    found = {getattr(c, "id", None): c for c in walk(block)}
    assert ids.COUNTRY_PROGRESS in found and ids.COUNTRY_PROGRESS_SUMMARY in found
    [details] = [c for c in walk(block) if isinstance(c, html.Details)]
    assert not getattr(details, "open", False)
    assert details.children[0].children == "Show as a table"
    region = [c for c in walk(details) if getattr(c, "role", None) == "region"]
    assert region and region[0].tabIndex == "0"


def test_progress_without_expected_splits_says_so():
    rows = views_country.progress_rows(
        pd.DataFrame(columns=["iso3", "year", "expected", "with_value", "share"]), "KEN"
    )
    assert "no series is expected" in country.progress_summary_text(
        rows, "Kenya", "disability", 4, "en"
    )


def _app_context():
    from dash import Dash

    app = Dash(__name__)
    return app.server.test_request_context("/")


# -- exact figures: tables show the stored value -------------------------------------------
def test_tables_show_the_stored_value_exactly():
    ts = pd.DataFrame(
        {
            "line": ["group", "reference"],
            "label": ["Persons with disabilities", "Persons without disabilities"],
            "slice": ["", ""],
            "period": ["2022", "2022"],
            "value": [12.85, 11.98],
            "lower": [10.05, np.nan],
            "upper": [14.35, np.nan],
            "source_type": ["official", "official"],
        }
    )
    text = texts(tables.timeseries_table(ts, "Cap", unit="%"))
    assert "12.85%" in text and "11.98%" in text and "10.05 \u2013 14.35" in text
    assert "12.8%" not in text.replace("12.85%", "")
    obs = obs_frame(
        [
            {"series": "S", "iso3": "KEN", "m49": "404", "period": "2022", "value": 12.85},
            {"series": "S", "iso3": "KEN", "m49": "404", "period": "2021", "value": 11.98},
        ]
    )
    prov = texts(tables.provenance_table(views_country.provenance_rows(obs, {}), "C"))
    assert "12.85" in prov and "11.98" in prov
    both = pd.DataFrame(
        {
            "series": ["S"],
            "official_value": [12.85],
            "official_ref": [11.98],
            "official_period": ["2022"],
            "community_value": [1234.5],
            "community_ref": [0.125],
            "community_period": ["2023"],
        }
    )
    side = texts(tables.side_by_side_table(both, {}, "disability"))
    assert "12.85 (reference 11.98), 2022" in side
    assert "1,234.5 (reference 0.125), 2023" in side
    card = pd.DataFrame(
        {
            "group": ["disability"],
            "expected": [2],
            "disaggregated": [1],
            "share": [0.5],
            "series": ["S1"],
            "value": [12.85],
            "ref_value": [11.98],
            "ratio": [12.85 / 11.98],
            "direction": ["worse"],
            "period": ["2022"],
            "source_type": ["official"],
            "unit": ["PERCENT"],
        }
    )
    assert "12.85% vs 11.98%" in texts(tables.scorecard_table(card, {}))


# -- comparability: footnotes that differ make a caveat, not a clean gap --------------------
def _wg_pairs(group_note, ref_note):
    rows = [
        {**r, "footnote": note}
        for r, note in zip(_pair(2022, 12.0, 8.0), (group_note, ref_note), strict=True)
    ]
    obs = obs_frame(rows)
    return obs, gaps.disparity(gaps.pairs(obs, DIS), {"SL_TLF_UEMDIS": "lower_better"})


@pytest.mark.parametrize(
    ("group_note", "ref_note", "differs"),
    [
        ("Washington Group Short Set", "", True),
        ("Washington Group Short Set", "Washington Group Short Set", False),
        ("", "", False),
        ("WG-SS", "Census 2019 long form", True),
    ],
)
def test_footnotes_differ(group_note, ref_note, differs):
    obs, disp = _wg_pairs(group_note, ref_note)
    assert views_country.footnotes_differ(disp, obs).tolist() == [differs]
    frame = views_country.timeseries_frame(obs, disp, "disability")
    assert views_country.measured_differently(frame, disp, obs) is differs


def test_largest_disparity_measured_differently_carries_a_caveat():
    obs, disp = _wg_pairs("Washington Group Short Set", "")
    cov = pd.DataFrame(
        {"iso3": ["KEN"], "group": ["disability"], "expected": [1], "disaggregated": [1]}
    ).assign(share=1.0)
    card = views_country.scorecard(cov, disp.assign(group="disability"), "KEN", ["disability"], obs)
    assert bool(card.loc[0, "caveat"])
    text = texts(tables.scorecard_table(card, {}))
    assert "12% vs 8% (worse) \u2014 \u26a0 measured differently: see the footnotes" in text
    clean = views_country.scorecard(cov, disp.assign(group="disability"), "KEN", ["disability"])
    assert not bool(clean.loc[0, "caveat"])
    frame = views_country.timeseries_frame(obs, disp, "disability")
    summary = country._ts_summary(frame, "Unemployment", "%", "en", caveat=True)
    assert "measured differently" in summary


# -- a series that does not apply to the country -------------------------------------------
def test_a_national_series_of_another_country_says_it_does_not_apply():
    cat = pd.DataFrame({"series": ["OSDG_1", "S"], "countries": [("GBR",), ()]})
    assert views_country.scope_countries(cat, "OSDG_1") == ("GBR",)
    assert views_country.scope_countries(cat, "S") == ()
    text = country.out_of_scope_text(["United Kingdom"], "Kenya", "en")
    assert text == ("This series is published only for United Kingdom: it does not apply to Kenya.")


def test_series_about_the_group_is_drawn_as_the_group():
    from data.views_country import as_group_line

    frame = pd.DataFrame(
        {"line": ["total", "total"], "label": ["Total", "Total"], "value": [0.2, 2.4]}
    )
    out = as_group_line(frame, "Persons with disabilities")
    assert out["line"].tolist() == ["group", "group"]
    assert out["label"].tolist() == ["Persons with disabilities"] * 2
    assert frame["label"].tolist() == ["Total", "Total"]  # the input is not changed
