"""Serving (issue #12, item 3): compression, cache headers, gunicorn warming once per host.

Compression and headers through the app's own Flask test client; gunicorn as deployed: the
project's gunicorn.conf.py, several workers, a real store, requests from the first moment.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest

from server import serving
from tests.test_app_smoke import build_small_store

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "assets" / "vendor" / "bootstrap.min.css"
TOPOJSON = "/assets/topojson/world_110m.json"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    return create_app(build_small_store(tmp_path_factory.mktemp("store")), warm=False)


@pytest.fixture(scope="module")
def client(app):
    c = app.server.test_client()
    c.get("/")  # Dash's first-request set-up
    return c


@pytest.fixture(scope="module")
def linked(client):
    """The static URLs the overview page links to (scripts, stylesheets, favicon)."""
    page = client.get("/").get_data(as_text=True)
    found = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    urls = [u for u in found if u.startswith(("/assets/", "/_dash-component-suites/", "/_fav"))]
    assert len(urls) >= 8
    return urls


def _bootstrap_url(linked):
    return next(u for u in linked if "/vendor/bootstrap.min.css?m=" in u)


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br"), ("br;q=0.5, gzip", "gzip")],
)
def test_brotli_and_gzip_are_negotiated(client, linked, accept, encoding):
    r = client.get(_bootstrap_url(linked), headers={"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in r.headers["Vary"]
    unpack = brotli.decompress if encoding == "br" else gzip.decompress
    assert unpack(r.data) == BOOTSTRAP.read_bytes()
    assert len(r.data) < BOOTSTRAP.stat().st_size / 5


def test_no_encoding_asked_none_sent(client, linked):
    r = client.get(_bootstrap_url(linked))
    assert "Content-Encoding" not in r.headers
    assert r.data == BOOTSTRAP.read_bytes()


def test_callback_answers_and_pages_are_compressed(client):
    for url in ("/", "/_dash-layout", "/_dash-dependencies"):
        r = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert r.headers.get("Content-Encoding") == "br", url
        assert brotli.decompress(r.data)


def test_answers_are_compressed_better_than_brotli_4(client):
    """Brotli 5, not 4: the world matrix's answer 15.4 KB instead of 19.9 (here: a few %)."""
    r = client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    body = brotli.decompress(r.data)
    assert len(body) > 20_000  # large enough for the levels to differ
    assert len(r.data) < len(brotli.compress(body, quality=4))


def test_answers_are_encoded_by_orjson(client):
    """Dash encodes with plotly's JSON engine, orjson when it is installed (a requirement).

    orjson writes UTF-8 where the json module escapes every non-ASCII character.
    """
    from plotly.io.json import config

    assert config.default_engine in ("auto", "orjson")
    text = client.get("/_dash-layout").get_data(as_text=True)
    assert "Côte d’Ivoire" in text
    assert "\\u00f4" not in text


