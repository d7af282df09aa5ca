"""Four languages in a real browser (issue #10): axe on every page in each language, the
language selector and ``lang=``, Accept-Language as default, right-to-left Arabic (screenshot),
and the brief and its PDF in every language.

axe 4.12 comes inside the axe-playwright-python wheel (injected from disk, no network).
"""

from __future__ import annotations

import base64
import subprocess
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from layouts import i18n, ids
from layouts.i18n import t

LANGS = list(i18n.LANGUAGES)
PAGES = [
    "/",
    "/matrix",
    "/country/KEN",
    "/embed?view=map",
    "/embed?view=chart&country=KEN",
    "/country/KEN/brief",
]
FIRST_PAGE_MS = 90_000


@pytest.fixture(scope="module")
def axe():
    return Axe()


def any_map_drawn(page) -> None:
    """Wait until a map (the overview's or the embed page's) draws its country shapes."""
    page.wait_for_function(
        "() => document.querySelectorAll('path.choroplethlocation').length >= 150"
    )


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def settle(page, url: str, path: str, lang: str) -> None:
    """Open a page and wait for what it shows last, in the language asked for."""
    page.goto(url, timeout=FIRST_PAGE_MS)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    # the first page of a session may wait for the app's warm-up (a generous wait, no timing)
    expect(page.get_by_role("heading", level=1)).to_have_count(1, timeout=FIRST_PAGE_MS)
    if path in ("/", "/embed?view=map"):
        any_map_drawn(page)
    if path == "/":
        expect(page.locator(f"#{ids.MAP_SUMMARY}")).not_to_be_empty()
    elif path == "/matrix":
        expect(page.locator(f"#{ids.MATRIX_TABLE} table")).to_be_visible()
    elif path == "/country/KEN":
        expect(page.locator(f"#{ids.COUNTRY_TIMESERIES} .main-svg").first).to_be_attached()
    elif "view=chart" in path:
        expect(page.locator(".main-svg").first).to_be_attached()


