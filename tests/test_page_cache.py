"""Pages' layouts are memoised as JSON data (content.page): the same bytes, built once.

The page of an address is built for every first load (``/_dash-layout``) and every navigation
(Dash's router callback); its components cost 10-30 ms to build even when its data are cached.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from data import cache
from layouts.pages import content
from tests.test_app_smoke import build_small_store, router_body

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


def forget(app):
    """Empty the memoised pieces and the kept answers: the next page is built."""
    with app.server.app_context():
        cache.cache.clear()


@pytest.fixture
def client(app):
    forget(app)
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
    with client.application.app_context():  # not the answer kept
        cache.cache.clear()
    built = layout_of(client, address)
    assert first == again == built
    assert first["props"]["children"]  # a whole page, not an empty shell


def test_a_second_request_builds_nothing(client, monkeypatch):
    from server import page_responses

    monkeypatch.setattr(page_responses, "request_key", lambda: None)  # the pieces, not answers
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


# -- whole answers kept compressed (server/page_responses.py) ---------------------------------


def navigate(client, path, search="", **headers):
    return client.post(
        "/_dash-update-component",
        data=json.dumps(router_body(path, search)),
        headers={"Content-Type": "application/json", "Referer": "http://localhost/", **headers},
    )


def built_pages(monkeypatch):
    """Count the pages Dash asks for (a kept answer asks for none)."""
    asked: list[str] = []
    plain = content.page_json.uncached

    def counted(ver, name, *rest):
        asked.append(name)
        return plain(ver, name, *rest)

    monkeypatch.setattr(content, "page_json", counted)
    return asked


@pytest.mark.parametrize("encoding", ["br", "gzip", ""])
def test_a_page_asked_for_again_is_sent_as_it_was_without_building_it(
    client, monkeypatch, encoding
):
    asked = built_pages(monkeypatch)
    head = {"Accept-Encoding": encoding} if encoding else {}
    for ask in (
        lambda: navigate(client, "/matrix", "?region=002", **head),
        lambda: navigate(client, "/country/KEN", **head),
        lambda: client.get("/_dash-layout", headers={"Referer": "http://localhost/", **head}),
    ):
        first = ask()
        built = len(asked)
        again = ask()
        assert built >= 1 and len(asked) == built  # the second answer built no page
        assert first.status_code == again.status_code == 200
        assert again.data == first.data and len(again.data) > 1000
        for name in ("Content-Type", "Content-Encoding", "Vary"):
            assert again.headers.get(name) == first.headers.get(name), name
        assert again.headers.get("Content-Encoding", "") == encoding
        # the other hooks still run: the short policy of answers that are not documents
        assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
        assert again.headers["Content-Security-Policy"].startswith("default-src 'none'")


def decoded(response) -> bytes:
    """The answer's bytes before compression."""
    import gzip

    import brotli

    encoding = response.headers.get("Content-Encoding", "")
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(response.data)


def test_a_kept_brotli_answer_asked_for_again_is_compressed_better(app, client, monkeypatch):
    """Flask-Compress sends at brotli 5 (fast). A kept page asked for a second time is
    compressed at 9 by a background thread, so later visitors get ~10 % fewer bytes of the
    same page; a page asked for once costs no more CPU than before."""
    from server import page_responses

    asked = built_pages(monkeypatch)
    head = {"Accept-Encoding": "br"}
    for ask in (
        lambda: navigate(client, "/matrix", "?region=002", **head),
        lambda: navigate(client, "/country/KEN", **head),
        lambda: client.get("/_dash-layout", headers={"Referer": "http://localhost/", **head}),
    ):
        before = set(kept_keys(app))
        first = ask()
        page_responses.settle()
        [key] = set(kept_keys(app)) - before
        assert len(kept(app, key)) == 2  # asked for once: as sent
        built = len(asked)
        again = ask()
        assert again.data == first.data  # as sent; now compressed better meanwhile
        page_responses.settle()
        assert not page_responses._worker()[2]  # nothing left waiting
        assert kept(app, key)[2] == page_responses.KEPT_BR_LEVEL
        later = ask()
        assert len(asked) == built  # from the cache
        assert decoded(later) == decoded(first)
        assert len(later.data) < len(first.data), (len(later.data), len(first.data))
        assert later.headers["Content-Encoding"] == "br"


def test_a_page_asked_for_by_many_at_once_is_compressed_again_once(app, monkeypatch):
    """Visitors asking for one kept page before its better compression is done queue it once."""
    import threading

    import brotli

    from server import page_responses

    release = threading.Event()
    calls: list[str] = []
    real = page_responses._compress_again

    def slow(app_, key, *rest):
        release.wait(5)
        calls.append(key)
        real(app_, key, *rest)

    monkeypatch.setattr(page_responses, "_compress_again", slow)
    body = brotli.compress(b"x" * 5000, quality=5)
    headers = (("Content-Encoding", "br"),)
    with app.server.app_context():
        for _ in range(5):
            page_responses.compress_later("k-many", body, headers)
        page_responses.compress_later("k-other", body, headers)
        release.set()
        page_responses.settle()
        assert calls == ["k-many", "k-other"]
        assert cache.cache.get("k-many")[2] == page_responses.KEPT_BR_LEVEL
        page_responses.compress_later("k-many", body, headers)  # done: may be queued again
        page_responses.settle()
    assert calls == ["k-many", "k-other", "k-many"]


