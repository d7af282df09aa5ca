"""Compression and cache headers: what a visit costs on a slow link (issue #12, item 3).

Compression is Flask-Compress (maintained; brotli and gzip, the client's ``Accept-Encoding``
chooses), not a hand-written hook: it keeps a strong ETag per encoding (``"<etag>:br"``) and
answers ``If-None-Match`` with a 304, where the old hook's ``W/"...-gz"`` never matched and
every revalidation re-sent the whole file. Its cache holds the compressed bytes of static files
only (Dash's component bundles, ``assets/``, the favicon), keyed by path and ETag, so the 1.4 MB
plotly bundle is compressed once per process (once per host under gunicorn's ``preload_app``,
where the master compresses before forking), never per page view. Responses that compress
themselves (the streamed API answers, ``Content-Encoding`` already set) are left alone.

Cache headers: URLs that change when their content does (Dash's fingerprinted bundles
``name.v<version>m<mtime>.js``, ``assets/...?m=<mtime>``, ``_favicon.ico?v=<version>``) go out
``public, max-age=31536000, immutable``: a repeat visit does not even ask for them. Others
(the topojson fetched by plotly, an unfingerprinted bundle) keep revalidation with a 304;
pages and callback answers are not cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dash.fingerprint import check_fingerprint
from flask import Flask, Response, g, request
from flask_compress import Compress

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
DYNAMIC_BR_LEVEL = 4  # callback answers: brotli 4 compresses ~100 KB of JSON in a few ms
STATIC_BR_LEVEL = 9  # static files, compressed once: ~10 % fewer bytes than level 4
_BUNDLES = "_dash-component-suites"
_TEXT_SUFFIXES = (".js", ".css", ".json", ".svg")


class StaticCache:
    """Flask-Compress's cache backend, keeping only what ``static_key`` names.

    Flask-Compress asks the cache about every response it compresses; dynamic ones (pages,
    callback answers) get an empty key and are never stored.
    """

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        """The compressed bytes stored under ``key`` (``"<encoding>;<static key>"``)."""
        return self.data.get(key) if key.partition(";")[2] else None

    def set(self, key: str, value: bytes) -> None:
        """Store a static file's compressed bytes."""
        if key.partition(";")[2]:
            self.data[key] = value


def static_key(_request: Any) -> str:
    """The cache key of this request's static file ("" for anything else)."""
    return g.get("gapmap_static_key", "")


def serve(server: Flask) -> None:
    """Compress responses and give static files their cache headers."""
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
        g.gapmap_static_key = f"{path}|{response.get_etag()[0] or ''}"
        return response


def _fingerprinted() -> bool | None:
    """True for a fingerprinted static URL, False for another static one, None otherwise."""
    endpoint = request.endpoint or ""
    if endpoint.endswith("dash_assets.static"):
        return "m" in request.args
    if _BUNDLES in endpoint and request.view_args:
        return check_fingerprint(str(request.view_args.get("fingerprinted_path", "")))[1]
    if endpoint.endswith("_favicon.ico"):
        return "v" in request.args
    return None


def precompress(server: Flask, paths: Iterable[str]) -> None:
    """Compress these static files now, at ``STATIC_BR_LEVEL``, into the cache.

    Called while the app is created, before it serves anyone (the level is one setting of the
    whole app); later requests for them are cache hits.
    """
    server.config["COMPRESS_BR_LEVEL"] = STATIC_BR_LEVEL
    try:
        client = server.test_client()
        for path in paths:
            client.get(path, headers={"Accept-Encoding": "br"})
    finally:
        server.config["COMPRESS_BR_LEVEL"] = DYNAMIC_BR_LEVEL


def static_paths(page: str, app: Any) -> list[str]:
    """The static files a page's HTML links to, and the text files of the app's ``assets/``.

    ``assets/`` adds what scripts fetch later, such as the map's topojson.
    """
    found = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    linked = [p for p in found if p.startswith(("/assets/", f"/{_BUNDLES}/", "/_favicon"))]
    folder = Path(app.config.assets_folder)
    files = [
        app.get_asset_url(f.relative_to(folder).as_posix())
        for f in sorted(folder.rglob("*"))
        if f.suffix in _TEXT_SUFFIXES
    ]
    return list(dict.fromkeys(linked + files))
