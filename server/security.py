"""The web surface: security headers, a request-size cap, and 4xx for malformed requests.

Headers come from Flask-Talisman (maintained, does CSP, frame and referrer policy and nosniff
in one place) rather than a hand-written hook. The Content-Security-Policy allows only this
origin: scripts from it plus the hashes of Dash's own inline scripts (``app.csp_hashes()``,
which include clientside callbacks), styles from it plus inline styles (plotly.js writes
``<style>`` elements), images as data/blob URLs (plotly's exports), nothing framed from
elsewhere and no framing by other sites, except the embed page ``/embed``: its own route,
whose Talisman per-view options let any http(s) site frame it (``frame-ancestors 'self'
https: http:``) and send no ``X-Frame-Options``, so any
site can show it in an ``<iframe>`` (every other response keeps ``frame-ancestors 'self'``).

That policy is for documents. The responses that are not pages (callback and layout JSON,
scripts, styles, fonts, the map's topojson: ``RESOURCE_PREFIXES``) get the short one OWASP gives
for API responses (``default-src 'none'; frame-ancestors 'none'``, ``X-Frame-Options: DENY``),
through Talisman's per-view options: a browser applies a CSP only to a document, and the page's
policy (~1 KB of script hashes) made every map update ~1 KB larger on a slow link.

A callback request that names an output the app does not have, or whose JSON is malformed or
nested absurdly deep, is answered 400 with a one-line reason before Dash sees it (Dash would
answer 500 with a traceback in the log); a body larger than ``GAPMAP_MAX_REQUEST_KB`` is
answered 413 by Flask.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import Flask, Response, request
from flask_talisman import Talisman

_UPDATE = "/_dash-update-component"
MAX_JSON_DEPTH = 64
EMBED_PATH = "/embed"  # layouts/pages/embed.py
EMBED_ANCESTORS = ["'self'", "https:", "http:"]  # who may frame the embed page: any site
# the routes whose answers are not documents (Dash's JSON, bundles and assets, the topojson)
RESOURCE_PREFIXES = (
    "/_dash-",
    "/_reload-hash",
    "/_favicon.ico",
    "/assets/",
    "/static/",
    "/topojson/",
)
RESOURCE_OPTIONS = {
    "content_security_policy": {"default-src": "'none'", "frame-ancestors": "'none'"},
    "frame_options": "DENY",
    "permissions_policy": None,
}


def csp(script_hashes: list[str]) -> dict[str, Any]:
    """The Content-Security-Policy as Talisman takes it."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *dict.fromkeys(script_hashes)],  # each hash once
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }


def secure(app: Any, max_request_kb: int) -> None:
    """Headers, size cap and request checks for a built Dash app (call after its callbacks)."""
    server: Flask = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_request_kb * 1024
    talisman = Talisman(
        server,
        force_https=False,  # TLS ends at the front server (README "Deploying")
        strict_transport_security=False,
        session_cookie_secure=False,
        content_security_policy=csp(list(app.csp_hashes())),
        frame_options="SAMEORIGIN",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )
    # any site: scheme sources, since Chromium's "*" does not match an http: ancestor
    embed_policy = {**csp(list(app.csp_hashes())), "frame-ancestors": EMBED_ANCESTORS}
    embeddable(server, talisman, embed_policy)
    known: dict[str, set[str]] = {}

    @server.before_request
    def malformed_callback() -> Response | None:
        if not known:
            # Dash finishes its set-up at the first request (its own before_request ran just
            # now): the Pages router adds callbacks and an inline script only then.
            # clientside callbacks run in the browser only: the server has no function for them
            known["outputs"] = {k for k, v in app.callback_map.items() if "callback" in v}
            script_src = csp(list(app.csp_hashes()))["script-src"]
            talisman.content_security_policy["script-src"] = script_src
            resources(server, talisman)  # every route exists now
            embed_policy["script-src"] = talisman.content_security_policy["script-src"]
        if request.path != _UPDATE or request.method != "POST":
            return None
        reason = callback_problem(request.get_data(cache=True), known["outputs"])
        if reason is None:
            return None
        return Response(json.dumps({"error": reason}), status=400, mimetype="application/json")


def embeddable(server: Flask, talisman: Talisman, policy: dict[str, Any]) -> None:
    """``/embed``: the Dash page under its own route, so that other sites may frame it.

    Talisman's options are per view function, and every Dash page shares one: the embed path
    gets a route of its own (more specific than Dash's catch-all) that answers with Dash's
    page, with ``policy`` as its CSP and no ``X-Frame-Options``.
    """

    @server.route(EMBED_PATH)
    @talisman(frame_options=None, content_security_policy=policy)
    def embed_page() -> Any:
        return server.view_functions["/<path:path>"](path=EMBED_PATH.lstrip("/"))


def resources(server: Flask, talisman: Talisman) -> None:
    """Answers of the routes under ``RESOURCE_PREFIXES`` get ``RESOURCE_OPTIONS``' headers.

    Each view is wrapped (some are bound methods, which take no attribute) and given
    Talisman's per-view options; a view wrapped already is left as it is.
    """
    for rule in server.url_map.iter_rules():
        view = server.view_functions.get(rule.endpoint)
        if not rule.rule.startswith(RESOURCE_PREFIXES) or view is None:
            continue
        if getattr(view, "talisman_view_options", None) is not None:
            continue
        server.view_functions[rule.endpoint] = talisman(**RESOURCE_OPTIONS)(_wrapped(view))


def _wrapped(view: Any) -> Any:
    @functools.wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return answer


def callback_problem(body: bytes, outputs: set[str]) -> str | None:
    """Why a callback request body is malformed (None when Dash can take it)."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return "the body is not valid JSON"
    if not isinstance(payload, dict):
        return "the body is not a JSON object"
    if _depth(payload) > MAX_JSON_DEPTH:
        return f"the body is nested deeper than {MAX_JSON_DEPTH} levels"
    output = payload.get("output")
    if not isinstance(output, str) or output not in outputs:
        return "the request names no output of this app"
    for key in ("inputs", "state"):
        if key in payload and not isinstance(payload[key], list):
            return f"{key} is not a list"
    return None


def _depth(node: Any, limit: int = MAX_JSON_DEPTH + 1) -> int:
    """Nesting depth of parsed JSON, counted without recursion (stops past ``limit``)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))
    return deepest
