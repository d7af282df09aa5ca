"""Community template reader: the documented example, labels, country options, problems."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from data.readers import read

FIX = Path(__file__).parent / "fixtures" / "readers"
EXAMPLE = Path(__file__).parents[1] / "data" / "raw" / "template_example.csv"
MINIMAL = (
    "series,iso3,period,value,sex\nSL_TLF_UEMDIS,KEN,2022,18.5,F\nSL_TLF_UEMDIS,KEN,2022,11,M\n"
)


def the(result, code: str):
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, result.problems
    return found[0]


def variant(tmp_path: Path, text: str, name: str = "community.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example():
    return read(EXAMPLE, source_type="community")


def test_example_reads_cleanly(example) -> None:
    assert example.format == "template" and example.problems == []
    frame = example.frame
    assert len(frame) == 13 and frame["source_row"].iloc[0] == 8  # after 6 comment lines
    assert frame["source_type"].eq("community").all()
    assert frame["iso3"].eq("KEN").all() and frame["m49"].eq("404").all()
    assert frame["location"].eq("U").all()


def test_example_values_groups_and_sample_sizes(example) -> None:
    frame = example.frame
    pd_row = frame.iloc[1]
    assert (pd_row["series"], pd_row["indicator"], pd_row["disability"]) == (
        "SL_TLF_UEMDIS",
        "8.5.2",
        "PD",
    )
    assert (pd_row["value"], pd_row["lower"], pd_row["upper"], pd_row["n"]) == (
        24.6,
        20.4,
        28.8,
        412.0,
    )
    assert frame["sex"].iloc[3] == "F" and frame["age"].iloc[7] == "Y15T24"
    assert frame["age"].iloc[9] == "Y_GE18"
    assert frame["footnote"].iloc[7] == "Small sample: fewer than 100 respondents"
    assert frame["series_title"].iloc[0] == "Unemployment rate, by sex and disability (%)"
    assert set(frame["disability"]) == {"_T", "PD", "PWD"}


def test_labels_m49_flags_and_extra_columns() -> None:
    result = read(FIX / "template_labels.csv", source_type="community")
    frame = result.frame
    assert not result.errors
    assert frame["iso3"].eq("KEN").all()
    assert frame["sex"].tolist() == ["F", "F", "M", "M", "_T"]
    assert frame["age"].tolist()[:3] == ["Y15T24", "Y15T24", "Y_GE65"]
    assert frame["disability"].tolist() == ["PD", "PWD", "PD", "PD", "raw:Albinism"]
    assert frame["migratory"].tolist()[2:4] == ["MIGPER", "NONMIG"]
    assert (frame["value"].iloc[2], frame["value_flag"].iloc[2]) == (1.0, "<")
    assert math.isnan(frame["value"].iloc[3]) and frame["value_flag"].iloc[3] == ".."
    assert frame["other_dims"].eq("Site=Kibera").all()
    assert frame["series_title"].iloc[0] == "Unemployment rate (%)"
    assert result.unmapped == {("disability", "Albinism"): 1}
    warning = the(result, "unknown_label")
    assert (warning.row, warning.column, warning.value) == (6, "Disability", "Albinism")


def test_country_argument_replaces_a_missing_iso3_column(tmp_path: Path) -> None:
    text = "series,period,value\nSL_TLF_UEMDIS,2022,18.5\n"
    result = read(variant(tmp_path, text), format="template", country="KEN")
    assert not result.errors and result.frame["iso3"].tolist() == ["KEN"]
    missing = read(variant(tmp_path, text), format="template")
    problem = the(missing, "missing_column")
    assert (problem.row, problem.column) == (1, "iso3")


def test_missing_column(tmp_path: Path) -> None:
    text = MINIMAL.replace("value", "amount")
    problem = the(read(variant(tmp_path, text), format="template"), "missing_column")
    assert (problem.row, problem.column) == (1, "value")


def test_bad_numbers(tmp_path: Path) -> None:
    text = "series,iso3,period,value,n\nS,KEN,2022,18.5,-3\nS,KEN,2021,18%,10\n"
    result = read(variant(tmp_path, text))
    found = sorted((p.row, p.column, p.value) for p in result.errors)
    assert found == [(2, "n", "-3"), (3, "value", "18%")]
    assert all(p.code == "bad_number" for p in result.errors)


def test_unknown_country(tmp_path: Path) -> None:
    text = MINIMAL.replace("KEN,2022,11", "KNY,2022,11")
    problem = the(read(variant(tmp_path, text)), "unknown_country")
    assert (problem.row, problem.column, problem.value) == (3, "iso3", "KNY")


def test_iso3_and_m49_must_agree(tmp_path: Path) -> None:
    text = "series,iso3,m49,period,value\nS,KEN,404,2022,1\nS,KEN,800,2021,2\n"
    problem = the(read(variant(tmp_path, text)), "unknown_country")
    assert (problem.row, problem.column, problem.value) == (3, "m49", "800")


def test_conflicting_duplicate(tmp_path: Path) -> None:
    text = MINIMAL + "SL_TLF_UEMDIS,KEN,2022,19.5,F\n"
    problem = the(read(variant(tmp_path, text)), "conflicting_duplicate")
    assert (problem.row, problem.severity) == (4, "error")


def test_xlsx_template_with_a_notes_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "How to fill in"
    book.active.append(["Fill the Data sheet, one value per row."])
    data = book.create_sheet("Data")
    data.append(["series", "iso3", "period", "value", "disability", "n"])
    data.append(["SL_TLF_UEMDIS", "KEN", 2022, 24.6, "PD", 412])
    data.append(["SL_TLF_UEMDIS", "KEN", 2022, 13.9, "Persons without disability", 1863])
    path = tmp_path / "community.xlsx"
    book.save(path)
    result = read(path, source_type="community")
    assert result.format == "template" and not result.errors
    assert result.frame["disability"].tolist() == ["PD", "PWD"]
    assert result.frame["n"].tolist() == [412.0, 1863.0]
    assert result.frame["source_row"].tolist() == [2, 3]
    assert result.frame["period"].tolist() == ["2022", "2022"]
