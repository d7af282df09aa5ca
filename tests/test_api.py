"""The data API /api/v1/: each endpoint with good and bad parameters; the engine's numbers."""

from __future__ import annotations

import gzip
import io
import json

import pandas as pd
import pytest

from data import queries, tables
from server import api
from tests import test_tables as shared
from tests.test_tables import (
    HOSTILE_FOOTNOTE,
    HOSTILE_NAME,
    HOSTILE_SOURCE,
    light_app,
    read_csv_body,
)

# the stores of test_tables.py (fixtures are found by module attribute)
demo_settings, demo = shared.demo_settings, shared.demo
hostile_settings, hostile = shared.hostile_settings, shared.hostile
shape = shared.shape
GOOD = {
    "observations": ["country=KEN", "series=SL_TLF_UEMDIS&year=2019", "region=002&source=official"],
    "gaps": ["group=disability&country=KEN", "group=women&goal=5", "series=SL_TLF_UEMDIS"],
    "coverage": ["group=disability", "region=142&source=official", "country=ken"],
    "disparities": [
        "group=disability&country=KEN",
        "group=women&year=2019",
        "series=SL_TLF_UEMDIS",
    ],
    "series": ["", "group=disability", "goal=8"],
    "countries": ["", "region=002"],
    "groups": [""],
    "datasets": [""],
}


@pytest.fixture
def client(demo):
    return light_app(api).test_client()


def _json(client, url, **kw):
    r = client.get(url, **kw)
    assert r.status_code == 200, r.data[:300]
    assert r.mimetype == "application/json"
    return json.loads(r.data)


@pytest.mark.parametrize("endpoint", list(GOOD))
def test_every_endpoint_answers_json_and_csv_with_citation(client, endpoint):
    for query in GOOD[endpoint]:
        body = _json(client, f"/api/v1/{endpoint}?{query}")
        assert body["endpoint"] == endpoint
        assert body["citation"].startswith(tables.PROJECT) and body["licence"]
        assert body["datasets"] and {"id", "name", "licence"} <= set(body["datasets"][0])
        assert body["count"] == len(body["rows"])
        assert all(list(row) == body["columns"] for row in body["rows"][:50])
        r = client.get(f"/api/v1/{endpoint}?{query}&format=csv".replace("?&", "?"))
        assert r.status_code == 200 and r.mimetype == "text/csv"
        text = r.data.decode("utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# About: the table starts at line")
        start = int(first.split("line ")[1].split(" ")[0])
        assert text.splitlines()[start - 1].split(",")[0] == body["columns"][0]
        assert "# Citation: " in text and "# Licence: " in text
        frame = read_csv_body(text)
        assert list(frame.columns) == body["columns"] and len(frame) == body["count"]


def test_gaps_equal_the_engine(client):
    body = _json(client, "/api/v1/gaps?group=disability")
    engine = queries.statuses("disability")
    assert body["count"] == len(engine) > 0
    got = pd.DataFrame(body["rows"])
    for col in ("iso3", "series", "status", "reason"):
        assert got[col].tolist() == engine[col].astype(object).tolist()
    ages = pd.to_numeric(engine["age"], errors="coerce")
    assert [r["age"] for r in body["rows"]] == [None if pd.isna(a) else int(a) for a in ages]


def test_coverage_and_disparities_equal_the_engine(client):
    cov = pd.DataFrame(_json(client, "/api/v1/coverage?group=women")["rows"])
    engine = queries.coverage("women")
    assert cov["iso3"].tolist() == engine["iso3"].astype(object).tolist()
    for col in ("expected", "disaggregated", "total_only", "no_data"):
        assert cov[col].tolist() == engine[col].tolist()
    assert cov["share"].fillna(-1).tolist() == engine["share"].fillna(-1).tolist()  # exact
    disp = pd.DataFrame(_json(client, "/api/v1/disparities?group=disability")["rows"])
    engine = queries.disparities("disability")
    engine = engine[engine["iso3"] != ""].sort_values(["iso3", "series", "period_sort"])
    assert len(disp) == len(engine) > 0
    assert sorted(disp["ratio"].dropna()) == sorted(engine["ratio"].dropna())
    assert sorted(disp["difference"]) == sorted(engine["difference"])


def test_observations_carry_provenance_and_exact_values(client):
    body = _json(client, "/api/v1/observations?country=KEN")
    obs = queries.observations()
    ken = obs[obs["iso3"] == "KEN"]
    assert body["count"] == len(ken)
    for col in ("dataset", "dataset_name", "source", "nature", "footnote", "source_row"):
        assert col in body["columns"]
    stored = {
        (int(d), int(r)): v for d, r, v in zip(ken["dataset"], ken["source_row"], ken["value"])
    }
    for row in body["rows"]:
        value = stored[(row["dataset"], row["source_row"])]
        assert row["value"] == (None if pd.isna(value) else value)  # floats as stored
    assert {d["id"] for d in body["datasets"]} == set(ken["dataset"].astype(int))


def test_the_realshape_store_answers_the_engine_numbers(shape):
    client = light_app(api).test_client()
    body = _json(client, "/api/v1/gaps?group=disability&country=KEN")
    mine = tables.gaps_table(group="disability", country="KEN")
    assert [r["series"] for r in body["rows"]] == mine["series"].tolist()
    assert [r["reason"] for r in body["rows"]] == mine["reason"].tolist()
    assert "not_expected_here" in {r["reason"] for r in body["rows"]}  # the UK's series
    series = _json(client, "/api/v1/series")
    assert series["count"] > 127


