"""The country page on a store with the shape of real data (issue #6, items 4, 5, 6, 9 and 12).

``realshape_server`` (tests/browser/conftest.py) serves tests/realshape.py: > 127 series, the
demo datasets, a UK Open SDG dataset and a Nepal community dataset; Kenya publishes a
disability series many times, never split by disability.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from layouts import ids
from tests import realshape

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
MAX_DESKTOP_HEIGHT = 2700  # three screens at 1280x900, before anything is expanded
# codes people should never have to read (issue item 9)
RAW_CODES = re.compile(r"\bPERCENT\b|\bage=Y_|\bdisability=P|\bsex=[FM]\b")


def _open(browser, server, path: str, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server.at(path))
    # the page's first callback fills the detail and the missing splits
    page.wait_for_selector(f"#{ids.COUNTRY_DETAIL}")  # the first page of a process is slow
    expect(page.locator(f"#{ids.COUNTRY_DETAIL}")).not_to_contain_text("Loading", timeout=60_000)
    expect(page.locator(f"#{ids.COUNTRY_MISSING}")).not_to_contain_text("Loading", timeout=60_000)
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def desktop(browser, realshape_server):
    pages: list[Page] = []

    def go(path: str) -> Page:
        pages.append(_open(browser, realshape_server, path, DESKTOP))
        return pages[-1]

    yield go
    for p in pages:
        p.context.close()


@pytest.fixture
def phone(browser, realshape_server):
    pages: list[Page] = []

    def go(path: str) -> Page:
        pages.append(_open(browser, realshape_server, path, PHONE))
        return pages[-1]

    yield go
    for p in pages:
        p.context.close()


def _height(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_kenya_fits_three_desktop_screens_with_controls_and_summary_on_top(desktop):
    page = desktop("/country/KEN")
    height = _height(page)
    assert height <= MAX_DESKTOP_HEIGHT, f"/country/KEN is {height} px tall at 1280x900"
    # the group and series controls and the summary sit in the first screen, under the h1
    for selector in (f"#{ids.COUNTRY_GROUP}", f"#{ids.COUNTRY_SERIES}", ".country-summary"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= DESKTOP["height"], selector
    expect(page.locator(".country-summary")).to_contain_text(
        re.compile(r"Kenya: \d+ of \d+ expected splits for persons with disabilities")
    )
    # the missing splits are grouped by goal, collapsed, with counts
    goals = page.locator(f"#{ids.COUNTRY_MISSING} details > summary")
    assert goals.count() >= 1
    expect(goals.first).to_have_text(re.compile(r"^Goal \d+ \u2014 \d+ missing$"))
    assert page.locator(f"#{ids.COUNTRY_MISSING} details[open]").count() == 0


def test_no_sideways_scrolling_on_a_phone(phone):
    for path in ("/country/KEN", "/country/NPL?series=SL_TLF_UEMDIS"):
        page = phone(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide at 375 px"
        # wide tables scroll in their own region, which the keyboard reaches
        for region in page.locator(".country-page .table-responsive:visible").all():
            assert region.get_attribute("tabindex") == "0"


# Kenya has a split by disability for most series, but by the poorest 40% for none: the page
# opens on a series Kenya publishes at all (its totals), not the first series alphabetically.
@pytest.mark.parametrize("path", ["/country/KEN", "/country/KEN?group=poorest40"])
def test_kenya_opens_on_a_series_it_has_data_for(desktop, path):
    page = desktop(path)
    chart = page.locator(f"#{ids.COUNTRY_TIMESERIES}")
    expect(chart.locator(".scatterlayer .trace").first).to_be_attached()
    expect(page.locator(f"#{ids.COUNTRY_DETAIL}")).not_to_contain_text("No data for this selection")


def test_a_total_only_series_says_why_it_has_no_group_line(desktop):
    page = desktop(f"/country/KEN?series={realshape.TOTAL_ONLY_SERIES}")
    detail = page.locator(f"#{ids.COUNTRY_DETAIL}")
    expect(detail).to_contain_text(re.compile(r"Kenya publishes this series \d+ times"))
    expect(detail).to_contain_text("never split by disability")
    expect(detail).not_to_contain_text("No data for this selection")


def test_official_and_community_values_are_separate_labelled_traces(desktop):
    page = desktop(f"/country/NPL?series={realshape.COMMUNITY_SERIES}")
    legend = page.locator(f"#{ids.COUNTRY_TIMESERIES} .legendtext")
    expect(legend.first).to_be_attached()
    names = legend.all_text_contents()
    assert any(n.startswith("Persons with disabilities") and "(official)" in n for n in names), (
        names
    )
    assert any(n.startswith("Persons with disabilities") and "(community)" in n for n in names), (
        names
    )
    assert not any(n in {"Group", "Reference"} for n in names), names
    # the reference is named by its code's label, not "reference"
    assert any(n.startswith("Persons without disabilities") for n in names), names
    summary = page.locator(f"#{ids.COUNTRY_TIMESERIES_SUMMARY}")
    expect(summary).to_contain_text("(community)")


@pytest.mark.parametrize("path", ["/country/KEN", "/country/NPL?series=SL_TLF_UEMDIS"])
def test_words_not_codes(desktop, path):
    page = desktop(path)
    for summary in page.locator(".country-page details > summary").all():
        summary.click()  # everything expanded: the provenance and status tables too
    text = page.locator(".country-page").inner_text()
    found = RAW_CODES.findall(text)
    assert found == [], f"codes shown on {path}: {sorted(set(found))}"
