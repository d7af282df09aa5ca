import csv
import gzip

import pandas as pd
import pytest

from data import reference as ref
from tests.conftest import shared_data

FIVE = ["KEN", "BGD", "IND", "NPL", "VNM"]


def test_areas_columns_and_codes():
    areas = ref.areas()
    for col in [
        "m49",
        "iso3",
        "iso2",
        "kind",
        "name_en",
        "name_fr",
        "name_es",
        "name_ar",
        "region_m49",
        "subregion_m49",
        "intermediate_m49",
        "sdg_region_m49",
    ]:
        assert col in areas.columns
    assert areas["m49"].is_unique
    assert areas["m49"].str.fullmatch(r"\d{3}|\d{5}").all()
    assert set(areas["kind"]) == {"country", "region"}
    # kind is "country" exactly when there is an ISO3 code
    assert ((areas["kind"] == "country") == (areas["iso3"] != "")).all()
    countries = ref.countries()
    assert (countries["kind"] == "country").all()
    assert countries["iso3"].is_unique and countries["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert countries["iso2"].str.fullmatch(r"[A-Z]{2}").all()
    assert len(countries) >= 249


@pytest.mark.parametrize("iso3", FIVE)
def test_names_in_four_languages(iso3):
    names = {lang: ref.area_name(iso3, lang) for lang in ref.LANGS}
    assert all(names.values())
    assert names["en"].isascii()
    assert not names["ar"].isascii()  # Arabic script
    assert ref.area_name(ref.m49_for_iso3(iso3), "fr") == names["fr"]


def test_known_names():
    assert ref.area_name("KEN", "ar") == "كينيا"
    assert ref.area_name("404", "es") == "Kenia"
    assert ref.area_name("VNM", "fr") == "Viêt Nam"
    assert ref.area_name("014", "es") == "África oriental"
    assert ref.area_name("202", "fr") == "Afrique subsaharienne"
    # grouping that CLDR lacks: English fallback
    assert ref.area_name("747", "ar") == "Northern Africa and Western Asia"
    assert ref.area_name("419", "fr") == "Latin America and the Caribbean"  # CLDR 419 differs
    assert ref.area_name("XYZ") == "XYZ"


def test_m49_iso3_round_trip_for_all_countries():
    for row in ref.countries().itertuples():
        assert ref.m49_for_iso3(row.iso3) == row.m49
        assert ref.iso3_for_m49(row.m49) == row.iso3
        assert ref.iso3_for_m49(int(row.m49)) == row.iso3


def test_normalize_m49():
    assert ref.normalize_m49("4") == ref.normalize_m49(4) == ref.normalize_m49("004") == "004"
    assert ref.normalize_m49("4.0") == "004"
    assert ref.normalize_m49(" 404 ") == "404"
    assert ref.normalize_m49("99018") == "99018"
    assert ref.normalize_m49("999") is None
    assert ref.normalize_m49("abc") is None
    assert ref.normalize_m49(None) is None
    assert ref.iso3_for_m49("001") is None
    assert ref.m49_for_iso3("kEn") == "404"
    assert ref.m49_for_iso3("XXX") is None


def test_hierarchy_of_kenya_and_vietnam():
    kenya = ref.areas().set_index("m49").loc["404"]
    assert (kenya["region_m49"], kenya["subregion_m49"], kenya["intermediate_m49"]) == (
        "002",
        "202",
        "014",
    )
    assert kenya["sdg_region_m49"] == "202"
    assert bool(kenya["ldc"]) is False and bool(kenya["lldc"]) is False
    viet = ref.areas().set_index("m49").loc["704"]
    assert (viet["subregion_m49"], viet["sdg_region_m49"]) == ("035", "753")


def test_every_country_but_antarctica_has_one_sdg_region():
    countries = ref.countries()
    sdg = set(ref.regions_for_picker().query("level == 'sdg_region'")["m49"])
    assert len(sdg) == 8
    missing = countries.loc[countries["sdg_region_m49"] == "", "iso3"].tolist()
    assert missing == ["ATA"]
    members = [set(ref.members(code)) for code in sdg]
    assert sum(len(m) for m in members) == len(set().union(*members))  # disjoint


def test_members():
    ssa = ref.members("202")
    assert "KEN" in ssa and "NGA" in ssa
    assert not {"EGY", "SDN", "MAR", "DZA"} & set(ssa)
    assert "SDN" in ref.members("738") and "SDN" not in ref.members("746")
    assert set(ref.members("062")) >= {"BGD", "IND", "NPL", "KAZ"}
    assert "VNM" in ref.members("753") and "VNM" in ref.members(35)
    assert ref.members("543") and not {"AUS", "NZL"} & set(ref.members("543"))
    assert set(ref.members("001")) == set(ref.countries()["iso3"])
    assert ref.members("999") == []
    assert ref.members("830") == ["GGY", "JEY"]


def test_ldc_lldc_lists():
    countries = ref.countries().set_index("iso3")
    assert len(ref.members("199")) == 44 and len(ref.members("432")) == 32
    assert countries.loc[["BGD", "NPL", "HTI", "TUV"], "ldc"].all()
    assert not countries.loc[["BTN", "STP", "KEN", "IND"], "ldc"].any()
    assert countries.loc[["NPL", "BOL", "MKD"], "lldc"].all()
    assert set(ref.members("927")) <= set(ref.members("002"))


def test_grouping_rules_only_name_known_codes():
    known_iso3 = set(ref.countries()["iso3"])
    lines = [
        line
        for line in (ref.RAW / "sdg_groupings.csv").open(encoding="utf-8")
        if not line.startswith("#")
    ]
    for row in csv.DictReader(lines):
        for token in row["rule"].split():
            assert token[0] in "+-&", row
            code = token[1:]
            assert (ref.normalize_m49(code) is not None) if code.isdigit() else code in known_iso3


def test_regions_for_picker():
    picker = ref.regions_for_picker()
    assert list(picker.columns) == ["m49", "name_en", "level"]
    assert picker["m49"].is_unique
    assert picker.iloc[0].tolist() == ["001", "World", "world"]
    levels = picker.groupby("level")["m49"].apply(set)
    assert levels["region"] == {"002", "009", "019", "142", "150"}
    assert {"202", "747", "062", "753", "419", "053", "543", "513"} == levels["sdg_region"]
    assert "014" not in set(picker["m49"]) and "154" in levels["subregion"]
    assert (picker["name_en"] != "").all()


def test_kosovo_taiwan_channel_islands():
    areas = ref.areas().set_index("m49")
    assert areas.loc["412", ["iso3", "kind"]].tolist() == ["XKX", "country"]
    assert ref.area_name("XKX", "fr") == "Kosovo"
    assert areas.loc["158", "iso3"] == "TWN"
    assert areas.loc["830", "kind"] == "region" and areas.loc["680", "kind"] == "region"
    assert areas.loc["827", "subregion_m49"] == "154"


@pytest.mark.realdata
def test_every_sdg_geoarea_code_is_known():
    geo = pd.read_csv(
        shared_data("sdg-global-extract", "geo_areas_m49.csv"), dtype=str, keep_default_na=False
    )
    with gzip.open(
        shared_data("sdg-global-extract", "sdg_disaggregated_long.csv.gz"), "rt", encoding="utf-8"
    ) as fh:
        long_codes = set(
            pd.read_csv(fh, dtype=str, keep_default_na=False, usecols=["GeoAreaCode"])[
                "GeoAreaCode"
            ]
        )
    assert len(long_codes) == 311 and len(geo) == 459
    assert long_codes <= set(geo["GeoAreaCode"])
    areas = ref.areas().set_index("m49")
    for code, iso3 in zip(geo["GeoAreaCode"], geo["ISO3"], strict=True):
        m49 = ref.normalize_m49(code)
        assert m49 is not None, code
        if m49 == "412":  # Kosovo: no ISO 3166 code, reported with user-assigned XKX
            assert areas.loc[m49, "iso3"] == "XKX"
            continue
        expected = ("country", iso3) if iso3 else ("region", "")
        assert (areas.loc[m49, "kind"], areas.loc[m49, "iso3"]) == expected, code
