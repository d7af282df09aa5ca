"""The briefing outputs (#8) on the real-shape store: >127 series, community data, a national
Open SDG dataset and demo data left in. Every page an issue adds is checked on this shape."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

import pandas as pd
import pytest

from data import queries
from tests import realshape as shape


@pytest.fixture(scope="module")
def client(realshape_store):
    from app import create_app

    app = create_app(replace(realshape_store, cache_type="SimpleCache"), warm=False)
    return app.server.test_client()


def test_api_gaps_equal_the_engine_and_cite_the_demo_mix(client):
    body = client.get("/api/v1/gaps?group=disability&country=NPL").get_json()
    engine = queries.statuses("disability")
    engine = engine[engine["iso3"] == "NPL"]
    got = {
        (r["series"], r["status"], r["reason"])
        for r in body["rows"]
        if r["reason"] != "not_expected_here"
    }
    want = set(zip(engine["series"], engine["status"], engine["reason"], strict=True))
    assert got == want and body["citation"] and body["licence"] is not None
    assert any(d.get("illustrative") for d in body["datasets"])  # the demo mix is cited


def test_community_values_reach_the_download_with_their_source(client):
    csv = client.get(
        "/download/data/country-NPL.csv?group=disability&series=" + shape.COMMUNITY_SERIES
    )
    assert csv.status_code == 200
    text = csv.get_data(as_text=True)
    assert "community" in text and text.lstrip("\ufeff").startswith("#")
    assert "no_data|" not in text  # status cells in words, not cell keys
    obs = client.get(f"/api/v1/observations?country=NPL&series={shape.COMMUNITY_SERIES}&format=csv")
    text = obs.get_data(as_text=True)
    start = int(re.search(r"starts at line (\d+)", text).group(1))  # as the README says
    table = pd.read_csv(io.StringIO(text), skiprows=start - 1)
    assert set(table["source_type"]) >= {"official", "community"}
    assert table["source_row"].notna().all() and table["dataset"].notna().all()


def test_brief_pack_and_embed_answer_on_the_real_shape(client):
    brief = client.get("/country/NPL/brief?group=disability")
    assert brief.status_code == 200 and "<h1" in brief.get_data(as_text=True)
    pack = client.get("/country/NPL/pack.zip?group=disability")
    names = zipfile.ZipFile(io.BytesIO(pack.data)).namelist()
    assert any(n.endswith("_observations.csv") for n in names) and "README.txt" in names
    assert client.get("/embed?view=map&group=disability").status_code == 200
    # the national Open SDG dataset's series answer like any other, as the engine says
    gbr = client.get("/api/v1/gaps?group=women&country=GBR").get_json()
    got = {(r["series"], r["status"], r["reason"]) for r in gbr["rows"]}
    engine = queries.statuses("women")
    engine = engine[engine["iso3"] == "GBR"]
    assert set(zip(engine["series"], engine["status"], engine["reason"], strict=True)) <= got
    assert len(engine) > 0
