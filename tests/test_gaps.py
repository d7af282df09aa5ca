import numpy as np
import pandas as pd
import pytest

from data import gaps
from data.vocab import group
from tests.conftest import obs_frame

KEN, BGD = {"iso3": "KEN", "m49": "404"}, {"iso3": "BGD", "m49": "050"}


def _o(area, period, value, series="S", **dims):
    return {**area, "series": series, "period": str(period), "value": value, **dims}


@pytest.mark.parametrize(
    ("rows", "expected_status", "latest"),
    [
        # group and reference in a recent year -> disaggregated
        (
            [_o(KEN, 2022, 10, disability="PD"), _o(KEN, 2022, 5, disability="PWD")],
            "disaggregated",
            2022,
        ),
        # newest 2023, latest split 2019: 2023 - 2019 = 4 < 5 -> still disaggregated
        (
            [
                _o(KEN, 2019, 10, disability="PD"),
                _o(KEN, 2019, 5, disability="PWD"),
                _o(BGD, 2023, 1),
            ],
            "disaggregated",
            2019,
        ),
        # 2023 - 2018 = 5 -> outdated
        (
            [
                _o(KEN, 2018, 10, disability="PD"),
                _o(KEN, 2018, 5, disability="PWD"),
                _o(BGD, 2023, 1),
            ],
            "outdated",
            2018,
        ),
        # a group value with no reference value to compare with is not a split (when the
        # series has references elsewhere)
        (
            [_o(KEN, 2022, 10, disability="PD"), _o(BGD, 2022, 1, disability="PWD")],
            "total_only",
            2022,
        ),
        # a missing value ("N") never makes a split: the older real one decides
        (
            [
                _o(KEN, 2022, float("nan"), disability="PD", value_flag="N"),
                _o(KEN, 2022, 10, disability="PWD"),
                _o(KEN, 2015, 5, disability="PD"),
                _o(KEN, 2015, 6, disability="PWD"),
            ],
            "outdated",
            2015,
        ),
        # ... nor is one whose reference is of another year
        ([_o(KEN, 2022, 10, disability="PD"), _o(KEN, 2021, 7)], "total_only", 2022),
        # reference falls back to the total when PWD is absent
        (
            [_o(KEN, 2022, 10, disability="PD"), _o(KEN, 2022, 7, disability="_T")],
            "disaggregated",
            2022,
        ),
        # only community data split it
        (
            [
                _o(KEN, 2022, 10, disability="PD", source_type="community"),
                _o(KEN, 2022, 5, disability="PWD", source_type="community"),
                _o(BGD, 2023, 1),
                _o(KEN, 2020, 7),
            ],
            "community_only",
            2022,
        ),
        # an old official split beats a recent community one (status), community year kept
        (
            [
                _o(KEN, 2010, 10, disability="PD"),
                _o(KEN, 2010, 5, disability="PWD"),
                _o(KEN, 2022, 10, disability="PD", source_type="community"),
                _o(KEN, 2022, 5, disability="PWD", source_type="community"),
                _o(BGD, 2023, 1),
            ],
            "outdated",
            2010,
        ),
        ([_o(KEN, 2022, 7)], "total_only", 2022),
        ([_o(BGD, 2022, 7)], "no_data", None),
        # group and reference from different datasets are never paired
        (
            [
                _o(KEN, 2022, 10, disability="PD", dataset=1),
                _o(KEN, 2022, 5, disability="PWD", dataset=2),
            ],
            "total_only",
            2022,
        ),
        # ... nor with a different unit
        (
            [
                _o(KEN, 2022, 10, disability="PD", unit="PERCENT"),
                _o(KEN, 2022, 5, disability="PWD", unit="NUMBER"),
            ],
            "total_only",
            2022,
        ),
    ],
)
def test_status_table(rows, expected_status, latest):
    st = gaps.status(obs_frame(rows), group("disability"), ["S"], ["KEN"], recent_years=5)
    assert len(st) == 1
    assert st.loc[0, "status"] == expected_status
    got = st.loc[0, "latest_year"]
    assert (pd.isna(got) and latest is None) or got == latest


