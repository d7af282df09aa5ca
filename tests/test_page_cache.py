"""Pages' layouts are memoised as JSON data (content.page): the same bytes, built once.

The page of an address is built for every first load (``/_dash-layout``) and every navigation
(Dash's router callback); its components cost 10-30 ms to build even when its data are cached.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from data import cache
from layouts.pages import content
from tests.test_app_smoke import build_small_store

ADDRESSES = [
    "/",
    "/?group=women&mode=values",
    "/?lang=fr",
    "/?contrast=high",
    "/matrix?region=002",
    "/country/KEN?group=disability",
    "/country/ken",
    "/embed?view=map",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    settings = build_small_store(tmp_path_factory.mktemp("store"))
    return create_app(replace(settings, cache_type="SimpleCache"), warm=False)


@pytest.fixture
def client(app):
    with app.server.app_context():
        cache.cache.clear()
    c = app.server.test_client()
    c.get("/")  # registers the Pages router (Dash does it on the first request)
    return c


def layout_of(client, address, **headers):
    return client.get(
        "/_dash-layout", headers={"Referer": f"http://localhost{address}", **headers}
    ).get_json()


def record():
    seen: list[tuple[str, bool]] = []
    return seen, cache.counting(lambda name, hit: seen.append((name, hit)))


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_memoised_layout_is_the_layout_built_without_it(client, address, monkeypatch):
    import layouts.shell as shell

    first = layout_of(client, address)  # built and memoised
    again = layout_of(client, address)  # from the cache
    # every memoised piece built in place, as before the cache
    monkeypatch.setattr(content, "page_json", content.page_json.uncached)
    monkeypatch.setattr(shell, "search_box", shell.search_box.uncached)
    monkeypatch.setattr(shell, "footer", shell.footer.uncached)
    built = layout_of(client, address)
    assert first == again == built
    assert first["props"]["children"]  # a whole page, not an empty shell


def test_a_second_request_builds_nothing(client):
    layout_of(client, "/country/KEN?group=disability")
    seen, stop = record()
    try:
        layout_of(client, "/country/KEN?group=disability")
        again = list(seen)
        # a parameter the pages ignore: the same page (the header's links keep the query)
        layout_of(client, "/country/KEN?group=disability&utm_source=x")
    finally:
        stop()
    assert {name for name, _ in again} == {"page_json", "search_box", "footer"}
    assert all(hit for _, hit in again), again
    # nothing memoised per raw address: a random parameter adds no entry to the shared cache
    assert seen[len(again) :] == again


@pytest.mark.parametrize(
    "address", ["/?group=nonsense", "/?year=1800", "/country/XYZ", "/matrix?region=abc"]
)
def test_addresses_that_are_not_valid_are_built_but_never_memoised(client, address):
    """A notice quotes the address, and random addresses must not fill the shared cache."""
    seen, stop = record()
    try:
        got = layout_of(client, address)
    finally:
        stop()
    assert got["props"]["children"]
    assert "page_json" not in {name for name, _ in seen}


def test_the_language_of_the_request_is_part_of_the_key(client):
    english = layout_of(client, "/matrix")
    french = layout_of(client, "/matrix", **{"Accept-Language": "fr"})
    assert english != french
    assert layout_of(client, "/matrix") == english


def test_the_matrix_page_comes_with_the_table_its_callback_would_send(app, client):
    """One round trip to a drawn matrix; the callback answers changes only."""
    import json

    from layouts import ids
    from tests.test_app_smoke import _find, callback_request, post

    search = "?region=002&sort=disability"
    page = layout_of(client, f"/matrix{search}")
    location = _find(page, ids.MATRIX_URL)["props"]
    assert (location["pathname"], location["search"]) == ("/matrix", search)
    body = callback_request(
        app,
        ids.MATRIX_TABLE,
        {f"{ids.MATRIX_URL}.search": search},
        {f"{ids.MATRIX_STATE}.data": None, f"{ids.MATRIX_URL}.pathname": "/matrix"},
    )
    answer = json.loads(post(client, body).data)["response"]
    for part in (ids.MATRIX_TABLE, ids.MATRIX_SUMMARY):
        assert _find(page, part)["props"]["children"] == answer[part]["children"], part
        assert answer[part]["children"]
    assert _find(page, ids.MATRIX_STATE)["props"]["data"] == answer[ids.MATRIX_STATE]["data"]
    spec = next(cb for cb in app._callback_list if f"{ids.MATRIX_TABLE}." in cb["output"])
    assert spec["prevent_initial_call"]


@pytest.mark.parametrize("search", ["", "?group=disability"])
def test_the_country_page_comes_with_what_its_callback_would_send(app, client, search):
    """The series part and the missing splits come with the page: one round trip."""
    import json

    from layouts import ids
    from tests.test_app_smoke import _find, callback_request, post

    page = layout_of(client, f"/country/KEN{search}")
    body = callback_request(
        app,
        ids.COUNTRY_DETAIL,
        {f"{ids.COUNTRY_URL}.search": search},
        {
            f"{ids.COUNTRY_ISO3}.data": "KEN",
            f"{ids.COUNTRY_STATE}.data": None,
            f"{ids.COUNTRY_URL}.pathname": "/country/KEN",
        },
    )
    answer = json.loads(post(client, body).data)["response"]
    for part in (ids.COUNTRY_DETAIL, ids.COUNTRY_MISSING):
        assert _find(page, part)["props"]["children"] == answer[part]["children"], part
        assert answer[part]["children"]
    assert _find(page, ids.COUNTRY_STATE)["props"]["data"] == answer[ids.COUNTRY_STATE]["data"]
    assert _find(page, ids.COUNTRY_SERIES)["props"]["value"] == answer[ids.COUNTRY_SERIES]["value"]
    spec = next(cb for cb in app._callback_list if f"{ids.COUNTRY_DETAIL}." in cb["output"])
    assert spec["prevent_initial_call"]
