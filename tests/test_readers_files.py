"""Containers, encodings, detection and cell grammar shared by every reader."""

from __future__ import annotations

import gzip
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data.readers import FORMATS, detect_format, read
from data.readers.common import number, period
from data.schema import OBS_COLUMNS

FIX = Path(__file__).parent / "fixtures" / "readers"
UN_TEXT = (FIX / "un_export.csv").read_text(encoding="utf-8")


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("un_export.csv", "un"),
        ("un_api.csv", "un"),
        ("sdmx_v1.csv", "sdmx"),
        ("sdmx_v2_labels.csv", "sdmx"),
        ("template_labels.csv", "template"),
        ("opensdg/data/indicator_8-5-2.csv", "opensdg"),
        ("opensdg/data/indicator_16-b-1.csv", "opensdg"),
    ],
)
def test_detect_format_by_headers(name: str, fmt: str) -> None:
    assert detect_format(FIX / name) == fmt


def test_detect_format_of_the_template_example() -> None:
    path = Path(__file__).parents[1] / "data" / "raw" / "template_example.csv"
    assert detect_format(path) == "template"


def test_undetectable_headers_are_a_bad_format_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")
    assert detect_format(path) == ""
    result = read(path)
    assert codes(result) == ["bad_format"]
    assert result.problems[0].row == 1 and result.frame.empty
    assert list(result.frame.columns) == list(OBS_COLUMNS)


def test_unknown_format_or_source_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        read(FIX / "un_export.csv", format="excel")
    with pytest.raises(ValueError, match="source_type"):
        read(FIX / "un_export.csv", source_type="rumour")
    assert set(FORMATS) == {"un", "opensdg", "sdmx", "template"}


# --- empty, missing, containers ----------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b"# only a comment\n"])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    result = read(write(tmp_path, "e.csv", content), format="un")
    assert codes(result) == ["empty_file"]
    assert result.errors and result.frame.empty


def test_header_only_file_is_empty(tmp_path: Path) -> None:
    header = UN_TEXT.splitlines()[0]
    result = read(write(tmp_path, "h.csv", header + "\n"))
    assert codes(result) == ["empty_file"]
    assert result.format == "un"


def test_missing_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    result = read(tmp_path / "nope.csv")
    assert codes(result) == ["bad_format"] and result.frame.empty


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = write(tmp_path, "un.csv.gz", gzip.compress(UN_TEXT.encode()))
    plain = read(FIX / "un_export.csv")
    zipped = read(path)
    assert zipped.format == "un"
    pd.testing.assert_frame_equal(zipped.frame, plain.frame)


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv.gz", gzip.compress(UN_TEXT.encode())[:40])
    assert codes(read(path)) == ["bad_format"]


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_bom_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    text = UN_TEXT.replace("Kenya Labour Force Survey", "Enquête Côte d’Ivoire")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    result = read(write(tmp_path, "u.csv", data))
    assert result.format == "un" and not result.errors
    assert result.frame["source"].iloc[0] == "Enquête Côte d’Ivoire"
    assert result.frame["value"].iloc[1] == 2.61


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    text = UN_TEXT.replace("Kenya Labour Force Survey", "Enquête Côte d’Ivoire – 2019")
    result = read(write(tmp_path, "w.csv", text.encode("cp1252")))
    assert not result.errors
    warning = next(p for p in result.problems if p.code == "bad_encoding")
    assert warning.severity == "warning" and "cp1252" in warning.expected
    assert result.frame["source"].iloc[0] == "Enquête Côte d’Ivoire – 2019"


def test_utf16_without_bom_is_a_bad_encoding(tmp_path: Path) -> None:
    result = read(write(tmp_path, "u16.csv", UN_TEXT.encode("utf-16-le")), format="un")
    assert codes(result) == ["bad_encoding"]
    assert "byte-order mark" in result.problems[0].expected


