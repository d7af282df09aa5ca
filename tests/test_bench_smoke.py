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


def test_the_baseline_is_asked_for_the_map_the_project_showed(store):
    """Each map interaction of the walk asks the baseline for the project's state then: the
    series and region steps come after "mode disparity", so both apps draw disparity maps."""
    import side_by_side

    from layouts.state import DEFAULTS, to_search

    walk = {
        "group older": {"group": "older"},
        "mode values": {"group": "older", "mode": "values"},
        "pick a series": {"group": "older", "mode": "disparity", "series": "SL_X"},
        "region Africa": {"group": "older", "mode": "disparity", "series": "SL_X", "region": "002"},
    }
    urls = {name: "/" + to_search({**DEFAULTS, **s}) for name, s in walk.items()}
    calls = side_by_side.baseline_calls(urls)

    def asked(name: str) -> tuple[dict, list[str]]:
        body = calls[name][-1]
        return {i["id"]: i["value"] for i in body["inputs"]}, body["changedPropIds"]

    world = {"region": "", "series": None}
    defaults = {**world, "mode": "coverage", "group": "disability"}
    assert asked("first load /") == (defaults, ["mode.value"])
    assert asked("group older") == (
        {**world, "mode": "coverage", "group": "older"},
        ["group.value"],
    )
    assert calls["group older"][0]["inputs"][0]["value"] == "older"  # its series options
    assert asked("mode values") == ({**world, "mode": "values", "group": "older"}, ["mode.value"])
    series = {"mode": "disparity", "group": "older", "series": "SL_X"}
    assert asked("pick a series") == ({**series, "region": ""}, ["series.value"])
    assert asked("region Africa") == ({**series, "region": "002"}, ["region.value"])
    # the baseline draws that disparity map
    out, _, _ = store
    app = baseline_app.create_app(out / "store")
    some = app.server.test_client().post(
        "/_dash-update-component",
        data=json.dumps(calls["pick a series"][-1]).replace("SL_X", _a_series(out / "store")),
        content_type="application/json",
    )
    assert some.status_code == 200
    assert some.get_json()["response"]["map"]["figure"]["data"][0]["type"] == "choropleth"


def _a_series(store: Path) -> str:
    """The generated store's most reported series."""
    return str(baseline_app.load_frame(store)["series"].value_counts().index[0])


def _full_results() -> dict:
    """A results.json of side_by_side.py with every section, as a run writes it."""
    import side_by_side

    miss, hit, base = [40.0, 50.0, 60.0], [5.0, 6.0, 7.0], [400.0, 500.0, 600.0]
    server = {
        label: {"miss": miss, "hit": hit, "base": base, "bytes": 12_000, "base_bytes": 440_000}
        for label in side_by_side.INTERACTIONS
    }
    mem = {"Rss": 900.0, "Pss": 300.0, "Private_Clean": 1.0, "Private_Dirty": 99.0}
    load = {
        "cold_start": 4.0,
        "idle": 9.0,
        "rss_idle": 900.0,
        "pss_idle": 300.0,
        "memory_idle": {**mem, "master_rss": 1200.0},
        "requests": 2000,
        "failures": 0,
        "p50": 100.0,
        "p95": 250.0,
        "p99": 400.0,
        "cb_p50": 120.0,
        "cb_p95": 280.0,
        "cb_p99": 420.0,
        "server_p50": 20.0,
        "server_p95": 90.0,
        "callback_server_p50": 30.0,
        "callback_server_p95": 100.0,
        "callbacks": 600,
        "callbacks_per_worker": [120, 140, 160, 180],
        "client_cpu": 30.0,
        "server_cpu": 45.0,
        "load_wall": 30.0,
        "rss_load": 950.0,
        "pss_load": 320.0,
        "restarts": 0,
    }
    browser = {"first": 700_000, "repeat": 30_000, "repeat_static": 2_000}
    return {
        "import": [15.0, 900.0, 14.0],
        "import_base": [10.0, 1500.0, 9.0],
        "server": server,
        "browser": {
            "project": {**browser, "cold": [5.0], "warm": [1.2]},
            "baseline": {**browser, "first": 6_500_000, "cold": [30.0], "warm": [4.0]},
        },
        "start_load": {"project": load, "baseline": {**load, "p95": 9000.0}},
    }


