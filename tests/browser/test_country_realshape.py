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
    # the graphs are drawn by a script loaded on demand, after the callbacks: measure the page
    # once every one of them is drawn
    # (a function, not an expression: Playwright polls an expression with eval, which the
    # app's Content-Security-Policy refuses)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.dash-graph')]"
        ".every(g => g.querySelector('.main-svg'))"
    )
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
    # (a markup block, rendered once its script has loaded: the expect waits for it)
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
    _expand(page, ".country-page")  # everything expanded: the provenance and status tables too
    text = page.locator(".country-page").inner_text()
    found = RAW_CODES.findall(text)
    assert found == [], f"codes shown on {path}: {sorted(set(found))}"


# -- issue #7: reasons in words, progress over time ------------------------------------------
def _expand(page: Page, selector: str) -> None:
    """Open every collapsed ``<details>`` under ``selector``, outer ones first, and check it.

    The lists and tables are markup blocks (``dcc.Markdown``), which render once their script
    has loaded: wait for the first summary rather than take a snapshot of none.
    """
    expect(page.locator(f"{selector} details > summary").first).to_be_attached()
    closed = page.locator(f"{selector} details:not([open]) > summary")
    for _ in range(200):  # bounded: a click that opened nothing must not loop for ever
        if closed.count() == 0:
            break
        closed.first.click()
    expect(page.locator(f"{selector} details:not([open])")).to_have_count(0)


def test_reasons_are_written_beside_statuses(desktop):
    page = desktop(f"/country/KEN?series={realshape.TOTAL_ONLY_SERIES}")
    # the summary sentence counts the reasons in words
    expect(page.locator(".country-summary")).to_contain_text(re.compile(r"Reasons: .*Not split"))
    # the missing splits: the never-split series says so, with how often it is published
    _expand(page, f"#{ids.COUNTRY_MISSING}")
    missing = page.locator(f"#{ids.COUNTRY_MISSING} li", has_text="split by Persons with disab")
    expect(missing.first).to_be_visible()
    text = page.locator(f"#{ids.COUNTRY_MISSING}").inner_text()
    assert re.search(r"Not split \u2014 published \d+ times, never by disability", text), text[:800]
    # the status matrix: status and reason in words in the same cell
    _expand(page, f"#{ids.COUNTRY_STATUS_MATRIX}")
    expect(
        page.locator(
            f"#{ids.COUNTRY_STATUS_MATRIX} td", has_text="Totals only \u2014 Not split"
        ).first
    ).to_be_visible()
    # one key explains every reason in a sentence
    key = page.locator(f"#{ids.COUNTRY_REASONS_KEY}")
    expect(key.locator("summary")).to_have_text("What the reasons mean")
    _expand(page, f"#{ids.COUNTRY_REASONS_KEY}")
    expect(key).to_contain_text(
        "The country publishes this series, but never split for this group."
    )
    assert key.locator("dt").count() == 9


def test_progress_chart_sentence_and_table_agree(desktop):
    page = desktop("/country/KEN")
    summary = page.locator(f"#{ids.COUNTRY_PROGRESS_SUMMARY}")
    expect(summary).to_contain_text(
        re.compile(
            r"Kenya: \d+ of \d+ expected splits for persons with disabilities had an official "
            r"value in 2015, \d+ of \d+ in \d{4}"
        )
    )
    # the chart sits beside the sentence, near the group summary, and is small; the graph is
    # drawn by a script loaded on demand, so it can arrive after the sentence
    expect(page.locator(f"#{ids.COUNTRY_PROGRESS} .js-plotly-plot")).to_be_visible()
    box = page.locator(f"#{ids.COUNTRY_PROGRESS}").bounding_box()
    assert box and box["height"] <= 260, box
    # the table is collapsed; the keyboard opens it (Tab to the summary, Enter)
    table = page.locator(f"#{ids.COUNTRY_PROGRESS_TABLE}")
    expect(table).to_be_hidden()
    opener = page.locator("#country-progress-section details > summary")
    opener.focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    rows = [
        [c.strip() for c in r.locator("th, td").all_inner_texts()]
        for r in table.locator("tbody tr").all()
    ]
    assert rows and rows[0][0] == "2015"
    first = re.search(
        r"(\d+) of (\d+) expected splits .* in 2015, (\d+) of (\d+) in (\d{4})",
        summary.inner_text(),
    )
    assert rows[0][1:3] == [first[1], first[2]]
    assert rows[-1][:3] == [first[5], first[3], first[4]]
    # the chart draws the same numbers as the table
    ys = page.evaluate(
        f"document.querySelector('#{ids.COUNTRY_PROGRESS} .js-plotly-plot').data[0].y"
    )
    xs = page.evaluate(
        f"document.querySelector('#{ids.COUNTRY_PROGRESS} .js-plotly-plot').data[0].x"
    )
    assert [str(int(x)) for x in xs] == [r[0] for r in rows]
    assert [str(int(y)) for y in ys] == [r[1] for r in rows]


def test_another_countrys_national_series_says_it_does_not_apply(desktop):
    page = desktop(f"/country/KEN?series={realshape.UK_SERIES}")
    detail = page.locator(f"#{ids.COUNTRY_DETAIL}")
    expect(detail).to_contain_text(
        "This series is published only for United Kingdom: it does not apply to Kenya."
    )
    expect(detail).not_to_contain_text("Kenya has no value of this series")


def test_a_group_change_keeps_the_missing_splits_as_shown(desktop):
    """They depend on the country and source only: the callback leaves them (no_update)."""
    page = desktop("/country/KEN")
    goal = page.locator(f"#{ids.COUNTRY_MISSING} details").first
    goal.locator("summary").click()
    expect(goal).to_have_attribute("open", "")
    before = page.locator(f"#{ids.COUNTRY_MISSING}").inner_text()
    page.get_by_label("Population group", exact=True).select_option("women")
    expect(page).to_have_url(re.compile(r"group=women"))
    expect(page.locator(".country-summary")).to_contain_text("women and girls")
    expect(goal).to_have_attribute("open", "")  # the same list, still expanded
    assert page.locator(f"#{ids.COUNTRY_MISSING}").inner_text() == before
    expect(page.locator(f"#{ids.COUNTRY_MISSING} li").first).to_contain_text("split by")
