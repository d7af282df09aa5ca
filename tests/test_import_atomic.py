"""Every format, every kind of bad file: a clear error with its row, and the store unchanged."""

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from data import pipeline
from data.schema import ImportError_
from data.store import Store


@pytest.fixture
def settings(backend_settings):
    """Every test here runs on SQLite and on PostgreSQL (tests/pgserver.py)."""
    return backend_settings


FIX = Path(__file__).parent / "fixtures" / "readers"
# format -> (fixture, value column, country column or None, a required column, import options)
FORMATS = {
    "un": (FIX / "un_export.csv", "Value", "GeoAreaCode", "SeriesCode", {}),
    "sdmx": (FIX / "sdmx_v1.csv", "OBS_VALUE", "REF_AREA", "SERIES", {}),
    "template": (FIX / "template_labels.csv", "Value", "M49", "Series", {}),
    "opensdg": (
        FIX / "opensdg" / "data" / "indicator_8-5-2.csv",
        "Value",
        None,
        "Year",
        {"country": "GBR"},
    ),
}


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write(path, rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _variant(kind, fmt, tmp):
    src, value_col, country_col, required, _ = FORMATS[fmt]
    rows = _rows(src)
    head = rows[0]
    target = tmp / src.name
    if kind == "missing_column":
        i = head.index(required)
        return _write(target, [r[:i] + r[i + 1 :] for r in rows]), None
    if kind == "bad_number":
        rows[2][head.index(value_col)] = "12,5x"
        return _write(target, rows), 3
    if kind == "unknown_country":
        if country_col is None:
            return _write(target, rows), "country"
        rows[1][head.index(country_col)] = "999"
        return _write(target, rows), 2
    if kind == "conflicting_duplicate":
        dup = list(rows[1])
        dup[head.index(value_col)] = "99.9"
        rows.append(dup)
        return _write(target, rows), len(rows)
    if kind == "wrong_encoding":
        target.write_bytes(src.read_bytes().decode("utf-8-sig").encode("utf-16-le"))
        return target, None
    if kind == "empty":
        target.write_bytes(b"")
        return target, None
    if kind == "xlsx_no_valid_sheet":
        target = tmp / (src.stem + ".xlsx")
        wb = openpyxl.Workbook()
        wb.active.title = "Notes"
        wb.active.append(["This workbook", "has no data sheet"])
        wb.create_sheet("Codes").append(["code", "label"])
        wb.save(target)
        return target, None
    raise AssertionError(kind)


KINDS = [
    "missing_column",
    "bad_number",
    "unknown_country",
    "conflicting_duplicate",
    "wrong_encoding",
    "empty",
    "xlsx_no_valid_sheet",
]


@pytest.fixture
def seeded(settings):
    store = Store(settings)
    pipeline.import_files(store, [FIX / "un_api.csv"], settings)
    return store


def _state(store):
    obs = store.observations()
    return store.version(), len(store.datasets()), len(obs), float(obs["value"].sum())


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("kind", KINDS)
def test_bad_file_is_refused_and_store_unchanged(seeded, settings, tmp_path, fmt, kind):
    path, where = _variant(kind, fmt, tmp_path)
    opts = dict(FORMATS[fmt][4])
    if kind == "unknown_country" and where == "country":
        opts["country"] = "XXX"
        where = None
    good = FORMATS["un"][0]  # a valid file in the same import must not be written either
    before = _state(seeded)
    with pytest.raises(ImportError_) as err:
        pipeline.import_files(
            seeded, [good, path], settings, format=fmt if fmt != "un" else None, **opts
        ) if fmt == "un" else pipeline.import_files(seeded, [path], settings, format=fmt, **opts)
    assert _state(seeded) == before
    problems = err.value.problems
    assert problems and all(p.file == path.name for p in problems)
    if isinstance(where, int):
        assert where in {p.row for p in problems}, [str(p) for p in problems]
    assert str(err.value)  # readable text naming the problems
    assert path.name in str(err.value)


def test_valid_xlsx_with_extra_sheets_imports(settings, tmp_path):
    rows = _rows(FORMATS["un"][0])
    target = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "About"
    wb.active.append(["Downloaded from the SDG Global Database"])
    data = wb.create_sheet("Data")
    for r in rows:
        data.append(r)
    wb.create_sheet("Footnotes").append(["id", "text"])
    wb.save(target)
    store = Store(settings)
    [summary] = pipeline.import_files(store, [target], settings)
    assert summary.created and summary.rows == len(rows) - 1
    obs = store.observations()
    assert sorted(obs["source_row"]) == list(range(2, len(rows) + 1))


def test_open_sdg_conflicts_can_be_kept_on_request(settings, tmp_path):
    path, row = _variant("conflicting_duplicate", "opensdg", tmp_path)
    store = Store(settings)
    [summary] = pipeline.import_files(store, [path], settings, country="GBR", keep_conflicts=True)
    assert any(w.code == "conflicting_duplicate" and w.row == row for w in summary.warnings)
    assert summary.rows == len(_rows(path)) - 1  # both rows kept


def test_reimport_is_idempotent_and_community_flag_kept(settings, tmp_path):
    store = Store(settings)
    src = FORMATS["template"][0]
    first = pipeline.import_files(store, [src], settings, source_type="community")
    again = pipeline.import_files(store, [src], settings, source_type="community")
    assert first[0].created and not again[0].created and again[0].dataset == first[0].dataset
    assert set(store.observations()["source_type"]) == {"community"}
    copy = shutil.copy(src, tmp_path / "copy.csv")  # same bytes, other name: same dataset
    assert not pipeline.import_files(store, [copy], settings, source_type="community")[0].created
