"""The overview's one callback (issue #12): the first map drawn by the page, one answer per change.

On the real-shape store (tests/realshape.py): the page and the callback send exactly the
payload the uncached computation gives, a worker's own copy of a payload is never served for
another store, and each kind of change sends only what it changes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from dash import no_update

from layouts import ids, state
from layouts.pages import content, overview
from tests import realshape as shape

STATES = [
    {},
    {"group": "women"},
    {"mode": "values", "group": "disability", "series": shape.COMMUNITY_SERIES},
    {"mode": "disparity", "region": "002"},
    {"mode": "progress", "base": "2016"},
    {"source": "community", "group": "disability"},
]
N_SYNC, N_MAP = overview.SYNC_OUTPUTS, overview.MAP_OUTPUTS


@pytest.fixture(scope="module")
def app(realshape_store):
    from app import create_app

    return create_app(replace(realshape_store, cache_type="SimpleCache"), warm=False)


def _uncached(s: dict[str, str], lang: str) -> dict:
    args = overview.payload_args(s)
    return content.overview_payload.uncached(content.version(), *args[:-1], lang, args[-1])


def _plain(value):
    return json.loads(json.dumps(value))


def _find(component, wanted_id):
    if getattr(component, "id", None) == wanted_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float | dict):
            found = _find(child, wanted_id)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize("query", STATES)
def test_the_page_draws_the_map_of_its_state(app, query):
    with app.server.test_request_context("/"):
        s, problems = state.validate(query, content.choices())
        assert not problems  # the states tested are the ones asked for
        want = _uncached(s, "en")
        page = overview.layout(lang="en", **query)
        assert _plain(_find(page, ids.MAP_GRAPH).figure) == _plain(want["figure"])
        assert _find(page, ids.MAP_SUMMARY).children == want["summary"]
        assert _plain(_find(page, ids.HEADLINES).children) == _plain(want["headlines"])
        assert _plain(_find(page, ids.MAP_LEGEND).children) == _plain(want["legend"])
        # the Location holds the state's address: mounting it changes nothing, no callback
        assert _find(page, ids.OVERVIEW_URL).search == state.to_search(s)


@pytest.mark.parametrize("query", STATES)
def test_a_change_answers_the_controls_and_the_map_of_the_new_state(app, query):
    with app.server.test_request_context("/"):
        values = {k: query.get(k) for k in overview.FILTER_IDS}
        shown = overview.filter_state(state.DEFAULTS)
        out = overview.update("control", "", values, 0, shown)
        s, _ = state.validate(query, content.choices())
        assert out[:N_SYNC] == overview.sync(False, "", values, shown, "en")
        want = _uncached(s, "en")
        parts = out[N_SYNC : N_SYNC + N_MAP]
        assert _plain(list(parts)) == _plain(
            [want["figure"], want["headlines"], want["summary"], want["legend"]]
        )
        assert out[N_SYNC + N_MAP :] == (no_update,) * 3  # the table is hidden: not sent
        again = overview.update("control", "", values, 0, None)[N_SYNC]
        assert again is parts[0]  # the second time from the worker's own copy


def test_the_url_of_the_state_shown_sends_nothing_and_back_sends_the_old_state(app):
    with app.server.test_request_context("/"):
        shown = overview.filter_state({**state.DEFAULTS, "group": "women"})
        same = overview.update("url", "?group=women", {}, 0, shown)
        assert same == (no_update,) * len(same)
        back = overview.update("url", "", {}, 0, shown)
        assert back[0] is no_update  # a URL change never rewrites the URL
        assert back[overview.STATE_AT] == overview.filter_state(state.DEFAULTS)
        want = _uncached(state.DEFAULTS, "en")
        assert back[N_SYNC + 2] == want["summary"]


def test_the_table_toggle_sends_only_the_table(app):
    with app.server.test_request_context("/"):
        shown = overview.filter_state({**state.DEFAULTS, "group": "women"})
        out = overview.update("table", "", {}, 1, shown)
        assert out[: N_SYNC + N_MAP] == (no_update,) * (N_SYNC + N_MAP)
        table, text, expanded = out[N_SYNC + N_MAP :]
        args = overview.payload_args(shown)
        want = content.table_payload.uncached(content.version(), *args[:-1], "en", args[-1])
        assert _plain(table) == _plain(want) and expanded == "true"
        hidden = overview.update("table", "", {}, 2, shown)[N_SYNC + N_MAP :]
        assert hidden[0] == [] and hidden[2] == "false"
        # a change while the table is shown sends the new state's table with the map
        changed = overview.update("control", "", {"group": "disability"}, 1, shown)
        assert changed[N_SYNC + N_MAP] != no_update and changed[N_SYNC] != no_update


def test_a_worker_copy_is_never_served_for_another_store(app, realshape_store, tmp_path):
    from app import create_app
    from data import queries
    from tests.test_app_smoke import build_small_store

    with app.server.test_request_context("/"):
        first = overview.payload(dict(state.DEFAULTS), "en")
    other = create_app(build_small_store(tmp_path / "small"), warm=False)
    try:
        with other.server.test_request_context("/"):
            got = overview.payload(dict(state.DEFAULTS), "en")
            assert got is not first
            assert _plain(got) == _plain(_uncached(state.DEFAULTS, "en"))
    finally:
        queries.configure(realshape_store)  # the module's app answers from its store again
        content.reset()


PAGES_WITH_MENUS = [
    ("/", {"group": "women", "mode": "values"}),
    ("/matrix", {"region": "002", "sort": "name"}),
    ("/country/KEN", {"group": "older"}),
]


@pytest.mark.parametrize(("path", "query"), PAGES_WITH_MENUS)
def test_a_page_comes_with_the_links_a_change_to_its_state_sends(app, path, query):
    """No request of its own for the links of the address a page opens with: its layout has
    them, the same as its callback sends for that state (the embed code's src relative, made
    absolute by the browser: tests/browser/test_downloads.py)."""
    from callbacks import downloads
    from layouts.pages import country, matrix

    page, parts = {
        "/": (overview, ids.OVERVIEW_DOWNLOADS),
        "/matrix": (matrix, ids.MATRIX_DOWNLOADS),
        "/country/KEN": (country, ids.COUNTRY_DOWNLOADS),
    }[path]
    origin = "http://example.org"
    with app.server.test_request_context("/", base_url=origin + "/"):
        kw = {"iso3": "KEN"} if page is country else {}
        shown = page.layout(lang="en", **kw, **query)
        s, _ = state.validate(query, content.choices())
        view = {"/": "map", "/matrix": "matrix"}.get(path, "country-KEN")
        if page is country:
            s = {**s, "series": country.pick_series("KEN", s)}
        sent = downloads.for_state(parts, view, s)
    had = [
        getattr(_find(shown, parts[k]), prop)
        for k, prop in downloads.menu.MENU_PROPS.items()
        if k in parts
    ]
    assert len(had) == len(sent) >= 2 and all(had)
    for mine, theirs in zip(had, sent, strict=True):
        if mine.startswith("<iframe"):
            assert ' src="/embed?' in mine
            mine = mine.replace(' src="/', f' src="{origin}/')
        assert mine == theirs
    assert any("region=002" in v or "group=" in v for v in had[:2])


def test_a_change_leaves_the_controls_the_person_set_as_they_are(app):
    """The answer to a change sets a control only where the state corrects it.

    A second choice made while the first answer is on its way is not set back by it.
    """
    with app.server.test_request_context("/"):
        chosen = {**state.DEFAULTS, "group": "women"}  # as the controls send it
        values = {k: state.control_value(k, chosen[k]) for k in overview.FILTER_IDS}
        out = overview.update("control", "", values, 0, overview.filter_state(state.DEFAULTS))
        controls = dict(zip(overview.FILTER_IDS, out[1 : 1 + len(overview.FILTER_IDS)]))
        assert all(v is no_update for v in controls.values()), controls
        assert overview.filter_state(out[overview.STATE_AT])["group"] == "women"
        # a value the state corrects (an unknown group) is set back to the one shown
        wrong = overview.update("control", "", {**values, "group": "nobody"}, 0, None)
        fixed = dict(zip(overview.FILTER_IDS, wrong[1 : 1 + len(overview.FILTER_IDS)]))
        assert fixed["group"] == state.DEFAULTS["group"]
        # from the address (load, back/forward) every control is set
        url = overview.update("url", "?group=women", {}, 0, None)
        assert no_update not in url[1 : 1 + len(overview.FILTER_IDS)]