def _describe(violations):
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_nothing_on_every_page_in_every_language(page, live_server, axe, path, lang):
    settle(page, live_server.at(_with_lang(path, lang)), path, lang)
    expect(page.locator("html")).to_have_attribute("dir", i18n.direction(lang))
    if not path.startswith(("/embed", "/country/KEN/brief")):  # the pages with the header
        expect(page.locator("#" + ids.SKIP_LINK)).to_have_text(t("shell.skip", lang))
    results = axe.run(page)
    violations = results.response["violations"]
    assert violations == [], _describe(violations)
    assert results.response["passes"], "axe ran no check at all"


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_the_page_speaks_the_language_with_cldr_country_names(page, live_server, lang):
    settle(page, live_server.at(f"/country/DEU?lang={lang}"), "/country/DEU", lang)
    from data import reference

    name = reference.area_name("DEU", lang)
    assert name != reference.area_name("DEU", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    nav = page.get_by_role("navigation", name=t("shell.nav_label", lang), exact=True)
    expect(nav.get_by_role("link", name=t("nav.matrix", lang), exact=True)).to_be_visible()
    expect(page).to_have_title(f"{name} \u2014 {t('app.title', lang)}")
    # group names and statuses in the language (the status matrix's caption and cells)
    group = page.get_by_label(t("filters.group", lang), exact=True)
    shown = group.evaluate("s => s.options[s.selectedIndex].text")
    assert shown == i18n.group_title(group.input_value(), lang)


def test_the_selector_switches_language_by_keyboard_and_the_choice_stays(page, live_server):
    page.goto(live_server.at("/matrix"))
    expect(page.locator("html")).to_have_attribute("lang", "en")  # locale en-GB
    selector = page.get_by_role("navigation", name="Language and display", exact=True)
    links = selector.get_by_role("link")
    expect(links).to_have_count(5)  # four languages and the contrast switch
    english = selector.get_by_role("link", name="English", exact=True)
    expect(english).to_have_attribute("aria-current", "true")
    french = selector.get_by_role("link", name="Français", exact=True)
    expect(french).to_have_attribute("lang", "fr")
    expect(french).to_be_visible()
    french.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.at("/matrix?lang=fr"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("matrix.heading", "fr"))
    # a link without lang= keeps French (the choice is remembered)
    page.get_by_role("link", name=t("nav.map", "fr"), exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Où ")
    page.goto(live_server.at("/country/KEN"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("qui figure dans les données")


@pytest.mark.parametrize("locale,lang", [("es-ES", "es"), ("ar-EG", "ar"), ("de-DE", "en")])
def test_the_default_language_comes_from_accept_language(browser, live_server, locale, lang):
    context = browser.new_context(locale=locale)
    try:
        context.route(
            "**/*",
            lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
        )
        pg = context.new_page()
        pg.goto(live_server.at("/matrix"))
        expect(pg.locator("html")).to_have_attribute("lang", lang)
        expect(pg.get_by_role("heading", level=1)).to_have_text(t("matrix.heading", lang))
    finally:
        context.close()


def test_arabic_is_right_to_left_and_mirrored_in_a_screenshot(page, live_server, tmp_path):
    settle(page, live_server.at("/?lang=ar"), "/", "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    sheets = page.evaluate("() => [...document.styleSheets].map(s => s.href || '')")
    assert any(s.split("?")[0].endswith("/vendor/bootstrap.rtl.min.css") for s in sheets)
    assert not any(s.split("?")[0].endswith("/vendor/bootstrap.min.css") for s in sheets)
    shot = tmp_path / "arabic.png"
    page.screenshot(path=str(shot))
    width = page.viewport_size["width"]
    title = page.locator(".site-title").bounding_box()
    search = page.locator(f"#{ids.SEARCH_FORM}").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    # the header's first item (the title) is on the right, the search to its left
    assert title["x"] > width / 2, title
    assert search["x"] + search["width"] <= title["x"] + 1, (search, title)
    # the heading starts at the right edge of its column (text runs right to left)
    column = page.locator(f"#{ids.MAIN}").bounding_box()
    assert heading["x"] + heading["width"] > column["x"] + column["width"] - 40
    # the screenshot draws the title where the layout says (right half); the English page's
    # screenshot draws it in the left half: the header is mirrored, not just re-labelled
    box = [int(title[k]) for k in ("x", "y", "width", "height")]
    assert _dark_pixels(page, shot, [box])[0] > 50
    settle(page, live_server.at("/?lang=en"), "/", "en")
    expect(html).to_have_attribute("dir", "ltr")
    page.screenshot(path=str(shot))
    english = page.locator(".site-title").bounding_box()
    assert english["x"] + english["width"] < width / 2, english
    box = [int(english[k]) for k in ("x", "y", "width", "height")]
    assert _dark_pixels(page, shot, [box])[0] > 50


def _dark_pixels(page, png, boxes):
    """Dark pixels of a PNG in each [x, y, w, h] box (decoded by a canvas in a blank page)."""
    blank = page.context.new_page()
    try:
        return blank.evaluate(
            """async ([src, boxes]) => {
                const img = new Image(); img.src = src; await img.decode();
                const c = document.createElement('canvas');
                c.width = img.width; c.height = img.height;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                return boxes.map(([x, y, w, h]) => {
                    const d = g.getImageData(x, y, w, h).data; let n = 0;
                    for (let i = 0; i < d.length; i += 4)
                        if (0.3 * d[i] + 0.59 * d[i + 1] + 0.11 * d[i + 2] < 100) n++;
                    return n; });
            }""",
            ["data:image/png;base64," + base64.b64encode(png.read_bytes()).decode(), boxes],
        )
    finally:
        blank.close()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # 127.0.0.1 only
        assert response.status == 200
        return response.read()


@pytest.mark.parametrize("lang", LANGS)
def test_the_brief_and_its_pdf_exist_in_every_language(live_server, tmp_path, lang):
    html = _get(live_server.at(f"/country/KEN/brief?lang={lang}")).decode()
    assert f'<html lang="{lang}" dir="{i18n.direction(lang)}">' in html
    assert t("brief.findings", lang) in html
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(_get(live_server.at(f"/country/KEN/brief.pdf?lang={lang}")))
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = t("brief.findings", lang).split()
    assert all(w in text for w in words), (words, text[:500])
