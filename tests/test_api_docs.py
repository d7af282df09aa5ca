"""The API documentation page (issue #10): built from the OpenAPI spec, in four languages."""

from __future__ import annotations

import re
from html import unescape

import pytest

from layouts import i18n
from server import api, api_docs
from tests.community import make_site


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("api-docs"), demo_on_empty=True)
    return site.app.server.test_client()


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_path_and_parameter_of_the_spec_is_documented_in_each_language(client, lang):
    r = client.get(f"/api/docs?lang={lang}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert f'<html lang="{lang}" dir="{i18n.direction(lang)}">' in r.text
    assert r.text.count("<h1") == 1
    spec = api.spec()
    for path, item in spec["paths"].items():
        assert f"GET {path}</code></h2>" in r.text, path
        name = item["get"]["operationId"]
        assert i18n.t(f"api.summary.{name}", lang) in unescape(r.text), (lang, name)
    for name in spec["components"]["parameters"]:
        assert i18n.t(f"api.param.{name}", lang) in unescape(r.text), (lang, name)
    assert 'href="/api/v1/openapi.json"' in r.text
    text = _text(r.text)
    leaked = [k for k in i18n.english() if re.search(rf"(?<![\w/.]){re.escape(k)}(?![\w.])", text)]
    assert leaked == [], f"catalogue keys shown as text: {leaked}"


def test_every_endpoint_has_words_in_every_catalogue():
    """A path or parameter added to the API without translations fails here."""
    spec = api.spec()
    keys = [f"api.summary.{i['get']['operationId']}" for i in spec["paths"].values()]
    keys += [f"api.row.{name}" for name in api.ENDPOINTS]
    keys += [f"api.param.{name}" for name in spec["components"]["parameters"]]
    for lang in i18n.LANGUAGES:
        catalogue = i18n.CATALOGUES.get(lang) or i18n.load()[lang]
        assert [k for k in keys if k not in catalogue] == [], lang


def test_the_french_page_is_french_and_the_arabic_page_right_to_left(client):
    fr = unescape(client.get("/api?lang=fr").text)
    assert "API de données" in fr and "Valeurs permises" in fr and "Exemple :" in fr
    assert "Allowed values" not in fr
    fresh = client.application.test_client()  # no language cookie yet
    ar = fresh.get("/api/docs", headers={"Accept-Language": "ar-EG,ar;q=0.9"}).text
    assert '<html lang="ar" dir="rtl">' in ar and "bootstrap.rtl.min.css" in ar
    assert "واجهة برمجة البيانات" in ar


def test_every_example_url_and_listing_link_is_answered_by_the_api(client):
    page = client.get("/api/docs?lang=en").text
    links = {unescape(u) for u in re.findall(r'href="(/api/v1/[^"#]*)"', page)}
    examples = {e["example"] for e in api_docs.endpoints(api.spec(), "en")}
    assert examples <= links and len(examples) == len(api.spec()["paths"])
    assert any("?" in e for e in examples)  # examples use parameters, not only bare paths
    for url in sorted(links):
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:200])


def test_allowed_values_are_the_apis(client):
    gaps = next(e for e in api_docs.endpoints(api.spec(), "en") if e["id"] == "api-gaps")
    allowed = {p["name"]: p["allowed"] for p in gaps["params"]}
    assert allowed["source"]["choices"] == list(api.queries.SOURCES)
    assert allowed["group"]["choices"] == api.allowed_values("group", {})
    country = allowed["country"]
    assert country["more"] and country["listed_by"] == "/api/v1/countries"
    assert country["count"] == len(api.allowed_values("country", {}))


def test_the_page_is_linked_from_the_dashboard_footer():
    from layouts import components

    footer = components.site_footer([], 5, "es")
    links = [c for c in _walk(footer) if getattr(c, "href", None) == "/api/docs"]
    assert [link.children for link in links] == ["Documentación de la API de datos"]


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)
