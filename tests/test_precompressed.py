"""Static files' best compressions (brotli 11, gzip 9), once per content, kept on disk (#12).

A start that finds them missing serves a quick compression and writes the best one in the
background; every later start (and every gunicorn worker) reads it from the data directory.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from server import serving
from tests.test_app_smoke import build_small_store

ROOT = Path(__file__).resolve().parents[1]
PLOTLY = ROOT / "assets" / "vendor" / "plotly-geo.min.js"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_small_store(tmp_path_factory.mktemp("store"))


def _app(settings):
    from app import create_app

    app = create_app(settings, warm=False)
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    return app, client, serving.static_paths(page, app)


def _plotly_url(paths):
    return next(p for p in paths if re.search(r"/vendor/plotly-geo\.min\.js", p))


def test_best_compressions_are_written_once_and_read_by_the_next_start(store):
    directory = Path(store.data_dir) / "compressed"
    app, client, paths = _app(store)
    thread = serving.precompress(app.server, paths)
    assert thread is not None  # nothing on disk yet: compressed in the background
    thread.join()
    raw = PLOTLY.read_bytes()
    best_br = brotli.compress(raw, quality=serving.STATIC_BR_LEVEL)
    best_gz = gzip.compress(raw, serving.STATIC_GZIP_LEVEL, mtime=0)
    assert any(p.read_bytes() == best_br for p in directory.glob("*.br"))
    assert any(p.read_bytes() == best_gz for p in directory.glob("*.gz"))
    url = _plotly_url(paths)
    sent = client.get(url, headers={"Accept-Encoding": "br"})
    assert sent.data == best_br and brotli.decompress(sent.data) == raw
    assert len(best_br) < len(brotli.compress(raw, quality=serving.QUICK_BR_LEVEL))

    # a new start (a new process: nothing in memory) finds them all and has nothing to do
    app2, client2, paths2 = _app(store)
    cache = app2.server.extensions["compress"].cache
    cache.best.clear()
    cache.data.clear()
    assert serving.precompress(app2.server, paths2) is None
    r = client2.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.data == best_gz and gzip.decompress(r.data) == raw
    assert r.headers["Cache-Control"] == serving.IMMUTABLE
    etag = r.headers["ETag"]
    again = client2.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_until_the_best_is_written_a_quick_one_is_served(store, tmp_path, monkeypatch):
    app, client, paths = _app(store)
    cache = app.server.extensions["compress"].cache
    monkeypatch.setattr(serving.StaticCache, "directory", tmp_path / "elsewhere")
    cache.best.clear()
    cache.data.clear()
    monkeypatch.setattr(serving.threading.Thread, "start", lambda self: None)  # never runs
    assert serving.precompress(app.server, paths) is not None
    url = _plotly_url(paths)
    sent = client.get(url, headers={"Accept-Encoding": "br"}).data
    raw = PLOTLY.read_bytes()
    assert sent == brotli.compress(raw, quality=serving.QUICK_BR_LEVEL)
    assert brotli.decompress(sent) == raw
    assert not (tmp_path / "elsewhere").exists()


def test_an_unwritable_directory_keeps_the_best_in_memory(store, tmp_path, monkeypatch):
    app, client, paths = _app(store)
    cache = app.server.extensions["compress"].cache
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setattr(serving.StaticCache, "directory", blocked / "compressed")
    cache.best.clear()
    cache.data.clear()
    serving.precompress(app.server, paths).join()
    raw = PLOTLY.read_bytes()
    sent = client.get(_plotly_url(paths), headers={"Accept-Encoding": "br"}).data
    assert sent == brotli.compress(raw, quality=serving.STATIC_BR_LEVEL)
