"""The country brief in a browser: its PDF renders (pdftoppm) and holds the findings (pdftotext),
the offline pack's HTML opens from a file:// path with the network off and shows its tables,
and axe finds nothing on the brief page.

pdftoppm and pdftotext come from poppler-utils (installed by .ci/test).
"""

from __future__ import annotations

import io
import subprocess
import urllib.request
import zipfile
from html.parser import HTMLParser

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


class _Findings(HTMLParser):
    """The text of every finding (``<li data-kind>``) of a brief page."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "li" and "data-kind" in dict(attrs):
            self._in = True
            self.items.append("")

    def handle_endtag(self, tag):
        if tag == "li":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.items[-1] += data


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # 127.0.0.1 only
        assert response.status == 200
        return response.read()


def _words(text: str) -> str:
    return " ".join(text.split())


def test_pdf_renders_and_its_text_holds_the_findings(live_server, tmp_path):
    parser = _Findings()
    parser.feed(_get(live_server.at("/country/KEN/brief?group=women")).decode())
    assert 3 <= len(parser.items) <= 6
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(_get(live_server.at("/country/KEN/brief.pdf?group=women")))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = _words(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
    )
    assert "Key findings" in text
    for finding in parser.items:
        assert _words(finding) in flat, finding


def test_pack_brief_opens_from_disk_with_the_network_off(live_server, browser, tmp_path):
    data = _get(live_server.at("/country/KEN/pack.zip?group=women"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
    page_file = tmp_path / "KEN_brief_women.html"
    assert page_file.exists()
    context = browser.new_context(offline=True)  # no network at all
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya")
        tables = page.locator("table")
        assert tables.count() >= 3  # scorecard + one per chart
        expect(tables.first).to_be_visible()
        expect(page.locator("table th[scope=row]").first).to_be_visible()
        expect(page.locator("svg[role=img]").first).to_be_visible()
        box = page.locator("svg[role=img]").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100  # drawn, not collapsed
        # only the file itself was loaded: no server, no network
        assert [u for u in requests if not u.startswith("file://")] == []
    finally:
        context.close()


def test_axe_finds_nothing_on_the_brief(live_server, page):
    page.goto(live_server.at("/country/KEN/brief?group=women"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    results = Axe().run(page)
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    # landmarks a screen reader lists
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
