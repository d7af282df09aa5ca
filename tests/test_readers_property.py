"""Property tests: whatever bytes, text or CSV-ish content arrives, ``read`` never raises."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.readers import FORMATS, read
from data.schema import OBS_COLUMNS, ReadResult

FORMAT_OR_NONE = st.sampled_from([*FORMATS, None])
CODES = {
    "short_row",
    "control_character",
    "bad_bounds",
    "label_column",
    "unknown_dimension",
    "missing_column",
    "bad_number",
    "unknown_country",
    "unknown_label",
    "conflicting_duplicate",
    "duplicate",
    "bad_period",
    "bad_encoding",
    "empty_file",
    "bad_sheet",
    "missing_value",
    "bad_format",
}
HEADERS = {
    "un": [
        "SeriesCode",
        "GeoAreaCode",
        "TimePeriod",
        "Value",
        "[Sex]",
        "Age",
        "Disability status",
        "Time_Detail",
        "UpperBound",
        "Nature",
        "Units",
        "OtherDimensions",
        "Goal",
        "Extra",
    ],
    "opensdg": [
        "Year",
        "Series",
        "Sex",
        "Ethnicity",
        "Ethnic group",
        "Units",
        "GeoCode",
        "Observation status",
        "Value",
    ],
    "sdmx": [
        "DATAFLOW",
        "STRUCTURE",
        "ACTION",
        "SERIES",
        "REF_AREA",
        "SEX: Sex",
        "AGE",
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "TIME_DETAIL",
        "Sex",
    ],
    "template": [
        "series",
        "iso3",
        "m49",
        "period",
        "value",
        "n",
        "sex",
        "disability",
        "migratory",
        "lower",
        "site",
    ],
}
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "404",
            "4",
            "1",
            "999",
            "KEN",
            "GBR",
            "2019",
            "2004/05",
            "2000 Q2",
            "2007/08 to 2008/09",
            "20X9",
            "5.6",
            "<2.5",
            ">95",
            "N",
            "..",
            "NaN",
            "-3",
            "1e400",
            "FEMALE",
            "F: Female",
            "PD",
            "Disabled (GSS harmonised)",
            "15-24",
            "a=b;c=d",
            "=;=",
            "D",
            "SL_TLF_UEMDIS",
            " ",
            '"',
            "\n",
            ",",
            ";",
        ]
    ),
    st.text(max_size=12),
)
QUICK = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(result: object) -> None:
    """The invariants of every result, good input or bad."""
    assert isinstance(result, ReadResult)
    assert list(result.frame.columns) == list(OBS_COLUMNS)
    for problem in result.problems:
        assert problem.severity in ("error", "warning")
        assert problem.code in CODES, problem
        assert problem.row is None or problem.row >= 1
    if len(result.frame):
        assert (result.frame["source_row"] >= 2).all()
        assert result.frame["value"].dtype == "float64"


def read_bytes(
    data: bytes, fmt: str | None, name: str = "indicator_8-5-2.csv", **kwargs: object
) -> ReadResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read(path, format=fmt, **kwargs)


@QUICK
@given(data=st.binary(max_size=600), fmt=FORMAT_OR_NONE)
def test_junk_bytes(data: bytes, fmt: str | None) -> None:
    check(read_bytes(data, fmt))


@QUICK
@given(
    prefix=st.sampled_from([b"PK\x03\x04", b"\x1f\x8b", b"\xef\xbb\xbf", b"\xff\xfe"]),
    data=st.binary(max_size=300),
    fmt=FORMAT_OR_NONE,
)
def test_junk_behind_magic_bytes(prefix: bytes, data: bytes, fmt: str | None) -> None:
    check(read_bytes(prefix + data, fmt))


@QUICK
@given(
    text=st.text(max_size=400),
    fmt=FORMAT_OR_NONE,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
)
def test_junk_text_in_any_encoding(text: str, fmt: str | None, encoding: str) -> None:
    check(read_bytes(text.encode(encoding, errors="replace"), fmt, country="KEN"))


@st.composite
def csvish(draw: st.DrawFn) -> tuple[str, str]:
    """A format and CSV-ish text: plausible headers, plausible and junk cells, odd layout."""
    fmt = draw(st.sampled_from(FORMATS))
    pool = HEADERS[fmt]
    headers = draw(
        st.lists(st.one_of(st.sampled_from(pool), st.text(max_size=6)), min_size=1, max_size=9)
    )
    if draw(st.booleans()):
        headers = [h for h in pool if h not in headers] + headers  # often a valid header row
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(headers) + 2), max_size=8))
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    out = io.StringIO()
    if draw(st.booleans()):
        csv.writer(out, delimiter=sep, lineterminator="\n").writerows([headers, *rows])
        text = out.getvalue()
    else:  # no quoting at all: cells with separators or quotes break the layout
        text = "\n".join(sep.join(r) for r in [headers, *rows])
    return fmt, text


@QUICK
@given(case=csvish(), detect=st.booleans(), country=st.sampled_from([None, "KEN", "XYZ"]))
def test_csvish_content_for_every_format(
    case: tuple[str, str], detect: bool, country: str | None
) -> None:
    fmt, text = case
    check(read_bytes(text.encode("utf-8"), None if detect else fmt, country=country))


XLSX_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)),
    max_size=10,
)
XLSX_CELL = st.one_of(
    st.none(),
    XLSX_TEXT,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(FORMATS),
    detect=st.booleans(),
    sheets=st.lists(st.lists(st.lists(XLSX_CELL, max_size=6), max_size=5), min_size=1, max_size=3),
)
def test_xlsx_with_random_sheets(fmt: str, detect: bool, sheets: list) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, rows in enumerate(sheets):
        sheet = book.create_sheet(f"S{i}")
        if i == len(sheets) - 1:
            sheet.append(HEADERS[fmt])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    check(
        read_bytes(
            buffer.getvalue(), None if detect else fmt, name="indicator_8-5-2.xlsx", country="KEN"
        )
    )
