"""data.views and data.views_country on small hand-made frames: the numbers the pages show."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data import gaps, views, views_country
from data.vocab import group
from tests.conftest import obs_frame

DIS = group("disability")


def _pair(iso3, m49, year, pd_value, pwd_value, series="SL_TLF_UEMDIS", source="official", **kw):
    base = {
        "series": series,
        "iso3": iso3,
        "m49": m49,
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


@pytest.fixture
def obs():
    rows = [
        *_pair("KEN", "404", 2022, 12.0, 8.0),
        *_pair("KEN", "404", 2015, 14.0, 9.0),
        *_pair("UGA", "800", 2010, 20.0, 10.0),  # outdated (newest 2022, window 5)
        *_pair("NPL", "524", 2021, 30.0, 20.0, source="community", dataset=2),
        {
            "series": "SL_TLF_UEMDIS",
            "iso3": "FRA",
            "m49": "250",
            "period": "2022",
            "year": 2022,
            "value": 7.0,
            "unit": "PERCENT",
        },  # total only
        *_pair("KEN", "404", 2021, 40.0, 50.0, series="SE_TOT_CPLR"),
    ]
    return obs_frame(rows)


@pytest.fixture
def statuses(obs):
    return gaps.status(
        obs, DIS, ["SL_TLF_UEMDIS", "SE_TOT_CPLR"], ["KEN", "UGA", "NPL", "FRA", "CHL"], 5
    )


@pytest.fixture
def disparities(obs):
    pol = {"SL_TLF_UEMDIS": "lower_better", "SE_TOT_CPLR": "higher_better"}
    return gaps.disparity(gaps.pairs(obs, DIS), pol, 30)


def test_headline_counts_any_recent_none(statuses):
    cov = gaps.coverage(statuses)
    h = views.headline(cov, ["KEN", "UGA", "NPL", "FRA", "CHL"])
    assert h["countries"] == 5
    assert h["any"] == 3  # KEN recent, UGA outdated, NPL community
    assert h["recent"] == 1  # KEN only
    assert h["none"] == 2  # FRA total only, CHL nothing
    assert h["expected"] == 10 and h["disaggregated"] == 2
    assert h["share"] == pytest.approx(0.2)


def test_headline_restricted_to_members(statuses):
    h = views.headline(gaps.coverage(statuses), ["UGA", "FRA"])
    assert (h["countries"], h["any"], h["recent"], h["none"]) == (2, 1, 0, 1)


def test_headline_empty_share_is_nan():
    cov = pd.DataFrame(columns=["iso3", "group", "expected", *gaps.STATUSES, "share"])
    assert math.isnan(views.headline(cov, ["KEN"])["share"])


def test_map_frame_coverage(statuses):
    cov = gaps.coverage(statuses)
    frame = views.map_frame(
        "gaps",
        ["KEN", "UGA", "FRA", "CHL"],
        statuses=statuses,
        coverage=cov,
        disparities=pd.DataFrame(),
        series="",
        year=None,
        window=5,
    )
    row = frame.set_index("iso3")
    assert list(frame.columns) == views.MAP_COLUMNS + views.REASON_COLUMNS
    assert row.loc["KEN", "z"] == pytest.approx(1.0)
    # a recent split: the colour (share) says it, no status marker that could overstate it
    assert row.loc["KEN", "status"] == ""
    assert row.loc["UGA", "z"] == 0 and row.loc["UGA", "status"] == "outdated"
    assert row.loc["FRA", "status"] == "total_only"
    assert row.loc["CHL", "status"] == "no_data"
    assert row.loc["KEN", "name"] == "Kenya"
    assert (row.loc["KEN", "disaggregated"], row.loc["KEN", "expected"]) == (2, 2)


def test_map_frame_status_of_one_series(statuses):
    frame = views.map_frame(
        "gaps",
        ["KEN", "NPL", "FRA", "CHL"],
        statuses=statuses,
        coverage=gaps.coverage(statuses),
        disparities=pd.DataFrame(),
        series="SL_TLF_UEMDIS",
        year=None,
        window=5,
    )
    row = frame.set_index("iso3")
    assert row.loc["NPL", "status"] == "community_only"
    assert row.loc["NPL", "z"] == gaps.STATUSES.index("community_only")
    assert row.loc["CHL", "z"] == gaps.STATUSES.index("no_data")
    assert row.loc["KEN", "period"] == "2022"


def test_map_frame_values_latest_and_window(statuses, disparities):
    kw = {
        "statuses": statuses,
        "coverage": gaps.coverage(statuses),
        "disparities": disparities,
        "series": "SL_TLF_UEMDIS",
        "window": 5,
        "dataset_names": {1: "Official set", 2: "Community set"},
    }
    latest = views.map_frame("values", ["KEN", "UGA", "NPL", "FRA"], year=None, **kw)
    row = latest.set_index("iso3")
    assert row.loc["KEN", "value"] == 12.0 and row.loc["KEN", "period"] == "2022"
    assert row.loc["KEN", "source"] == "Official set"
    assert row.loc["NPL", "source_type"] == "community"
    assert math.isnan(row.loc["FRA", "z"]) and row.loc["FRA", "status"] == "total_only"
    in_2016 = views.map_frame("values", ["KEN", "UGA"], year=2016, **kw).set_index("iso3")
    assert in_2016.loc["KEN", "value"] == 14.0  # 2015 is within 2012-2016
    assert math.isnan(in_2016.loc["UGA", "value"])  # 2010 is outside the window


def test_map_frame_disparity_sign_follows_polarity(statuses, disparities):
    kw = {
        "statuses": statuses,
        "coverage": gaps.coverage(statuses),
        "disparities": disparities,
        "series": "SL_TLF_UEMDIS",
        "year": None,
        "window": 5,
    }
    worse = views.map_frame("disparity", ["KEN"], polarity="lower_better", **kw)
    assert worse.loc[0, "difference"] == 4.0
    assert worse.loc[0, "z"] == -4.0  # higher unemployment is worse: negative = worse off
    assert worse.loc[0, "direction"] == "worse"
    neutral = views.map_frame("disparity", ["KEN"], polarity="unknown", **kw)
    assert neutral.loc[0, "z"] == 4.0


def test_latest_pairs_prefers_headline_then_recent_then_official():
    d = pd.DataFrame(
        {
            "series": ["S"] * 4,
            "iso3": ["KEN"] * 4,
            "year": [2020, 2021, 2021, 2021],
            "period_sort": [2020.0, 2021.0, 2021.0, 2021.0],
            "headline": [True, True, True, False],
            "source_type": ["official", "community", "official", "official"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert views.latest_pairs(d, "S", None, 5)["value"].tolist() == [3.0]
    assert views.latest_pairs(d, "S", 2020, 5)["value"].tolist() == [1.0]


def test_status_counts_and_default_series(statuses, disparities):
    counts = views.status_counts(statuses, "SL_TLF_UEMDIS", ["KEN", "UGA", "NPL", "FRA", "CHL"])
    assert counts == {
        "disaggregated": 1,
        "outdated": 1,
        "community_only": 1,
        "total_only": 1,
        "no_data": 1,
    }
    assert views.default_series(disparities, ["SE_TOT_CPLR", "SL_TLF_UEMDIS"]) == "SL_TLF_UEMDIS"
    assert views.default_series(disparities.iloc[0:0], ["X", "Y"]) == "X"


def test_matrix_frame_sorting(statuses):
    cov = gaps.coverage(statuses)
    other = cov.assign(group="women", share=[0.0, 1.0, 0.5, 0.0, 0.0])
    both = pd.concat([cov, other])
    by_name = views.matrix_frame(both, ["UGA", "KEN", "FRA"], ["disability", "women"])
    assert by_name["iso3"].tolist() == ["FRA", "FRA", "KEN", "KEN", "UGA", "UGA"]
    assert by_name["group"].tolist()[:2] == ["disability", "women"]
    by_women = views.matrix_frame(
        both, ["UGA", "KEN", "FRA"], ["disability", "women"], sort="women"
    )
    shares = dict(zip(other["iso3"], other["share"], strict=True))
    order = by_women["iso3"].drop_duplicates().tolist()
    assert [shares[c] for c in order] == sorted([shares[c] for c in order], reverse=True)
    ken = by_name[(by_name["iso3"] == "KEN") & (by_name["group"] == "disability")].iloc[0]
    assert (ken["disaggregated"], ken["expected"], ken["share"]) == (2, 2, 1.0)


def test_matrix_frame_missing_country_has_zero_expected(statuses):
    frame = views.matrix_frame(gaps.coverage(statuses), ["ATA"], ["disability"])
    assert frame.loc[0, "expected"] == 0 and math.isnan(frame.loc[0, "share"])


def test_scorecard_largest_disparity(statuses, disparities):
    cov = gaps.coverage(statuses)
    card = views_country.scorecard(
        cov, disparities.assign(group="disability"), "KEN", ["disability", "women"]
    ).set_index("group")
    assert card.loc["disability", "expected"] == 2
    assert card.loc["disability", "disaggregated"] == 2
    # SL_TLF_UEMDIS 12 vs 8 (ratio 1.5) beats SE_TOT_CPLR 40 vs 50 (ratio 0.8)
    assert card.loc["disability", "series"] == "SL_TLF_UEMDIS"
    assert card.loc["disability", "direction"] == "worse"
    assert card.loc["women", "expected"] == 0 and card.loc["women", "series"] == ""


def test_status_matrix_and_missing_splits(statuses):
    other = statuses.assign(group="women", status="no_data")
    both = pd.concat([statuses, other])
    wide = views_country.status_matrix(both, "UGA", ["disability", "women", "older"])
    assert wide.loc["SL_TLF_UEMDIS", "disability"] == "outdated"
    assert wide.loc["SL_TLF_UEMDIS", "older"] == ""
    missing = views_country.missing_splits(both, "KEN", ["disability", "women"])
    assert set(missing["group"]) == {"women"}  # disability is fully disaggregated in KEN
    assert missing["status"].eq("no_data").all()
    uga = views_country.missing_splits(both, "UGA", ["disability", "women"])
    assert uga.iloc[0].tolist()[:3] == ["SL_TLF_UEMDIS", "disability", "outdated"]


def test_timeseries_frame_lines(obs, disparities):
    total = obs_frame(
        [
            {
                "series": "SL_TLF_UEMDIS",
                "iso3": "KEN",
                "m49": "404",
                "period": "2022",
                "year": 2022,
                "value": 9.0,
                "unit": "PERCENT",
                "lower": 8.0,
                "upper": 10.0,
            }
        ]
    )
    ken = pd.concat([obs[(obs["iso3"] == "KEN") & (obs["series"] == "SL_TLF_UEMDIS")], total])
    pairs = disparities[(disparities["iso3"] == "KEN") & (disparities["series"] == "SL_TLF_UEMDIS")]
    frame = views_country.timeseries_frame(ken, pairs)
    lines = frame.groupby("line")["value"].apply(list).to_dict()
    assert lines == {"group": [14.0, 12.0], "reference": [9.0, 8.0], "total": [9.0]}
    tot = frame[frame["line"] == "total"].iloc[0]
    assert (tot["lower"], tot["upper"]) == (8.0, 10.0)
    assert views_country.timeseries_frame(ken.iloc[0:0], pairs.iloc[0:0]).empty


def test_provenance_rows(obs):
    rows = views_country.provenance_rows(obs[obs["iso3"] == "KEN"], {1: "Demo official"})
    assert len(rows) == 6
    assert rows.loc[0, "period"] in {"2021", "2022"}
    assert set(rows["dataset"]) == {"Demo official"}
    assert "Persons with disabilities" in set(rows["breakdown"])  # words, not disability=PD
    assert set(rows["unit"]) == {"%"}  # not PERCENT
    assert rows["source_row"].notna().all()


def test_official_vs_community_only_when_both(obs):
    extra = obs_frame(_pair("KEN", "404", 2019, 25.0, 15.0, source="community", dataset=2))
    both = pd.concat([obs, extra], ignore_index=True)
    disp = gaps.disparity(gaps.pairs(both, DIS), {}, 30)
    table = views_country.official_vs_community(disp, "KEN")
    assert table["series"].tolist() == ["SL_TLF_UEMDIS"]
    row = table.iloc[0]
    assert (row["official_value"], row["official_period"]) == (12.0, "2022")
    assert (row["community_value"], row["community_ref"]) == (25.0, 15.0)
    assert views_country.official_vs_community(disp, "UGA").empty


def test_filter_choices():
    cat = pd.DataFrame(
        {
            "series": ["A", "B"],
            "goal": ["8", "10, 16"],
            "groups": [("disability",), ("women", "disability")],
        }
    )
    ch = views.filter_choices(cat, [2020, 2018, 2020], ["001", "002"], ["disability", "women"])
    assert ch["goals"] == ("8", "10", "16")
    assert ch["series_goals"]["B"] == ("10", "16")
    assert ch["years"] == (2020, 2018)


def test_breakdown_text():
    row = dict.fromkeys(
        ("sex", "age", "disability", "location", "quantile", "migratory", "ethnicity", "education"),
        "_T",
    )
    assert views_country.breakdown({**row, "other_dims": ""}) == "total"
    assert (
        views_country.breakdown({**row, "sex": "F", "other_dims": "type=LITE"})
        == "sex=F, type=LITE"
    )


def _cov(**counts):
    base = {s: [0] for s in gaps.STATUSES}
    base.update({k: [v] for k, v in counts.items()})
    frame = pd.DataFrame({"iso3": ["XXX"], **base})
    frame["expected"] = frame[list(gaps.STATUSES)].sum(axis=1)
    return frame.assign(share=frame["disaggregated"] / frame["expected"])


@pytest.mark.parametrize(
    ("counts", "marker"),
    [
        ({"disaggregated": 2, "no_data": 61}, ""),  # 3 %: coloured, never "Disaggregated"
        ({"disaggregated": 63}, ""),
        ({"outdated": 1, "total_only": 5}, "outdated"),
        ({"community_only": 1, "no_data": 9}, "community_only"),
        ({"total_only": 4, "no_data": 9}, "total_only"),
        ({"no_data": 9}, "no_data"),
    ],
)
def test_coverage_marker_only_for_countries_without_a_recent_split(counts, marker):
    assert views.coverage_marker(_cov(**counts)).tolist() == [marker]


def test_map_frame_coverage_low_share_gets_no_disaggregated_marker():
    cov = _cov(disaggregated=2, no_data=61).assign(iso3="KEN")
    frame = views.map_frame(
        "gaps",
        ["KEN"],
        statuses=pd.DataFrame(),
        coverage=cov,
        disparities=pd.DataFrame(),
        series="",
        year=None,
        window=5,
    )
    assert frame.loc[0, "z"] == pytest.approx(2 / 63)
    assert frame.loc[0, "status"] != "disaggregated"


def test_top_shares_skips_zero_and_missing():
    frame = pd.DataFrame(
        {"name": ["Algeria", "Kenya", "Nepal", "Chile", "Peru"], "z": [0.0, 0.5, 0.9, None, 0.5]}
    )
    assert views.top_shares(frame)["name"].tolist() == ["Nepal", "Kenya", "Peru"]
    assert views.top_shares(frame.assign(z=[0.0, 0.0, 0.0, None, 0.0])).empty


@pytest.mark.parametrize(
    ("query", "iso3"),
    [
        ("Kenya", "KEN"),
        ("  kenya ", "KEN"),
        ("ken", "KEN"),  # the ISO3 code
        ("Keny", "KEN"),  # the only name starting so
        ("Nepal", "NPL"),
        ("ni", ""),  # ambiguous (Niger, Nigeria)
        ("Niger", "NER"),  # a whole name wins over the longer one it starts
        ("Narnia", ""),
        ("", ""),
    ],
)
def test_find_country(query, iso3):
    names = {"KEN": "Kenya", "NPL": "Nepal", "NER": "Niger", "NGA": "Nigeria"}
    assert views.find_country(query, names) == iso3


def test_matrix_frame_sorts_both_ways_and_not_expected_last(statuses):
    cov = gaps.coverage(statuses)
    other = cov.assign(group="women", share=[0.0, 1.0, 0.5, 0.2, float("nan")])
    both = pd.concat([cov, other])
    countries = other["iso3"].tolist()
    shares = dict(zip(other["iso3"], other["share"], strict=True))

    def order(sort):
        frame = views.matrix_frame(both, countries, ["disability", "women"], sort=sort)
        return [shares[c] for c in frame["iso3"].drop_duplicates()]

    high, low = order("women"), order("women" + views.ASCENDING)
    assert high[:4] == [1.0, 0.5, 0.2, 0.0] and math.isnan(high[4])
    assert low[:4] == [0.0, 0.2, 0.5, 1.0] and math.isnan(low[4])
    assert views.sort_key("women-asc") == ("women", True)
    assert views.sort_key("women") == ("women", False)


# ---- issue #7: reasons on the map and in the matrix, progress since a base year ----


def _st(rows):
    return pd.DataFrame(rows, columns=["iso3", "group", "series", "status", "reason", "age"])


def test_main_reasons_most_common_gap_reason_per_country_and_group():
    st = _st(
        [
            ("KEN", "disability", "A", "total_only", "not_published", None),
            ("KEN", "disability", "B", "total_only", "not_published", None),
            ("KEN", "disability", "C", "no_data", "no_series", None),
            ("KEN", "disability", "D", "disaggregated", "small_sample", None),  # not a gap
            ("KEN", "women", "A", "outdated", "stale", 9),
            ("UGA", "disability", "A", "disaggregated", "", None),
        ]
    )
    top = views.main_reasons(st, ["iso3", "group"]).set_index(["iso3", "group"])
    assert top.loc[("KEN", "disability"), "reason"] == "not_published"
    assert top.loc[("KEN", "disability"), "n"] == 2 and top.loc[("KEN", "disability"), "gaps"] == 3
    assert top.loc[("KEN", "women"), "reason"] == "stale"
    assert ("UGA", "disability") not in top.index  # no gap, no reason
    # a tie goes to the first reason of gaps.REASONS
    tie = _st(
        [
            ("X", "g", "A", "no_data", "no_series", None),
            ("X", "g", "B", "total_only", "not_published", None),
        ]
    )
    assert views.main_reasons(tie)["reason"].tolist() == ["not_published"]


def test_reason_totals_count_gaps_only_most_first():
    st = _st(
        [
            ("KEN", "g", "A", "total_only", "not_published", None),
            ("UGA", "g", "A", "total_only", "not_published", None),
            ("UGA", "g", "B", "no_data", "no_series", None),
            ("UGA", "g", "C", "disaggregated", "small_sample", None),
            ("FRA", "g", "A", "total_only", "not_comparable", None),
        ]
    )
    assert views.reason_totals(st, ["KEN", "UGA"]) == {"not_published": 2, "no_series": 1}


def test_map_frame_carries_reasons(statuses):
    common = {"disparities": pd.DataFrame(), "year": None, "window": 5}
    iso3s = ["KEN", "UGA", "NPL", "FRA", "CHL"]
    status = views.map_frame(
        "gaps",
        iso3s,
        statuses=statuses,
        coverage=gaps.coverage(statuses),
        series="SL_TLF_UEMDIS",
        **common,
    ).set_index("iso3")
    assert status.loc["FRA", "reason"] == "not_published"
    assert status.loc["UGA", "reason"] == "stale" and status.loc["UGA", "age"] == 12
    assert status.loc["CHL", "reason"] == "no_series"
    counts = views.status_reasons(status.reset_index())
    assert counts["total_only"] == {"n": 1, "reasons": [("not_published", 1)], "ages": None}
    assert counts["outdated"]["ages"] == (12, 12)
    cov = views.map_frame(
        "gaps", iso3s, statuses=statuses, coverage=gaps.coverage(statuses), series="", **common
    ).set_index("iso3")
    assert cov.loc["FRA", "reason"] == "not_published"  # its one gap reason, and its second
    assert cov.loc["CHL", "reason"] == "no_series"


def test_matrix_frame_cells_get_their_main_reason(statuses):
    cov = gaps.coverage(statuses)
    reasons = views.main_reasons(statuses, ["iso3", "group"])
    frame = views.matrix_frame(cov, ["FRA", "KEN"], ["disability"], reasons=reasons)
    # FRA: one series never split, one not published at all: the tie goes to not_published
    assert dict(zip(frame["iso3"], frame["reason"], strict=True)) == {
        "FRA": "not_published",
        "KEN": "",
    }


def test_progress_frame_change_since_base_year():
    prog = pd.DataFrame(
        {
            "iso3": ["KEN", "KEN", "UGA", "UGA", "FRA", "FRA"],
            "group": "disability",
            "year": [2015, 2023] * 3,
            "expected": [10, 10, 4, 4, 5, 5],
            "with_value": [3, 5, 2, 1, 1, 1],
        }
    )
    prog["share"] = prog["with_value"] / prog["expected"]
    frame = views.progress_frame(prog, ["KEN", "UGA", "FRA", "CHL"], 2015, 2023).set_index("iso3")
    assert frame.loc["KEN", "z"] == pytest.approx(0.2)
    assert frame.loc["UGA", "z"] == pytest.approx(-0.25)
    assert frame.loc["FRA", "z"] == 0
    assert math.isnan(frame.loc["CHL", "z"]) and frame.loc["CHL", "direction"] == ""
    assert (frame.loc["KEN", "base_n"], frame.loc["KEN", "now_n"]) == (3, 5)
    assert views.progress_counts(frame.reset_index()) == {
        "improved": 1,
        "declined": 1,
        "unchanged": 1,
    }
    # a base year before the first year of the progress frame is clipped to it
    assert views.progress_frame(prog, ["KEN"], 2000, 2023)["base"].iloc[0] == 2015