def test_undecodable_bytes_are_a_bad_encoding(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in cp1252 and invalid in UTF-8
    data = UN_TEXT.encode() + b"\x81\x8d\x81\xff\xfe\n"
    result = read(write(tmp_path, "bad.csv", data))
    assert codes(result) == ["bad_encoding"] and result.problems[0].severity == "error"


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4
    assert codes(read(write(tmp_path, "junk.csv", data))) == ["bad_encoding"]


# --- CSV layout --------------------------------------------------------------------------------


def test_semicolon_delimiter_is_sniffed(tmp_path: Path) -> None:
    text = "SeriesCode;GeoAreaCode;TimePeriod;Value\nSL_TLF_UEMDIS;404;2019;5.6\n"
    result = read(write(tmp_path, "semi.csv", text))
    assert result.format == "un" and not result.errors
    assert result.frame["value"].tolist() == [5.6]


def test_row_numbers_follow_lines_across_blank_lines_comments_and_quoted_newlines(
    tmp_path: Path,
) -> None:
    text = (
        "# exported 2024-01-01\n"
        "\n"
        "SeriesCode,GeoAreaCode,TimePeriod,Value,FootNote\n"  # line 3
        'S1,404,2019,1.5,"two\nlines"\n'  # lines 4-5
        "\n"  # line 6 (blank)
        "S1,404,2020,oops,\n"  # line 7
    )
    result = read(write(tmp_path, "lines.csv", text))
    assert result.frame["source_row"].tolist() == [4, 7]
    bad = next(p for p in result.problems if p.code == "bad_number")
    assert (bad.row, bad.column, bad.value) == (7, "Value", "oops")
    assert result.frame["footnote"].iloc[0] == "two\nlines"


def test_ragged_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    text = "SeriesCode,GeoAreaCode,TimePeriod,Value\nS1,404,2019,1.5\nS1,404,2020,2.5,extra,cells\n"
    result = read(write(tmp_path, "ragged.csv", text))
    bad = next(p for p in result.problems if p.code == "bad_format")
    assert bad.row == 3 and bad.severity == "error"
    assert result.frame["value"].tolist() == [1.5, 2.5]


def test_short_rows_are_errors(tmp_path: Path) -> None:
    # a row with fewer cells than the header: its missing cells would read as totals
    text = "SeriesCode,GeoAreaCode,TimePeriod,Value,FootNote\nS1,404,2019,1.5\n"
    result = read(write(tmp_path, "short.csv", text))
    [error] = [p for p in result.problems if p.code == "short_row"]
    assert (error.severity, error.row, error.value) == ("error", 2, "S1,404,2019,1.5")


def test_a_cut_off_last_line_is_an_error(tmp_path: Path) -> None:
    head = "SeriesCode,GeoAreaCode,TimePeriod,Value,Sex\n"
    for tail, why in (("S1,404,2019,2", "no line end"), ('S1,404,2019,"2.5', "quoted field")):
        result = read(write(tmp_path, "cut.csv", head + "S1,404,2019,1.5,FEMALE\n" + tail))
        [error] = [p for p in result.errors if p.code == "short_row"]
        assert error.row == 3 and why in error.expected


# --- XLSX --------------------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


UN_ROWS: list[list[object]] = [
    ["SeriesCode", "GeoAreaCode", "TimePeriod", "Value", "Sex", "[Disability status]"],
    ["SL_TLF_UEMDIS", 404, 2019, 5.6, "FEMALE", "PD"],
    ["SL_TLF_UEMDIS", 404, 2019, 12.345678901234, "FEMALE", "PWD"],
    ["SL_TLF_UEMDIS", 404, 2020, "abc", "FEMALE", "PWD"],
]


def test_xlsx_with_extra_sheets_uses_the_valid_one_and_sheet_row_numbers(tmp_path: Path) -> None:
    rows = [["Unemployment by disability, Kenya"], [], *UN_ROWS]  # header on sheet row 3
    path = _workbook(
        tmp_path / "book.xlsx", {"Notes": [["Read me first"], ["nothing here"]], "Data": rows}
    )
    result = read(path)
    assert result.format == "un" and result.metadata["sheet"] == "Data"
    assert result.frame["source_row"].tolist() == [4, 5, 6]
    stored = openpyxl.load_workbook(path)["Data"]["D5"].value
    assert result.frame["value"].iloc[1] == stored == 12.345678901234  # floats round-trip
    assert result.frame["m49"].iloc[0] == "404" and result.frame["period"].iloc[0] == "2019"
    assert result.frame["disability"].tolist() == ["PD", "PWD", "PWD"]
    bad = next(p for p in result.problems if p.code == "bad_number")
    assert (bad.row, bad.column, bad.value) == (6, "Value", "abc")


def test_xlsx_without_a_valid_sheet_names_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx", {"Notes": [["hello"]], "Other": [["a", "b"], [1, 2]]})
    result = read(path)
    assert codes(result) == ["bad_sheet"]
    assert "'Notes'" in result.problems[0].expected and "'Other'" in result.problems[0].expected


def test_xlsx_single_sheet_with_a_wanted_format_reports_missing_columns(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "one.xlsx",
        {"S": [["SeriesCode", "GeoAreaCode", "TimePeriod"], ["S1", 404, 2019]]},
    )
    result = read(path, format="un")
    assert [(p.code, p.column) for p in result.errors] == [("missing_column", "Value")]


def test_empty_workbook_and_corrupt_zip(tmp_path: Path) -> None:
    empty = _workbook(tmp_path / "empty.xlsx", {"Blank": []})
    assert codes(read(empty)) == ["empty_file"]
    corrupt = write(tmp_path, "corrupt.xlsx", b"PK\x03\x04" + b"\x00garbage" * 20)
    assert codes(read(corrupt)) == ["bad_format"]


# --- cell grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", ("2019", 2019, 2019.0)),
        ("2019.0", ("2019", 2019, 2019.0)),
        ("2004/05", ("2004/05", 2005, 2005.0)),
        ("1999/00", ("1999/00", 2000, 2000.0)),
        ("2019/2020", ("2019/2020", 2020, 2020.0)),
        ("2004-2005", ("2004-2005", 2005, 2005.0)),
        ("2000 Q1", ("2000 Q1", 2000, 2000.0)),
        ("2000 Q2", ("2000 Q2", 2000, 2000.25)),
        ("2000-Q4", ("2000-Q4", 2000, 2000.75)),
        ("2000-S2", ("2000-S2", 2000, 2000.5)),
        ("2019-07", ("2019-07", 2019, 2019.5)),
        ("2007/08 to 2008/09", ("2007/08 to 2008/09", 2009, 2009.0)),
        ("2019-01-01", ("2019-01-01", 2019, 2019.0)),
    ],
)
def test_periods(text: str, expected: tuple[str, int, float]) -> None:
    assert period(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "20X9", "1850", "2019-13", "2019/17", "Q1 2000", "2019.5", "2010 to 2008", "2019-02-30"],
)
def test_not_periods(text: str) -> None:
    assert period(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("5.6", 5.6), ("-0.25", -0.25), ("1e-3", 0.001), (" 42 ", 42.0), (".5", 0.5)],
)
def test_numbers(text: str, value: float) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", ["12,5", "1 000", "nan", "inf", "1_000", "abc", "", "5%"])
def test_not_numbers(text: str) -> None:
    assert number(text) is None


def test_xlsx_with_two_data_sheets_is_refused_naming_them(tmp_path: Path) -> None:
    rows = [["series", "iso3", "period", "value"], ["SL_TLF_UEMDIS", "KEN", "2021", 5.5]]
    path = _workbook(tmp_path / "two.xlsx", {"2021": rows, "2022": rows})
    result = read(path)
    [problem] = [p for p in result.errors if p.code == "bad_sheet"]
    assert "'2021'" in problem.value and "'2022'" in problem.value
    assert result.frame.empty


def test_xlsx_percent_cells_are_read_as_shown_with_a_warning(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["series", "iso3", "period", "value"])
    ws.append(["SL_TLF_UEMDIS", "KEN", "2021", 0.125])
    ws.append(["SL_TLF_UEMDIS", "UGA", "2021", 0.07])
    for row in (2, 3):
        ws.cell(row=row, column=4).number_format = "0.0%"
    path = tmp_path / "pct.xlsx"
    wb.save(path)
    result = read(path)
    assert result.frame["value"].tolist() == [12.5, 7.0]
    [warning] = [p for p in result.problems if p.code == "percent_cell"]
    assert (warning.row, warning.column, warning.severity) == (2, "value", "warning")
