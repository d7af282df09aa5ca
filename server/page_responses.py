"""Pages' responses kept compressed, as sent: a page asked for again costs a lookup (issue #12).

A page reaches the browser two ways: Dash's ``/_dash-layout`` (a first load: the shell and the
page of the ``Referer``) and its Pages router callback (a navigation: the page alone). Both
are built from memoised JSON data (``content.page``), but each answer was still encoded to
JSON (150-430 KB for the world matrix) and compressed again: 9-12 ms of the 10 ms a cache
hit may take. This keeps the compressed bytes of such answers, per worker, in a small LRU
bounded in bytes (``MAX_BYTES``), emptied when the store version changes.

What a response is kept under is everything the shell and the pages read from the request:
the store version, the method, path and body, the ``Referer`` (its path and query: the page,
its language and contrast), the host, the ``lang`` and contrast cookies, the language the
request resolves to (``Accept-Language``) and ``Accept-Encoding``. Only answers whose page
came from the memoised path (a valid address, ``content.page`` sets ``g``) are kept, and only
200s that set no cookie; requests with a query string (``?lang=`` sets a cookie) are not
looked up. Flask-Compress has a cache of compressed bytes too, but it runs the view first
(the JSON encoding is what costs), and flask-caching's ``cached`` views keep the body before
compression; hence these few lines.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import Flask, Response, g, request

from layouts import shell
from layouts.i18n import COOKIE, language
from layouts.pages import content

MAX_BYTES = 24 * 1024 * 1024  # per worker: ~400 compressed pages (15-90 KB each)
MAX_ENTRY = 2 * 1024 * 1024  # larger answers are not kept
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."  # Dash's Pages router
_KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Vary")


class Kept(NamedTuple):
    """A response as sent: its (compressed) body and the headers that describe it."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


class Responses:
    """The LRU of compressed page responses (one per app, shared by the worker's threads)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.version: int | None = None
        self.entries: OrderedDict[str, Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: int, key: str) -> Kept | None:
        """The response kept under ``key`` for this store version (None: not kept)."""
        with self.lock:
            if version != self.version:
                self._clear(version)
                return None
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, version: int, key: str, kept: Kept) -> None:
        """Keep a response, the least recently asked for going first when over the bound."""
        if len(kept.body) > MAX_ENTRY:
            return
        with self.lock:
            if version != self.version:
                self._clear(version)
            old = self.entries.pop(key, None)
            self.size -= len(old.body) if old else 0
            self.entries[key] = kept
            self.size += len(kept.body)
            while self.size > self.max_bytes and self.entries:
                self.size -= len(self.entries.popitem(last=False)[1].body)

    def clear(self) -> None:
        """Forget every response (the tests: to build a page again)."""
        with self.lock:
            self._clear(None)

    def _clear(self, version: int | None) -> None:
        self.entries.clear()
        self.size = 0
        self.version = version


def is_page_request() -> bool:
    """Whether the request asks for a page: Dash's layout or its Pages router callback."""
    if request.query_string:
        return False
    if request.method == "GET":
        return request.path.endswith("/_dash-layout")
    if not request.path.endswith("/_dash-update-component"):
        return False
    try:  # a well-formed body (server/security.py checked it before)
        return json.loads(request.get_data(cache=True)).get("output") == ROUTER_OUTPUT
    except (ValueError, AttributeError):
        return False


def request_key() -> str:
    """What the shell and the pages read from the request, hashed."""
    parts = [
        request.method,
        request.path,
        request.referrer or "",
        request.host,
        request.cookies.get(COOKIE, ""),
        request.cookies.get(shell.CONTRAST_COOKIE, ""),
        language(),
        request.headers.get("Accept-Encoding", ""),
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=20)
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def keep(server: Flask, responses: Responses | None = None) -> Responses:
    """Answer page requests from ``responses`` and keep the new ones.

    Call it before Flask-Compress is set up: its ``after_request`` then runs after
    compression (Flask runs them in reverse order) and keeps the bytes as sent.
    """
    responses = responses or Responses()
    server.extensions["gapmap_page_responses"] = responses

    @server.before_request
    def page_from_memory() -> Response | None:
        if not is_page_request():
            return None
        version, key = content.version(), request_key()
        g.gapmap_page_response = (version, key)
        found = responses.get(version, key)
        if found is None:
            return None
        g.gapmap_page_response = None  # already kept
        return Response(found.body, headers=list(found.headers))

    @server.after_request
    def keep_page(response: Response) -> Response:
        where = g.pop("gapmap_page_response", None)
        if (
            where is None
            or not g.get("gapmap_page_memoised")
            or response.status_code != 200
            or response.is_streamed
            or "Set-Cookie" in response.headers
        ):
            return response
        headers = tuple((k, v) for k in _KEPT_HEADERS if (v := response.headers.get(k)))
        responses.put(*where, Kept(response.get_data(), headers))
        return response

    return responses
