"""Pages' answers kept compressed, as sent: a page asked for again costs one cache read (#12).

A page reaches the browser two ways: Dash's ``/_dash-layout`` (a first load: the shell and the
page of the ``Referer``) and its Pages router callback (a navigation: the page alone). Both
are built from memoised JSON data (``content.page``), but each answer was still encoded to
JSON (150-430 KB for the world matrix) and compressed again: 9-12 ms of the 10 ms a cache hit
may take. The compressed bytes of such answers are kept in the app's cache (flask-caching:
shared by the workers and hosts like the memoised pages, cleared with them), under the store
version and what the shell and the pages read from the request: the method and path, the
page's address (the ``Referer``'s path and query, and whether it is this site), the router's
inputs (its path and query), the language and contrast the request resolves to, and the
encoding the client accepts. Values the client chooses freely (the host, other cookies,
other headers, the rest of a callback's body) are not part of the key.

Only answers of canonical page addresses are kept (``content.page`` says so in ``g``): a
valid state written as the app writes it, no other parameter, a known ``lang`` or none. So
random addresses cannot fill the shared cache; they are answered as before. Only 200s that
set no cookie, came in the expected encoding and whose callback did not fail (an error answers
200 with its message) are kept, and requests with a query string (``?lang=`` sets a cookie) are
not looked up. Flask-Compress has a cache of compressed bytes too, but it runs the view first
(the JSON encoding is what costs), and flask-caching's ``cached`` views keep the body before
compression; hence these few lines. A kept brotli answer asked for again is compressed again at a
better level (``KEPT_BR_LEVEL``) by a background thread, and replaces the one kept: later
visitors get fewer bytes of the same page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import brotli
from flask import Flask, Response, current_app, g, request

from data.cache import cache
from layouts import shell
from layouts.i18n import language
from layouts.pages import content

MAX_ENTRY = 2 * 1024 * 1024  # larger answers are not kept
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."  # Dash's Pages router
ENCODINGS = ("br", "gzip")  # Flask-Compress's, in its order
_KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Vary")
# A kept brotli answer asked for again is compressed again at this level (a background thread
# per worker), and the smaller bytes replace it: the world matrix's 445 KB of JSON at 10M
# observations goes from 19.7 KB (level 5; Flask-Compress sends 6 now: 18.8 KB) to 17.8 KB in
# ~30 ms, a country page's 1 MB from 27.9 to 25.6 KB in ~35 ms. Only pages asked for twice:
# most pages of visitors on random addresses (bench/side_by_side.py load) are asked for once,
# and their CPU would serve nobody. Level 11 would save another 10-15 % but costs 1-1.6 s per page.
KEPT_BR_LEVEL = 9
MAX_PENDING = 16  # answers waiting to be compressed again per worker; more are left as sent
log = logging.getLogger(__name__)
# per process (a forked worker has no threads): the thread, the places in its queue and the
# keys waiting in it (a page asked for by several visitors at once is compressed once)
_Worker = tuple[ThreadPoolExecutor, threading.BoundedSemaphore, set[str]]
_workers: dict[int, _Worker] = {}


def router_inputs() -> str | None:
    """The router callback's inputs (path and query) as JSON; None for another request."""
    if b"_pages_content" not in request.get_data(cache=True):
        return None  # another callback: its body is not parsed here
    # parsed once for Dash too (Flask keeps get_json's result on the request)
    body = request.get_json(silent=True)
    try:
        if body.get("output") != ROUTER_OUTPUT:
            return None
        return json.dumps([[i.get("property"), i.get("value")] for i in body["inputs"]])
    except (AttributeError, KeyError, TypeError):
        return None


def request_key() -> str | None:
    """The cache key of a page request's answer (None: not a page request)."""
    if request.query_string:
        return None
    if request.method == "GET" and request.path.endswith("/_dash-layout"):
        inputs = ""
    elif request.method == "POST" and request.path.endswith("/_dash-update-component"):
        inputs = router_inputs()
        if inputs is None:
            return None
    else:
        return None
    page = urlsplit(request.referrer or "")
    parts = [
        request.method,
        request.path,
        page.path,
        page.query,
        str(page.netloc == request.host),
        inputs,
        language(),
        str(shell.high_contrast()),
        accepted_encoding(),
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()
    return f"page-response:{content.version()}:{digest}"


def accepted_encoding() -> str:
    """The compression the answer comes in ("" for none)."""
    return request.accept_encodings.best_match(ENCODINGS) or ""


def failed() -> None:
    """Say that this request's callback failed (``callbacks/shell.on_error``).

    Its answer, a 200 with the error message instead of the page, is not kept.
    """
    g.gapmap_page_failed = True


def keep(server: Flask) -> None:
    """Answer page requests from the cache and keep the new ones.

    Call it before Flask-Compress is set up: its ``after_request`` then runs after
    compression (Flask runs them in reverse order) and keeps the bytes as sent.
    """

    @server.before_request
    def page_from_cache() -> Response | None:
        key = request_key()
        if key is None:
            return None
        found = cache.get(key)
        if not isinstance(found, tuple) or len(found) not in (2, 3):
            g.gapmap_page_response = key
            return None
        body, headers = found[:2]
        if len(found) == 2 and dict(headers).get("Content-Encoding") == "br":
            compress_later(key, body, headers)  # asked for again: worth compressing better
        return Response(body, headers=list(headers))

    @server.after_request
    def keep_page(response: Response) -> Response:
        key = g.pop("gapmap_page_response", None)
        if (
            key is None
            or not g.get("gapmap_page_memoised")
            or g.get("gapmap_page_failed")
            or response.status_code != 200
            or response.is_streamed
            or "Set-Cookie" in response.headers
            or response.headers.get("Content-Encoding", "") != accepted_encoding()
        ):
            return response
        body = response.get_data()
        if len(body) <= MAX_ENTRY:
            headers = tuple((k, v) for k in _KEPT_HEADERS if (v := response.headers.get(k)))
            cache.set(key, (body, headers))
        return response


def compress_later(key: str, body: bytes, headers: tuple) -> None:
    """Keep ``body`` (brotli) compressed at ``KEPT_BR_LEVEL`` under ``key`` once that is done.

    Kept as ``(body, headers, level)``: a 3-tuple is compressed already. The request does not
    wait. When ``MAX_PENDING`` answers wait already, this one stays as it was sent (a later
    visitor asks again).
    """
    worker = _worker()
    thread, places, waiting = worker
    if key in waiting or not places.acquire(blocking=False):
        return
    waiting.add(key)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        thread.submit(_compress_again, app, key, body, headers, worker)
    except RuntimeError:  # the interpreter is shutting down
        waiting.discard(key)
        places.release()


def _compress_again(app: Flask, key: str, body: bytes, headers: tuple, worker: _Worker) -> None:
    try:
        better = brotli.compress(brotli.decompress(body), quality=KEPT_BR_LEVEL)
        with app.app_context():
            cache.set(key, (min(better, body, key=len), headers, KEPT_BR_LEVEL))
    except Exception:  # the answer kept as sent still serves
        log.exception("compressing a kept page answer again failed")
    finally:
        worker[2].discard(key)
        worker[1].release()


def _worker() -> _Worker:
    found = _workers.get(os.getpid())
    if found is None:
        thread = ThreadPoolExecutor(1, "gapmap-page-br")
        found = (thread, threading.BoundedSemaphore(MAX_PENDING), set())
        _workers[os.getpid()] = found
    return found


def settle() -> None:
    """Wait until this process's kept answers are compressed again (tests, benchmarks)."""
    _worker()[0].submit(lambda: None).result()
