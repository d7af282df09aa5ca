"""Acceptance on the real UN extract: our statuses equal an independent computation.

The independent computation below works on the raw file's own labels and columns, with plain
pandas, and none of the project's readers, vocabulary or gap engine.
"""

import pandas as pd
import pytest

from data import queries

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

# raw label of the group, raw labels of its reference in order of preference (as groups.csv)
CASES = {
    ("SL_TLF_UEMDIS", "disability"): ("Disability status", ["PD"], ["PWD", "_T"]),
    ("SI_COV_PENSN", "women"): ("Sex", ["FEMALE"], ["MALE", "BOTHSEX"]),
    ("SL_TLF_UEM", "youth"): ("Age", ["15-24"], ["25+", "25-64", "15+", "15-64", "ALLAGE"]),
}
KEYS = [
    "SeriesCode",
    "GeoAreaCode",
    "TimePeriod",
    "Units",
    "Nature",
    "Sex",
    "Age",
    "Disability status",
    "Location",
    "Quantile",
    "Education level",
    "Population group",
    "Migratory status",
    "OtherDimensions",
]


def independent_status(path, series, column, group_labels, ref_labels, recent=5):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    geo = pd.read_csv(path.parent / "geo_areas_m49.csv", dtype=str, keep_default_na=False)
    iso = dict(geo.loc[geo["ISO3"] != "", ["GeoAreaCode", "ISO3"]].to_numpy())
    raw = raw[pd.to_numeric(raw["Value"].str.lstrip("<>"), errors="coerce").notna()]  # "N": none
    # as of the newest year of country data in the file (regional aggregates do not count)
    newest = raw.loc[raw["GeoAreaCode"].isin(iso), "TimePeriod"].astype(int).max()
    s = raw[raw["SeriesCode"] == series]
    s = s[s["GeoAreaCode"].isin(iso)]
    keys = [k for k in KEYS if k != column]
    grp = s[s[column].isin(group_labels)]
    matched_years = {}
    remaining = grp
    for ref_label in ref_labels:
        ref = s[s[column] == ref_label][keys].drop_duplicates()
        hit = remaining.merge(ref, on=keys, how="inner")
        for code, year in zip(hit["GeoAreaCode"], hit["TimePeriod"].astype(int), strict=True):
            matched_years[code] = max(matched_years.get(code, 0), year)
        remaining = remaining.merge(ref, on=keys, how="left", indicator=True)
        remaining = remaining[remaining["_merge"] == "left_only"].drop(columns="_merge")
    has_series = set(s["GeoAreaCode"])
    out = {}
    for code, iso3 in iso.items():
        if code in matched_years:
            recent_enough = newest - matched_years[code] < recent
            out[iso3] = ("disaggregated" if recent_enough else "outdated", matched_years[code])
        elif code in has_series:
            out[iso3] = (
                "total_only",
                int(s.loc[s["GeoAreaCode"] == code, "TimePeriod"].astype(int).max()),
            )
        else:
            out[iso3] = ("no_data", None)
    return out


def test_extract_imports_completely(extract):
    path, _, summary = extract
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert summary.rows == len(raw) == 831_697
    obs = queries.observations().sort_values("source_row")
    assert obs["source_row"].tolist() == list(range(2, len(raw) + 2))
    numeric = raw["Value"].str.lstrip("<>")
    is_num = pd.to_numeric(numeric, errors="coerce").notna().to_numpy()
    expected = numeric[is_num].map(float).to_numpy()
    assert (obs["value"].to_numpy()[is_num] == expected).all()  # exact round trip
    flags = obs["value_flag"].astype(str).to_numpy()
    assert (flags[raw["Value"].str.startswith("<").to_numpy()] == "<").all()
    assert obs["value"].isna().sum() == (~is_num).sum() == 3_133


@pytest.mark.parametrize(("series", "group"), list(CASES))
def test_statuses_equal_independent_computation(extract, series, group):
    path = extract[0]
    column, group_labels, ref_labels = CASES[(series, group)]
    expected = independent_status(path, series, column, group_labels, ref_labels)
    ours = queries.statuses(group)
    ours = ours[ours["series"] == series].set_index("iso3")
    common = sorted(set(expected) & set(ours.index))
    assert len(common) >= 240
    got = {
        i: (
            ours.loc[i, "status"],
            None if pd.isna(ours.loc[i, "latest_year"]) else int(ours.loc[i, "latest_year"]),
        )
        for i in common
    }
    want = {i: expected[i] for i in common}
    assert got == want
    assert sum(v[0] == "disaggregated" for v in want.values()) > 10
