"""Download data / Download chart / Embed, clicked in Chromium, and the embed page itself.

Files come through ``page.expect_download`` (a real click on a plain ``<a download>`` link) and
are opened with the libraries a user's tools stand for: csv, openpyxl; PNG by its signature,
SVG by its text. The embed page is loaded inside an ``<iframe>`` of another page.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from layouts import ids
from tests.browser.helpers import open_overview, wait_for_shapes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OVERVIEW_TITLE = "Where are persons with disabilities missing from the data?"


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _download(page: Page, name: str) -> bytes:
    link = page.get_by_role("link", name=name, exact=True)
    expect(link).to_have_attribute("href", re.compile(r"^/download/"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    with open(download.path(), "rb") as fh:
        return fh.read()


def _check_csv(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    wide = [r for r in rows if len(r) > 2]
    assert len(wide) >= 2, rows[:10]  # a header and at least one row of values
    return rows


def _check_xlsx(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert sum(c is not None for c in cells) > 5


def _check_images(page: Page, what: str, title: str) -> None:
    png = _download(page, f"Download {what} chart as PNG")
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
    svg = _download(page, f"Download {what} chart as SVG").decode()
    assert svg.startswith("<svg") and title in svg and "Source: " in svg


def test_overview_downloads_data_and_chart(page, live_server):
    open_overview(page, live_server.url)
    wait_for_shapes(page)
    _check_csv(_download(page, "Download map data as CSV"))
    _check_xlsx(_download(page, "Download map data as XLSX"))
    _check_images(page, "map", OVERVIEW_TITLE)


def test_links_follow_the_filters(page, live_server):
    open_overview(page, live_server.url, "?group=women")
    png = page.get_by_role("link", name="Download map chart as PNG", exact=True)
    expect(png).to_have_attribute("href", "/download/chart/map.png?group=women")
    page.select_option(f"#{ids.FILTER_GROUP}", "youth")
    expect(png).to_have_attribute("href", "/download/chart/map.png?group=youth")
    csv_link = page.get_by_role("link", name="Download map data as CSV", exact=True)
    expect(csv_link).to_have_attribute("href", re.compile(r"map\.csv\?group=youth$"))


def test_country_page_downloads_data_and_chart(page, live_server):
    page.goto(live_server.at("/country/KEN"))
    expect(page.locator(f"#{ids.COUNTRY_TIMESERIES} .main-svg").first).to_be_attached()
    _check_csv(_download(page, "Download Kenya data as CSV"))
    _check_xlsx(_download(page, "Download Kenya data as XLSX"))
    _check_images(page, "Kenya", "Kenya")


def test_matrix_offers_data_but_no_chart(page, live_server):
    page.goto(live_server.at("/matrix"))
    expect(page.locator(f"#{ids.MATRIX_TABLE} table")).to_be_visible()
    _check_csv(_download(page, "Download matrix data as CSV"))
    assert page.get_by_role("link", name=re.compile("matrix chart")).count() == 0


def test_embed_code_is_offered_and_copied_with_the_keyboard(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_overview(page, live_server.url, "?group=women")
    summary = page.locator(".embed-details > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="HTML that shows this map in another page")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("readonly", "")
    expect(box).to_have_value(re.compile(r'^<iframe src="http://127\.0\.0\.1:\d+/embed\?view=map'))
    assert "group=women" in box.input_value() and 'title="map' in box.input_value()
    copy = page.get_by_role("button", name="Copy embed code")
    copy.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{ids.OVERVIEW_EMBED_STATUS}")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == box.input_value()


def test_embed_page_has_no_chrome_and_says_where_it_comes_from(page, live_server):
    page.goto(live_server.at("/embed?view=map&group=women"))
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length >= 150",
        arg=f"#{ids.EMBED_GRAPH} path.choroplethlocation",
    )
    for chrome in (ids.HEADER, ids.FOOTER, ids.NAV, ids.SKIP_LINK):
        assert page.locator(f"#{chrome}").count() == 0, chrome
    assert page.locator("header, footer, nav").count() == 0
    credit = page.locator(f"#{ids.EMBED_CREDIT}")
    expect(credit).to_contain_text("Source: ")
    link = page.get_by_role("link", name="Open in the dashboard")
    expect(link).to_have_attribute("href", "/?group=women")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Where are women and girls missing from the data?"
    )


def test_embed_page_loads_inside_an_iframe_of_another_site(page, live_server):
    src = live_server.at("/embed?view=chart&country=KEN&group=women")
    # another origin (localhost, not 127.0.0.1) serves the page with the iframe
    other = live_server.url.replace("127.0.0.1", "localhost") + "/a-blog-post.html"
    html = f'<html lang="en"><main><iframe src="{src}" title="chart" width="900" height="600">'
    html += "</iframe>"
    # Chromium asks before a page of one local address frames another (Local Network Access)
    page.context.grant_permissions(["local-network-access"])
    page.route(other, lambda route: route.fulfill(content_type="text/html", body=html + "</main>"))
    page.goto(other)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("link", name="Open in the dashboard")).to_be_visible(timeout=20_000)
    expect(frame.locator(f"#{ids.EMBED_GRAPH} .main-svg").first).to_be_attached()
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Kenya")


def test_only_the_embed_page_may_be_framed_by_other_sites(page, live_server):
    embed = page.goto(live_server.at("/embed?view=map"))
    assert "frame-ancestors 'self' https: http:" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    for path in ("/", "/matrix", "/country/KEN"):
        r = page.goto(live_server.at(path))
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"], path
        assert r.headers["x-frame-options"] == "SAMEORIGIN", path


@pytest.mark.parametrize(
    "where",
    ["/embed?view=map", "/embed?view=chart&country=KEN", "/?group=women", "/country/KEN"],
)
def test_axe_finds_nothing_with_the_new_controls_open(page, live_server, axe, where):
    page.goto(live_server.at(where))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if "embed" in where:
        expect(page.locator(f"#{ids.EMBED_GRAPH} .main-svg").first).to_be_attached()
    else:
        expect(page.get_by_role("link", name=re.compile(r"data as CSV$"))).to_have_attribute(
            "href", re.compile("^/download/")
        )
        page.locator(".embed-details > summary").first.click()
        expect(page.get_by_role("button", name="Copy embed code")).to_be_visible()
        page.mouse.move(0, 0)  # off the button, and its colour transition over: axe measured
        page.wait_for_function("() => document.getAnimations().length === 0")  # mid-fade
    violations = axe.run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


@pytest.mark.parametrize("where", ["/", "/country/KEN"])
def test_menu_fits_a_phone_with_the_embed_code_open(browser, live_server, where):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.at(where))
        page.locator(".embed-details > summary").first.click()
        expect(page.get_by_role("button", name="Copy embed code")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{where} is {width} px wide at 375 px"
    finally:
        context.close()


def test_new_controls_have_names_that_say_what_is_downloaded(page, live_server):
    page.goto(live_server.at("/country/NPL?group=women"))
    for name in (
        "Download Nepal data as CSV",
        "Download Nepal data as XLSX",
        "Download Nepal chart as PNG",
        "Download Nepal chart as SVG",
    ):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("download", "")
    expect(page.get_by_role("region", name="Download and share")).to_have_count(1)


def test_a_page_opens_with_its_links_and_asks_for_no_callback(page, live_server):
    """The links of the address come with the page (no request for them); the embed code's
    relative src is completed with the browser's origin, after a navigation too."""
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.post_data or "") if "/_dash-update-component" in r.url else None,
    )
    for where, name in (
        ("/?group=women", "Download map data as CSV"),
        ("/matrix?region=002", "Download matrix data as CSV"),
        ("/country/KEN?group=older", "Download Kenya data as CSV"),
    ):
        page.goto(live_server.at(where))
        link = page.get_by_role("link", name=name, exact=True)
        query = where.split("?")[1]
        expect(link).to_have_attribute("href", re.compile(rf"\.csv\?{re.escape(query)}"))
        page.wait_for_load_state("networkidle")
        assert asked == [], (where, asked)
    code = page.locator(f"#{ids.COUNTRY_EMBED_CODE}")
    absolute = re.compile(
        r'^<iframe src="http://127\.0\.0\.1:\d+/embed\?view=chart&amp;country=KEN'
    )
    expect(code).to_have_value(absolute)
    # in-app: the back link to the map (its Location mounts with the page's address)
    page.get_by_role("link", name=re.compile("Back to the map")).click()
    expect(page.locator(f"#{ids.OVERVIEW_EMBED_CODE}")).to_have_value(
        re.compile(r'^<iframe src="http://127\.0\.0\.1:\d+/embed\?view=map&amp;group=older')
    )
