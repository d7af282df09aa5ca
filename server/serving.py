"""Compression and cache headers: what a visit costs on a slow link (issue #12, item 3).

Compression is Flask-Compress (maintained; brotli and gzip, the client's ``Accept-Encoding``
chooses), not a hand-written hook: it keeps a strong ETag per encoding (``"<etag>:br"``) and
answers ``If-None-Match`` with a 304, where the old hook's ``W/"...-gz"`` never matched and
every revalidation re-sent the whole file. Its cache holds the compressed bytes of static files
only (Dash's component bundles, ``assets/``, the favicon), keyed by path, ETag and a digest of
the content, never per page view. The files a page links to are compressed at the best levels
(brotli 11, gzip 9: ~9 % fewer bytes than brotli 9 for the 1.4 MB plotly bundle, but ~12 CPU-s
for all of them) once per content, into ``<data dir>/compressed/``, and read from there by every
later start and every worker; a start that finds them missing serves a quick compression
(brotli 5) while a background thread writes the best one, which the workers then pick up.
Responses that compress themselves (the streamed API answers, ``Content-Encoding`` already
set) are left alone.

Cache headers: URLs that change when their content does (Dash's fingerprinted bundles
``name.v<version>m<mtime>.js``, ``assets/...?m=<mtime>``, ``_favicon.ico?v=<version>``) go out
``public, max-age=31536000, immutable``: a repeat visit does not even ask for them. So does
the map's topojson, which plotly fetches as ``<topojsonURL>world_110m.json``: its URL carries a
digest of the files (``/topojson/<digest>/``, ``TOPOJSON_ROUTE``), so a warm visit saves that
round trip too. Others (an unfingerprinted bundle, ``/assets/topojson/``) keep revalidation
with a 304; pages and callback answers are not cached.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import brotli
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, abort, g, request, send_from_directory
from flask_compress import Compress

from geo import boundaries

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
# callback answers: brotli 5 takes ~1 ms more than 4 for the world matrix's 430 KB of JSON and
# sends 15.4 KB instead of 19.9 (the country page's tables: 7.7 instead of 8.4 KB); 6 another
# 0.2 ms for 4 % less at 10M observations (the matrix 19.7 -> 18.8 KB, a map update 0.03-0.07 ms
# more for 0.2-0.5 % less); 7 and more cost 2-3 ms more (bench/RESULTS.md, ninth round)
DYNAMIC_BR_LEVEL = 6
STATIC_BR_LEVEL = 11  # static files, compressed once per content and kept on disk
STATIC_GZIP_LEVEL = 9
QUICK_BR_LEVEL = 5  # static files until their best compression is on disk (~50 ms for plotly)
_EXTENSIONS = {"br": "br", "gzip": "gz"}
_BUNDLES = "_dash-component-suites"
_TEXT_SUFFIXES = (".js", ".css", ".json", ".svg")
TOPOJSON_ROUTE = "/topojson/<digest>/<name>"  # geo.boundaries.topojson_url_path()
_TOPOJSON_ENDPOINT = "gapmap_topojson"


class StaticCache:
    """Flask-Compress's cache backend, keeping only what ``static_key`` names.

    Flask-Compress asks the cache about every response it compresses; dynamic ones (pages,
    callback answers) get an empty key and are never stored. ``best`` holds compressions at the
    best levels, read from ``directory`` (``<digest of the content>.br`` / ``.gz``) when they
    are there; ``data`` what was compressed in this process meanwhile.
    """

    directory: Path | None = None  # set by ``serve`` (Flask-Compress builds the instance)

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.best: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        """The compressed bytes stored under ``key`` (``"<encoding>;<static key>"``)."""
        if not key.partition(";")[2]:
            return None
        found = self.best.get(key)
        if found is None:
            found = self._read(key)
        return found if found is not None else self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Store a static file's compressed bytes."""
        if key.partition(";")[2] and key not in self.best:
            self.data[key] = value

    def _file(self, key: str) -> Path | None:
        encoding, _, static = key.partition(";")
        digest = static.rpartition("|")[2]
        if self.directory is None or encoding not in _EXTENSIONS or not digest:
            return None
        return self.directory / f"{digest}.{_EXTENSIONS[encoding]}"

    def _read(self, key: str) -> bytes | None:
        path = self._file(key)
        if path is None:
            return None
        try:
            found = path.read_bytes()
        except OSError:
            return None
        self.best[key] = found
        self.data.pop(key, None)
        return found

    def write_best(self, jobs: list[tuple[str, bytes]]) -> None:
        """Compress each (key, content) at the best level, onto disk and into ``best``.

        A directory that cannot be written keeps the best compression in this process only.
        """
        for key, body in jobs:
            data = _best(key.partition(";")[0], body)
            path = self._file(key)
            if path is not None:
                _write(path, data)
            self.best[key] = data
            self.data.pop(key, None)


