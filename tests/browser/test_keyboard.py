"""Keyboard only (issue #10): a whole task with no mouse, and no keyboard trap on any page.

The walkthrough chooses a group, opens a country from the map's table, shows a chart as a
table and downloads its data, with Tab, arrow keys, Enter and typed text only; an init script
counts pointer events, and the test fails if there was any.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from layouts import ids
from layouts.i18n import group_label
from tests.browser.helpers import TABLE_MOUNT_MS, tab_round, wait_for_shapes

FIRST_PAGE_MS = 90_000  # the first page of a session may wait for the app's warm-up
POINTER_COUNTER = """
window.__pointer = 0;
for (const kind of ['pointerdown', 'mousedown', 'touchstart', 'wheel'])
    window.addEventListener(kind, () => { window.__pointer += 1; }, true);
"""


def any_map_drawn(page) -> None:
    """Wait until a map (the overview's or the embed page's) draws its country shapes."""
    page.wait_for_function(
        "() => document.querySelectorAll('path.choroplethlocation').length >= 150"
    )


def tab_to(page, selector: str, limit: int = 400, key: str = "Tab"):
    """Press Tab until the focused element matches ``selector``; return its locator."""
    page.locator(selector).first.wait_for(state="attached")  # drawn by a callback: wait
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.locator(":focus")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_whole_task_with_the_keyboard_only(page, live_server):
    page.add_init_script(POINTER_COUNTER)
    page.goto(live_server.at("/"), timeout=FIRST_PAGE_MS)
    wait_for_shapes(page)
    summary = page.locator(f"#{ids.MAP_SUMMARY}")
    expect(summary).to_have_attribute("aria-live", "polite")
    expect(summary).to_contain_text("Map of")

    # 1. choose a group: Tab to the group filter, then an arrow key (a native <select>)
    group = tab_to(page, f"#{ids.FILTER_GROUP}")
    before = group.input_value()
    page.keyboard.press("ArrowDown")
    expect(group).not_to_have_value(before)
    chosen = group.input_value()
    page.wait_for_url(lambda url: f"group={chosen}" in url)
    # the polite live region says what the map shows now, in words
    expect(summary).to_contain_text(group_label(chosen, "en"))
    expect(summary).to_contain_text("countries")

    # 2. open a country without the map: the map's data as a table, then a country's link
    tab_to(page, f"[aria-controls='{ids.MAP_TABLE}']")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{ids.MAP_TABLE} table")).to_be_visible(timeout=TABLE_MOUNT_MS)
    link = tab_to(page, f"#{ids.MAP_TABLE} a[href^='/country/']")
    href = link.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: href.split("?")[0] in url)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(":", timeout=FIRST_PAGE_MS)
    expect(page.get_by_label("Population group", exact=True)).to_have_value(chosen)

    # 3. show the time series chart as a table
    tab_to(page, f"details:has(#{ids.COUNTRY_TIMESERIES_TABLE}) > summary")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{ids.COUNTRY_TIMESERIES_TABLE} table")).to_be_visible()

    # 4. download the country's data as CSV (Enter on the link)
    csv_link = tab_to(page, "a[download][href*='.csv']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as fh:
        assert fh.read().count(b"\n") >= 2
    expect(csv_link).to_be_focused()  # focus stays where it was

    assert page.evaluate("window.__pointer") == 0, "the task used a pointer"


def test_a_country_by_typing_its_name_in_the_search(page, live_server):
    page.add_init_script(POINTER_COUNTER)
    page.goto(live_server.at("/matrix"), timeout=FIRST_PAGE_MS)
    tab_to(page, f"#{ids.SEARCH_INPUT}")
    page.keyboard.type("Kenya")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/country/KEN"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya", timeout=FIRST_PAGE_MS)
    assert page.evaluate("window.__pointer") == 0


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/matrix",
        "/country/KEN",
        "/embed?view=map",
        "/country/KEN/brief",
        "/login",
        "/?lang=ar",
    ],
)
def test_tab_goes_round_every_page_with_a_visible_focus_and_no_trap(page, live_server, path):
    """Tab from the top reaches every focusable element in turn and comes back round."""
    page.goto(live_server.at(path), timeout=FIRST_PAGE_MS)
    expect(page.locator("h1")).to_have_count(1, timeout=FIRST_PAGE_MS)
    if path in ("/", "/embed?view=map", "/?lang=ar"):
        any_map_drawn(page)
    page.wait_for_load_state("networkidle")
    total, seen = tab_round(page, f"on {path}")
    assert total >= 1
    assert len(seen) >= min(total, 3)
    assert len(set(seen)) == len(seen), f"focus came twice to an element: {seen}"
    no_ring = [k for k in seen if k.startswith("NORING:")]
    assert no_ring == [], f"no visible focus: {no_ring[:5]}"
