"""The faster import stores exactly what the previous implementation stored (issue #12).

The checksums below were computed with the import as it was before the columnar rewrite
(commit de9970f: pandas parse plus a pyarrow re-parse for short rows, a second ``conform`` in
the store, row tuples converted cell by cell). A change of any stored cell, of the row set, or
of the snapshot's values changes them. If a deliberate change of the stored rows alters them,
recompute them with the old code and say why in the commit.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data import pipeline, queries
from data.schema import OBS_COLUMNS, ImportError_
from data.settings import Settings
from data.store import OBSERVATIONS
from tests import realshape
from tests.conftest import shared_data

REALSHAPE_ROWS = 116_589
REALSHAPE_DIGEST = "594cf0f32fe13e2e578997512d49cfdfebc9584ed967da9f37854cd32120d249"
REALSHAPE_SNAPSHOT = "6955ffc18de5344b76cd3233ef607808d017399a8c0c606e45b68a45cd98aa5e"
SAMPLE_LINES = 60_000  # data rows of the real extract in the sample
SAMPLE_DIGEST = "52820922c452653c7045bebba09cbb671007bbb7a0d2cbd42832a8379301d8a0"
SAMPLE_SNAPSHOT = "f01e09175b206c56f00d0b5e07cec29149caeceb3c41b1c85c2e76948e29e0ca"


def stored_digest(store) -> tuple[int, str]:
    """(rows, SHA-256 of every stored observation row, in a fixed order) from the database."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*(OBSERVATIONS.c[c] for c in OBS_COLUMNS))).fetchall()
    texts = sorted(repr(tuple(r)) for r in rows)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    return len(texts), digest


def snapshot_digest(store) -> str:
    """SHA-256 of the readers' snapshot (values and column dtypes), rows in a fixed order."""
    frame = store.observations()
    kinds = ";".join(f"{c}:{frame[c].dtype.name}" for c in frame.columns)
    plain = pd.DataFrame(
        {
            c: frame[c].astype(object) if frame[c].dtype.name == "category" else frame[c]
            for c in frame
        }
    )
    plain = plain.sort_values(["dataset", "source_row", "series", "m49", "period"], kind="stable")
    hashed = pd.util.hash_pandas_object(plain.reset_index(drop=True), index=False)
    return hashlib.sha256(kinds.encode() + hashed.to_numpy().tobytes()).hexdigest()


def test_real_shape_store_rows_are_those_of_the_previous_import(tmp_path):
    settings = realshape.build(tmp_path / "store")
    store = queries.configure(settings)
    assert stored_digest(store) == (REALSHAPE_ROWS, REALSHAPE_DIGEST)
    assert snapshot_digest(store) == REALSHAPE_SNAPSHOT


def test_real_extract_sample_rows_are_those_of_the_previous_import(tmp_path):
    source = shared_data("sdg-global-extract", "sdg_disaggregated_long.csv.gz")
    sample = tmp_path / "sample.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src:
        lines = [src.readline() for _ in range(SAMPLE_LINES + 1)]
    with gzip.open(sample, "wt", encoding="utf-8", newline="") as out:
        out.writelines(lines)
    settings = Settings(data_dir=tmp_path / "store", demo_on_empty=False, cache_type="NullCache")
    store = queries.configure(settings)
    pipeline.import_files(store, [sample], settings)
    assert stored_digest(store) == (SAMPLE_LINES, SAMPLE_DIGEST)
    assert snapshot_digest(store) == SAMPLE_SNAPSHOT


FIX = Path(__file__).parent / "fixtures" / "readers"


def _store(path):
    settings = Settings(data_dir=path, demo_on_empty=False, cache_type="NullCache")
    return queries.configure(settings), settings


def test_several_files_stored_as_when_imported_one_by_one(tmp_path):
    files = realshape.write_files(tmp_path / "files")
    paths = [files["un"], FIX / "un_api.csv"]
    together, settings = _store(tmp_path / "together")
    summaries = pipeline.import_files(together, paths, settings)
    assert [s.dataset for s in summaries] == [1, 2]
    assert all(s.created and s.rows for s in summaries)
    apart, settings_apart = _store(tmp_path / "apart")
    for path in paths:
        pipeline.import_files(apart, [path], settings_apart)
    assert stored_digest(together) == stored_digest(apart)
    assert snapshot_digest(together) == snapshot_digest(apart)
    frame = together.observations()
    assert frame["series"].dtype.name == "category"
    assert list(frame["series"].cat.categories) == sorted(frame["series"].cat.categories)


def test_several_files_with_errors_report_every_file_and_change_nothing(tmp_path):
    good = FIX / "un_api.csv"
    first_bad = tmp_path / "first_bad.csv"
    second_bad = tmp_path / "second_bad.csv"
    rows = list(csv.reader(io.StringIO(good.read_text(encoding="utf-8-sig"))))
    value = rows[0].index("Value")
    for path, bad in ((first_bad, "12,5x"), (second_bad, "abc")):
        changed = [list(r) for r in rows]
        changed[1][value] = bad
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(changed)
        path.write_text(buf.getvalue(), encoding="utf-8")
    store, settings = _store(tmp_path / "store")
    pipeline.import_files(store, [good], settings)
    before = (store.version(), len(store.datasets()), stored_digest(store))
    with pytest.raises(ImportError_) as err:
        pipeline.import_files(
            store,
            [good, first_bad, realshape.write_files(tmp_path / "f")["un"], second_bad],
            settings,
        )
    files = {p.file for p in err.value.problems if p.code == "bad_number"}
    assert files == {"first_bad.csv", "second_bad.csv"}
    assert (store.version(), len(store.datasets()), stored_digest(store)) == before
