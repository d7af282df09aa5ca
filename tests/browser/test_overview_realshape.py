"""The overview, the matrix and the shell on a store with the shape of real data (issue #6).

Items 1 (a failure says so), 5 (honest empty states), 7 (no year in gaps mode), 8 (markers and
one legend), 9 (404, colour key, both sort orders), 10 (country search by keyboard),
11 (busy indicator) and 12 (phones). ``realshape_server`` serves tests/realshape.py in its own
process: > 127 series, the demo datasets, a UK Open SDG dataset, a Nepal community dataset.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from layouts import ids
from tests.browser.helpers import MAP, figure_traces, wait_for_shapes

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
SLOW_MS = 1500  # a slow link: every callback answer is held this long


def _page(browser, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(60_000)  # the first page of a new process is slow
    return page


def _overview(page: Page, server, search: str = "") -> None:
    page.goto(server.at(f"/{search}"))
    wait_for_shapes(page)
    expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Map of")


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(widths[:2]) <= widths[2], f"page scrolls sideways: {widths}"


@pytest.fixture
def open_page(browser):
    pages: list[Page] = []

    def go(viewport: dict) -> Page:
        pages.append(_page(browser, viewport))
        return pages[-1]

    yield go
    for p in pages:
        p.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_overview_fits_the_width_with_one_readable_legend(open_page, realshape_server, viewport):
    page = open_page(viewport)
    _overview(page, realshape_server)
    _no_sideways_scroll(page)
    # one legend: the HTML one, inside the screen's width; plotly draws none (it was cut)
    assert page.locator(f"{MAP} .legend").count() == 0
    legend = page.locator(f"#{ids.MAP_LEGEND}")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("10\u201324%")
    box = legend.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    # a usable map on a phone (it was ~180 px)
    assert page.locator(MAP).bounding_box()["height"] >= 300


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_matrix_fits_the_width_and_has_a_colour_key(open_page, realshape_server, viewport):
    page = open_page(viewport)
    page.goto(realshape_server.at("/matrix"))
    expect(page.locator(f"#{ids.MATRIX_TABLE} table")).to_be_visible()
    _no_sideways_scroll(page)
    key = page.get_by_role("region", name="Colour key")
    expect(key).to_contain_text("0%")
    expect(key).to_contain_text("No series expected")


def test_matrix_sorts_by_a_group_both_ways(open_page, realshape_server):
    page = open_page(DESKTOP)
    page.goto(realshape_server.at("/matrix"))
    sort = page.get_by_label("Sort by")
    expect(sort.locator("option", has_text="lowest coverage first")).to_have_count(10)
    # once the page's first answers are in (a choice made while one is in flight can be
    # overwritten by it on a loaded machine: a known race, flaked once in CI)
    page.wait_for_load_state("networkidle")
    sort.select_option(label="Persons with disabilities: lowest coverage first")
    expect(page).to_have_url(realshape_server.at("/matrix?sort=disability-asc"))
    first = page.locator(f"#{ids.MATRIX_TABLE} tbody tr").first.locator("td").first
    expect(first).to_contain_text("0%")


def test_coverage_markers_do_not_overstate(open_page, realshape_server):
    page = open_page(DESKTOP)
    _overview(page, realshape_server)
    markers = {t["n"] for t in figure_traces(page)[2:3]}  # the "Disaggregated (recent)" layer
    assert markers == {0}, "a country with some coverage got the 'Disaggregated' marker"


def test_year_filter_only_where_it_is_used(open_page, realshape_server):
    page = open_page(DESKTOP)
    _overview(page, realshape_server)
    year = page.locator(f"#{ids.FILTER_YEAR}")
    expect(year).to_be_hidden()  # gaps mode: statuses always use each series' newest data
    page.get_by_label("Values").check()
    expect(year).to_be_visible()


@pytest.mark.parametrize(
    ("group", "says"),
    [
        # only the demo's community surveys split by sex: who has them, not "Algeria (0%)"
        ("women", "countries have community data split for this group"),
        # no community dataset splits by location: say so, and how to add one
        ("rural", "No community-generated data for the rural population"),
    ],
)
def test_community_source_renders_a_map_and_an_honest_summary(
    open_page, realshape_server, group, says
):
    page = open_page(DESKTOP)
    response = page.goto(realshape_server.at(f"/?source=community&group={group}"))
    assert response.status == 200
    wait_for_shapes(page)
    summary = page.locator(f"#{ids.MAP_SUMMARY}")
    expect(summary).to_contain_text(says)
    assert "(0%)" not in summary.inner_text() and "Highest coverage" not in summary.inner_text()


@pytest.mark.parametrize("path", ["/no/such/page", "/country/XXX"])
def test_unknown_paths_answer_404_with_the_friendly_page(open_page, realshape_server, path):
    page = open_page(DESKTOP)
    response = page.goto(realshape_server.at(path))
    assert response.status == 404
    expect(page.locator(f"#{ids.NOT_FOUND_HEADING}")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_country_search_by_keyboard(open_page, realshape_server, viewport):
    page = open_page(viewport)
    _overview(page, realshape_server)
    page.locator("body").focus()
    for presses in range(1, 6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == ids.SEARCH_INPUT:
            break
    assert page.evaluate("document.activeElement.id") == ids.SEARCH_INPUT, "not within 5 Tabs"
    assert presses <= 3
    page.keyboard.type("Kenya")
    page.keyboard.press("Enter")
    expect(page).to_have_url(realshape_server.at("/country/KEN"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya")


def test_busy_indicator_while_the_map_updates(open_page, realshape_server):
    page = open_page(DESKTOP)
    _overview(page, realshape_server)

    def slow(route):
        page.wait_for_timeout(SLOW_MS)
        route.continue_()

    page.route("**/_dash-update-component", slow)
    page.get_by_label("Population group").select_option("women")
    # one locator for both conditions: the indicator may be gone again by a second look
    busy = page.locator(".busy-indicator[role=status]").first
    expect(busy).to_be_visible(timeout=SLOW_MS * 2)
    expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("women and girls")
    expect(page.locator(".busy-indicator")).to_have_count(0)


def test_a_failing_update_says_so(page, live_server, monkeypatch):
    from layouts.pages import content

    page.goto(live_server.at("/"))
    wait_for_shapes(page)

    def broken(*args):
        raise RuntimeError("boom: internal detail")

    monkeypatch.setattr(content, "overview_payload", broken)
    page.get_by_label("Population group").select_option("women")
    alert = page.locator(f"#{ids.ERROR_REGION}")
    expect(alert).to_contain_text("Something went wrong")
    expect(alert).to_have_attribute("role", "alert")
    assert "boom" not in alert.inner_text() and "Traceback" not in page.content()


# -- issue #7 (reasons, progress) and the leftovers of #6 (compact footer, phone map) ---------
def test_status_map_legend_and_table_say_the_reasons_in_words(open_page, realshape_server):
    from tests import realshape

    page = open_page(DESKTOP)
    _overview(page, realshape_server, f"?series={realshape.TOTAL_ONLY_SERIES}")
    legend = page.locator(f"#{ids.MAP_LEGEND}")
    # per status present: its countries, then the reasons with their counts, in words
    expect(legend).to_contain_text(
        re.compile(r"Totals only: \d+ countr(y|ies) \u2014 \d+ not split")
    )
    expect(legend).to_contain_text(re.compile(r"No data: \d+ countries \u2014 \d+ "))
    page.locator(f"#{ids.MAP_TABLE_TOGGLE}").click()
    kenya = page.locator(f"#{ids.MAP_TABLE} tr", has_text="Kenya")
    expect(kenya).to_contain_text("Not split")  # the table's "Why" column


def test_coverage_map_names_the_most_common_gap_reason(open_page, realshape_server):
    page = open_page(DESKTOP)
    _overview(page, realshape_server)
    expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Most common reason for a gap:")
    expect(page.locator(f"#{ids.MAP_LEGEND}")).to_contain_text("country\u2013series gaps:")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_matrix_cells_say_their_main_gap_reason(open_page, realshape_server, viewport):
    page = open_page(viewport)
    page.goto(realshape_server.at("/matrix"))
    cells = page.locator(f"#{ids.MATRIX_TABLE} td")
    expect(cells.first).to_be_visible()
    texts = cells.all_inner_texts()
    lettered = [
        t for t in texts if re.fullmatch(r"\d+% \(\d+/\d+\) [NDOERCU]", " ".join(t.split()))
    ]
    assert len(lettered) >= len(texts) // 2, texts[:10]
    key = page.locator(f"#{ids.MATRIX_REASON_KEY}")
    expect(key).to_be_visible()
    expect(key).to_contain_text("N = Not split")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_progress_mode_maps_the_change_since_a_base_year(open_page, realshape_server, viewport):
    page = open_page(viewport)
    page.goto(realshape_server.at("/?mode=progress"))
    wait_for_shapes(page)
    summary = page.locator(f"#{ids.MAP_SUMMARY}")
    expect(summary).to_contain_text(
        re.compile(r"Since 2015, \d+ countries improved, \d+ declined, \d+ unchanged")
    )
    expect(page.locator(f"{MAP} .colorbar")).to_have_count(1)  # a diverging colour bar
    expect(page.locator(f"#{ids.MAP_LEGEND}")).to_contain_text("More splits than in 2015")
    expect(page.locator(f"#{ids.FILTER_SERIES}")).to_be_hidden()  # every expected series
    _no_sideways_scroll(page)
    page.locator(f"#{ids.MAP_TABLE_TOGGLE}").click()
    table = page.locator(f"#{ids.MAP_TABLE} table")
    expect(table).to_contain_text("Share in 2015")
    page.get_by_label("Base year").select_option("2018")
    expect(page).to_have_url(re.compile(r"mode=progress&base=2018"))
    expect(summary).to_contain_text("Since 2018")
    expect(table).to_contain_text("Share in 2018")
    page.reload()  # the URL keeps the state
    wait_for_shapes(page)
    expect(page.get_by_label("Base year")).to_have_value("2018")
    expect(summary).to_contain_text("Since 2018")


def test_footer_is_compact_and_keeps_the_demo_datasets_in_view(open_page, realshape_server):
    page = open_page(DESKTOP)
    page.goto(realshape_server.at("/country/KEN"))
    footer = page.get_by_role("contentinfo")
    summary = footer.locator(f"#{ids.FOOTER_SUMMARY}")
    expect(summary).to_contain_text(re.compile(r"Data in use: \d+ datasets \u2014 .*licences: "))
    expect(footer.locator(f"#{ids.FOOTER_DATASETS}")).to_be_hidden()  # in a closed <details>
    expect(footer.locator(f"#{ids.FOOTER_DEMO}")).to_be_visible()  # the invented data: in view
    expect(footer.locator(f"#{ids.FOOTER_DEMO} li").first).to_contain_text("illustrative")
    expect(footer).to_contain_text(re.compile(r"recent = the \d+ years up to \d{4}"))
    assert footer.bounding_box()["height"] < 400
    footer.get_by_text("Show every dataset").click()
    expect(footer.locator(f"#{ids.FOOTER_DATASETS}")).to_be_visible()


def test_phone_world_map_fills_its_box(open_page, realshape_server):
    page = open_page(PHONE)
    _overview(page, realshape_server)
    height = page.wait_for_function(
        """sel => { let top = 1e9, bottom = -1e9;
            for (const p of document.querySelectorAll(sel)) {
                const r = p.getBoundingClientRect();
                if (r.height > 0) {
                    top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
                }
            }
            const h = bottom - top; return h >= 280 ? h : false; }""",
        arg=f"{MAP} path.choroplethlocation",
        timeout=10_000,
    ).json_value()
    assert height >= 280
    _no_sideways_scroll(page)
