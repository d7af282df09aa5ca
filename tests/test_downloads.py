"""'Download data' files: what the view shows, with provenance, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from data import tables
from layouts import state
from layouts.pages import content
from layouts.pages.links import data_url
from server import downloads
from server.downloads import neutralise
from tests import test_tables as shared
from tests.test_tables import (
    HOSTILE_FOOTNOTE,
    HOSTILE_NAME,
    HOSTILE_SOURCE,
    light_app,
)

demo_settings, demo = shared.demo_settings, shared.demo
hostile_settings, hostile = shared.hostile_settings, shared.hostile


@pytest.fixture
def client(demo):
    return light_app(downloads).test_client()


def _get(client, view, fmt, search=""):
    r = client.get(data_url(view, fmt, search))
    assert r.status_code == 200, r.data[:300]
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    return r


def _csv_sections(text: str) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """The ``#`` rows and each table of a download CSV."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    about = [r[0] for r in rows if r and r[0].startswith("#") and not r[0].startswith("# table")]
    text_lines = text.lstrip("\ufeff").split("\r\n")
    tables_, name, buf = {}, "data", []
    for line in text_lines[len(about) :]:
        if line.startswith("# table: "):
            if buf:
                tables_[name] = buf
            name, buf = line[len("# table: ") :], []
        elif line:
            buf.append(line)
    if buf:
        tables_[name] = buf
    frames = {
        k: pd.read_csv(io.StringIO("\n".join(v)), keep_default_na=False, na_values=[""])
        for k, v in tables_.items()
    }
    return about, frames


def test_data_url_keeps_the_page_query():
    assert data_url("map", "csv", "?group=women&mode=values") == (
        "/download/data/map.csv?group=women&mode=values"
    )
    assert data_url("country-KEN", "xlsx", "") == "/download/data/country-KEN.xlsx"
    assert data_url("matrix", "csv", "sort=name") == "/download/data/matrix.csv?sort=name"


@pytest.mark.parametrize(
    ("view", "search"),
    [("map", ""), ("map", "?mode=values&group=women"), ("map", "?series=SL_TLF_UEMDIS")],
)
def test_map_csv_is_the_map_table_with_provenance(client, view, search):
    text = _get(client, view, "csv", search).data.decode("utf-8")
    about, frames = _csv_sections(text)
    [frame] = frames.values()
    s = state.parse_search(search, content.choices())[0]
    expected, _ = tables.map_table(s)
    assert len(frame) == len(expected)
    assert sorted(frame["iso3"]) == sorted(expected["iso3"])
    joined = "\n".join(about)
    for field in ("# View:", "# View URL: http://localhost/", "# Retrieved:", "# Citation:"):
        assert field in joined
    assert "# Licence: CC0-1.0" in joined and "# Dataset 1:" in joined
    if "mode=values" in search:
        shown = expected.set_index("iso3")["value"].dropna()
        got = frame.set_index("iso3")["value"].dropna()
        assert got.sort_index().tolist() == shown.sort_index().tolist()  # stored, not rounded
        assert {"dataset", "source_row", "ref_source_row", "footnote"} <= set(frame.columns)
    else:
        assert {"status", "status_label", "reason", "reason_label"} <= set(frame.columns)


def test_map_xlsx_opens_with_an_about_sheet(client):
    r = _get(client, "map", "xlsx", "?mode=disparity")
    book = load_workbook(io.BytesIO(r.data), read_only=True)
    assert book.sheetnames == ["Data", "About"]
    rows = list(book["Data"].iter_rows(values_only=True))
    expected, _ = tables.map_table(state.parse_search("?mode=disparity", content.choices())[0])
    assert len(rows) - 1 == len(expected)
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["View URL"] == "http://localhost/?mode=disparity"
    assert about["Citation"].startswith(tables.PROJECT)
    assert "CC0" in about["Licence"] and about["Retrieved"]
    assert any(k.startswith("Dataset ") for k in about)