def test_status_grid_covers_every_country_and_series():
    obs = obs_frame([_o(KEN, 2022, 1, series="A")])
    st = gaps.status(obs, group("women"), ["A", "B"], ["KEN", "BGD", "NPL"], 5)
    assert len(st) == 6
    assert set(st["status"]) == {"total_only", "no_data"}
    assert st.set_index(["iso3", "series"]).loc[("KEN", "A"), "status"] == "total_only"


def test_regional_aggregates_are_never_countries():
    world = {"iso3": "", "m49": "001"}
    obs = obs_frame([_o(world, 2022, 10, sex="F"), _o(world, 2022, 9, sex="M")])
    st = gaps.status(obs, group("women"), ["S"], ["KEN"], 5)
    assert st["status"].tolist() == ["no_data"]


def test_pairs_match_slices_and_prefer_reference_order():
    rows = [
        _o(KEN, 2022, 10, disability="PD", sex="F"),
        _o(KEN, 2022, 6, disability="PWD", sex="F"),
        _o(KEN, 2022, 8, disability="_T", sex="F"),
        _o(KEN, 2022, 12, disability="PD", sex="M"),
        _o(KEN, 2022, 9, disability="_T", sex="M"),  # no PWD for men: falls back to total
    ]
    p = gaps.pairs(obs_frame(rows), group("disability")).set_index("sex")
    assert p.loc["F", "ref_code"] == "PWD" and p.loc["F", "ref_value"] == 6
    assert p.loc["M", "ref_code"] == "_T" and p.loc["M", "ref_value"] == 9
    assert p.loc["F", "source_row"] == 2 and p.loc["F", "ref_source_row"] == 3


def test_different_nature_rows_are_separate_pairs_never_averaged():
    rows = [
        _o(KEN, 2022, 10, sex="F", nature="C"),
        _o(KEN, 2022, 8, sex="M", nature="C"),
        _o(KEN, 2022, 11, sex="F", nature="E"),
        _o(KEN, 2022, 7, sex="M", nature="E"),
    ]
    p = gaps.pairs(obs_frame(rows), group("women")).sort_values("nature")
    assert p["value"].tolist() == [10, 11]
    assert p["ref_value"].tolist() == [8, 7]


@pytest.mark.parametrize(
    ("polarity", "value", "ref", "direction"),
    [
        ("lower_better", 12.0, 8.0, "worse"),
        ("lower_better", 6.0, 8.0, "better"),
        ("higher_better", 6.0, 8.0, "worse"),
        ("higher_better", 8.0, 8.0, "equal"),
        ("unknown", 6.0, 8.0, "unknown"),
    ],
)
def test_disparity_direction(polarity, value, ref, direction):
    rows = [_o(KEN, 2022, value, sex="F", n=20), _o(KEN, 2022, ref, sex="M", n=400)]
    d = gaps.disparity(gaps.pairs(obs_frame(rows), group("women")), {"S": polarity}, 30)
    assert d.loc[0, "direction"] == direction
    assert d.loc[0, "difference"] == pytest.approx(value - ref)
    assert d.loc[0, "ratio"] == pytest.approx(value / ref)
    assert bool(d.loc[0, "small_sample"]) is True
    assert bool(d.loc[0, "headline"]) is True


def test_disparity_bounds_and_flags():
    rows = [
        _o(KEN, 2022, 2.5, sex="F", value_flag="<", lower=1.0, upper=3.0),
        _o(KEN, 2022, 0.0, sex="M"),
        _o(KEN, 2021, 5.0, sex="F", age="Y15T24"),
        _o(KEN, 2021, 4.0, sex="M", age="Y15T24"),
    ]
    d = gaps.disparity(gaps.pairs(obs_frame(rows), group("women")), {"S": "lower_better"})
    d = d.set_index("period")
    assert d.loc["2022", "direction"] == "unknown"  # a bound is not a value to rank
    assert np.isnan(d.loc["2022", "ratio"])  # reference 0
    assert d.loc["2022", "lower"] == 1.0 and d.loc["2022", "upper"] == 3.0
    assert bool(d.loc["2021", "headline"]) is False  # split by age too


