import numpy as np
import pandas as pd
import pytest

from data import catalogue
from data.schema import OBS_COLUMNS, Problem, conform
from data.vocab import Vocabulary, group, groups, vocabulary
from tests.conftest import obs_frame


@pytest.mark.parametrize(
    ("dimension", "label", "code"),
    [
        ("sex", "FEMALE", "F"),
        ("sex", "BOTHSEX", "_T"),
        ("sex", "  female ", "F"),
        ("sex", "", "_T"),
        ("sex", "NOTSPEC", "_Z"),
        ("age", "15-24", "Y15T24"),
        ("age", "65+", "Y_GE65"),
        ("age", "ALLAGE", "_T"),
        ("age", "<5Y", "Y_LT5"),
        ("age", "16 to 24", "Y16T24"),
        ("age", "65 and over", "Y_GE65"),
        ("age", "Y_GE15", "Y_GE15"),
        ("age", "M12T23", "M12T23"),
        ("disability", "PD", "PD"),
        ("disability", "Disabled (GSS harmonised)", "PD"),
        ("disability", "Non-disabled (GSS harmonised)", "PWD"),
        ("location", "URBAN", "U"),
        ("location", "Rural", "R"),
        ("quantile", "Q1", "Q1"),
        ("quantile", "B40", "B40"),
        ("migratory", "Non-UK born", "MIGPER"),
        ("ethnicity", "POP_A", "POP_A"),
    ],
)
def test_labels_map_to_canonical_codes(dimension, label, code):
    assert vocabulary().map_label(dimension, label) == code


@pytest.mark.parametrize(
    ("dimension", "label"),
    [
        ("disability", "Long-term health condition"),
        ("sex", "Unknown gender"),
        ("age", "adults"),
        ("ethnicity", "White"),
    ],
)
def test_unknown_labels_are_not_guessed(dimension, label):
    assert vocabulary().map_label(dimension, label) is None


def test_user_mapping_files_extend_and_override(tmp_path):
    extra = tmp_path / "mine.csv"
    extra.write_text("# mine\ndimension,label,code\ndisability,Long-term health condition,PD\n")
    assert Vocabulary([extra]).map_label("disability", "long-term  health condition") == "PD"
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,label,code\ncolour,Blue,B\n")
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        Vocabulary([bad])


def test_columns_map_to_dimensions():
    v = vocabulary()
    assert v.dimension_for_column("[Disability status]") == "disability"
    assert v.dimension_for_column("URBANISATION") == "location"
    assert v.dimension_for_column("Region") is None


def test_groups_have_stable_ids_and_known_dimensions():
    assert list(groups()) == [
        "disability",
        "older",
        "women",
        "youth",
        "children",
        "rural",
        "poorest20",
        "poorest40",
        "migrants",
        "ethnicity",
    ]
    assert group("women").codes == ("F",) and group("women").reference[0] == "M"
    with pytest.raises(KeyError, match="disability"):
        group("nobody")
    eth = group("ethnicity")
    assert eth.is_group_code("POP_A") and not eth.is_group_code("_T")
    assert not eth.is_group_code("raw:White")


def test_conform_fills_defaults_and_keeps_exact_floats():
    frame = conform(
        pd.DataFrame(
            {
                "series": ["S", None],
                "value": [0.1 + 0.2, np.nan],
                "sex": ["F", ""],
                "year": [2020, None],
            }
        )
    )
    assert list(frame.columns) == list(OBS_COLUMNS)
    assert frame["value"].iloc[0] == 0.1 + 0.2
    assert frame["series"].tolist() == ["S", ""] and frame["sex"].tolist() == ["F", "_T"]
    assert frame["age"].tolist() == ["_T", "_T"] and frame["year"].tolist() == [2020, 0]
    assert frame["iso3"].tolist() == ["", ""] and frame["value"].isna().iloc[1]


def test_problem_text_names_file_row_column_value_and_expectation():
    p = Problem("f.csv", 12, "Value", "abc", "a number")
    assert str(p) == "error: f.csv, row 12, column 'Value': got 'abc'; expected a number"


