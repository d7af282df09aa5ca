"""Contract: every id a callback uses is declared in layouts/ids.py and rendered exactly once.

``suppress_callback_exceptions=True`` (pages are built by functions) hides a typo until run
time; this test finds it without a browser.
"""

from __future__ import annotations

from collections import Counter

import pytest

from layouts import ids
from tests.test_app_smoke import build_small_store

DASH_INTERNAL = ("_pages_",)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    return create_app(build_small_store(tmp_path_factory.mktemp("store")), warm=False)


def _ids(node):
    if isinstance(node, list | tuple):
        for item in node:
            yield from _ids(item)
        return
    if isinstance(node, dict) and "props" in node:  # a serialised (cached) component
        if node["props"].get("id") is not None:
            yield node["props"]["id"]
        yield from _ids(node["props"].get("children"))
        return
    if not hasattr(node, "_type"):
        return
    if getattr(node, "id", None) is not None:
        yield node.id
    yield from _ids(getattr(node, "children", None))


@pytest.fixture(scope="module")
def rendered(app):
    from layouts import shell
    from layouts.pages import country, matrix, overview

    with app.server.test_request_context("/"):
        shell_ids = list(_ids(shell.layout()))
        pages = {
            "overview": overview.layout(),
            "matrix": matrix.layout(),
            "country": country.layout(iso3="KEN"),
        }
        # the country page carries its series part and missing splits (no first callback)
        return {name: shell_ids + list(_ids(page)) for name, page in pages.items()}


def _callback_ids(app):
    found = []
    for cb in app._callback_list:
        outputs = cb["output"].strip(".").split("...")
        found += [(o.rsplit(".", 1)[0], "output") for o in outputs]
        found += [(i["id"], "input") for i in cb["inputs"]]
        found += [(s["id"], "state") for s in cb["state"]]
    return [(i, kind) for i, kind in found if not i.startswith(DASH_INTERNAL)]


def test_every_callback_id_is_declared(app):
    declared = {v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    used = {i for i, _ in _callback_ids(app)}
    assert used, "no callbacks registered"
    assert sorted(used - declared) == []


def test_every_callback_id_is_rendered_in_some_page(app, rendered):
    everywhere = {i for page in rendered.values() for i in page}
    missing = sorted({i for i, _ in _callback_ids(app)} - everywhere)
    assert missing == []


def test_callbacks_of_a_page_find_all_their_ids_on_it(app, rendered):
    """A callback's inputs and outputs all live on one page (or in the shell)."""
    for cb in app._callback_list:
        used = {o.rsplit(".", 1)[0] for o in cb["output"].strip(".").split("...")}
        used |= {i["id"] for i in cb["inputs"]} | {s["id"] for s in cb["state"]}
        used = {u for u in used if not u.startswith(DASH_INTERNAL)}
        if used:
            assert any(used <= set(page) for page in rendered.values()), used


@pytest.mark.parametrize("page", ["overview", "matrix", "country"])
def test_ids_rendered_once_per_page(rendered, page):
    dupes = [i for i, n in Counter(str(x) for x in rendered[page]).items() if n > 1]
    assert dupes == []


def test_ids_are_kebab_case_and_prefixed():
    prefixes = ("shell-", "overview-", "filters-", "matrix-", "country-", "not-found-")
    for name, value in vars(ids).items():
        if name.isupper() and isinstance(value, str):
            assert value == value.lower() and " " not in value, name
            assert value.startswith(prefixes), name
    # table cells and links carry no id (found by href): thousands would weigh on updates
    assert not any(
        callable(v) and n.startswith(("matrix_cell", "map_row")) for n, v in vars(ids).items()
    )


def test_important_elements_have_stable_ids(rendered):
    for must in (
        ids.MAP_GRAPH,
        ids.FILTER_GROUP,
        ids.FILTER_MODE,
        ids.OVERVIEW_HEADING,
        ids.MAIN,
        ids.FOOTER,
        ids.MAP_DISCLAIMER,
        ids.MAP_LEGEND,
    ):
        assert must in rendered["overview"]
    for must in (
        ids.COUNTRY_HEADING,
        ids.COUNTRY_SCORECARD,
        ids.COUNTRY_STATUS_MATRIX,
        ids.COUNTRY_MISSING,
        ids.COUNTRY_TIMESERIES,
        ids.COUNTRY_PROVENANCE,
        ids.COUNTRY_SIDE_BY_SIDE,
    ):
        assert must in rendered["country"]
