"""UN SDG Global Database export reader: real values, dimensions, flags, rows and problems."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from data.readers import read

FIX = Path(__file__).parent / "fixtures" / "readers"


def edited(
    tmp_path: Path,
    source: str,
    edits: dict[tuple[int, str], str] | None = None,
    drop: str | None = None,
    append: list[int] | None = None,
    out: str = "",
) -> Path:
    """A copy of a fixture with lines appended again at the end, then cells replaced
    ((line, header) -> text), then a column dropped."""
    rows = list(csv.reader(io.StringIO((FIX / source).read_text(encoding="utf-8"))))
    header = rows[0]
    rows += [list(rows[line - 1]) for line in append or []]
    for (line, name), text in (edits or {}).items():
        rows[line - 1][header.index(name)] = text
    if drop:
        at = header.index(drop)
        rows = [r[:at] + r[at + 1 :] for r in rows]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = tmp_path / (out or source)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def the(result, code: str):
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, result.problems
    return found[0]


@pytest.fixture(scope="module")
def export():
    return read(FIX / "un_export.csv")


def test_reads_every_row_with_its_line(export) -> None:
    assert export.format == "un" and not export.errors
    assert export.frame["source_row"].tolist() == list(range(2, 11))
    assert (export.frame["dataset"] == 0).all()
    assert (export.frame["source_type"] == "official").all()


def test_values_and_identification(export) -> None:
    first = export.frame.iloc[0]
    assert first["series"] == "SL_TLF_UEMDIS" and first["indicator"] == "8.5.2"
    assert (first["goal"], first["target"]) == ("8", "8.5")
    assert first["series_title"] == "Unemployment rate, by sex and disability (%)"
    assert (first["m49"], first["iso3"], first["area_name"]) == ("404", "KEN", "Kenya")
    assert (first["period"], first["year"], first["period_sort"]) == ("2019", 2019, 2019.0)
    assert first["value"] == 5.6 and first["value_flag"] == ""
    assert (first["unit"], first["nature"], first["reporting_type"]) == ("PERCENT", "C", "G")
    assert first["source"] == "Kenya Labour Force Survey"
    assert export.frame["value"].iloc[1] == 2.61


def test_dimensions_are_canonical_codes(export) -> None:
    frame = export.frame
    assert frame["sex"].tolist()[:3] == ["F", "F", "_T"]
    assert frame["disability"].tolist()[:3] == ["PD", "PWD", "_T"]
    assert frame["age"].iloc[0] == "Y_GE15" and frame["age"].iloc[5] == "Y15T24"
    assert frame["location"].eq("_T").all()  # no Location column: not split
    assert export.unmapped == {}


def test_bounds_flags_and_missing_codes(export) -> None:
    frame = export.frame
    assert (frame["value"].iloc[5], frame["value_flag"].iloc[5]) == (2.5, "<")
    assert (frame["value"].iloc[8], frame["value_flag"].iloc[8]) == (95.0, ">")
    assert math.isnan(frame["value"].iloc[7]) and frame["value_flag"].iloc[7] == "N"
    warning = the(export, "missing_value")
    assert (warning.row, warning.column, warning.value, warning.severity) == (
        9,
        "Value",
        "N",
        "warning",
    )
    assert (frame["lower"].iloc[6], frame["upper"].iloc[6]) == (8.0, 10.2)


def test_regions_have_no_iso3(export) -> None:
    world = export.frame.iloc[5]
    assert (world["m49"], world["iso3"], world["area_name"]) == ("001", "", "World")


def test_time_detail_gives_the_period_label(export) -> None:
    row = export.frame.iloc[6]
    assert (row["period"], row["year"], row["period_sort"]) == ("2004-2005", 2005, 2005.0)
    assert row["area_name"] == "Kenya"  # blank GeoAreaName filled from the reference


def test_other_dimensions_sorted_with_unknown_columns(export) -> None:
    assert export.frame["other_dims"].iloc[0] == "freq=NOTSPEC"
    assert export.frame["other_dims"].iloc[8] == "Bounds=UB;freq=NOTSPEC;type_of_skill=COPA"


def test_nature_and_reporting_type_make_separate_observations(export) -> None:
    same = export.frame[
        (export.frame["sex"] == "F")
        & (export.frame["disability"] == "PD")
        & (export.frame["year"] == 2019)
    ]
    assert sorted(zip(same["nature"], same["reporting_type"], same["value"], strict=True)) == [
        ("C", "G", 5.6),
        ("C", "N", 5.7),
        ("CA", "G", 5.9),
    ]
    assert not [p for p in export.problems if "duplicate" in p.code]


def test_bracketed_api_headers_in_any_order() -> None:
    result = read(FIX / "un_api.csv")
    assert result.format == "un" and not result.errors
    frame = result.frame
    assert frame["goal"].iloc[0] == "10, 16"
    assert frame["m49"].tolist() == ["004", "004", "202"]
    assert frame["iso3"].tolist() == ["AFG", "AFG", ""]
    assert frame["value"].tolist() == [20.5, 14.25, 17.0]
    assert frame["disability"].tolist() == ["PD", "PWD", "_T"]
    assert frame["sex"].tolist() == ["F", "F", "_T"]
    assert frame["obs_status"].tolist() == ["A", "A", "E"]
    assert frame["other_dims"].eq("").all()


def test_missing_required_column(tmp_path: Path) -> None:
    result = read(edited(tmp_path, "un_export.csv", drop="Value"), format="un")
    problem = the(result, "missing_column")
    assert (problem.row, problem.column, problem.severity) == (1, "Value", "error")
    assert result.frame.empty


def test_bad_numbers_name_row_and_column(tmp_path: Path) -> None:
    path = edited(tmp_path, "un_export.csv", {(5, "Value"): "12,5", (7, "UpperBound"): "high"})
    result = read(path)
    bad = sorted((p.row, p.column, p.value) for p in result.errors)
    assert bad == [(5, "Value", "12,5"), (7, "UpperBound", "high")]
    assert all(p.code == "bad_number" for p in result.errors)
    assert len(result.frame) == 9  # the rows stay, the errors block an import


def test_bracketed_header_is_reported_as_in_the_file(tmp_path: Path) -> None:
    path = edited(tmp_path, "un_api.csv", {(3, "[Sex]"): "FEMININE"})
    result = read(path)
    warning = the(result, "unknown_label")
    assert (warning.row, warning.column, warning.value) == (3, "[Sex]", "FEMININE")


def test_unknown_country(tmp_path: Path) -> None:
    result = read(edited(tmp_path, "un_export.csv", {(4, "GeoAreaCode"): "999"}))
    problem = the(result, "unknown_country")
    assert (problem.row, problem.column, problem.value, problem.severity) == (
        4,
        "GeoAreaCode",
        "999",
        "error",
    )
    assert result.frame["m49"].iloc[2] == "999" and result.frame["iso3"].iloc[2] == ""


def test_conflicting_and_exact_duplicates(tmp_path: Path) -> None:
    exact = read(edited(tmp_path, "un_export.csv", append=[2, 3], out="exact.csv"))
    assert sorted((p.row, p.code, p.severity) for p in exact.problems if "duplicate" in p.code) == [
        (11, "duplicate", "warning"),
        (12, "duplicate", "warning"),
    ]
    assert not exact.errors and len(exact.frame) == 11
    conflict = read(
        edited(tmp_path, "un_export.csv", {(11, "Value"): "5.65"}, append=[2], out="conflict.csv")
    )
    problem = the(conflict, "conflicting_duplicate")
    assert (problem.row, problem.column, problem.value, problem.severity) == (
        11,
        "Value",
        "5.65",
        "error",
    )
    assert "row 2" in problem.expected


def test_bad_period(tmp_path: Path) -> None:
    result = read(edited(tmp_path, "un_export.csv", {(6, "TimePeriod"): "20X9"}))
    problem = the(result, "bad_period")
    assert (problem.row, problem.column, problem.value) == (6, "TimePeriod", "20X9")


def test_unmapped_labels_are_kept_counted_and_reported_once(tmp_path: Path) -> None:
    path = edited(tmp_path, "un_export.csv", {(2, "Sex"): "FEMININE", (3, "Sex"): "FEMININE"})
    result = read(path)
    assert not result.errors
    assert result.unmapped == {("sex", "FEMININE"): 2}
    warning = the(result, "unknown_label")
    assert (warning.row, warning.column, warning.severity) == (2, "Sex", "warning")
    assert "2 row(s)" in warning.expected
    assert result.frame["sex"].tolist()[:2] == ["raw:FEMININE", "raw:FEMININE"]
    assert len(result.frame) == 9


def test_name_argument_is_the_reported_file() -> None:
    result = read(FIX / "un_export.csv", name="upload-2024.csv", source_type="community")
    assert result.problems[0].file == "upload-2024.csv"
    assert (result.frame["source_type"] == "community").all()