def test_matrix_files_hold_every_cell(client):
    s = state.parse_search("?region=002&sort=women", content.choices())[0]
    expected = tables.matrix_table(s)
    text = _get(client, "matrix", "csv", "?region=002&sort=women").data.decode()
    [frame] = _csv_sections(text)[1].values()
    assert frame["iso3"].tolist() == expected["iso3"].tolist()  # the page's order
    assert frame["share"].fillna(-1).tolist() == expected["share"].fillna(-1).tolist()
    book = load_workbook(io.BytesIO(_get(client, "matrix", "xlsx", "?region=002").data))
    assert book["Data"].max_row - 1 == len(expected)


def test_country_files_have_every_table_of_the_page(client):
    text = _get(client, "country-KEN", "csv", "?group=disability").data.decode()
    about, frames = _csv_sections(text)
    names = {
        "scorecard",
        "progress",
        "timeseries",
        "provenance",
        "official_vs_community",
        "missing",
        "status_matrix",
    }
    assert set(frames) == names
    card = tables.scorecard_table("KEN")
    assert frames["scorecard"]["group"].tolist() == card["group"].tolist()
    assert frames["scorecard"]["expected"].tolist() == card["expected"].tolist()
    assert "# View URL: http://localhost/country/KEN" in "\n".join(about)
    book = load_workbook(io.BytesIO(_get(client, "country-ken", "xlsx").data), read_only=True)
    assert set(book.sheetnames) == names | {"About"}


def test_unknown_views_and_formats_are_404(client):
    for name in ("country-XXX.csv", "country.csv", "map-KEN.csv", "map.pdf", "globe.csv", "map"):
        assert client.get(f"/download/data/{name}").status_code == 404


def test_a_parameter_the_page_would_not_understand_is_said(client):
    text = _get(client, "map", "csv", "?group=nobody").data.decode()
    about, _ = _csv_sections(text)
    assert any("group=nobody" in line and "disability" in line for line in about)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2.5, -2.5),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_formula_cells_are_neutralised_and_numbers_stay_numbers(hostile):
    client = light_app(downloads).test_client()
    text = _get(client, "map", "csv", "?mode=values&series=SL_TLF_UEMDIS").data.decode()
    about, frames = _csv_sections(text)
    [frame] = frames.values()
    ken = frame[frame["iso3"] == "KEN"].iloc[0]
    assert ken["value"] == -2.5 and ken["difference"] == -6.5  # numbers, not text
    assert ken["footnote"] == "'" + HOSTILE_FOOTNOTE
    assert ken["data_source"] == "'" + HOSTILE_SOURCE
    assert ken["dataset_name"] == HOSTILE_NAME  # markup stays text (a CSV is never rendered)
    uga = frame[frame["iso3"] == "UGA"].iloc[0]
    assert uga["footnote"] == "'-minus first"
    for line in about:  # the provenance block too: licence "=CC0", attribution "+cmd..."
        assert not line.startswith(("=", "+", "-", "@"))
    assert "# Licence: =CC0" in about  # harmless after "#": the cell starts with "#"
    r = _get(client, "map", "xlsx", "?mode=values&series=SL_TLF_UEMDIS")
    book = load_workbook(io.BytesIO(r.data))
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        for c in row:
            assert c.data_type != "f", c.value  # no formula anywhere
            if isinstance(c.value, str):
                assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r"))
        if cells["iso3"].value == "KEN":
            assert cells["value"].data_type == "n" and cells["value"].value == -2.5
            assert cells["footnote"].value == "'" + HOSTILE_FOOTNOTE
            assert cells["dataset_name"].value == HOSTILE_NAME
    about_sheet = book["About"]
    for row in about_sheet.iter_rows():
        for c in row:
            assert c.data_type != "f"
    licence = dict(about_sheet.iter_rows(values_only=True))["Licence"]
    assert licence == "'=CC0"


def test_the_app_registers_the_downloads(demo_settings):
    from app import create_app

    server = create_app(demo_settings, warm=False).server
    with server.test_client() as client:
        r = client.get(data_url("map", "csv", "?group=women"))
        assert r.status_code == 200 and r.mimetype == "text/csv"
        r.close()
    assert "# Citation:" in r.data.decode()
