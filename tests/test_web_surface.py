"""The web surface (issue 11, item 4): security headers, a size cap, 4xx for malformed requests."""

from __future__ import annotations

import json
import re

import pytest

from server.security import MAX_JSON_DEPTH, callback_problem
from tests.test_app_smoke import build_small_store


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    return create_app(build_small_store(tmp_path_factory.mktemp("store")), warm=False)


@pytest.fixture
def client(app):
    c = app.server.test_client()
    c.get("/")
    return c


@pytest.mark.parametrize("path", ["/", "/matrix", "/country/KEN", "/no/such/page"])
def test_security_headers_on_every_page(client, path):
    r = client.get(path)
    assert r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp and "http" not in csp  # no other origin allowed
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_answers_that_are_not_pages_get_the_short_strict_policy(client):
    """JSON, scripts, styles and the topojson: OWASP's headers for API answers, not the
    page's policy with its script hashes (~1 KB more on every map update)."""
    from geo.boundaries import topojson_url_path

    page = client.get("/").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)
    paths = ["/_dash-layout", "/_dash-dependencies", "/assets/app.css", bundle]
    paths += [topojson_url_path() + "world_110m.json"]
    body = {"output": "x", "outputs": {}, "inputs": [], "changedPropIds": []}
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert r.headers["X-Frame-Options"] == "DENY", path
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Permissions-Policy" not in r.headers, path
    update = _update(client, json.dumps(body))  # refused (400), with the same headers
    assert update.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert update.headers["X-Frame-Options"] == "DENY"


def test_the_page_policy_names_each_script_hash_once(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    hashes = csp.split("script-src", 1)[1].split(";", 1)[0].split()
    assert len(hashes) == len(set(hashes)) > 1


def test_inline_scripts_of_the_page_are_allowed_by_hash(app, client):
    csp = client.get("/").headers["Content-Security-Policy"]
    for digest in app.csp_hashes():
        assert digest in csp  # csp_hashes() gives them quoted: 'sha256-...'
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def _update(client, body, **kw):
    return client.post("/_dash-update-component", data=body, content_type="application/json", **kw)


def test_unknown_output_is_400_not_500(client):
    body = json.dumps(
        {"output": "nope.children", "outputs": {}, "inputs": [], "changedPropIds": []}
    )
    r = _update(client, body)
    assert r.status_code == 400 and "no output" in r.get_json()["error"]


def test_deeply_nested_json_is_400(client, app):
    output = next(iter(app.callback_map))
    deep = "[" * 100_000 + "]" * 100_000
    r = _update(client, '{"output": "' + output + '", "inputs": ' + deep + "}")
    assert r.status_code == 400
    nested = {"output": output, "inputs": [{"x": []}]}
    node = nested["inputs"][0]["x"]
    for _ in range(MAX_JSON_DEPTH + 5):
        node.append([])
        node = node[0]
    assert _update(client, json.dumps(nested)).status_code == 400


def test_not_json_is_400(client):
    assert _update(client, b"\xff\xfe not json").status_code == 400


def test_body_over_the_cap_is_413(client):
    r = _update(client, b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert r.status_code == 413


def test_a_well_formed_request_still_works(client, app):
    assert (
        callback_problem(
            json.dumps(
                {"output": next(iter(app.callback_map)), "inputs": [], "state": []}
            ).encode(),
            set(app.callback_map),
        )
        is None
    )


def test_dev_server_hides_versions():
    from app import _QuietHandler

    assert _QuietHandler.version_string(None) == "gapmap"  # type: ignore[arg-type]


def test_an_unknown_lang_never_becomes_a_cache_key(client, monkeypatch):
    # ?lang=<anything> used to reach the memoised payloads as part of their keys: random
    # values filled the shared cache and evicted the warm entries
    from layouts.i18n import supported
    from layouts.pages import country

    # an unknown or missing lang is the request's language (issue #10: never None, which would
    # cache one visitor's language for the next); outside a request, the default "en"
    assert supported("en") == "en" and supported("zz-1234") == "en" and supported(None) == "en"
    seen = []
    real = country.static_payload

    def spy(*args):
        seen.append(args[-1])
        return real(*args)

    monkeypatch.setattr(country, "static_payload", spy)
    from dash import html

    with client.application.app_context():
        country.layout(iso3="KEN", lang="zz-evil")  # Dash Pages passes ?lang= here
        assert isinstance(country.layout(iso3="KEN", lang="en"), html.Div)
    assert seen == ["en", "en"]