@pytest.mark.parametrize("accept", ["br", "gzip"])
@pytest.mark.parametrize("which", ["fingerprinted", "topojson", "unfingerprinted bundle"])
def test_etag_revalidation_answers_304(client, linked, accept, which):
    url = {
        "fingerprinted": _bootstrap_url(linked),
        "topojson": TOPOJSON,
        "unfingerprinted bundle": "/_dash-component-suites/dash/dcc/async-graph.js",
    }[which]
    first = client.get(url, headers={"Accept-Encoding": accept})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == accept
    etag = first.headers["ETag"]
    assert not etag.startswith("W/"), "a strong validator, the encoding in it"
    assert etag.endswith(f':{accept}"')
    again = client.get(url, headers={"Accept-Encoding": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    # the other encoding's tag names other bytes: the full answer, in the asked encoding
    other = "gzip" if accept == "br" else "br"
    switched = client.get(url, headers={"Accept-Encoding": other, "If-None-Match": etag})
    assert switched.status_code == 200 and switched.headers["Content-Encoding"] == other


def test_fingerprinted_files_are_immutable(client, linked):
    from app import GRAPH_CHUNK

    fingerprinted = [u for u in linked if u != GRAPH_CHUNK]
    assert len(fingerprinted) == len(linked) - 1  # the graph's chunk is preloaded
    for url in fingerprinted:  # Dash's bundles name.v<version>m<mtime>.js, assets ?m=, favicon
        r = client.get(url, headers={"Accept-Encoding": "br"})
        assert r.status_code == 200, url
        cache = r.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache, url
        assert "no-cache" not in cache, url
    # Dash names its lazy chunks without a fingerprint: revalidated, with a working 304
    r = client.get(GRAPH_CHUNK, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["ETag"]
    again = {"Accept-Encoding": "br", "If-None-Match": r.headers["ETag"]}
    assert client.get(GRAPH_CHUNK, headers=again).status_code == 304


def test_the_map_fetches_its_topojson_at_a_fingerprinted_immutable_url(app, client):
    from geo import boundaries
    from layouts.pages import content

    with app.server.test_request_context("/"):
        base = content.graph_config()["topojsonURL"]
    assert base == f"/topojson/{boundaries.topojson_digest()}/"
    r = client.get(base + "world_110m.json", headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert "immutable" in r.headers["Cache-Control"]
    plain = client.get(base + "world_110m.json")
    assert plain.get_data() == boundaries.topojson_path(110).read_bytes()
    assert client.get(base + "world_50m.json").status_code == 200
    assert client.get(base + "../store.json").status_code == 404
    assert client.get(base + "secret.json").status_code == 404


def test_the_topojson_digest_follows_the_files(tmp_path, monkeypatch):
    from geo import boundaries

    for r in boundaries.RESOLUTIONS:
        (tmp_path / boundaries.topojson_path(r).name).write_bytes(b"{}")
    monkeypatch.setattr(boundaries, "_ASSETS", tmp_path)
    boundaries.topojson_digest.cache_clear()
    try:
        first = boundaries.topojson_url_path()
        (tmp_path / "world_110m.json").write_bytes(b'{"type": "Topology"}')
        boundaries.topojson_digest.cache_clear()
        assert boundaries.topojson_url_path() != first
    finally:
        boundaries.topojson_digest.cache_clear()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/matrix",
        "/country/KEN",
        "/_dash-layout",
        "/_dash-dependencies",
        TOPOJSON,  # the asset's own URL, without a fingerprint: revalidated
        "/topojson/0000000000000000/world_110m.json",  # an older digest: today's file, revalidated
        "/assets/app.css",  # an asset asked for without its ?m= fingerprint
        "/_dash-component-suites/dash/dcc/async-graph.js",  # Dash's lazy chunks: no fingerprint
        "/api/v1/",
    ],
)
def test_unfingerprinted_answers_are_not_immutable(client, url):
    r = client.get(url, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200
    cache = r.headers.get("Cache-Control", "")
    assert "immutable" not in cache and "max-age=31536000" not in cache


def test_streamed_api_answer_is_compressed_once(client):
    r = client.get("/api/v1/gaps?group=women", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"  # the API's own, not gzip inside brotli
    assert isinstance(json.loads(gzip.decompress(r.data)), dict)
    assert r.headers["Vary"].count("Accept-Encoding") == 1


def test_static_files_are_compressed_once_dynamic_answers_never_cached(app, client, linked):
    cache = app.server.extensions["compress"].cache
    assert isinstance(cache, serving.StaticCache)
    url = _bootstrap_url(linked)
    first = client.get(url, headers={"Accept-Encoding": "br"}).data
    stored = [k for k in cache.data if "bootstrap.min.css" in k and k.startswith("br;")]
    assert len(stored) == 1
    cache.data[stored[0]] = b"from the cache"  # the next answer is the cached bytes, as stored
    assert client.get(url, headers={"Accept-Encoding": "br"}).data == b"from the cache"
    cache.data[stored[0]] = first
    client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    client.get("/", headers={"Accept-Encoding": "br"})
    assert all(
        k.split(";", 1)[1].startswith(("/assets/", "/_dash-comp", "/_fav", "/topojson/"))
        for k in cache.data
    )


# --- gunicorn: the project's configuration, several workers, warm-up once per host -----------

WORKERS = 3
ROUTER = {  # the Pages router's callback: builds the overview page from the warm results
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [
        {"id": "_pages_content", "property": "children"},
        {"id": "_pages_store", "property": "data"},
    ],
    "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": ""},
    ],
    "state": [],
    "changedPropIds": ["_pages_location.pathname"],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(url: str, path: str) -> int | None:
    """The status of one request; None while nothing listens on the port yet."""
    body = json.dumps(ROUTER).encode() if path == "/_dash-update-component" else None
    req = urllib.request.Request(
        url + path, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (ConnectionRefusedError, urllib.error.URLError) as exc:
        if isinstance(getattr(exc, "reason", exc), ConnectionRefusedError):
            return None
        return -1  # reset or timed out: a failed request


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """The real-shape store (tests/realshape.py), built in a child process."""
    data_dir = tmp_path_factory.mktemp("gunicorn-store")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tests import realshape; "
            "from pathlib import Path; realshape.build(Path(sys.argv[1]))",
            str(data_dir),
        ],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    return data_dir


def test_gunicorn_warms_once_and_no_worker_is_killed(real_store, tmp_path):
    port, log_path = _free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "GAPMAP_DATA_DIR": str(real_store),
        "GAPMAP_CACHE_TYPE": "SimpleCache",
        "GAPMAP_WARM_POLL": "1",  # each worker's keep-warm thread runs (started after the fork)
    }
    url = f"http://127.0.0.1:{port}"
    statuses: list[tuple[str, int]] = []
    served = threading.Event()
    stop = threading.Event()

    def visitor(path: str) -> None:  # asks from the first moment, as a load balancer would
        while not stop.is_set():
            status = _ask(url, path)
            if status is None:
                time.sleep(0.05)
                continue
            statuses.append((path, status))
            served.set()

    paths = ["/", "/_dash-layout", "/_dash-update-component", TOPOJSON]
    visitors = [threading.Thread(target=visitor, args=(p,), daemon=True) for p in paths * 2]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "-b", f"127.0.0.1:{port}", "-w", str(WORKERS)],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            for v in visitors:
                v.start()
            assert served.wait(300), "gunicorn never answered:\n" + log_path.read_text()[-3000:]
            while len(statuses) < 120 and proc.poll() is None:
                time.sleep(0.1)
            stop.set()
            for v in visitors:
                v.join(timeout=120)
            assert proc.poll() is None, "gunicorn stopped:\n" + log_path.read_text()[-3000:]
        finally:
            stop.set()
            proc.terminate()
            proc.wait(timeout=60)
    text = log_path.read_text()
    failed = [s for s in statuses if s[1] != 200]
    print(f"\n{len(statuses)} requests from start-up, {len(failed)} not 200")  # noqa: T201
    assert failed == [], f"{failed[:10]}\n{text[-3000:]}"
    assert {p for p, _ in statuses} == set(paths)
    assert text.count("WORKER TIMEOUT") == 0, text[-3000:]
    assert text.count("Booting worker") == WORKERS, text[-3000:]  # none killed and rebooted
    assert "Traceback" not in text, text[-3000:]
    # every worker got the master's warm results when it was forked (none warmed up itself)
    assert len(re.findall(r"Worker \d+ starts warm: store version \d+", text)) == WORKERS, text
    assert "starts cold" not in text


def test_config_preloads_and_forks_warm():
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["preload_app"] is True  # the master loads and warms once, before forking
    assert "preload=True" in conf["wsgi_app"]
    assert callable(conf["post_fork"])  # each worker starts its keep-warm thread
    assert conf["keepalive"] == 20
    assert conf["graceful_timeout"] <= conf["timeout"]
