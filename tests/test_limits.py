"""Bounded work on any file (issue 11, item 2): each limit refuses early with a clear error.

How fast and how little memory a refusal costs is measured by bench/bench_limits.py (figures,
not timed assertions).
"""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

import openpyxl

from data.readers import read
from data.readers.limits import Limits

HEAD = "series,iso3,period,value,disability\n"


def _too_large(result):
    [error] = [p for p in result.problems if p.severity == "error"]
    assert error.code == "too_large" and "raise GAPMAP_" in error.expected
    assert len(result.frame) == 0
    return error


def test_file_size(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(HEAD + "S,KEN,2020,1.5,PD\n" * 100_000)
    error = _too_large(read(path, format="template", limits=Limits(max_file_mb=1)))
    assert "GAPMAP_MAX_IMPORT_MB" in error.expected and error.value.endswith("MB")


def test_gzip_bomb_stops_at_the_limit(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(HEAD.encode())
        block = b"S,KEN,2020,1.5,PD\n" * 50_000
        for _ in range(40):  # ~36 MB of text in a file of well under 1 MB
            fh.write(block)
    assert path.stat().st_size < 1_000_000
    error = _too_large(read(path, format="template", limits=Limits(max_expanded_mb=8)))
    assert "GAPMAP_MAX_EXPANDED_MB" in error.expected


def test_rows(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(HEAD + "".join(f"S,KEN,{2000 + i},1.5,PD\n" for i in range(20)))
    error = _too_large(read(path, format="template", limits=Limits(max_rows=10)))
    assert "GAPMAP_MAX_ROWS" in error.expected and error.value == "20 rows"
    assert not read(path, format="template", limits=Limits(max_rows=20)).errors


def test_columns_repeated_to_a_huge_width(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(HEAD.strip() + ",x" * 5000 + "\nS,KEN,2020,1.5,PD" + ",1" * 5000 + "\n")
    error = _too_large(read(path, format="template"))
    assert "GAPMAP_MAX_COLUMNS" in error.expected and error.row == 1


def test_a_ten_megabyte_cell_is_located(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text(HEAD.strip() + ",footnote\nS,KEN,2020,1.5,PD," + "x" * 10_000_000 + "\n")
    error = _too_large(read(path, format="template"))
    assert (error.row, error.column) == (2, "footnote")
    assert "GAPMAP_MAX_CELL_CHARS" in error.expected


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_rows_are_read_as_they_are_not_as_declared(tmp_path):
    rows = [["series", "iso3", "period", "value"]] + [
        ["S", "KEN", 2000 + i, 1.5 + i] for i in range(10)
    ]
    good = _workbook(tmp_path / "good.xlsx", rows)
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(lying, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:D2"', data)
            dst.writestr(item, data)
    result = read(lying, format="template")
    assert not result.errors
    assert len(result.frame) == 10


def test_xlsx_too_wide(tmp_path):
    path = _workbook(tmp_path / "wide.xlsx", [["series", "iso3", "period", "value"] + ["x"] * 400])
    error = _too_large(read(path, format="template"))
    assert "GAPMAP_MAX_COLUMNS" in error.expected


def test_settings_reach_the_reader(tmp_path):
    from data import pipeline
    from data.settings import Settings

    path = tmp_path / "rows.csv"
    path.write_text(HEAD + "".join(f"S,KEN,{2000 + i},1.5,PD\n" for i in range(20)))
    settings = Settings(data_dir=tmp_path / "s", max_rows=5, demo_on_empty=False)
    [(_, result)] = pipeline.read_files([path], settings, format="template")
    assert [p.code for p in result.errors] == ["too_large"]
