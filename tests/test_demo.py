"""The illustrative demo world and the series catalogue it draws its codes from."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import demo, reference
from data.schema import DIMENSIONS, OBS_COLUMNS, duplicate_problems
from data.vocab import groups
from tests.conftest import shared_data

RAW = Path(demo.__file__).parent / "raw"


@pytest.fixture(scope="module")
def datasets():
    return demo.demo_datasets()


@pytest.fixture(scope="module")
def official(datasets):
    return datasets[0].frame


@pytest.fixture(scope="module")
def community(datasets):
    return pd.concat([d.frame for d in datasets[1:]], ignore_index=True)


def read_raw(name):
    with open(RAW / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


# --- the catalogue files ----------------------------------------------------------------------


def test_series_catalogue_is_well_formed():
    rows = read_raw("series.csv")
    assert list(rows[0]) == [
        "series",
        "indicator",
        "goal",
        "target",
        "title",
        "unit",
        "polarity",
        "about",
    ]
    codes = [r["series"] for r in rows]
    assert len(codes) == len(set(codes)) >= 225
    assert {r["polarity"] for r in rows} <= {"higher_better", "lower_better", "unknown"}
    by_code = {r["series"]: r for r in rows}
    assert by_code["SL_TLF_UEMDIS"]["indicator"] == "8.5.2"
    assert by_code["SL_TLF_UEMDIS"]["polarity"] == "lower_better"
    assert by_code["SP_ACS_BSRVH2O"]["polarity"] == "higher_better"
    assert by_code["VC_VOV_GDSD"]["goal"] == "10, 16"
    assert all(r["title"] and r["indicator"] and r["target"] for r in rows)


def test_expectations_use_canonical_dimensions_and_known_series():
    series = {r["series"] for r in read_raw("series.csv")}
    rows = read_raw("expectations.csv")
    assert list(rows[0]) == ["series", "dimension"]
    assert {r["dimension"] for r in rows} <= set(DIMENSIONS)
    assert {r["series"] for r in rows} <= series
    pairs = {(r["series"], r["dimension"]) for r in rows}
    assert len(pairs) == len(rows)
    # 8.5.2 "Unemployment rate, by sex, age and persons with disabilities"
    for dim in ("sex", "age", "disability"):
        assert ("SL_TLF_UEM", dim) in pairs and ("SL_TLF_UEMDIS", dim) in pairs
    assert ("SP_ACS_BSRVH2O", "location") in pairs  # "by location" in the series title
    assert not any(s == "SG_GEN_PARL" for s, _ in pairs)  # 5.5.1 names no breakdown


@pytest.mark.realdata
def test_catalogue_codes_are_real_un_series():
    path = shared_data("sdg-global-extract", "ddf-raw", "ddf--concepts--continuous.csv")
    concepts = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("name")
    for row in read_raw("series.csv"):
        assert row["series"] in concepts.index, row["series"]
        assert concepts.loc[row["series"], "indicator"] == row["indicator"]


# --- the demo world ---------------------------------------------------------------------------


def test_same_seed_same_world_other_seed_other_values(datasets):
    again = demo.demo_datasets(0)
    assert [d.name for d in again] == [d.name for d in datasets]
    for a, b in zip(datasets, again, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)
    other = demo.demo_datasets(1)[0].frame
    assert not other["value"].head(200).equals(datasets[0].frame["value"].head(200))


def test_frames_are_canonical_and_numbered(datasets):
    for d in datasets:
        assert list(d.frame.columns) == list(OBS_COLUMNS)
        assert (d.frame["dataset"] == 0).all()
        assert d.frame["source_row"].tolist() == list(range(1, len(d.frame) + 1))
        assert (d.frame["source_type"] == d.source_type).all()
        assert not duplicate_problems(d.frame, d.file_name)
    assert sum(len(d.frame) for d in datasets) < 300_000


def test_everything_is_labelled_illustrative(datasets):
    assert "not real" in demo.DEMO_ATTRIBUTION.lower()
    for d in datasets:
        assert d.illustrative
        assert "illustrative" in d.name.lower() and "illustrative" in d.file_name
        assert "not real" in d.attribution.lower()
        assert d.licence == demo.DEMO_LICENCE


def test_every_inhabited_country_is_in_the_official_data_and_no_region_is(official):
    countries = reference.countries()
    inhabited = set(countries.loc[~countries["iso3"].isin(demo.UNINHABITED), "m49"])
    assert set(official["m49"]) == inhabited
    assert (official["iso3"] != "").all() and (official["area_name"] != "").all()


def test_codes_titles_and_units_come_from_the_catalogue(official):
    catalogue = {r["series"]: r for r in read_raw("series.csv")}
    assert set(official["series"]) == set(demo.demo_series())
    assert 30 <= len(demo.demo_series()) <= 40
    for code, rows in official.groupby("series"):
        entry = catalogue[code]
        assert set(rows["indicator"]) == {entry["indicator"]}
        assert set(rows["series_title"]) == {entry["title"]}
        assert set(rows["unit"]) == {entry["unit"]}


def test_no_value_is_missing_without_a_flag(datasets):
    for d in datasets:
        frame = d.frame
        assert not (frame["value"].isna() & (frame["value_flag"] == "")).any()
        assert set(frame["value_flag"]) <= {"", "<"}
    assert (datasets[0].frame["value_flag"] == "<").any()  # undernourishment "<2.5"


def test_values_are_plausible_for_their_unit(datasets):
    frame = pd.concat([d.frame for d in datasets], ignore_index=True)
    assert (frame["value"] > 0).all()
    percent = frame["unit"].isin(demo.PERCENT_UNITS)
    assert frame.loc[percent, "value"].le(100).all()
    per_1000 = frame["unit"].str.contains("_1000_")
    assert frame.loc[per_1000, "value"].le(1000).all()
    assert frame.loc[frame["unit"] == "PER_100000_POP", "value"].le(200).all()
    bounded = frame["lower"].notna()
    assert bounded.any()
    inside = frame[bounded]
    assert (inside["lower"] <= inside["value"]).all() and (inside["value"] <= inside["upper"]).all()
    assert set(frame["nature"]) <= {"C", "CA", "E", "M", "G", ""}


def _paired(frame, group):
    """(series, m49, period) cells holding both a group code and a reference code."""
    dim = frame[group.dimension]
    keys = ["series", "m49", "period", "education", "other_dims"]
    has_group = frame.loc[dim.map(group.is_group_code), keys].drop_duplicates()
    has_ref = frame.loc[dim.isin(group.reference), keys].drop_duplicates()
    return has_group.merge(has_ref, on=keys)


@pytest.mark.parametrize("group_id", sorted(groups()))
def test_each_group_has_splits_with_their_reference(official, group_id):
    assert len(_paired(official, groups()[group_id])) > 0


def test_splits_are_sparse_and_disability_rare_and_older(official):
    totals = official[(official[list(DIMENSIONS)] == "_T").all(axis=1)]
    codes = official.groupby(["m49", "series"])[list(DIMENSIONS)].nunique()
    split = codes.gt(1)
    pairs = split.sum()  # (country, series) pairs split by each dimension
    assert pairs["sex"] > pairs["location"] > pairs["age"] > pairs["disability"]
    assert pairs["disability"] > pairs["migratory"] > 0 and pairs["ethnicity"] > 0
    assert pairs["sex"] < 0.5 * len(split)  # most published series are national totals only
    pd_latest = official[official["disability"] == "PD"].groupby("m49")["year"].max()
    total_latest = totals.groupby("m49")["year"].max()
    assert pd_latest.median() < total_latest.median()


def test_group_gaps_point_the_realistic_way(official):
    def mean(series, dim, code):
        rows = official[(official["series"] == series) & (official[dim] == code)]
        return rows["value"].mean()

    assert mean("SL_TLF_UEMDIS", "disability", "PD") > mean("SL_TLF_UEMDIS", "disability", "PWD")
    assert mean("SL_TLF_UEM", "age", "Y15T24") > mean("SL_TLF_UEM", "age", "Y_GE25")
    assert mean("SP_ACS_BSRVH2O", "location", "R") < mean("SP_ACS_BSRVH2O", "location", "U")
    assert mean("SE_TOT_CPLR", "quantile", "Q1") < mean("SE_TOT_CPLR", "quantile", "Q5")


def test_community_datasets_cover_the_five_pilots(datasets):
    communities = datasets[1:]
    assert [d.source_type for d in communities] == ["community"] * 5
    m49s = [set(d.frame["m49"]) for d in communities]
    assert sorted(next(iter(s)) for s in m49s) == sorted(demo.PILOT_COUNTRIES)
    assert all(len(s) == 1 for s in m49s)
    names = " ".join(d.name for d in communities)
    for country in ("Bangladesh", "India", "Kenya", "Nepal", "Vietnam"):
        assert f"— {country} (illustrative)" in names


def test_community_rows_have_small_samples(community):
    assert community["n"].notna().all()
    assert (community["n"] < 30).any()
    assert (community["n"] >= 30).any()
    assert set(community["source_type"]) == {"community"}


def test_community_fills_splits_the_official_data_lack(official, community):
    found = 0
    for (m49, series), rows in community.groupby(["m49", "series"]):
        for dim in DIMENSIONS:
            if rows[dim].nunique() < 2:  # not split here (or a code every row carries)
                continue
            theirs = official[(official["m49"] == m49) & (official["series"] == series)]
            assert len(set(theirs[dim])) <= 1, (m49, series, dim)
            found += 1
    assert found >= 5 * 5
    assert set(community.loc[community["disability"] != "_T", "disability"]) == {"PD", "PWD"}
    assert "Y_GE65" in set(community["age"]) and "F" in set(community["sex"])


def test_unit_ceiling():
    assert demo.unit_ceiling("PERCENT") == 100
    assert demo.unit_ceiling("PER_1000_LIVE_BIRTHS") == 1000
    assert np.isinf(demo.unit_ceiling("CUR_LCU"))
