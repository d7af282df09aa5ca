"""Shared steps of the browser tests: open a page, wait for the map, read what it draws.

Every wait is on a condition (a selector, a text, a function of the DOM), never a fixed sleep.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from layouts import ids

MAP = f"#{ids.MAP_GRAPH}"
SHAPES = f"{MAP} path.choroplethlocation"
MIN_SHAPES = 150
# The map's 250-row table is one dcc.Markdown (layouts/markup.py): it mounts in well under a
# second (it took 4 s as ~2,000 Dash components); the first one also loads dcc's markdown
# bundle. A little slack over the default wait for slow 2-core machines, no more.
TABLE_MOUNT_MS = 10_000
OVERVIEW_SENTENCES = {  # how the map's text summary starts in each mode (layouts/i18n.py)
    "gaps": "Map of data coverage",
    "values": "Map of ",
    "disparity": "Map of the gap between",
}

# What the map draws: one entry per shape (ISO3 -> [z, fill]), read from the rendered SVG
# (plotly binds each shape's calc point, with ``loc`` and ``z``, to the path as ``__data__``).
_DRAWN_JS = """sel => Object.fromEntries([...document.querySelectorAll(sel)].map(p => [
    p.__data__.loc, [p.__data__.z, getComputedStyle(p).fill]]))"""


def query(page: Page) -> dict[str, str]:
    """The page's query string as a dict (first value of each parameter)."""
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def path(page: Page) -> str:
    """The page's path."""
    return urlparse(page.url).path


def wait_for_shapes(page: Page, minimum: int = MIN_SHAPES) -> int:
    """Wait until the map draws at least ``minimum`` country shapes; return how many."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[SHAPES, minimum]
    )
    return page.locator(SHAPES).count()


def drawn(page: Page) -> dict[str, list[Any]]:
    """ISO3 -> [z, fill colour] of every shape the map draws now."""
    return page.evaluate(_DRAWN_JS, SHAPES)


def signature(page: Page) -> str:
    """What the map draws now, as one string (compared in the page, so no float round trip)."""
    return page.evaluate(f"sel => JSON.stringify(({_DRAWN_JS})(sel))", SHAPES)


def wait_for_redraw(page: Page, before: str) -> str:
    """Wait until the map draws something else than ``before`` (a ``signature``); return it."""
    page.wait_for_function(
        f"""([sel, before]) => {{
            const now = ({_DRAWN_JS})(sel);
            return Object.keys(now).length > 0 && JSON.stringify(now) !== before;
        }}""",
        arg=[SHAPES, before],
    )
    return signature(page)


def open_overview(page: Page, base: str, search: str = "") -> None:
    """Open ``/`` with a query string and wait for its map and summary."""
    page.goto(f"{base}/{search}")
    wait_for_shapes(page)
    expect(page.locator(f"#{ids.MAP_SUMMARY}")).to_contain_text("Map of")


def figure_traces(page: Page) -> list[dict[str, Any]]:
    """Type, number of locations and colour-bar title of each trace plotly draws."""
    return page.evaluate(
        """sel => document.querySelector(sel + ' .js-plotly-plot')._fullData.map(t => ({
            type: t.type, n: (t.locations || []).length, locations: t.locations || [],
            colorbar: t.colorbar && t.colorbar.title ? t.colorbar.title.text : null,
            zmid: t.zmid === undefined ? null : t.zmid}))""",
        MAP,
    )


def control(page: Page, label: str):
    """The form control whose visible label is ``label`` (how a user finds it)."""
    return page.get_by_label(label, exact=True)


def shape_centre(page: Page, iso3: str) -> tuple[float, float]:
    """Viewport coordinates of the centre of a country's shape (scrolled into view)."""
    page.locator(MAP).scroll_into_view_if_needed()
    box = page.evaluate(
        """([sel, iso3]) => {
            const p = [...document.querySelectorAll(sel)].find(p => p.__data__.loc === iso3);
            if (!p) return null;
            const r = p.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2];
        }""",
        [SHAPES, iso3],
    )
    assert box, f"the map draws no shape for {iso3}"
    return box[0], box[1]


def url_pattern(path_: str, **params: str) -> re.Pattern[str]:
    """A regex for a URL with this path whose query string holds each ``name=value``."""
    base = rf"^https?://[^/]+{re.escape(path_)}"
    if not params:
        return re.compile(base + r"(\?.*)?$")
    looks = "".join(f"(?=.*[?&]{re.escape(k)}={re.escape(v)}(&|#|$))" for k, v in params.items())
    return re.compile(base + looks + r"\?.*$")


def link_in(container_id: str, href: str) -> str:
    """CSS selector of the link to ``href`` inside a table's container (cells have no ids)."""
    return f'#{container_id} a[href="{href}"]'


FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)
_COUNT_FOCUSABLE_JS = f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
    .filter(e => e.checkVisibility() && !e.closest('details:not([open]) > :not(summary)'))
    .length"""
# The focused element, named so that two elements never share a name: its place in the
# document, id, link or name or toolbar title, and text; "NORING:" when it shows no focus.
_FOCUSED_JS = """() => { const e = document.activeElement;
    if (e === document.body) return 'BODY';
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                 || s.boxShadow !== 'none';
    const at = [...document.querySelectorAll('*')].indexOf(e);
    return (ring ? '' : 'NORING:') + e.tagName + at + '#' + e.id + ':'
           + (e.getAttribute('href') || e.getAttribute('name')
              || e.getAttribute('data-title') || '')
           + ':' + e.textContent.trim().slice(0, 30); }"""


def focusable_count(page: Page) -> int:
    """How many visible elements Tab can reach on the page now."""
    return page.evaluate(_COUNT_FOCUSABLE_JS)


def tab_round(page: Page, where: str = "") -> tuple[int, list[str]]:
    """Press Tab until focus comes back to the first element (or leaves the page).

    Returns the number of focusable elements and the focused elements in order. A trap is
    more presses than the page has focusable elements: the count is taken again before
    failing, because a chart drawn after the first count (a slow machine) adds its toolbar's
    buttons. Raises AssertionError on a trap.
    """
    total = focusable_count(page)
    seen: list[str] = []
    while True:
        if len(seen) >= total + 5:
            total = max(total, focusable_count(page))
            if len(seen) >= total + 5:
                raise AssertionError(f"Tab did not come back round {where}: {seen[-5:]}")
        page.keyboard.press("Tab")
        key = page.evaluate(_FOCUSED_JS)
        if seen and key in (seen[0], "BODY"):
            return total, seen
        seen.append(key)