BAD = [
    ("gaps?group=nope", "group", "disability"),
    ("gaps?contry=KEN", "contry", "country"),
    ("gaps?group=disability&group=women", "group", None),
    ("gaps?country=XXX", "country", "KEN"),
    ("gaps?series=NOT_A_SERIES", "series", "SL_TLF_UEMDIS"),
    ("gaps?group=women&series=SE_INF_DSBL", "series", "SL_TLF_UEMDIS"),
    ("gaps?goal=99", "goal", "all"),
    ("coverage?region=999", "region", "001"),
    ("coverage?source=rumour", "source", "official"),
    ("observations?year=1800", "year", "2019"),
    ("observations?year=abc", "year", "latest"),
    ("observations?group=disability", "group", "country"),
    ("disparities?format=xml", "format", "csv"),
    ("groups?country=KEN", "country", "format"),
]


@pytest.mark.parametrize(("url", "param", "allowed"), BAD)
def test_bad_parameters_get_400_naming_the_parameter(client, url, param, allowed):
    for fmt in ("", "&format=csv"):
        if "format=" in url and fmt:
            continue
        r = client.get(f"/api/v1/{url}{fmt}")
        assert r.status_code == 400 and r.mimetype == "application/json"
        body = json.loads(r.data)
        assert body["parameter"] == param
        assert param in body["error"]
        if allowed:
            assert allowed in body["allowed"]


def test_unknown_endpoint_is_404_listing_the_endpoints(client):
    r = client.get("/api/v1/everything")
    assert r.status_code == 404
    assert set(json.loads(r.data)["endpoints"]) == set(api.ENDPOINTS)
    assert set(_json(client, "/api/v1/")["endpoints"]) >= {f"/api/v1/{e}" for e in api.ENDPOINTS}


def test_accept_header_chooses_csv(client):
    r = client.get("/api/v1/groups", headers={"Accept": "text/csv"})
    assert r.mimetype == "text/csv"
    r = client.get(
        "/api/v1/groups", headers={"Accept": "text/csv"}, query_string={"format": "json"}
    )
    assert r.mimetype == "application/json"


def test_large_results_stream_in_chunks(client, monkeypatch):
    monkeypatch.setattr(api, "CHUNK_ROWS", 100)
    n = len(queries.statuses("women"))
    for fmt in ("json", "csv"):
        r = client.get(f"/api/v1/gaps?group=women&format={fmt}", buffered=False)
        chunks = [c for c in r.response if c]
        assert len(chunks) >= n // 100  # one piece per 100 rows, not one body
        r.close()
        whole = b"".join(chunks).decode()
        if fmt == "json":
            assert json.loads(whole)["count"] == n
        else:
            assert len(read_csv_body(whole)) == n


def test_gzip_streams_the_same_json(client):
    plain = client.get("/api/v1/gaps?group=women").data
    r = client.get("/api/v1/gaps?group=women", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(r.data) == plain
    assert len(r.data) < len(plain) / 3


def test_markup_and_formulas_stay_text(hostile):
    client = light_app(api).test_client()
    body = _json(client, "/api/v1/disparities?group=disability&country=KEN")
    [row] = body["rows"]
    assert row["dataset_name"] == HOSTILE_NAME  # text in JSON, never rendered
    assert row["footnote"] == HOSTILE_FOOTNOTE and row["source"] == HOSTILE_SOURCE
    assert row["value"] == -2.5
    r = client.get("/api/v1/observations?country=KEN&format=csv")
    assert r.mimetype == "text/csv"
    frame = read_csv_body(r.data.decode())
    notes = set(frame["footnote"].dropna())
    assert "'" + HOSTILE_FOOTNOTE in notes and HOSTILE_FOOTNOTE not in notes
    assert set(frame["source"]) == {"'" + HOSTILE_SOURCE}
    assert -2.5 in frame["value"].tolist()  # negative numbers stay numbers
    head = r.data.decode().split("\r\n\r\n")[0]
    assert "# Dataset 1: " + HOSTILE_NAME in head


def test_openapi_describes_every_endpoint_and_parameter(client):
    from openapi_spec_validator import validate

    spec = _json(client, "/api/v1/openapi.json")
    validate(spec)
    for endpoint, (_, params, _) in api.ENDPOINTS.items():
        op = spec["paths"][f"/api/v1/{endpoint}"]["get"]
        named = {p["$ref"].rsplit("/", 1)[1] for p in op["parameters"]}
        assert named == {*params, "format"}
        assert "400" in op["responses"]
    assert set(spec["components"]["parameters"]) == set(api.PARAM_HELP)


def test_the_app_registers_the_api(demo_settings):
    from app import create_app

    app = create_app(demo_settings, warm=False)
    client = app.server.test_client()
    r = client.get("/api/v1/groups")
    assert r.status_code == 200 and json.loads(r.data)["count"] == len(tables.groups_table())
    assert client.get("/api/v1/gaps?group=x").status_code == 400


def test_real_extract_kenya_disability_equals_the_cli(extract, capsys):
    from data import cli

    settings = extract[1]
    cli.main(["gaps", "--group", "disability", "--country", "KEN"], settings)
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    queries.configure(settings)
    from layouts.pages import content

    content.reset()
    client = light_app(api).test_client()
    got = pd.read_csv(
        io.StringIO(
            "\n".join(
                line
                for line in client.get("/api/v1/gaps?group=disability&country=KEN&format=csv")
                .data.decode()
                .splitlines()
                if line and not line.startswith(("#", '"#'))
            )
        ),
        keep_default_na=False,
    )
    assert len(printed) > 0
    pd.testing.assert_frame_equal(got.astype(str), printed.astype(str))
