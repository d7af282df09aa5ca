"""SDMX-CSV reader (SDG DSD): 1.0 and 2.0 layouts, labels=both/name, problems."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from data.readers import read

FIX = Path(__file__).parent / "fixtures" / "readers"
V1 = (FIX / "sdmx_v1.csv").read_text(encoding="utf-8")


def the(result, code: str):
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, result.problems
    return found[0]


def variant(tmp_path: Path, text: str, name: str = "sdmx.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def v1():
    return read(FIX / "sdmx_v1.csv")


def test_v1_values_codes_and_rows(v1) -> None:
    frame = v1.frame
    assert v1.format == "sdmx" and not v1.errors
    assert frame["source_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert frame["series"].eq("SL_TLF_UEMDIS").all()
    assert frame["value"].tolist()[:4] == [5.6, 4.4, 7.25, 5.4]
    assert frame["sex"].tolist()[:4] == ["F", "M", "_T", "_T"]
    assert frame["age"].tolist()[:3] == ["Y_GE15", "Y_GE15", "Y15T24"]
    assert frame["location"].iloc[2] == "R"
    assert frame["disability"].tolist()[:4] == ["PD", "PD", "PWD", "_T"]
    assert (frame["unit"].iloc[0], frame["nature"].iloc[0], frame["obs_status"].iloc[0]) == (
        "PT",
        "C",
        "A",
    )
    assert frame["footnote"].iloc[0] == "Labour force survey, 2019"
    assert (frame["lower"].iloc[0], frame["upper"].iloc[0]) == (5.1, 6.1)
    assert frame["other_dims"].iloc[0] == "FREQ=A;UNIT_MULT=0"
    assert v1.metadata["structure"] == ["IAEG-SDGs:DF_SDG_GLH(1.17)"]


def test_v1_areas_missing_values_and_time_detail(v1) -> None:
    frame = v1.frame
    assert (frame["m49"].iloc[3], frame["iso3"].iloc[3], frame["area_name"].iloc[3]) == (
        "001",
        "",
        "World",
    )
    assert math.isnan(frame["value"].iloc[4]) and frame["value_flag"].iloc[4] == "NAN"
    assert the(v1, "missing_value").row == 6
    assert frame["reporting_type"].iloc[4] == "N"
    assert (frame["period"].iloc[5], frame["year"].iloc[5]) == ("2004-2005", 2005)


def test_v2_with_labels_both_takes_the_codes() -> None:
    result = read(FIX / "sdmx_v2_labels.csv")
    frame = result.frame
    assert result.format == "sdmx" and not result.errors
    assert frame["source_row"].tolist() == [2, 3, 5]  # the delete row (4) is skipped
    warning = the(result, "bad_format")
    assert (warning.row, warning.severity, warning.value) == (4, "warning", "D")
    assert frame["series"].eq("SL_TLF_UEMDIS").all()
    assert frame["series_title"].iloc[0] == "Unemployment rate by sex and disability (%)"
    assert frame["sex"].tolist() == ["F", "F", "M"]
    assert frame["disability"].tolist() == ["PD", "PWD", "PD"]
    assert frame["m49"].tolist() == ["404", "404", "404"]  # "KEN: Kenya" (ISO3) too
    assert frame["unit"].eq("PT").all() and frame["nature"].eq("C").all()
    assert frame["footnote"].iloc[0] == "Note: survey-based"  # free text is not split
    assert frame["value"].tolist() == [5.6, 2.61, 4.4]
    assert result.metadata["structure"] == ["IAEG-SDGs:DF_SDG_GLH(1.17)"]


def test_labels_name_columns_and_semicolons(tmp_path: Path) -> None:
    text = (
        "STRUCTURE[|];STRUCTURE_ID;SERIES;Series;REF_AREA;Reference area;SEX;Sex;"
        "TIME_PERIOD;OBS_VALUE\n"
        "dataflow;IAEG-SDGs:DF_SDG_GLH(1.17);SL_TLF_UEMDIS;Unemployment;404;Kenya;F;Female;"
        "2019;5.6\n"
    )
    result = read(variant(tmp_path, text))
    assert result.format == "sdmx" and not result.errors
    row = result.frame.iloc[0]
    assert (row["series"], row["m49"], row["sex"], row["value"]) == (
        "SL_TLF_UEMDIS",
        "404",
        "F",
        5.6,
    )
    assert row["other_dims"] == ""  # the name columns are not breakdowns


def test_missing_column(tmp_path: Path) -> None:
    text = V1.replace(",OBS_VALUE,", ",OBS_VAL,")
    problem = the(read(variant(tmp_path, text), format="sdmx"), "missing_column")
    assert (problem.row, problem.column) == (1, "OBS_VALUE")


def test_bad_number(tmp_path: Path) -> None:
    text = V1.replace(",M,Y_GE15,_T,PD,2019,4.4,", ",M,Y_GE15,_T,PD,2019,4.4.4,")
    problem = the(read(variant(tmp_path, text)), "bad_number")
    assert (problem.row, problem.column, problem.value) == (3, "OBS_VALUE", "4.4.4")


def test_unknown_country(tmp_path: Path) -> None:
    text = V1.replace(",SL_TLF_UEMDIS,1,", ",SL_TLF_UEMDIS,9999,")
    problem = the(read(variant(tmp_path, text)), "unknown_country")
    assert (problem.row, problem.column, problem.value) == (5, "REF_AREA", "9999")


def test_conflicting_duplicate(tmp_path: Path) -> None:
    lines = V1.splitlines()
    text = "\n".join([*lines, lines[1].replace(",5.6,", ",5.7,")]) + "\n"
    problem = the(read(variant(tmp_path, text)), "conflicting_duplicate")
    assert (problem.row, problem.severity) == (8, "error")


def test_unmapped_code_is_reported(tmp_path: Path) -> None:
    text = V1.replace(",F,Y_GE15,_T,PD,2019,5.6,", ",X9,Y_GE15,_T,PD,2019,5.6,")
    result = read(variant(tmp_path, text))
    assert result.unmapped == {("sex", "X9"): 1}
    assert result.frame["sex"].iloc[0] == "raw:X9"


def test_labels_both_problem_names_the_header_as_in_the_file(tmp_path: Path) -> None:
    text = (FIX / "sdmx_v2_labels.csv").read_text(encoding="utf-8")
    text = text.replace("404: Kenya,F: Female", "404: Kenya,X9: Unknown", 1)
    result = read(variant(tmp_path, text))
    warning = the(result, "unknown_label")
    assert (warning.row, warning.column, warning.value) == (2, "SEX: Sex", "X9")
    assert result.frame["other_dims"].eq("FREQ=A").all()
