"""The country brief, its PDF and the offline pack through Flask's test client (demo store).

Routes: 200 / 404 / 400; the page's structure (one h1, landmarks, tables with headers, every
chart with a summary and a table); data text escaped; nothing loaded from elsewhere; the
pack's files (CSV with provenance columns, the brief as one HTML file, a README citation).
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest
from markupsafe import escape

from data import queries
from data.settings import Settings
from layouts import brief as build
from server import brief


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app import create_app

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("brief"), demo_on_empty=True, cache_type="NullCache"
    )
    app = create_app(settings, warm=False)
    yield app.server.test_client()
    from server import images

    images.close()


class Outline(HTMLParser):
    """Tags, attributes and text of a page, for structural checks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def attrs(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def _outline(body: bytes) -> Outline:
    parser = Outline()
    parser.feed(body.decode("utf-8"))
    return parser


def _external(html: str) -> list[str]:
    """Every URL the page would load or link to outside itself (none is allowed offline)."""
    found = re.findall(r'(?:src|href|xlink:href)\s*=\s*"([^"#][^"]*)"', html)
    found += re.findall(r"url\(\s*['\"]?(?!#)([^)'\"]+)", html)
    return [u for u in found if not u.startswith("data:")]


def test_brief_page_opens_with_findings_and_is_accessible(client):
    response = client.get("/country/KEN/brief?group=disability")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = _outline(response.data)
    html = response.data.decode()
    assert page.attrs("html")[0]["lang"] == "en"
    assert page.count("h1") == 1
    assert page.count("main") == 1 and page.count("header") == 1 and page.count("footer") == 1
    assert page.count("script") == 0
    findings = [a for a in page.attrs("li") if "data-kind" in a]
    assert 3 <= len(findings) <= 6
    # every chart: an SVG named for assistive technology, a summary, and a table
    svgs = [a for a in page.attrs("svg") if a.get("role") == "img"]
    assert len(svgs) >= 2 and all(a.get("aria-label") for a in svgs)
    assert page.count("figcaption") == len(page.attrs("figure"))
    assert page.count("table") == len(page.attrs("figure")) + 1  # + the scorecard
    assert page.count("caption") == page.count("table")
    assert all(a.get("scope") in ("col", "row") for a in page.attrs("th"))
    # the order: findings, scorecard, charts, missing splits, citation, the charts' values
    headings = re.findall(r'<h2 id="([^"]+)"', html)
    assert headings[:2] == ["brief-findings", "brief-scorecard"]
    assert headings.index("brief-missing") > headings.index("brief-chart-1")
    assert headings[-3:] == ["brief-missing", "brief-about", "brief-tables"]
    # links only to this server's own PDF and pack
    assert _external(html) == ["/country/KEN/brief.pdf", "/country/KEN/pack.zip"]


def test_brief_findings_are_the_findings_module_text(client, monkeypatch):
    from datetime import date

    from layouts.pages import content

    html = client.get("/country/KEN/brief").data.decode()
    ctx = brief.context.uncached(
        content.version(),
        "KEN",
        "disability",
        "all",
        None,
        date.today().isoformat(),
    )
    texts = [f["text"] for f in ctx["findings"]]
    assert ctx["findings"][0]["kind"] in ("coverage", "none_expected")
    # the cached context holds the path; each response adds its own absolute address
    assert "http://" not in str(ctx["citation"]) and "http://localhost/country/KEN/brief" in html
    for text in texts:
        assert str(escape(text)) in html


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/country/XXX/brief", 404, "XXX"),
        ("/country/XXX/brief.pdf", 404, "XXX"),
        ("/country/XXX/pack.zip", 404, "XXX"),
        ("/country/KEN/brief?group=nobody", 400, "disability, older, women"),
        ("/country/KEN/brief.pdf?group=nobody", 400, "Allowed values"),
        ("/country/KEN/pack.zip?group=nobody", 400, "Allowed values"),
        ("/country/KEN/brief?source=rumour", 400, "all, official, community"),
    ],
)
def test_unknown_country_404_and_bad_parameters_400_naming_allowed_values(
    client, path, status, words
):
    response = client.get(path)
    assert response.status_code == status
    assert words in response.data.decode()


