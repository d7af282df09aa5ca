"""Drill-down: map click and matrix links open the country page; the country page's sections."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from layouts import ids
from tests.browser.helpers import (
    MAP,
    TABLE_MOUNT_MS,
    control,
    link_in,
    open_overview,
    path,
    query,
    shape_centre,
    url_pattern,
)


def _country_page_loaded(page, name):
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}: who is in the data?")


def test_clicking_a_country_on_the_map_opens_its_page_with_the_filters(page, live_server):
    open_overview(page, live_server.url, "?mode=values&group=women&source=official")
    x, y = shape_centre(page, "KEN")
    # the hover label names the country under the pointer before the click
    page.mouse.move(x, y)
    expect(page.locator(f"{MAP} .hoverlayer .hovertext")).to_contain_text("Kenya")
    page.mouse.click(x, y)

    expect(page).to_have_url(
        url_pattern("/country/KEN", mode="values", group="women", source="official")
    )
    _country_page_loaded(page, "Kenya")
    expect(control(page, "Population group")).to_have_value("women")
    back = page.get_by_role("link", name="Back to the map")
    expect(back).to_have_attribute("href", "/?mode=values&group=women&source=official")

    back.click()  # and back again: the overview restores the same filters
    expect(page).to_have_url(url_pattern("/", mode="values", group="women", source="official"))
    expect(page.get_by_role("radio", name="Values", exact=True)).to_be_checked()
    expect(control(page, "Population group")).to_have_value("women")


def test_a_link_in_the_maps_table_opens_the_country(page, live_server):
    open_overview(page, live_server.url, "?group=older")
    page.get_by_role("button", name="Show the map's data as a table").click()
    link = page.locator(f"#{ids.MAP_TABLE}").get_by_role("link", name="Kenya", exact=True)
    expect(link).to_have_attribute("href", "/country/KEN?group=older", timeout=TABLE_MOUNT_MS)
    link.click()
    expect(page).to_have_url(url_pattern("/country/KEN", group="older"))
    _country_page_loaded(page, "Kenya")
    expect(control(page, "Population group")).to_have_value("older")


def test_matrix_cells_link_to_the_country_and_group(page, live_server):
    page.goto(live_server.at("/matrix?source=official"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coverage matrix")
    cell = page.locator(link_in(ids.MATRIX_TABLE, "/country/KEN?group=women&source=official"))
    expect(cell).to_have_count(1)
    expect(cell).to_have_text(re.compile(r"^(\d+% \(\d+/\d+\)|\u2014)$"))  # "40% (2/5)"
    # every cell of every row is a link (a row header + 10 groups per country)
    cells = page.locator(f"#{ids.MATRIX_TABLE} tbody td")
    assert cells.count() >= 150 * 10
    assert page.locator(f"#{ids.MATRIX_TABLE} tbody td > a[href^='/country/']").count() == (
        cells.count()
    )
    cell.click()

    expect(page).to_have_url(url_pattern("/country/KEN", group="women", source="official"))
    _country_page_loaded(page, "Kenya")
    expect(control(page, "Population group")).to_have_value("women")

    page.go_back()  # the matrix is still there with its filter
    expect(page).to_have_url(url_pattern("/matrix", source="official"))
    expect(control(page, "Source type")).to_have_value("official")
    nga_older = page.locator(link_in(ids.MATRIX_TABLE, "/country/NGA?group=older&source=official"))
    expect(nga_older).to_be_visible()
    nga_older.click()
    expect(page).to_have_url(url_pattern("/country/NGA", group="older", source="official"))
    _country_page_loaded(page, "Nigeria")
    expect(control(page, "Population group")).to_have_value("older")


def test_a_status_matrix_whose_answer_was_lost_is_asked_for_again(browser, live_server):
    """On a dropped connection the table never came: the next click on the summary asks again.

    A page of its own: the lost answer is logged as an error, which the ``page`` fixture fails.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.at("/country/KEN"))
    _country_page_loaded(page, "Kenya")
    matrix = ids.COUNTRY_STATUS_MATRIX_BODY
    sent: list[str] = []

    def drop_first(route):
        sent.append(route.request.post_data or "")
        if matrix in sent[-1] and sum(matrix in b for b in sent) == 1:
            route.abort()  # the first answer is lost
        else:
            route.continue_()

    page.route("**/_dash-update-component*", drop_first)
    summary = page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} details > summary")
    summary.click()  # opened: asked, lost
    expect(page.locator(f"#{matrix}")).to_contain_text("Loading the table")
    summary.click()  # closed: the table is still missing, so it is asked for again
    summary.click()  # opened
    expect(page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} table")).to_be_visible()
    assert sum(matrix in b for b in sent) >= 2
    context.close()