def test_catalogue_joins_data_series_file_and_expectations():
    obs = obs_frame(
        [
            {
                "series": "A",
                "iso3": "KEN",
                "m49": "404",
                "period": "2020",
                "value": 1,
                "disability": "PD",
                "series_title": "From data",
                "unit": "PERCENT",
            },
            {
                "series": "B",
                "iso3": "KEN",
                "m49": "404",
                "period": "2020",
                "value": 1,
                "age": "Y15T24",
            },
            {"series": "C", "iso3": "KEN", "m49": "404", "period": "2020", "value": 1},
        ]
    )
    series = pd.DataFrame(
        {
            "series": ["A"],
            "indicator": ["8.5.2"],
            "goal": ["8"],
            "target": ["8.5"],
            "title": [""],
            "unit": [""],
            "polarity": ["lower_better"],
        }
    )
    exp = pd.DataFrame({"series": ["C", "C", "Z"], "dimension": ["sex", "age", "sex"]})
    cat = catalogue.catalogue(obs, exp, series).set_index("series")
    assert cat.loc["A", "indicator"] == "8.5.2" and cat.loc["A", "title"] == "From data"
    assert cat.loc["A", "polarity"] == "lower_better" and cat.loc["B", "polarity"] == "unknown"
    assert cat.loc["A", "groups"] == ("disability",)
    assert cat.loc["B", "groups"] == ("youth",)
    # "by age" alone does not say older persons, youth or children; "by sex" says women
    assert cat.loc["C", "groups"] == ("women",) and cat.loc["C", "dimensions"] == ("age", "sex")
    assert "Z" not in cat.index  # expectations for series not in the store are not invented
    assert catalogue.expected_series(cat.reset_index(), group("women")) == ["C"]


def test_packaged_catalogue_files_are_valid():
    s = catalogue.series_file()
    assert {"SL_TLF_UEMDIS", "SI_COV_DISAB"} <= set(s["series"])
    assert s.set_index("series").loc["SL_TLF_UEMDIS", "polarity"] == "lower_better"
    e = catalogue.expectations_file()
    assert ("SL_TLF_UEMDIS", "disability") in set(map(tuple, e.to_numpy()))


def test_community_only_series_are_not_expected_everywhere():
    obs = obs_frame(
        [
            {
                "series": "OWN",
                "iso3": "UGA",
                "m49": "800",
                "period": "2022",
                "value": 1,
                "disability": "PD",
                "source_type": "community",
            },
            {
                "series": "OWN",
                "iso3": "UGA",
                "m49": "800",
                "period": "2022",
                "value": 2,
                "disability": "PWD",
                "source_type": "community",
            },
        ]
    )
    cat = catalogue.catalogue(
        obs, pd.DataFrame(columns=["series", "dimension"]), catalogue.series_file()
    )
    assert cat.set_index("series").loc["OWN", "groups"] == ()
    assert catalogue.expected_series(cat, group("disability")) == []


def test_country_frames_equal_filtered_frames(settings):
    from data import queries
    from data.store import Provenance

    store = queries.configure(settings)
    store.import_frame(
        obs_frame(
            [
                {
                    "series": "S",
                    "iso3": "KEN",
                    "m49": "404",
                    "period": "2020",
                    "value": 3,
                    "sex": "F",
                },
                {
                    "series": "S",
                    "iso3": "KEN",
                    "m49": "404",
                    "period": "2020",
                    "value": 2,
                    "sex": "M",
                },
                {"series": "S", "iso3": "BGD", "m49": "050", "period": "2020", "value": 2},
            ]
        ),
        Provenance("t", "t.csv", "x", "un"),
    )
    got = queries.country_frames("KEN", "women")
    st = queries.statuses("women")
    assert got["statuses"].to_dict("records") == st[st["iso3"] == "KEN"].to_dict("records")
    assert got["disparities"]["value"].tolist() == [3.0]
    assert queries.country_frames("NPL", "women")["disparities"].empty


def test_coverage_of_a_group_nothing_is_expected_for(settings):
    from data import queries
    from data.store import Provenance

    store = queries.configure(settings)
    store.import_frame(
        obs_frame([{"series": "S", "iso3": "KEN", "m49": "404", "period": "2020", "value": 1}]),
        Provenance("t", "t.csv", "x", "un"),
    )
    cov = queries.coverage("disability")
    assert len(cov) > 200 and set(cov["group"]) == {"disability"}
    assert (cov["expected"] == 0).all() and cov["share"].isna().all()
    assert list(cov.columns)[:3] == ["iso3", "group", "expected"]