@pytest.mark.parametrize("scale", ["real", "10m"])
def test_side_by_side_table_prints_every_line_of_the_issue_with_its_ratio(scale):
    import side_by_side

    lines = side_by_side.table(scale, _full_results())
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in lines[2:]}
    wanted = ["import: wall time", "import: peak RSS", "first load transferred"]
    for label, steps in side_by_side.INTERACTIONS.items():
        wanted += [f"{label}: cache {k} p{q}" for k in ("miss", "hit") for q in (50, 95)]
        wanted.append(f"{label}: bytes per update" if isinstance(steps, str) else None)
    several = "country page, status matrix opened"
    wanted = [w for w in wanted if w] + [f"{several}: bytes, both updates"]
    wanted += [
        "map drawn, 1.6 Mbit/s 150 ms, cold cache",
        "map drawn, 1.6 Mbit/s 150 ms, warm cache",
        "cold start to the first map (4 workers)",
        "worker RSS after warm-up (max of 4)",
        "load: callbacks only, p95",
        "load: locust's own CPU (cores busy on average)",
    ]
    wanted += [f"load 50 users, 4 workers: {q}" for q in ("p50", "p95", "p99")]
    for name in wanted:
        assert name in rows, name
        assert rows[name][3].endswith("x"), (name, rows[name])  # a ratio, not "-"
    assert rows["group: cache miss p95"][3] == "0.10x"
    assert rows["group: cache miss p95"][5].strip(" |") == "MISSED"  # 60 ms > 30 ms
    assert rows["load 50 users, 4 workers: p95"][5].strip(" |") == "met"
    assert rows["load: callbacks on the busiest worker (of 4)"][1] == "30 %"
    assert rows["load: errors"][1:3] == ["0", "0"]  # 0 / 0: no ratio
    assert rows["load: errors"][5].strip(" |") == "met"
    # a page and a part of it opened after: two updates, compared without the targets of one
    assert [rows[f"{several}: {w}"][4] for w in ("cache hit p95", "bytes, both updates")] == [
        "",
        "",
    ]
    assert rows["country page: bytes per update"][4] == "<= 20 KB"
    worker = rows["worker RSS after warm-up (max of 4)"]
    assert worker[4] == ("<= 1.5 GB at 10M" if scale == "10m" else "")
    # later visitors' bytes of a kept page, beside the first visitor's (the target's line)
    results = _full_results()
    results["server"]["matrix"]["kept_bytes"] = 10_240
    lines = side_by_side.table(scale, results)
    rows = {r.split(" | ")[0].lstrip("| "): r.split(" | ") for r in lines[2:]}
    assert rows["matrix: bytes per update, later visitors"][1:3] == ["10.0 KB", "429.7 KB"]
    assert "map mode: bytes per update, later visitors" not in rows  # none measured


def test_side_by_side_reuses_a_given_store_once_the_code_reads_it(store, tmp_path, capsys):
    import side_by_side

    out, _, summaries = store
    assert side_by_side.check_store(out / "store") == f"2 dataset(s), {1500:,} observations"
    with pytest.raises(RuntimeError, match="cannot read the store"):
        side_by_side.check_store(tmp_path / "nothing-here")
    res: dict = {}
    given = side_by_side.store_for("10m", tmp_path, [], False, res, out / "store")
    assert given == out / "store" and res == {}  # used as it is: no import measured
    assert not list(tmp_path.glob("10m/store-*"))  # nothing built beside it
    for argv in (
        ["--store-from", str(out / "store")],  # both scales: which one is it?
        ["--scale", "10m", "--reuse-store", "--only", "import"],
    ):
        with pytest.raises(SystemExit):
            side_by_side.main(argv)
    assert "--store-from" in capsys.readouterr().err


def test_locust_baseline_users_find_the_static_files_of_the_baseline_page(store):
    import ast
    import re

    out, _, _ = store
    source = (BENCH / "locustfile.py").read_text()
    pattern = re.search(r"STATIC = re\.compile\((r'.*?')\)", source).group(1)
    # the locustfile's own pattern, read from its source (importing it would start gevent)
    static = re.compile(ast.literal_eval(pattern))
    client = baseline_app.create_app(out / "store").server.test_client()
    urls = static.findall(client.get("/").get_data(as_text=True))
    assert any("_dash-component-suites" in u for u in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url