def test_bad_group_names_every_allowed_group(client):
    from layouts.pages import content

    text = client.get("/country/KEN/brief?group=%3Cb%3E").data.decode()
    assert "group" in text and "<b>" in text  # plain text, said back as given
    for g in content.choices().groups:
        assert g in text


def test_lower_case_code_is_the_same_country(client):
    response = client.get("/country/ken/brief?group=women")
    assert response.status_code == 200
    assert "Kenya" in _outline(response.data).text[0] or b"Kenya" in response.data


def test_markup_in_data_labels_is_escaped(client, monkeypatch):
    from layouts.pages import content

    real = content.titles()
    evil = {s: f"<img src=x onerror=alert(1)>{title}" for s, title in real.items()}
    monkeypatch.setattr(content, "titles", lambda: evil)
    monkeypatch.setattr(brief, "_svg", lambda *a, **k: None)  # no images: faster, same text
    html = client.get("/country/KEN/brief").data.decode()
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_template_escapes_every_text_field():
    ctx = {
        "lang": "en",
        "title": "<h1>x</h1>",
        "findings": [{"kind": "coverage", "text": "<script>alert(1)</script>"}],
        "scorecard": [["<b>g</b>", "1", "2", "3"]],
        "scorecard_headers": ["a", "b", "c", "d"],
        "charts": [],
        "missing": [{"heading": "<i>h</i>", "items": ["<u>u</u>"]}],
        "about": {"cite": "<a href='http://evil'>c</a>", "licence": "", "datasets": []},
    }
    html = build.render(ctx, standalone=True)
    assert "<script>" not in html and "<b>g" not in html and "<u>u" not in html
    assert "&lt;script&gt;" in html and "http://evil" not in _external(html)


def test_svg_markup_names_the_chart_and_escapes_the_label():
    svg = build.svg_markup(b'<svg class="main-svg" viewBox="0 0 10 10"></svg>', 'A "b" <c>')
    assert svg.startswith('<svg role="img" aria-label="A &#34;b&#34; &lt;c&gt;"')


def test_pdf_is_503_with_a_reason_without_chromium(client, monkeypatch):
    monkeypatch.setattr(brief, "chromium", lambda: None)
    response = client.get("/country/KEN/brief.pdf")
    assert response.status_code == 503
    assert "Chromium" in response.data.decode()
    assert "/country/KEN/brief" in response.data.decode()


def test_pdf_is_a_pdf(client):
    response = client.get("/country/KEN/brief.pdf?group=women")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "KEN_brief_women.pdf" in response.headers["Content-Disposition"]


def test_pack_holds_observations_with_provenance_the_brief_and_a_readme(client):
    response = client.get("/country/KEN/pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        names = set(zf.namelist())
        assert names == {
            "README.txt",
            "KEN_observations.csv",
            "KEN_gaps.csv",
            "KEN_brief_disability.html",
        }
        readme = zf.read("README.txt").decode()
        obs = pd.read_csv(io.BytesIO(zf.read("KEN_observations.csv")))
        gaps = pd.read_csv(io.BytesIO(zf.read("KEN_gaps.csv")))
        html = zf.read("KEN_brief_disability.html").decode()
    assert "Cite as: LNOB Data-Gap Map" in readme and "Licence:" in readme
    for col in ("dataset", "dataset_name", "source", "nature", "footnote", "source_row"):
        assert col in obs.columns
    stored = queries.observations("all")
    assert len(obs) == int((stored["iso3"] == "KEN").sum())  # every observation, none dropped
    assert set(obs["iso3"]) == {"KEN"}
    assert {"status", "reason"} <= set(gaps.columns)
    # the brief in the pack: self-contained (no script, nothing to fetch, no server links)
    assert "<script" not in html and _external(html) == []
    assert 'role="img"' in html and "<table" in html
    assert "brief.pdf" not in html


def test_country_page_links_to_its_brief_and_pack(client):
    """The country page's download row offers the brief and the pack, following its group."""
    from layouts.pages.links import menu_links

    with client.application.test_request_context("/"):
        links = menu_links("country-KEN", "?group=women&source=official", "http://x/")
    assert links["brief"] == "/country/KEN/brief?group=women&source=official"
    assert links["pack"] == "/country/KEN/pack.zip?group=women&source=official"
    assert client.get(links["brief"]).status_code == 200
    packed = client.get(links["pack"])
    assert packed.status_code == 200 and zipfile.is_zipfile(io.BytesIO(packed.data))
