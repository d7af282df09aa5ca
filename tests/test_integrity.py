"""Hostile input: a file is refused with a located error, or stored exactly (issue 11, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import cli
from data.readers import read

HEAD = "series,iso3,period,value,lower,upper,n,disability,footnote\n"


def _read(tmp_path: Path, body: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(HEAD + body, encoding="utf-8")
    return read(path, format="template")


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        ("S,KEN,2020,1e999,,,,PD,\n", "value", "bad_number"),
        ("S,KEN,2020,-1e999,,,,PD,\n", "value", "bad_number"),
        ("S,KEN,2020,2.5,1e999,,,PD,\n", "lower", "bad_number"),
        ("S,KEN,2020,2.5,,1e999,,PD,\n", "upper", "bad_number"),
        ("S,KEN,2020,2.5,,,1e999,PD,\n", "n", "bad_number"),
        ("S,KEN,2020,2.5,,,0,PD,\n", "n", "bad_number"),
        ("S,KEN,2020,2.5,,,-4,PD,\n", "n", "bad_number"),
        ("S,KEN,2020,2.5,,,12.5,PD,\n", "n", "bad_number"),
        ("S,KEN,2020,2.5,3,2,,PD,\n", "lower/upper", "bad_bounds"),
    ],
)
def test_bad_numbers_are_located_errors(tmp_path, row, column, code):
    result = _read(tmp_path, "S,KEN,2019,1.0,,,,PD,\n" + row)
    [error] = result.errors
    assert (error.file, error.row, error.column, error.code) == ("t.csv", 3, column, code)
    assert error.value and error.expected


def test_good_bounds_and_counts_are_kept(tmp_path):
    result = _read(tmp_path, "S,KEN,2020,2.5,2.5,3,412,PD,\n")
    assert not result.errors
    row = result.frame.iloc[0]
    assert (row["value"], row["lower"], row["upper"], row["n"]) == (2.5, 2.5, 3.0, 412.0)


def test_control_characters_are_cleaned_and_reported(tmp_path):
    result = _read(tmp_path, "S\x1b[31m,KEN,2020,2.5,,,,PD,a\x0cb\x7fc\n")
    assert not result.errors
    found = {(p.row, p.column): p for p in result.problems if p.code == "control_character"}
    assert set(found) == {(2, "series"), (2, "footnote")}
    assert "stored as 'S'" in found[(2, "series")].value
    row = result.frame.iloc[0]
    assert (row["series"], row["footnote"]) == ("S", "abc")


def test_a_control_character_at_the_start_is_no_longer_a_whole_file_error(tmp_path):
    result = _read(tmp_path, "\x07S,KEN,2020,2.5,,,,PD,\n")
    assert not result.errors and result.frame["series"].tolist() == ["S"]


def test_nul_bytes_still_mean_binary(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes((HEAD + "S,KEN,2020,2.5,,,,PD,\n").encode("utf-16-le"))
    assert [p.code for p in read(path, format="template").errors] == ["bad_encoding"]


@pytest.mark.parametrize(
    ("tail", "words"),
    [("S,KEN,2021,2", "no line end"), ('S,KEN,2021,2.5,,,,PD,"open', "quoted field")],
)
def test_a_cut_off_last_line_is_refused_and_the_store_unchanged(tmp_path, tail, words):
    from data.settings import Settings

    path = tmp_path / "cut.csv"
    path.write_text(HEAD + "S,KEN,2020,2.5,,,,PD,\n" + tail, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "s", cache_type="NullCache", demo_on_empty=False)
    assert cli.main(["validate", str(path), "--format", "template"], settings) == 1
    assert cli.main(["import", str(path), "--format", "template"], settings) == 1
    from data.store import Store

    assert Store(settings).is_empty()
    [error] = read(path, format="template").errors
    assert error.row == 3 and words in error.expected


def test_a_short_row_is_an_error(tmp_path, capsys):
    from data.settings import Settings

    path = tmp_path / "short.csv"
    path.write_text(HEAD + "S,KEN,2020,2.5,,,,PD,x\nS,KEN,2020,1.5,,,\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "s", cache_type="NullCache", demo_on_empty=False)
    assert cli.main(["validate", str(path), "--format", "template"], settings) == 1
    assert "row 3" in capsys.readouterr().out


def test_import_into_a_store_emptied_with_remove(tmp_path):
    # the README's own path: demo, remove every dataset, import (was: traceback, exit 1,
    # yet the dataset committed)
    from data import pipeline, queries
    from data.settings import Settings
    from data.store import Store

    settings = Settings(data_dir=tmp_path / "s", cache_type="NullCache", demo_on_empty=True)
    store = queries.configure(settings)
    pipeline.ensure_demo(store)
    store.observations()  # a snapshot of the demo exists
    for dataset in store.datasets()["id"]:
        assert store.remove(int(dataset))
    assert len(store.observations()) == 0
    path = tmp_path / "t.csv"
    path.write_text(HEAD + "S,KEN,2020,2.5,,,,PD,\nS,KEN,2020,1.5,,,,PWD,\n", encoding="utf-8")
    assert cli.main(["import", str(path), "--format", "template"], settings) == 0
    obs = Store(settings).observations()
    assert sorted(obs["value"]) == [1.5, 2.5]


def test_two_imports_of_the_same_file_at_once_store_it_once(tmp_path):
    import os
    import subprocess
    import sys

    from data.settings import Settings
    from data.store import Store

    path = tmp_path / "t.csv"
    rows = "".join(f"S{i},KEN,2020,{i}.5,,,,PD,\n" for i in range(3000))
    path.write_text(HEAD + rows, encoding="utf-8")
    env = {**os.environ, "GAPMAP_DATA_DIR": str(tmp_path / "s"), "GAPMAP_DEMO_ON_EMPTY": "0"}
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "data", "import", str(path), "--format", "template"]
    procs = [
        subprocess.Popen(
            cmd, cwd=root, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert sum("already imported" in o for o in outs) == 2
    settings = Settings(data_dir=tmp_path / "s", demo_on_empty=False)
    assert len(Store(settings).datasets()) == 1
    assert len(Store(settings).observations()) == 3000
