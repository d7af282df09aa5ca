"""Accessibility: axe-core, accessible names equal visible labels, landmarks, keyboard, focus.

axe 4.12 comes inside the axe-playwright-python wheel (injected from disk, no network).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from layouts import ids
from tests.browser.helpers import (
    MAP,
    TABLE_MOUNT_MS,
    open_overview,
    url_pattern,
    wait_for_shapes,
)

PAGES = ["/", "/matrix", "/country/KEN", "/?mode=progress"]
ROLE_OF = {
    "select": "combobox",
    "radio": "radio",
    "checkbox": "checkbox",
    "text": "textbox",
    "search": "combobox",  # the header's country search (an input with a datalist)
}
FILTER_IDS = [
    ids.FILTER_GROUP,
    ids.FILTER_GOAL,
    ids.FILTER_SERIES,
    ids.FILTER_YEAR,
    ids.FILTER_REGION,
    ids.FILTER_SOURCE,
]


@pytest.fixture(scope="module")
def axe():
    return Axe()


def settle(page, where):
    """Open a page and wait for what it shows last (the map, the matrix, the time series)."""
    page.goto(where)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if where.endswith("/"):
        wait_for_shapes(page)
        expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Map of")
    elif "/?lang=" in where:  # the map in another language (issue #10)
        wait_for_shapes(page)
    elif "mode=progress" in where:  # the progress map (issue #7): its summary says "Since"
        wait_for_shapes(page)
        expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Since")
    elif "/matrix" in where:
        expect(page.locator(f"#{ids.MATRIX_TABLE} table")).to_be_visible()
    elif "/country/" in where:
        expect(page.locator(f"#{ids.COUNTRY_TIMESERIES} .main-svg").first).to_be_attached()


def _describe(violations):
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("where", PAGES)
def test_axe_finds_no_violation(page, live_server, axe, where):
    settle(page, live_server.at(where))
    # No rule is excluded: the app uses native <select>s, not dcc.Dropdown (whose Dash 4
    # markup trips aria-hidden-focus inside dcc itself).
    assert page.locator(".dash-dropdown").count() == 0
    results = axe.run(page)
    violations = results.response["violations"]
    assert violations == [], _describe(violations)
    assert results.response["passes"], "axe ran no check at all"


def _labelled_controls(page):
    """[(label text, control id, control role)] for every visible <label for=...> on the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll('label[for]')]
            .filter(l => l.checkVisibility())  // hidden controls (the year in gaps mode)
            .map(l => {
            const c = document.getElementById(l.htmlFor);
            const kind = !c ? null : c.tagName === 'SELECT' ? 'select' : (c.type || 'text');
            return [l.textContent.trim(), l.htmlFor, kind];
        })"""
    )


@pytest.mark.parametrize("where", [*PAGES, "/?lang=ar", "/matrix?lang=es", "/country/KEN?lang=fr"])
def test_every_controls_accessible_name_is_its_visible_label(page, live_server, where):
    settle(page, live_server.at(where))
    labelled = _labelled_controls(page)
    assert len(labelled) >= 2
    for text, control_id, kind in labelled:
        assert kind in ROLE_OF, f"label {text!r} points at a missing or unknown control"
        by_label = page.get_by_label(text, exact=True)
        expect(by_label).to_have_count(1)
        expect(by_label).to_have_id(control_id)
        by_role = page.get_by_role(ROLE_OF[kind], name=text, exact=True)
        expect(by_role).to_have_count(1)
        expect(by_role).to_have_id(control_id)
        expect(by_role).to_have_accessible_name(text)
        if kind == "select":  # the name is the label, never the current value
            shown = by_role.evaluate("s => s.options[s.selectedIndex].text")
            assert shown != text
    # every visible form control is one of them (no unlabelled or value-named control)
    controls = page.evaluate(
        "() => [...document.querySelectorAll('select, input:not([type=hidden]), textarea, "
        "[role=combobox], [role=listbox]')].filter(c => c.checkVisibility()).map(c => c.id)"
    )
    assert sorted(controls) == sorted(c for _, c, _ in labelled)


def test_the_mode_radios_are_a_group_named_by_its_legend(page, live_server):
    settle(page, live_server.at("/"))
    group = page.get_by_role("group", name="Map shows", exact=True)
    expect(group).to_have_count(1)
    expect(group.get_by_role("radio")).to_have_count(4)  # gaps, values, disparity, progress
    expect(group.get_by_role("radio", name="Data gaps", exact=True)).to_be_checked()


@pytest.mark.parametrize("where", [*PAGES, "/country/XXX"])
def test_language_landmarks_and_one_h1(page, live_server, where):
    page.goto(live_server.at(where))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    # two navigation landmarks, told apart by their names: the site's and the languages'
    expect(page.get_by_role("navigation")).to_have_count(2)
    for name in ("Main", "Language and display"):
        expect(page.get_by_role("navigation", name=name, exact=True)).to_have_count(1)
    expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_count(1)
    assert page.title().endswith("LNOB Data-Gap Map")


def _focus_ring(page):
    """Outline or box shadow of the focused element (what a keyboard user sees)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
            return {id: document.activeElement.id, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; }"""
    )


def _visible_ring(ring):
    return (ring["outline"] != "none" and ring["width"] > 0) or ring["shadow"] != "none"


def test_keyboard_reaches_the_skip_link_first_then_every_filter_with_a_visible_focus(
    page, live_server
):
    open_overview(page, live_server.url)
    page.keyboard.press("Tab")
    skip = page.locator(f"#{ids.SKIP_LINK}")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    box = skip.bounding_box()  # visually hidden until focused, then shown
    assert box and box["width"] > 20 and box["height"] > 10
    assert _visible_ring(_focus_ring(page))

    page.keyboard.press("Enter")  # the skip link moves focus into <main>
    expect(page.get_by_role("main")).to_be_focused()

    # the year filter is hidden in "Data gaps" mode (it is not used there): reached below
    wanted = {*FILTER_IDS, "mode"} - {ids.FILTER_YEAR}
    seen: dict[str, dict] = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        ring = _focus_ring(page)
        key = "mode" if ring["id"].startswith("_dbcprivate_radioitems_filters-mode") else ring["id"]
        if key in wanted:
            seen[key] = ring
        if wanted <= seen.keys():
            break
    assert wanted <= seen.keys(), f"not reachable by Tab: {wanted - seen.keys()}"
    bad = {k: r for k, r in seen.items() if not _visible_ring(r)}
    assert bad == {}, f"no visible focus indicator: {bad}"

    # the radios work from the keyboard: an arrow key moves to and checks "Values"
    page.get_by_role("radio", name="Data gaps", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Values", exact=True)).to_be_checked()
    expect(page).to_have_url(url_pattern("/", mode="values"))
    year = page.locator(f"#{ids.FILTER_YEAR}")
    expect(year).to_be_visible()  # "Values" uses a year: its filter is back in the tab order
    year.focus()
    assert _visible_ring(_focus_ring(page))


def test_the_map_has_a_text_summary_and_a_table_alternative(page, live_server):
    open_overview(page, live_server.url)
    figure = page.locator("figure").filter(has=page.locator(MAP))
    caption = figure.locator("figcaption")
    expect(caption.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("countries have at least one")
    expect(caption).to_contain_text("World map")

    toggle = page.get_by_role("button", name="Show the map's data as a table")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", ids.MAP_TABLE)
    toggle.focus()
    page.keyboard.press("Enter")
    table = page.locator(f"#{ids.MAP_TABLE} table")
    expect(table).to_be_visible(timeout=TABLE_MOUNT_MS)
    expect(page.get_by_role("button", name="Hide the map's data table")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(table.locator("caption")).to_contain_text("one row per country")
    assert table.locator("tbody tr").count() >= 150
    expect(table.locator("thead")).to_contain_text("Status")


def test_the_country_chart_has_a_text_summary_and_a_table_alternative(page, live_server):
    settle(page, live_server.at("/country/KEN?group=women"))
    figure = page.locator("figure").filter(has=page.locator(f"#{ids.COUNTRY_TIMESERIES}"))
    expect(figure.locator(f"figcaption #{ids.COUNTRY_TIMESERIES_SUMMARY}")).to_contain_text(
        " in 20"
    )
    summary = page.locator("details summary").filter(has_text="Show the data as a table")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator(f"#{ids.COUNTRY_TIMESERIES_TABLE} table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).not_to_be_empty()
    assert table.locator("tbody tr").count() >= 1


def test_the_country_status_matrix_scrolls_in_a_named_region_the_keyboard_reaches(
    page, live_server, axe
):
    settle(page, live_server.at("/country/KEN?group=women"))
    # collapsed, its table not sent yet: opened from the keyboard (a mouse click would hide
    # the focus ring after it), which asks for the table
    assert page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} table").count() == 0
    page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} details > summary").focus()
    page.keyboard.press("Enter")
    region = page.locator(f"#{ids.COUNTRY_STATUS_MATRIX}").get_by_role(
        "region", name="Table of statuses, series by group (scrolls)", exact=True
    )
    expect(region).to_have_count(1)
    expect(region.locator("table caption")).to_contain_text("not expected")
    expect(page.locator(f"#{ids.COUNTRY_STATUS_MATRIX} details > summary")).to_be_focused()
    violations = axe.run(page).response["violations"]  # the page with the table it was sent
    assert violations == [], _describe(violations)
    region.focus()
    expect(region).to_be_focused()
    assert _visible_ring(_focus_ring(page))
    # series titles are row headers wide enough to read (not one word per line)
    widths = region.locator("tbody th[scope=row]").evaluate_all(
        "hs => hs.map(h => h.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 200


# --- issue #10: the pages of the other issues, display options, reflow ----------------------

PASSWORD = "correct horse battery staple"


def _log_in_as_admin(page, live_server):
    from data import accounts, queries

    if "a11y-admin" not in {u.username for u in accounts.list_users(queries.store())}:
        accounts.add_user(queries.store(), "a11y-admin", PASSWORD, "admin", "")
    page.goto(live_server.at("/login"))
    page.get_by_label("User name", exact=True).fill("a11y-admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("where", ["/login", "/contribute", "/review", "/admin/users"])
def test_axe_finds_nothing_on_the_community_pages(page, live_server, axe, where):
    if where != "/login":
        _log_in_as_admin(page, live_server)
    page.goto(live_server.at(where))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    results = axe.run(page)
    assert results.response["violations"] == [], _describe(results.response["violations"])


def test_the_high_contrast_display_is_chosen_remembered_and_clean(page, live_server, axe):
    page.goto(live_server.at("/matrix"))
    switch = page.get_by_role("link", name="High contrast", exact=True)
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class("high-contrast")
    expect(page.get_by_role("link", name="Standard contrast", exact=True)).to_be_visible()
    link = page.get_by_role("link", name="Map", exact=True)
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(0, 0, 122)"
    expect(page.locator(f"#{ids.MATRIX_TABLE} table")).to_be_visible()
    results = axe.run(page)
    assert results.response["violations"] == [], _describe(results.response["violations"])
    settle(page, live_server.at("/country/KEN?lang=fr"))  # remembered without the parameter
    expect(page.locator("html")).to_have_class("high-contrast")
    results = axe.run(page)
    assert results.response["violations"] == [], _describe(results.response["violations"])
    page.goto(live_server.at("/?contrast=standard"))
    expect(page.locator("html")).not_to_have_class("high-contrast")


def test_reduced_motion_turns_transitions_off(browser, live_server):
    for motion, still in (("reduce", True), ("no-preference", False)):
        context = browser.new_context(reduced_motion=motion)
        try:
            pg = context.new_page()
            pg.goto(live_server.at("/matrix"))
            expect(pg.get_by_role("heading", level=1)).to_be_visible()
            seconds = pg.locator(".btn").first.evaluate(
                "b => parseFloat(getComputedStyle(b).transitionDuration)"
            )
            assert (seconds < 0.001) == still, (motion, seconds)
        finally:
            context.close()


@pytest.mark.parametrize(
    "width,where",
    [
        (320, "/"),
        (320, "/matrix"),
        (320, "/country/KEN"),
        (320, "/country/KEN/brief"),
        (320, "/?lang=ar"),
        (640, "/"),  # 1280 px at 200 % zoom
        (640, "/country/KEN?lang=fr"),
    ],
)
def test_no_horizontal_scrolling_at_320_px_or_200_percent_zoom(browser, live_server, width, where):
    context = browser.new_context(viewport={"width": width, "height": 700})
    try:
        pg = context.new_page()
        pg.goto(live_server.at(where))
        expect(pg.get_by_role("heading", level=1)).to_have_count(1)
        pg.wait_for_load_state("networkidle")
        scroll = pg.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll[0] <= scroll[1], f"{where} at {width}px scrolls sideways: {scroll}"
    finally:
        context.close()
