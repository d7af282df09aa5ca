"""Fuzz: every reader either refuses a file with a located error, or stores its values exactly.

Issue 11, item 3: no third outcome. Files are the project's own fixtures of the four formats
(UN export, Open SDG, SDMX-CSV, community template) with random mutations: cut at any byte,
cells replaced by junk numbers (1e999, -0, 007, .5, <2.5, N), rows dropped or repeated, quotes
and control characters inserted. The check is independent of the readers: Python's csv module
reads the same text, and every stored value must equal the value written in its source row.

Past failures are kept as regression files in tests/fixtures/fuzz/ (each must be refused or
stored exactly too). Bounded: a few hundred examples, well under two minutes on CI.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.readers import read
from data.schema import MISSING_VALUE_CODES

FIX = Path(__file__).parent / "fixtures"
FILES = {
    "un": (FIX / "readers" / "un_export.csv", "Value"),
    "sdmx": (FIX / "readers" / "sdmx_v1.csv", "OBS_VALUE"),
    "template": (FIX / "readers" / "template_labels.csv", "value"),
    "opensdg": (FIX / "readers" / "opensdg" / "data" / "indicator_8-5-2.csv", "Value"),
}
FILE_LEVEL = {"bad_encoding", "empty_file", "too_large", "bad_format", "bad_sheet"}
JUNK = [
    "1e999",
    "-1e999",
    "nan",
    "inf",
    "-0",
    "007",
    ".5",
    "5.",
    "<2.5",
    ">95",
    "N",
    "..",
    "",
    "1,5",
    "2.5.1",
    "12,345",
    " 3 ",
    "0x10",
    "1e-320",
    "\x1b[31m4",
    "4\x0c",
]


def _records(text: str) -> dict[int, list[str]]:
    """1-based first line of each record -> its cells (as Python's csv module reads them)."""
    out: dict[int, list[str]] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for rec in reader:
            out[start] = rec
            start = reader.line_num + 1
    except csv.Error:
        pass
    return out


_CLEANED = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _expected(cell: str) -> float | None:
    """The value a cell stands for (None = missing), or raises when it is no number.

    Control characters are removed first, as documented (each cleaned cell is warned about).
    """
    text = _CLEANED.sub("", cell.replace("\t", " ")).strip()
    if not text or text.upper() in MISSING_VALUE_CODES:
        return None
    value = float(text.lstrip("<>").strip())
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def check(text: str, fmt: str, tmp_path: Path) -> None:
    """The invariant, for one file's text."""
    path = tmp_path / FILES[fmt][0].name
    path.write_bytes(text.encode("utf-8"))
    result = read(path, format=fmt, country="GBR")
    if result.errors:
        for e in result.errors:  # refused: every error says where, or is about the whole file
            assert e.row is not None or e.code in FILE_LEVEL or e.column, e
        return
    records = _records(text)
    header = [h.strip().lower() for h in records.get(1, [])]
    at = header.index(FILES[fmt][1].lower())
    for row, value, flag in zip(
        result.frame["source_row"], result.frame["value"], result.frame["value_flag"], strict=True
    ):
        cells = records[int(row)]
        want = _expected(cells[at] if at < len(cells) else "")
        if want is None:
            assert math.isnan(value) and flag != "", (row, cells)
        else:
            assert value == want, (row, cells[at], value)


def _mutate(data: st.DataObject, text: str) -> str:
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cut", "cell", "drop", "repeat", "quote", "control"]))
        body = [i for i in range(1, len(lines)) if lines[i]]
        if kind == "cut":
            joined = "\n".join(lines)
            lines = joined[: data.draw(st.integers(1, len(joined)))].split("\n")
        elif not body:
            continue
        elif kind == "cell":
            i = data.draw(st.sampled_from(body))
            cells = lines[i].split(",")
            j = data.draw(st.integers(0, len(cells) - 1))
            cells[j] = data.draw(st.sampled_from(JUNK))
            lines[i] = ",".join(cells)
        elif kind == "drop":
            del lines[data.draw(st.sampled_from(body))]
        elif kind == "repeat":
            i = data.draw(st.sampled_from(body))
            lines.insert(i, lines[i])
        elif kind == "quote":
            i = data.draw(st.sampled_from(body))
            pos = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + '"' + lines[i][pos:]
        else:
            i = data.draw(st.sampled_from(body))
            pos = data.draw(st.integers(0, len(lines[i])))
            lines[i] = (
                lines[i][:pos]
                + data.draw(st.sampled_from(["\x1b", "\x7f", "\x0c"]))
                + (lines[i][pos:])
            )
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", list(FILES))
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_refused_with_a_location_or_stored_exactly(fmt, data, tmp_path_factory):
    text = FILES[fmt][0].read_text(encoding="utf-8-sig")
    check(_mutate(data, text), fmt, tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("path", sorted((FIX / "fuzz").glob("*.csv")), ids=lambda p: p.name)
def test_past_failures(path, tmp_path):
    fmt = path.name.split("--")[0]
    check(path.read_text(encoding="utf-8"), fmt, tmp_path)