def test_the_country_page_shows_every_section(page, live_server):
    page.goto(live_server.at("/country/KEN?group=women"))
    _country_page_loaded(page, "Kenya")

    scorecard = page.locator(f"#{ids.COUNTRY_SCORECARD} table")
    expect(scorecard).to_be_visible()
    expect(scorecard.locator("tbody tr")).to_have_count(10)  # one row per group
    expect(scorecard).to_contain_text("Persons with disabilities")

    # the status matrix (hundreds of rows on real data) is collapsed, and sent, when asked for
    status = page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} table")
    expect(status).to_have_count(0)
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.post_data or "") if "_dash-update-component" in r.url else None,
    )
    summary = page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} details > summary")
    summary.click()
    expect(status).to_be_visible()
    expect(status.locator("thead th")).to_have_count(11)  # series + 10 groups
    expect(status).to_contain_text("Disaggregated (recent)")
    assert len(asked) == 1 and ids.COUNTRY_STATUS_MATRIX_BODY in asked[0]
    summary.click()  # closed and opened again: the table stays, nothing is asked again
    summary.click()
    expect(status).to_be_visible()
    page.wait_for_timeout(500)
    assert len(asked) == 1

    # the missing splits: one collapsed block per SDG goal, with its count
    goal = page.locator(f"#{ids.COUNTRY_MISSING} details > summary").first
    expect(goal).to_have_text(re.compile(r"^Goal \d+ \u2014 \d+ missing$"))
    goal.click()
    expect(page.locator(f"#{ids.COUNTRY_MISSING} li").first).to_contain_text("split by")

    chart = page.locator(f"#{ids.COUNTRY_TIMESERIES}")
    expect(chart.locator(".scatterlayer .trace").first).to_be_attached()
    years = chart.locator(".xtick text").all_text_contents()
    assert years and len(years) == len(set(years)), f"year ticks repeat: {years}"
    summary = page.locator(f"#{ids.COUNTRY_TIMESERIES_SUMMARY}")
    expect(summary).to_contain_text(" in 20")  # "<line> <value> in <year>"
    table = page.locator(f"#{ids.COUNTRY_TIMESERIES_TABLE} table")
    expect(table).to_be_hidden()  # inside a closed <details>
    page.get_by_text("Show the data as a table").click()
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 1

    provenance = page.locator(f"#{ids.COUNTRY_PROVENANCE} table")
    expect(provenance).to_be_hidden()  # collapsed: up to 400 rows
    page.locator(f"#{ids.COUNTRY_PROVENANCE} details > summary").click()
    expect(provenance).to_be_visible()
    expect(provenance.locator("thead")).to_contain_text("Source row")
    assert provenance.locator("tbody tr").count() >= 1
    expect(page.locator(f"#{ids.COUNTRY_SIDE_BY_SIDE}")).to_be_visible()

    # choosing another series redraws the detail and keeps it in the link
    series = control(page, "Series")
    other = series.locator("option:not([disabled])").nth(1).get_attribute("value")
    series.select_option(other)
    expect(page).to_have_url(url_pattern("/country/KEN", group="women", series=other))
    title = series.locator(f"option[value='{other}']").text_content().rsplit(" (", 1)[0]
    expect(summary).to_contain_text(title)  # the series' title, not its code


def test_an_unknown_country_gets_a_friendly_page(page, live_server):
    page.goto(live_server.at("/country/XXX"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Country not found")
    expect(page.get_by_text("There is no country or area with the code")).to_be_visible()
    page.get_by_role("link", name="Go to the map").click()
    expect(page).to_have_url(url_pattern("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("missing from the data")


@pytest.mark.parametrize("where", ["/", "/matrix", "/country/KEN", "/country/XXX", "/nowhere"])
def test_every_page_labels_the_demo_data_and_credits_the_datasets(page, live_server, where):
    page.goto(live_server.at(where))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    banner = page.locator(f"#{ids.DEMO_BANNER}")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Illustrative demo data")
    expect(banner).to_contain_text("NOT a real statistic")
    footer = page.get_by_role("contentinfo")
    expect(footer).to_have_count(1)
    expect(footer).to_contain_text("Data in use")
    datasets = footer.locator(f"#{ids.FOOTER_DATASETS} li")
    assert datasets.count() >= 1
    expect(datasets.first).to_contain_text("Licence:")
    expect(datasets.first).to_contain_text("illustrative")
    assert path(page) == where and query(page) == {}


def test_a_page_comes_with_the_layout_and_links_still_route(page, live_server):
    """No router callback on load (the layout carries the page); navigation still routes."""
    routed: list[str] = []

    def note(request):
        if "/_dash-update-component" in request.url and "_pages_content" in (
            request.post_data or ""
        ):
            routed.append(request.url)

    page.on("request", note)
    open_overview(page, live_server.url, "?group=older")
    expect(control(page, "Population group")).to_have_value("older")
    page.wait_for_load_state("networkidle")
    assert routed == []
    # the layout and the callbacks' list were asked for by the page's <head> (preload), while
    # the scripts loaded, and Dash used those answers: one request each
    fetched = page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter(e => /_dash-(layout|dependencies)$/.test(e.name))
            .map(e => [e.name.split('/').pop(), e.initiatorType])"""
    )
    assert sorted(fetched) == [["_dash-dependencies", "link"], ["_dash-layout", "link"]]
    page.get_by_role("link", name="Coverage matrix", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/matrix"))
    expect(page.locator(f"#{ids.MATRIX_HEADING}")).to_be_visible()
    assert len(routed) == 1  # a link's page comes from the router, as before
    page.go_back()
    expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Map of")
    expect(control(page, "Population group")).to_have_value("older")