def test_coverage_and_region_coverage():
    rows = [
        _o(KEN, 2022, 10, series="A", sex="F"),
        _o(KEN, 2022, 9, series="A", sex="M"),
        _o(KEN, 2022, 10, series="B"),
        _o(BGD, 2010, 10, series="A", sex="F"),
        _o(BGD, 2010, 9, series="A", sex="M"),
    ]
    st = gaps.status(obs_frame(rows), group("women"), ["A", "B"], ["KEN", "BGD", "NPL"], 5)
    cov = gaps.coverage(st).set_index("iso3")
    assert cov.loc["KEN", ["expected", "disaggregated", "total_only"]].tolist() == [2, 1, 1]
    assert cov.loc["KEN", "share"] == 0.5
    assert cov.loc["BGD", ["outdated", "no_data"]].tolist() == [1, 1]
    assert cov.loc["NPL", "no_data"] == 2 and cov.loc["NPL", "share"] == 0
    reg = gaps.region_coverage(cov.reset_index(), {"034": ["BGD", "NPL"], "254": ["KEN"]})
    reg = reg.set_index("region")
    assert reg.loc["034", ["countries", "expected", "outdated", "no_data"]].tolist() == [2, 4, 1, 3]
    assert reg.loc["254", "share"] == 0.5


def test_wildcard_group_codes_for_population_groups():
    rows = [
        _o(KEN, 2022, 3, ethnicity="POP_A"),
        _o(KEN, 2022, 5, ethnicity="POP_B"),
        _o(KEN, 2022, 4),
    ]
    p = gaps.pairs(obs_frame(rows), group("ethnicity"))
    assert sorted(p["ethnicity"]) == ["POP_A", "POP_B"]
    assert set(p["ref_code"]) == {"_T"}


def test_series_about_the_group_itself_count_the_group_value():
    # under-5 mortality has only the children's age code: nothing to compare, group visible
    rows = [
        _o(KEN, 2021, 40.0, series="MORT", age="Y_LT5"),
        _o(BGD, 2010, 30.0, series="MORT", age="Y_LT5"),
        _o(KEN, 2021, 8.0, series="OTHER"),
    ]
    st = gaps.status(obs_frame(rows), group("children"), ["MORT", "OTHER"], ["KEN", "BGD"], 5)
    st = st.set_index(["iso3", "series"])["status"]
    assert st[("KEN", "MORT")] == "disaggregated" and st[("BGD", "MORT")] == "outdated"
    assert st[("KEN", "OTHER")] == "total_only"
    assert gaps.group_specific_series(obs_frame(rows), group("children")) == {"MORT"}


def test_community_data_do_not_move_the_recency_window():
    rows = [
        _o(KEN, 2019, 10, disability="PD"),
        _o(KEN, 2019, 5, disability="PWD"),
        _o(BGD, 2026, 9, disability="PD", source_type="community"),
        _o(BGD, 2026, 4, disability="PWD", source_type="community"),
    ]
    st = gaps.status(obs_frame(rows), group("disability"), ["S"], ["KEN", "BGD"], 5)
    st = st.set_index("iso3")
    assert st.loc["KEN", "status"] == "disaggregated" and st.loc["KEN", "newest_year"] == 2019
    assert st.loc["BGD", "status"] == "community_only"


def test_headline_treats_a_series_base_age_as_no_split():
    rows = [
        _o(KEN, 2022, 20.0, sex="F", age="Y_GE15"),
        _o(KEN, 2022, 18.0, sex="M", age="Y_GE15"),
        _o(KEN, 2022, 9.0, sex="F", age="Y_GE15", location="R"),
        _o(KEN, 2022, 7.0, sex="M", age="Y_GE15", location="R"),
    ]
    d = gaps.disparity(gaps.pairs(obs_frame(rows), group("women")), {}, 30, group("women"))
    d = d.set_index("location")
    assert bool(d.loc["_T", "headline"]) is True  # age 15+ throughout is the base
    assert bool(d.loc["R", "headline"]) is False
