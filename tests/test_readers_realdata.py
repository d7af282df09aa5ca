"""The readers on the real files in ../shared/data (skipped with a reason when absent)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from data.readers import detect_format, read
from data.vocab import vocabulary
from tests.conftest import shared_data

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

UN_ROWS = 831_697
UN_N_CELLS = 3_133


@pytest.fixture(scope="module")
def un_extract():
    path = shared_data("sdg-global-extract", "sdg_disaggregated_long.csv.gz")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return raw, read(path)


def test_un_extract_reads_every_row_without_errors(un_extract) -> None:
    raw, result = un_extract
    assert result.format == "un"
    assert len(raw) == len(result.frame) == UN_ROWS
    assert result.errors == []
    assert result.unmapped == {}
    assert np.array_equal(result.frame["source_row"].to_numpy(), np.arange(2, UN_ROWS + 2))
    assert (result.frame["series"].to_numpy() == raw["SeriesCode"].to_numpy()).all()


def test_un_extract_values_round_trip_exactly(un_extract) -> None:
    raw, result = un_extract
    texts = raw["Value"].tolist()
    stored = result.frame["value"].to_numpy()
    flags = result.frame["value_flag"].to_numpy()
    numeric = [i for i, t in enumerate(texts) if t != "N"]
    expected = np.array([float(texts[i].lstrip("<>")) for i in numeric])
    assert np.array_equal(stored[numeric], expected)  # bit-for-bit, no tolerance
    bounded = [i for i in numeric if texts[i][0] in "<>"]
    assert [flags[i] for i in bounded] == [texts[i][0] for i in bounded]
    assert len(bounded) == 10_315


def test_un_extract_missing_value_codes_are_kept_and_warned(un_extract) -> None:
    raw, result = un_extract
    warnings = [p for p in result.problems if p.code == "missing_value"]
    assert len(warnings) == UN_N_CELLS
    assert {(p.value, p.severity, p.column) for p in warnings} == {("N", "warning", "Value")}
    kept = result.frame[result.frame["value_flag"] == "N"]
    assert len(kept) == UN_N_CELLS and kept["value"].isna().all()
    assert sorted(p.row for p in warnings) == sorted((kept["source_row"]).tolist())


def test_un_extract_groups(un_extract) -> None:
    _, result = un_extract
    counts = result.frame["disability"].value_counts()
    assert (counts["PD"], counts["PWD"]) == (4_293, 4_773)
    regions = result.frame[result.frame["m49"] == "001"]
    assert regions["iso3"].eq("").all() and not regions.empty
    assert set(result.frame["sex"]) <= {"F", "M", "_T", "_Z", "_O", "_U", "_X"}


def _open_sdg_files():
    folder = shared_data("open-sdg-uk", "data")
    files = sorted(folder.glob("indicator_*.csv"))
    assert len(files) == 17
    return files


def test_open_sdg_uk_files_read_without_errors() -> None:
    index_path = shared_data("open-sdg-uk", "files_index.csv")
    with index_path.open(encoding="utf-8") as fh:
        rows = {r["file"].split("/")[-1]: int(r["rows"]) for r in csv.DictReader(fh)}
    vocab = vocabulary()
    for path in _open_sdg_files():
        assert detect_format(path) == "opensdg"
        strict = read(path, country="GBR")
        # ONS files that lost a breakdown label hold conflicting rows: refused unless kept
        assert {p.code for p in strict.errors} <= {"conflicting_duplicate"}, path.name
        result = read(path, country="GBR", keep_conflicts=True)
        assert result.errors == [], (path.name, result.errors[:3])
        assert len(result.frame) == rows[path.name], path.name
        assert result.frame["iso3"].eq("GBR").all()
        header = pd.read_csv(path, nrows=0).columns
        labels = _disability_labels(path, header, vocab)
        if labels is None:
            continue
        codes = set(result.frame["disability"])
        assert "PD" in codes, path.name
        if any(
            label.lower().startswith(("non-disabled", "not disabled", "no disab"))
            for label in labels
        ):
            assert "PWD" in codes, path.name


def _disability_labels(path, header, vocab) -> set[str] | None:
    columns = [c for c in header if vocab.dimension_for_column(c) == "disability"]
    if not columns:
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns)
    return {v for c in columns for v in frame[c] if v}


def test_open_sdg_gss_disability_labels_map() -> None:
    seen = set()
    for path in _open_sdg_files():
        result = read(path, country="GBR")
        seen |= {label for (dim, label) in result.unmapped if dim == "disability"}
    assert not {label for label in seen if "GSS harmonised" in label}
