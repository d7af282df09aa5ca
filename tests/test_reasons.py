"""Gaps that say why: reasons, series about a group, declared splits, projections, progress."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import catalogue, cli, gaps, pipeline, queries
from data.readers import read
from data.settings import Settings
from data.vocab import group
from tests.conftest import obs_frame

KEN, BGD = {"iso3": "KEN", "m49": "404"}, {"iso3": "BGD", "m49": "050"}
DIS = group("disability")


def _o(area, period, value, series="S", **dims):
    return {**area, "series": series, "period": str(period), "value": value, **dims}


def _split(area, year, series="S", **extra):
    return [
        _o(area, year, 10.0, series, disability="PD", **extra),
        _o(area, year, 5.0, series, disability="PWD", **extra),
    ]


def _one(rows, series=("S",), countries=("KEN",), **kw):
    out = gaps.status(obs_frame(rows), DIS, list(series), list(countries), 5, **kw)
    return out.set_index(["iso3", "series"])


@pytest.mark.parametrize(
    ("rows", "status", "reason", "kw"),
    [
        (_split(KEN, 2022), "disaggregated", "", {}),
        (_split(KEN, 2015) + [_o(BGD, 2023, 1.0)], "outdated", "stale", {}),
        (_split(KEN, 2022, n=12), "disaggregated", "small_sample", {}),
        (_split(KEN, 2022, nature="E"), "disaggregated", "estimate_or_projection", {}),
        (
            _split(KEN, 2022, source_type="community") + [_o(KEN, 2020, 7.0)],
            "community_only",
            "community_only",
            {},
        ),
        ([_o(KEN, 2022, 7.0)] + _split(BGD, 2022), "total_only", "not_published", {}),
        ([_o(BGD, 2022, 7.0)], "no_data", "no_series", {}),
        ([_o(BGD, 2022, 7.0)], "no_data", "declared_missing", {"declared": {"S": {"KEN"}}}),
        # expectations.csv says what is expected everywhere, not why it is missing here
        ([_o(BGD, 2022, 7.0)], "no_data", "no_series", {"declared": {"S": None}}),
        (
            [_o(KEN, 2022, 7.0)] + _split(BGD, 2022),
            "total_only",
            "declared_missing",
            {"declared": {"S": {"KEN"}}},
        ),
        # a group value whose reference is in another unit never pairs: not comparable
        (
            [_o(KEN, 2022, 10.0, disability="PD"), _o(KEN, 2022, 5.0, disability="PWD", unit="N")]
            + _split(BGD, 2022),
            "total_only",
            "not_comparable",
            {},
        ),
        # a projection (Nature P) is never data of its year: only a projection exists
        (
            _split(KEN, 2022, nature="P") + [_o(BGD, 2022, 1.0)],
            "no_data",
            "estimate_or_projection",
            {},
        ),
    ],
)
def test_status_and_reason(rows, status, reason, kw):
    out = _one(rows, countries=("KEN", "BGD"), **kw).loc[("KEN", "S")]
    assert (out["status"], out["reason"]) == (status, reason)


def test_stale_says_the_age():
    out = _one(_split(KEN, 2013) + [_o(BGD, 2023, 1.0)], countries=("KEN", "BGD"))
    assert out.loc[("KEN", "S"), "age"] == 10


def test_future_periods_and_regional_aggregates_do_not_set_the_as_of_year():
    world = {"iso3": "", "m49": "001"}
    rows = _split(KEN, 2019) + [_o(world, 2024, 3.0), _o(BGD, 2090, 1.0, nature="P")]
    obs = obs_frame(rows)
    assert gaps.as_of_year(obs) == 2019
    out = gaps.status(obs, DIS, ["S"], ["KEN", "BGD"], 5).set_index("iso3")
    assert out.loc["KEN", "status"] == "disaggregated"
    assert out.loc["KEN", "newest_year"] == 2019


def test_future_year_is_not_data():
    rows = _split(KEN, 2099) + [_o(KEN, 2018, 4.0)]
    out = _one(rows, as_of=2024).loc[("KEN", "S")]
    assert out["status"] == "total_only"  # the 2099 "split" is beyond the as-of year


def test_series_about_the_group_counts_without_its_codes():
    # SI_COV_DISAB: persons with severe disabilities receiving benefits, split by sex only
    rows = [_o(KEN, 2021, 2.4, "COV", sex="_T"), _o(KEN, 2021, 2.0, "COV", sex="F")]
    out = _one(rows, series=("COV",), about={"COV"}).loc[("KEN", "COV")]
    assert (out["status"], out["reason"]) == ("disaggregated", "")
    assert _one(rows, series=("COV",)).loc[("KEN", "COV"), "status"] == "total_only"


def test_about_is_data_and_derived_from_titles():
    cat_file = catalogue.series_file()
    assert cat_file.set_index("series").loc["SI_COV_DISAB", "about"] == "disability"
    assert catalogue.derived_about("Share of people with disabilities in jobs", ()) == "disability"
    assert catalogue.derived_about("Seats held by women in parliament", ()) == "women"
    assert catalogue.derived_about("Unemployment rate, by sex", ()) == ""
    assert catalogue.derived_about("Employment of women", ("sex",)) == ""  # split by sex


def test_si_cov_disab_is_expected_for_disability():
    obs = obs_frame([_o(KEN, 2021, 2.4, "SI_COV_DISAB", sex="F")])
    none = pd.DataFrame(columns=["series", "dimension"])
    cat = catalogue.catalogue(obs, none, catalogue.series_file())
    assert "disability" in cat.set_index("series").loc["SI_COV_DISAB", "groups"]


def test_label_column_repeating_a_code_is_not_a_breakdown(tmp_path):
    path = tmp_path / "labels.csv"
    head = "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,"
    head += "TimePeriod,Value,Units,Nature,Sex,Sex label\n"
    body = "".join(
        f"8,8.5,8.5.2,SL_X,Unemployment (%),404,Kenya,2019,{v},PERCENT,C,{code},{label}\n"
        for v, code, label in (("6.1", "FEMALE", "Women"), ("5.1", "MALE", "Men"))
    )
    path.write_text(head + body)
    result = read(path)
    assert [p.code for p in result.problems] == ["label_column"]
    assert result.frame["other_dims"].eq("").all()
    out = gaps.status(result.frame, group("women"), ["SL_X"], ["KEN"], 5)
    assert out["status"].tolist() == ["disaggregated"]


@pytest.mark.parametrize("suffix", [".md", ".yml"])
def test_open_sdg_declared_splits_become_visible_gaps(tmp_path, suffix):
    data = tmp_path / "data"
    meta = tmp_path / "meta"
    data.mkdir()
    meta.mkdir()
    (data / "indicator_8-5-2.csv").write_text("Year,Sex,Value\n2021,,4.5\n2021,Female,4.1\n")
    yaml = "indicator_name: Unemployment\nexpected_disaggregations:\n  - Sex\n"
    yaml += "  - Disability status\n  - Place of occurrence\n"
    (meta / f"8-5-2{suffix}").write_text(f"---\n{yaml}---\n" if suffix == ".md" else yaml)
    result = read(data / "indicator_8-5-2.csv", country="GBR")
    assert result.metadata["declared"] == [("OSDG_8_5_2", "sex"), ("OSDG_8_5_2", "disability")]
    assert any(p.code == "unknown_dimension" for p in result.problems)
    settings = Settings(data_dir=tmp_path / "store", cache_type="NullCache", demo_on_empty=False)
    store = queries.configure(settings)
    pipeline.import_files(store, [data / "indicator_8-5-2.csv"], settings, country="GBR")
    st = queries.statuses("disability").set_index(["iso3", "series"])
    row = st.loc[("GBR", "OSDG_8_5_2")]
    assert (row["status"], row["reason"]) == ("total_only", "declared_missing")
    assert ("KEN", "OSDG_8_5_2") not in st.index  # a national series: expected of GBR only


def test_progress_counts_splits_in_the_window():
    rows = _split(KEN, 2016, "A") + _split(KEN, 2021, "B") + [_o(KEN, 2021, 3.0, "C")]
    obs = obs_frame(rows)
    expected = gaps.status(obs, DIS, ["A", "B", "C"], ["KEN"], 5)
    out = gaps.progress(obs, DIS, expected, range(2015, 2023), 5).set_index("year")
    assert out["expected"].eq(3).all()
    assert out.loc[2015, "with_value"] == 0
    assert out.loc[2016, "with_value"] == 1  # A
    assert out.loc[2020, "with_value"] == 1  # A (2016) is still within 2016-2020
    assert out.loc[2021, "with_value"] == 1  # A left the window, B came
    assert out.loc[2022, "with_value"] == 1
    # the last year agrees with the statuses as of that year
    as_of = gaps.status(obs, DIS, ["A", "B", "C"], ["KEN"], 5, as_of=2020)
    assert (as_of["status"] == "disaggregated").sum() == out.loc[2020, "with_value"]


def test_cli_gaps_and_progress(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path / "s", cache_type="NullCache", demo_on_empty=False)
    path = tmp_path / "t.csv"
    path.write_text(
        "series,iso3,period,value,disability\n"
        "SI_COV_DISAB,KEN,2021,2.4,\nSL_TLF_UEMDIS,KEN,2019,9.1,PD\nSL_TLF_UEMDIS,KEN,2019,5.0,PWD\n"
        "SL_TLF_UEMDIS,KEN,2012,9.9,PD\nSL_TLF_UEMDIS,KEN,2012,5.5,PWD\n"
    )
    assert cli.main(["import", str(path), "--format", "template"], settings) == 0
    capsys.readouterr()
    assert cli.main(["gaps", "--group", "disability", "--country", "KEN"], settings) == 0
    text = capsys.readouterr().out
    assert "KEN,SI_COV_DISAB,disability,disaggregated" in text
    assert text.splitlines()[0] == "iso3,series,group,status,reason,age,latest_year"
    assert cli.main(["progress", "--group", "disability", "--country", "KEN"], settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "iso3,group,year,expected,with_value,share"
    assert "KEN,disability,2015,2,1,0.5" in lines  # 2012 still within 2011-2015
    assert "KEN,disability,2021,2,2,1.0" in lines


# -- a country's statuses depend only on its own rows --------------------------------------
_SERIES = ("S1", "S2", "S3")
_CODES = ("PD", "PWD", "_T")
_row = st.fixed_dictionaries(
    {
        "series": st.sampled_from(_SERIES),
        "period": st.integers(2005, 2024).map(str),
        "value": st.floats(0, 100, allow_nan=False),
        "disability": st.sampled_from(_CODES),
        "source_type": st.sampled_from(("official", "community")),
        "nature": st.sampled_from(("C", "E", "P")),
        "n": st.sampled_from((float("nan"), 10.0, 500.0)),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.lists(_row, max_size=12), extra=st.lists(_row, min_size=1, max_size=8))
def test_adding_rows_for_one_country_never_changes_another(base, extra):
    area = [KEN, BGD]
    rows = [{**area[i % 2], **r} for i, r in enumerate(base)]
    context = {"as_of": 2022, "specific": set(), "declared": {"S1": None}}
    before = gaps.status(obs_frame(rows), DIS, _SERIES, ["KEN", "BGD"], 5, **context)
    added = rows + [{**BGD, **r} for r in extra]
    after = gaps.status(obs_frame(added), DIS, _SERIES, ["KEN", "BGD"], 5, **context)
    cols = ["series", "status", "reason", "age", "latest_year"]
    ken = [f[f["iso3"] == "KEN"][cols].reset_index(drop=True) for f in (before, after)]
    pd.testing.assert_frame_equal(ken[0], ken[1])


_AREAS = (KEN, BGD, {"iso3": "NPL", "m49": "524"})
_slice = st.fixed_dictionaries(  # rows of one slice: the codes it has, the columns they share
    {
        "area": st.sampled_from(range(3)),
        "series": st.sampled_from(_SERIES),
        "period": st.sampled_from(("2010", "2016", "2019", "2021", "FUTURE")),
        "nature": st.sampled_from(("C", "E", "P")),
        "source_type": st.sampled_from(("official", "community")),
        "location": st.sampled_from(("_T", "URBAN")),
        "codes": st.lists(st.sampled_from(_CODES), min_size=1, max_size=3, unique=True),
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slices=st.lists(_slice, max_size=14))
def test_progress_from_the_disparity_tables_pairs_equals_pairing_again(slices):
    """``paired`` (the official rows' pairs, the disparity table) gives the progress that
    pairing the kept rows again gives: with projections, future years, community rows,
    countries and series outside the expected grid, and several slices per series."""
    from datetime import date

    later = str(date.today().year + 2)  # a future period never counts
    rows = [
        {
            **_AREAS[sl["area"]],
            **{k: sl[k] for k in ("series", "nature", "source_type", "location")},
            "period": later if sl["period"] == "FUTURE" else sl["period"],
            "value": 10.0 + i,
            "disability": code,
        }
        for i, sl in enumerate(slices)
        for code in sl["codes"]
    ]
    obs = obs_frame(rows) if rows else obs_frame([_o(KEN, 2020, 1.0)])
    expected = gaps.status(obs, DIS, ["S1", "S2"], ["KEN", "BGD"], 5, as_of=2022, specific=set())
    official = obs[obs["source_type"] == "official"]
    kw = {"specific": {"S2"}, "about": ()}
    years = range(2000, 2023)
    again = gaps.progress(obs, DIS, expected, years, 5, **kw)
    paired = gaps.progress(obs, DIS, expected, years, 5, paired=gaps.pairs(official, DIS), **kw)
    pd.testing.assert_frame_equal(paired, again, check_exact=True)


@pytest.mark.realdata
def test_real_extract_si_cov_disab_for_kenya(extract, capsys):
    assert cli.main(["gaps", "--group", "disability", "--country", "KEN"], extract[1]) == 0
    text = capsys.readouterr().out
    assert "KEN,SI_COV_DISAB,disability,disaggregated" in text


def test_cli_says_a_national_series_is_not_expected_here(realshape, capsys):
    assert cli.main(["gaps", "--group", "disability", "--country", "KEN"], realshape) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "KEN,OSDG_2_1_2,disability,,not_expected_here,," in lines
    assert cli.main(["gaps", "--group", "disability", "--country", "GBR"], realshape) == 0
    assert not any("not_expected_here" in x for x in capsys.readouterr().out.splitlines())


@pytest.mark.realdata
def test_kenya_disability_page_opens_on_si_cov_disab(extract):
    # Kenya has no disability pair in the extract; its one group value is SI_COV_DISAB, a
    # series about persons with disabilities: the page must open on it, not on a total-only one
    from layouts.pages import country

    s = {"group": "disability", "source": "all", "goal": "all", "series": ""}
    assert country.pick_series("KEN", s) == "SI_COV_DISAB"
    # ... and draws it as the group's line, not as a "Total"
    import json
    from dataclasses import replace

    from app import create_app

    create_app(replace(extract[1], cache_type="NullCache"), warm=False)  # assets URLs need it
    detail = json.dumps(
        country.detail_payload.uncached(0, "KEN", "disability", "SI_COV_DISAB", "all", "en")
    )
    assert "Persons with disabilities (official)" in detail
    assert "Total (official)" not in detail