def _best(encoding: str, body: bytes) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=STATIC_BR_LEVEL)
    return gzip.compress(body, STATIC_GZIP_LEVEL, mtime=0)


def _quick(encoding: str, body: bytes) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=QUICK_BR_LEVEL)
    return gzip.compress(body, 6, mtime=0)


def _write(path: Path, data: bytes) -> None:
    """Write atomically (a reader finds the whole file or none); errors ignored (a cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        return


def static_key(_request: Any) -> str:
    """The cache key of this request's static file ("" for anything else)."""
    return g.get("gapmap_static_key", "")


def serve(server: Flask, directory: Path | None = None) -> None:
    """Compress responses and give static files their cache headers.

    ``directory`` keeps static files' best compressions across starts and workers.
    """
    StaticCache.directory = directory
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_BR_LEVEL=DYNAMIC_BR_LEVEL,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_BACKEND=StaticCache,
        COMPRESS_CACHE_KEY=static_key,
    )
    server.extensions["compress"] = Compress(server)

    @server.route(TOPOJSON_ROUTE, endpoint=_TOPOJSON_ENDPOINT)
    def topojson(digest: str, name: str) -> Response:
        names = {boundaries.topojson_path(r).name for r in boundaries.RESOLUTIONS}
        if name not in names:
            abort(404)
        return send_from_directory(boundaries.topojson_dir(), name, max_age=0)

    # registered after Flask-Compress, so it runs before it (Flask runs them in reverse)
    @server.after_request
    def static_files(response: Response) -> Response:
        fingerprinted = _fingerprinted()
        if fingerprinted is None or response.status_code != 200:
            return response
        if fingerprinted:
            response.headers["Cache-Control"] = IMMUTABLE
        if response.is_streamed:  # send_file's file wrapper: read it, so that it is cached
            response.direct_passthrough = False
            response.make_sequence()
        path = check_fingerprint(request.path)[0]
        etag = response.get_etag()[0] or ""
        digest = _digests.get((path, etag))
        if digest is None:
            digest = _digests[path, etag] = hashlib.sha256(response.get_data()).hexdigest()[:32]
        g.gapmap_static_key = f"{path}|{etag}|{digest}"
        return response


_digests: dict[tuple[str, str], str] = {}  # (path, ETag) -> digest of the content


def _fingerprinted() -> bool | None:
    """True for a fingerprinted static URL, False for another static one, None otherwise."""
    endpoint = request.endpoint or ""
    if endpoint.endswith("dash_assets.static"):
        return "m" in request.args
    if _BUNDLES in endpoint and request.view_args:
        return check_fingerprint(str(request.view_args.get("fingerprinted_path", "")))[1]
    if endpoint.endswith("_favicon.ico"):
        return "v" in request.args
    if endpoint == _TOPOJSON_ENDPOINT and request.view_args:
        # an old digest (a page from before an upgrade) gets today's files, revalidated
        return request.view_args.get("digest") == boundaries.topojson_digest()
    return None


def precompress(server: Flask, paths: Iterable[str]) -> threading.Thread | None:
    """Have these static files' best compressions ready, before the app serves anyone.

    Read from the cache directory when there; otherwise compressed quickly now, and at the
    best levels by a background thread (returned, None when nothing is left to do) that
    writes them to the directory: under gunicorn the master's thread keeps running after
    the fork, and each worker picks the files up from the directory.
    """
    cache = server.extensions["compress"].cache
    found = []
    with server.test_client() as client:
        for path in paths:
            response = client.get(path)  # no Accept-Encoding: the file as it is
            key = g.pop("gapmap_static_key", "")
            if response.status_code == 200 and key:
                found.append((key, response.get_data()))
    todo = []
    for key, body in found:
        for encoding in _EXTENSIONS:
            name = f"{encoding};{key}"
            if cache.get(name) is None:
                cache.set(name, _quick(encoding, body))
                todo.append((name, body))
    if not todo:
        return None
    thread = threading.Thread(
        target=cache.write_best, args=(todo,), name="gapmap-compress", daemon=True
    )
    thread.start()
    return thread


def static_paths(page: str, app: Any) -> list[str]:
    """The static files a page's HTML links to, and the text files of the app's ``assets/``.

    ``assets/`` adds what scripts fetch later, and the map's topojson at the URL plotly asks.
    """
    found = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    linked = [p for p in found if p.startswith(("/assets/", f"/{_BUNDLES}/", "/_favicon"))]
    folder = Path(app.config.assets_folder)
    files = [
        app.get_asset_url(f.relative_to(folder).as_posix())
        for f in sorted(folder.rglob("*"))
        if f.suffix in _TEXT_SUFFIXES
    ]
    prefix = app.config.requests_pathname_prefix.rstrip("/")
    topo = [prefix + boundaries.topojson_url_path() + boundaries.topojson_path(110).name]
    return list(dict.fromkeys(linked + files + topo))
