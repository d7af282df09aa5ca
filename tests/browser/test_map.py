"""The overview map as a person uses it: modes, filters in the URL, links, reload, back button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from layouts import ids
from tests.browser.helpers import (
    MIN_SHAPES,
    OVERVIEW_SENTENCES,
    SHAPES,
    control,
    drawn,
    figure_traces,
    open_overview,
    query,
    shape_centre,
    signature,
    url_pattern,
    wait_for_redraw,
    wait_for_shapes,
)

MODE_LABELS = {"gaps": "Data gaps", "values": "Values", "disparity": "Disparity"}


def _summary(page):
    return page.locator(f"#{ids.MAP_SUMMARY}")


def _assert_mode_drawn(page, mode):
    """The summary, the figure and the shapes all say the map is in ``mode``."""
    expect(_summary(page)).to_contain_text(OVERVIEW_SENTENCES[mode])
    if mode == "values":  # "Map of <series> ..." but not the other two sentences
        expect(_summary(page)).not_to_contain_text("coverage")
        expect(_summary(page)).not_to_contain_text("gap between")
    expect(page.get_by_role("radio", name=MODE_LABELS[mode], exact=True)).to_be_checked()
    assert wait_for_shapes(page) >= MIN_SHAPES
    main = figure_traces(page)[1]  # [no-data layer, coloured layer, status markers...]
    assert main["type"] == "choropleth"
    if mode == "disparity":
        assert main["zmid"] == 0, "the disparity scale must be centred on parity"
    # every coloured shape has a number behind it
    values = [z for z, _ in drawn(page).values()]
    assert sum(v is not None for v in values) >= 1


@pytest.mark.parametrize("mode", ["gaps", "values", "disparity"])
def test_each_mode_from_the_url_draws_the_world(page, live_server, mode):
    page.goto(live_server.at(f"/?mode={mode}"))
    _assert_mode_drawn(page, mode)
    assert page.locator(SHAPES).count() >= MIN_SHAPES


def test_each_mode_through_the_mode_control(page, live_server):
    open_overview(page, live_server.url)
    _assert_mode_drawn(page, "gaps")
    before = signature(page)
    for mode in ("values", "disparity", "gaps"):
        page.get_by_role("radio", name=MODE_LABELS[mode], exact=True).check()
        if mode == "gaps":  # the default is left out of the link
            expect(page).to_have_url(url_pattern("/"))
            page.wait_for_function("() => !location.search.includes('mode=')")
        else:
            expect(page).to_have_url(url_pattern("/", mode=mode))
        before = wait_for_redraw(page, before)
        _assert_mode_drawn(page, mode)


def test_changing_the_group_changes_the_map_and_the_url(page, live_server):
    open_overview(page, live_server.url)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("persons with disabilities")
    before_map, before_sig = drawn(page), signature(page)

    control(page, "Population group").select_option(label="Women and girls")

    expect(page).to_have_url(url_pattern("/", group="women"))
    expect(heading).to_contain_text("women and girls")
    expect(_summary(page)).to_contain_text("women and girls")
    wait_for_redraw(page, before_sig)
    after_map = drawn(page)
    assert len(after_map) >= MIN_SHAPES
    changed = [c for c in after_map if c in before_map and after_map[c] != before_map[c]]
    assert len(changed) >= 10, "the map should colour countries by the new group's coverage"

    # the radio control too: values mode keeps the group and adds the mode to the link
    page.get_by_role("radio", name="Values", exact=True).check()
    expect(page).to_have_url(url_pattern("/", group="women", mode="values"))


LINK = "/?mode=values&group=women&region=002&source=official"
LINK_QUERY = {"mode": "values", "group": "women", "region": "002", "source": "official"}


def _assert_link_state(page):
    """The controls and the map show what ``LINK`` asks for."""
    expect(page.get_by_role("radio", name="Values", exact=True)).to_be_checked()
    expect(control(page, "Population group")).to_have_value("women")
    expect(control(page, "Region")).to_have_value("002")
    expect(control(page, "Source type")).to_have_value("official")
    expect(page.get_by_role("heading", level=1)).to_contain_text("women and girls")
    expect(_summary(page)).to_contain_text("for women and girls in Africa")
    # the map shows Africa: Kenya is coloured, France is not part of the selection
    wait_for_shapes(page, 40)
    shown = set(figure_traces(page)[1]["locations"]) | set(figure_traces(page)[0]["locations"])
    assert {"KEN", "NGA", "ZAF"} <= shown
    assert not {"FRA", "BRA", "CHN"} & shown
    expect(page.locator(f"#{ids.OVERVIEW_NOTICE}")).to_be_empty()


def test_a_link_with_parameters_reproduces_the_state_and_reload_keeps_it(page, live_server):
    page.goto(live_server.at(LINK))
    _assert_link_state(page)
    assert query(page) == LINK_QUERY

    page.reload()
    _assert_link_state(page)
    assert query(page) == LINK_QUERY


def test_the_back_button_restores_the_previous_state(page, live_server):
    open_overview(page, live_server.url)
    first = signature(page)
    control(page, "Population group").select_option("women")
    expect(page).to_have_url(url_pattern("/", group="women"))
    women = wait_for_redraw(page, first)
    page.get_by_role("radio", name="Disparity", exact=True).check()
    expect(page).to_have_url(url_pattern("/", group="women", mode="disparity"))
    wait_for_redraw(page, women)

    page.go_back()
    expect(page).to_have_url(url_pattern("/", group="women"))
    assert "mode" not in query(page)
    expect(page.get_by_role("radio", name="Data gaps", exact=True)).to_be_checked()
    expect(control(page, "Population group")).to_have_value("women")
    expect(_summary(page)).to_contain_text("Map of data coverage for women and girls")
    page.wait_for_function(
        "([sel, sig]) => JSON.stringify(Object.fromEntries([...document.querySelectorAll(sel)]"
        ".map(p => [p.__data__.loc, [p.__data__.z, getComputedStyle(p).fill]]))) === sig",
        arg=[SHAPES, women],
    )

    page.go_back()
    expect(page).to_have_url(url_pattern("/"))
    assert query(page) == {}
    expect(control(page, "Population group")).to_have_value("disability")
    expect(page.get_by_role("heading", level=1)).to_contain_text("persons with disabilities")


def test_invalid_parameters_show_a_notice_and_fall_back_to_defaults(page, live_server):
    page.goto(live_server.at("/?group=nobody&mode=x&region=999"))
    notice = page.locator(f"#{ids.OVERVIEW_NOTICE}")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("not understood")
    expect(notice).to_contain_text("nobody")
    expect(notice).to_contain_text("persons with disabilities")  # what is shown instead
    expect(notice).to_contain_text("999")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Where are persons with disabilities missing from the data?"
    )
    expect(control(page, "Population group")).to_have_value("disability")
    expect(control(page, "Region")).to_have_value("001")
    expect(page.get_by_role("radio", name="Data gaps", exact=True)).to_be_checked()
    assert wait_for_shapes(page) >= MIN_SHAPES
    expect(_summary(page)).to_contain_text("Map of data coverage for persons with disabilities")


def test_legend_hover_summary_and_disclaimer(page, live_server):
    open_overview(page, live_server.url, "?group=women&mode=values")
    legend = page.locator(f"#{ids.MAP_LEGEND}")
    expect(legend).to_be_visible()
    for status in (
        "Disaggregated (recent)",
        "Outdated split",
        "Community data only",
        "Totals only",
        "No data",
    ):
        expect(legend).to_contain_text(status)
    # never colour alone: the HTML legend shows each status' symbol; it is the only legend
    # (plotly's own repeated it and was cut on phones)
    glyphs = legend.locator(".legend-glyph").all_text_contents()
    assert len(glyphs) == 5 and len(set(glyphs)) == 5
    assert page.locator(f"#{ids.MAP_GRAPH} .legend").count() == 0

    disclaimer = page.locator(f"#{ids.MAP_DISCLAIMER}")
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text("do not imply official endorsement")
    expect(_summary(page)).to_contain_text("countries have a value; lowest")

    x, y = shape_centre(page, "BRA")
    page.mouse.move(x, y)
    hover = page.locator(f"#{ids.MAP_GRAPH} .hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    text = hover.text_content()
    assert text.startswith("Brazil")
    for label in ("Value:", "Period:", "Source:", "Nature:", "Status:"):
        assert label in text, f"hover lacks {label!r}: {text!r}"
