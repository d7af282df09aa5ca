"""Smoke test of bench/: the 10M generator at a tiny scale, imported, and the baseline app's map.

The benchmark itself (bench/side_by_side.py) prints figures and is never run here; this only
checks that its generator writes files the project imports and that the baseline answers.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import baseline_app  # noqa: E402
import generate  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from data import queries
    from data.pipeline import import_files
    from data.settings import Settings

    out = tmp_path_factory.mktemp("gen")
    files = generate.generate(out / "files", 1500, 1000, seed=3)
    settings = Settings(data_dir=out / "store", demo_on_empty=False, cache_type="NullCache")
    summaries = import_files(queries.configure(settings), files, settings)
    return out, files, summaries


def test_generator_writes_importable_chunks(store):
    out, files, summaries = store
    assert [f.name for f in files] == ["gen-01.csv.gz", "gen-02.csv.gz"]
    assert (out / "files" / generate.MANIFEST).exists()
    with gzip.open(files[0], "rt") as fh:
        header = fh.readline().strip().split(",")
        rows = sum(1 for _ in fh)
    assert header == list(generate.COLUMNS)
    assert rows == 1000
    assert sum(s.rows for s in summaries) == 1500


def test_baseline_map_callback_answers_with_geojson_in_the_figure(store):
    out, _, _ = store
    app = baseline_app.create_app(out / "store")
    body = baseline_app.dash_body(
        "map.figure",
        {
            "mode.value": "coverage",
            "group.value": "women",
            "series.value": None,
            "region.value": "",
        },
        "mode.value",
    )
    resp = app.server.test_client().post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 200
    assert "Content-Encoding" not in resp.headers  # the standard approach: no compression
    figure = resp.get_json()["response"]["map"]["figure"]
    trace = figure["data"][0]
    assert trace["type"] == "choropleth"
    assert figure["data"][0]["geojson"]["type"] == "FeatureCollection"
    assert len(trace["locations"]) > 10