def kept(app, key):
    with app.server.app_context():
        return cache.cache.get(key)


def test_kept_answers_follow_language_cookie_origin_and_store_version(client, monkeypatch):
    asked = built_pages(monkeypatch)
    english = navigate(client, "/matrix").get_json()
    french = navigate(client, "/matrix", **{"Accept-Language": "fr"}).get_json()
    client.set_cookie("gapmap_lang", "es")
    spanish = navigate(client, "/matrix").get_json()
    client.delete_cookie("gapmap_lang")
    assert len({str(english), str(french), str(spanish)}) == 3
    assert len(asked) == 3
    # another site's page asking: built again, not the answer kept for this site's pages
    other = navigate(client, "/matrix", Referer="http://example.org/")
    assert other.get_json() == english and len(asked) == 4
    # a Host the client makes up is not part of the key, only whether the page is this site's
    assert navigate(client, "/matrix", Host="x.example").get_json() == english
    assert len(asked) == 4
    # a new store version: nothing kept before it is sent
    monkeypatch.setattr(content, "version", lambda real=content.version: real() + 1)
    assert navigate(client, "/matrix").get_json() == english and len(asked) == 5


def kept_keys(app):
    return [k for k in app.server.extensions["cache"][cache.cache]._cache if "page-response" in k]


@pytest.mark.parametrize(
    ("path", "search"),
    [
        ("/country/XYZ", ""),
        ("/matrix", "?region=abc"),
        ("/", "?group=nonsense"),
        ("/", "?utm_source=x"),  # a parameter the pages ignore
        ("/", "?lang=xx"),  # an unknown language
        ("/matrix", "?source=official&region=002"),  # valid, in another order
        ("/matrix", "?region=002&sort=name"),  # a default spelled out
    ],
)
def test_answers_of_addresses_not_written_as_the_app_writes_them_are_never_kept(
    app, client, path, search
):
    """Random addresses cannot fill the shared cache: only canonical ones are kept."""
    assert navigate(client, path, search).status_code == 200
    page = f"http://localhost{path}{search}"
    assert client.get("/_dash-layout", headers={"Referer": page}).status_code == 200
    assert kept_keys(app) == []
    navigate(client, "/matrix", "?region=002&source=official")
    assert len(kept_keys(app)) == 1


def test_a_memoised_call_reads_the_cache_once_and_a_miss_writes_it_once(app, monkeypatch):
    """flask-caching's memoize read (and on a cleared cache wrote) a version key per function
    too: on FileSystemCache each write is a file replaced. Now one read per call, one write
    per miss, and the hits and misses are still reported (``data.cache.counting``)."""
    backend = cache.cache.cache
    calls: list[str] = []
    for name in ("get", "get_many", "set", "set_many", "add", "has"):
        real = getattr(backend, name)

        def spy(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(backend, name, spy)
    with app.server.test_request_context("/"):
        backend.clear()
        ver = content.version()
        filters = tuple(content.state.DEFAULTS[k] for k in content.state.PARAMS)
        seen, stop = record()
        try:
            calls.clear()
            first = content.page_json(ver, "matrix", "en", (), filters)
            on_miss = list(calls)
            calls.clear()
            again = content.page_json(ver, "matrix", "en", (), filters)
            on_hit = list(calls)
            other = content.page_json(ver, "matrix", "fr", (), filters)
        finally:
            stop()
    pages = [hit for name, hit in seen if name == "page_json"]
    assert first == again and other != first and pages == [False, True, False]
    # page_json reads the memoised header pieces too: one read each, one write each on a miss
    assert on_hit == ["get"], on_hit
    assert on_miss.count("set") == on_miss.count("get") and set(on_miss) == {"get", "set"}


def test_a_failing_cache_backend_means_the_function_is_called(app, monkeypatch):
    backend = cache.cache.cache

    def broken(*args, **kwargs):
        raise ConnectionError("the cache went away")

    monkeypatch.setattr(backend, "get", broken)
    monkeypatch.setattr(backend, "set", broken)
    with app.server.test_request_context("/"):
        filters = tuple(content.state.DEFAULTS[k] for k in content.state.PARAMS)
        page = content.page_json(content.version(), "matrix", "en", (), filters)
    assert page == content.page_json.uncached(content.version(), "matrix", "en", (), filters)


def test_a_page_that_failed_is_not_kept_for_the_next_visitor(app, client, monkeypatch):
    """A page whose build raised answers 200 with the error message (callbacks/shell.py):
    that answer must not be sent to everyone after."""
    asked = built_pages(monkeypatch)
    plain = content.page_json

    def broken(*args):
        raise RuntimeError("the store went away for a moment")

    monkeypatch.setattr(content, "page_json", broken)
    failed = navigate(client, "/matrix", "?region=002")
    assert failed.status_code == 200 and "sideUpdate" in failed.get_data(as_text=True)
    assert kept_keys(app) == []
    monkeypatch.setattr(content, "page_json", plain)
    shown = navigate(client, "/matrix", "?region=002").get_json()
    assert "_pages_content" in shown["response"] and asked == ["matrix"]
    assert len(kept_keys(app)) == 1
