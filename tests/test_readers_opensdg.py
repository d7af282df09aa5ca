"""Open SDG indicator CSV reader: ids, metadata, periods, breakdown columns and problems."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from data.readers import read

FIX = Path(__file__).parent / "fixtures" / "readers" / "opensdg"
CSV = FIX / "data" / "indicator_8-5-2.csv"


def the(result, code: str):
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, result.problems
    return found[0]


def copy_without_metadata(
    tmp_path: Path, text: str | None = None, name: str = "indicator_8-5-2.csv"
) -> Path:
    path = tmp_path / name
    if text is None:
        shutil.copy(CSV, path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result():
    return read(CSV)


def test_ids_series_and_metadata(result) -> None:
    frame = result.frame
    assert result.format == "opensdg" and not result.errors
    assert frame["indicator"].eq("8.5.2").all() and frame["series"].eq("OSDG_8_5_2").all()
    assert (frame["goal"].iloc[0], frame["target"].iloc[0]) == ("8", "8.5")
    # indicator_name is a translation key, so the readable indicator_available is used
    assert frame["series_title"].iloc[0] == (
        "Unemployment rate, by sex, age and persons with disabilities"
    )
    assert frame["source"].iloc[0] == "Office for National Statistics (ONS)"
    assert result.metadata["opensdg"]["reporting_status"] == "complete"


def test_country_from_metadata_or_argument(result) -> None:
    assert (result.frame["m49"].iloc[0], result.frame["iso3"].iloc[0]) == ("826", "GBR")
    given = read(CSV, country="GBR")
    assert given.frame["iso3"].eq("GBR").all() and not given.errors


def test_values_rows_and_blank_value(result) -> None:
    frame = result.frame
    assert frame["source_row"].tolist() == list(range(2, 13))
    assert frame["value"].tolist()[:4] == [3.8, 3.6, 7.9, 3.2]
    assert math.isnan(frame["value"].iloc[10]) and frame["value_flag"].iloc[10] == "NA"
    warning = the(result, "missing_value")
    assert (warning.row, warning.column, warning.severity) == (12, "Value", "warning")
    assert frame["obs_status"].iloc[10] == "Missing value; suppressed"


def test_units_from_column_else_metadata(result) -> None:
    assert result.frame["unit"].iloc[0] == "Percentage (%)"
    assert result.frame["unit"].iloc[10] == "Percent"  # blank Units cell -> computation_units


def test_periods(result) -> None:
    frame = result.frame.set_index("source_row")
    assert (frame.loc[9, "period"], frame.loc[9, "year"], frame.loc[9, "period_sort"]) == (
        "2004/05",
        2005,
        2005.0,
    )
    assert (frame.loc[10, "year"], frame.loc[10, "period_sort"]) == (2000, 2000.25)
    assert (frame.loc[11, "period"], frame.loc[11, "year"]) == ("2007/08 to 2008/09", 2009)


def test_dimensions_and_other_dims(result) -> None:
    frame = result.frame.set_index("source_row")
    assert frame.loc[3, "sex"] == "F" and frame.loc[2, "sex"] == "_T"
    assert (frame.loc[4, "disability"], frame.loc[5, "disability"]) == ("PD", "PWD")
    assert frame.loc[9, "age"] == "Y16T24"
    assert frame.loc[2, "other_dims"] == "Series=Unemployment rate;Unit multiplier=Units"
    assert frame.loc[10, "other_dims"] == (
        "GeoCode=E12000006;Series=Unemployment rate;Unit multiplier=Units"
    )


def test_two_columns_of_one_dimension_first_non_blank_wins(result) -> None:
    frame = result.frame.set_index("source_row")
    assert frame.loc[6, "ethnicity"] == "raw:White"
    assert frame.loc[7, "ethnicity"] == "raw:Indian"  # Ethnicity blank: Ethnic group gives it
    assert frame.loc[8, "ethnicity"] == "raw:Asian"  # both filled: Ethnicity wins ...
    assert frame.loc[8, "other_dims"].startswith("Ethnic group=Indian;")  # ... the other stays
    columns = {p.value: p.column for p in result.problems if p.code == "unknown_label"}
    assert columns == {"White": "Ethnicity", "Asian": "Ethnicity", "Indian": "Ethnic group"}
    assert result.unmapped == {
        ("ethnicity", "White"): 1,
        ("ethnicity", "Asian"): 1,
        ("ethnicity", "Indian"): 1,
    }


def test_letter_targets_and_no_metadata() -> None:
    result = read(FIX / "data" / "indicator_16-b-1.csv", country="GBR")
    frame = result.frame
    assert not result.errors and "opensdg" not in result.metadata
    assert frame["indicator"].eq("16.b.1").all() and frame["series"].eq("OSDG_16_B_1").all()
    assert frame["target"].iloc[0] == "16.b"
    assert frame["year"].eq(2020).all()
    assert frame["disability"].tolist() == ["_T", "_T", "PD"]


def test_indicator_argument_for_an_uploaded_name(tmp_path: Path) -> None:
    path = copy_without_metadata(tmp_path, name="upload.csv")
    result = read(path, indicator="8.5.2", country="GBR")
    assert not result.errors and result.frame["series"].eq("OSDG_8_5_2").all()
    named = read(path, name="indicator_5-5-2.csv", country="GBR")
    assert named.frame["indicator"].eq("5.5.2").all()


def test_no_indicator_id_is_an_error(tmp_path: Path) -> None:
    path = copy_without_metadata(tmp_path, name="upload.csv")
    problem = the(read(path, country="GBR"), "bad_format")
    assert problem.row is None and "indicator" in problem.expected


def test_no_country_is_an_error(tmp_path: Path) -> None:
    problem = the(read(copy_without_metadata(tmp_path)), "bad_format")
    assert (problem.row, problem.severity) == (None, "error")
    assert "country" in problem.expected


def test_unknown_country_argument(tmp_path: Path) -> None:
    problem = the(read(copy_without_metadata(tmp_path), country="XYZ"), "unknown_country")
    assert (problem.row, problem.value) == (None, "XYZ")


def test_missing_value_column(tmp_path: Path) -> None:
    path = copy_without_metadata(tmp_path, "Year,Sex,Amount\n2019,,3.8\n")
    result = read(path, format="opensdg", country="GBR")
    problem = the(result, "missing_column")
    assert (problem.row, problem.column) == (1, "Value")


def test_bad_number_and_bad_year(tmp_path: Path) -> None:
    text = "Year,Sex,Value\n2019,,3.8\n2019,Female,3,6\n2019/20X,Male,4.0\n"
    result = read(copy_without_metadata(tmp_path, text), country="GBR")
    found = sorted((p.code, p.row, p.column, p.value) for p in result.errors)
    # an unquoted decimal comma makes an extra cell: the row is reported, not misread
    assert found == [("bad_format", 3, None, "6"), ("bad_period", 4, "Year", "2019/20X")]
    text = "Year,Sex,Value\n2019,,3.8\n2019,Female,three\n"
    bad = the(read(copy_without_metadata(tmp_path, text), country="GBR"), "bad_number")
    assert (bad.row, bad.column, bad.value) == (3, "Value", "three")


def test_conflicting_duplicates_are_errors_unless_kept_on_request(tmp_path: Path) -> None:
    text = "Year,Series,Sex,Value\n2016,Formal learning,,10.4\n2016,Formal learning,,14.5\n"
    path = copy_without_metadata(tmp_path, text)
    problem = the(read(path, country="GBR"), "conflicting_duplicate")
    assert (problem.row, problem.severity) == (3, "error")
    assert "--keep-conflicts" in str(problem) and "10.4" in str(problem)
    kept = read(path, country="GBR", keep_conflicts=True)
    assert the(kept, "conflicting_duplicate").severity == "warning"
    assert not kept.errors and len(kept.frame) == 2


def test_unmapped_disability_label_is_kept(tmp_path: Path) -> None:
    text = "Year,Disability status,Value\n2019,Long-standing illness or disability,5.0\n"
    result = read(copy_without_metadata(tmp_path, text), country="GBR")
    assert result.frame["disability"].tolist() == ["raw:Long-standing illness or disability"]
    assert result.unmapped == {("disability", "Long-standing illness or disability"): 1}
