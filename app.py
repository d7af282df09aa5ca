"""The Dash app: ``create_app(settings)`` builds it; nothing is read or started at import.

Run the development server with ``python app.py`` (host and port from ``GAPMAP_HOST`` /
``GAPMAP_PORT``). For WSGI servers use the factory, e.g.
``gunicorn 'app:create_server()'``; the project's ``gunicorn.conf.py`` preloads it
(``create_server(preload=True)``): the master builds and warms the app once, then forks its
workers, which share that memory and each start their keep-warm thread (``after_fork``).

Offline by construction: no external stylesheet or script (Bootstrap is vendored in
assets/vendor/, the map topojson in assets/topojson/), Dash serves its own bundles locally, and
responses are compressed (brotli or gzip) with long-lived cache headers on fingerprinted files
(server/serving.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from urllib.parse import quote

import dash
from dash import Dash
from flask import Flask, Response, redirect, request
from werkzeug.serving import WSGIRequestHandler

from data import pipeline, queries, reference, views
from data import tables as data_tables
from data.cache import cache, warming
from data.settings import Settings
from data.store import StoreError
from layouts import i18n, shell
from layouts.pages import content, country, matrix, overview
from server import page_responses, routes, security, serving

# Dash's default wraps its scripts in a <footer>: a second "contentinfo" landmark next to the
# page's own footer (axe: landmark-no-duplicate-contentinfo), hence a plain <div>.
# <html lang dir> are the request's language (filled per request by _localised_index).
HTML_TAG = '<html lang="{lang}" dir="{dir}">'
# The graph's script, which Dash loads only once a page has a graph: one more round trip before
# the map is drawn (~150 ms on a slow link). Preloaded with the page's scripts, it is at hand
# when asked for (the same URL, derived by Dash's loader from dash_core_components' own).
# Dash's renderer asks for the layout and the callbacks' list only once its scripts have run;
# the page's <head> asks for them at once (preload, used by the renderer's own requests:
# tests/browser/test_navigation.py), so they travel while the scripts load.
GRAPH_CHUNK = "/_dash-component-suites/dash/dcc/async-graph.js"
INDEX_STRING = """<!DOCTYPE html>
<html lang="" dir="">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <link rel="preload" href="{graph_chunk}" as="script">
        <link rel="preload" href="{layout}" as="fetch" crossorigin="anonymous">
        <link rel="preload" href="{dependencies}" as="fetch" crossorigin="anonymous">
    </head>
    <body>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def create_app(
    settings: Settings | None = None, *, warm: bool = True, preload: bool = False
) -> Dash:
    """Build the app on the store named by ``settings`` (default: from the environment).

    ``warm`` computes the gap engine's results for every group in a background thread, so
    the first visitor does not wait for them (tests pass False), and compresses the page's
    static files once. ``preload`` (gunicorn's master, before it forks): warm now, in this
    thread, and start no thread; each forked worker calls ``after_fork``.
    """
    settings = settings or Settings.from_env()
    store = queries.configure(settings, last_good=True)  # a broken database: last snapshot
    content.reset()
    pipeline.ensure_demo(store)
    i18n.load()  # the gettext catalogues of layouts/locale (read once, here)
    i18n.set_language(settings.language)
    from callbacks.shell import on_error

    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        external_stylesheets=[],
        external_scripts=[],
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=i18n.t("app.title"),
        update_title=None,
        compress=False,
        # licence files are served as files, never included as scripts or stylesheets
        # (the right-to-left Bootstrap is swapped in per request by _localised_index)
        assets_ignore=r"(^|/)(LICENSE[^/]*|bootstrap\.rtl\.min\.css)$",
        # any failing callback: logged, and a plain message in the shell's alert region
        on_error=on_error,
    )
    app.index_string = INDEX_STRING
    _warmed["server"] = app.server
    _localised_index(app)
    cache.init_app(app.server, config=settings.cache_config(store.identity))  # keys per store
    _register_pages()
    app.layout = shell.layout
    from callbacks import register_callbacks

    register_callbacks(app)
    routes.register(app)  # API, downloads, images, brief (server/routes.py)
    security.secure(app, settings.max_request_kb)  # after the callbacks: it hashes their scripts
    # pages asked for again: their compressed bytes (before Flask-Compress: it keeps them as
    # sent; after the security checks: those run first)
    page_responses.keep(app.server)
    # brotli/gzip and cache headers; static files' best compressions kept in the data dir
    serving.serve(app.server, Path(settings.data_dir) / "compressed")
    _not_found_status(app.server)
    _country_search_route(app.server)
    queries.snapshot()  # build the columnar snapshot once, before the first request
    # Dash sets itself up in its first request's before_request hooks and marks that done
    # before it is: with gunicorn's threads a second request arriving meanwhile found no
    # registered bundles (HTTP 500 "dash is not a registered library", a blank page). The
    # factory makes that first request itself, before any client can.
    page = app.server.test_client().get("/").get_data(as_text=True)
    if warm:
        serving.precompress(app.server, serving.static_paths(page, app))
        queries.serve(queries.current_version())  # readers stay on it until the next is warm
        if preload:
            _warm_up_now()
        else:
            threading.Thread(target=_warm_up, name="gapmap-warm-up", daemon=True).start()
            _start_keep_warm(settings)
    return app


_preloaded: dict[str, int] = {}  # the store version warmed before forking (gunicorn's master)
_warmed: dict[str, Flask] = {}  # the server of the app create_app built last (warmed by it)


def _warm_up_now() -> None:
    """Warm everything in this thread, before the workers fork (``_warm_first``).

    A failure is logged: its pages then compute on demand.
    """
    try:
        _warm_first()
    except Exception:
        logging.getLogger(__name__).exception("warm-up failed; pages compute on demand")
    else:
        _preloaded["version"] = queries.current_version()


def _start_keep_warm(settings: Settings) -> None:
    if settings.warm_poll > 0:
        threading.Thread(
            target=_keep_warm, args=(settings,), name="gapmap-keep-warm", daemon=True
        ).start()


def after_fork() -> int | None:
    """In a worker forked from a preloaded app (gunicorn's ``post_fork``).

    Threads do not survive a fork: the worker starts its own keep-warm thread. Pooled
    database connections opened by the master stay the master's (SQLAlchemy's advice for
    ``os.fork``: ``dispose(close=False)``); the worker opens its own. Returns the store
    version the master warmed before forking (None: the worker starts cold).
    """
    engine = getattr(queries.store(), "engine", None)
    if engine is not None:
        engine.dispose(close=False)
    _start_keep_warm(queries.settings())
    return _preloaded.get("version")


def _localised_index(app: Dash) -> None:
    """Each page's ``<html lang dir>`` in the request's language; right-to-left Bootstrap for rtl.

    The language's choice (``?lang=``) is remembered in a cookie, so links without it keep it.
    """
    plain = app.interpolate_index

    def interpolate_index(**kwargs: object) -> str:
        lang = i18n.language()
        tag = HTML_TAG.format(lang=lang, dir=i18n.direction(lang))
        if shell.high_contrast():
            tag = tag.replace(">", ' class="high-contrast">')
        page = plain(**kwargs).replace('<html lang="" dir="">', tag, 1)
        page = page.replace("{graph_chunk}", app.get_relative_path(GRAPH_CHUNK), 1)
        page = page.replace("{layout}", app.get_relative_path("/_dash-layout"), 1)
        page = page.replace("{dependencies}", app.get_relative_path("/_dash-dependencies"), 1)
        if i18n.direction(lang) == "rtl":
            page = page.replace("/vendor/bootstrap.min.css", "/vendor/bootstrap.rtl.min.css", 1)
        return page

    app.interpolate_index = interpolate_index  # type: ignore[method-assign]

    @app.server.after_request
    def remember_language(response: Response) -> Response:
        chosen = request.args.get("lang")
        if i18n.known(chosen) and request.cookies.get(i18n.COOKIE) != chosen:
            response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
        contrast = request.args.get("contrast")
        if contrast in ("high", "standard"):
            response.set_cookie(
                shell.CONTRAST_COOKIE, contrast, max_age=365 * 86400, samesite="Lax"
            )
        if request.endpoint in _INDEX_ENDPOINTS:
            response.vary.update(("Accept-Language", "Cookie"))
        return response


def _keep_warm(settings: Settings) -> None:
    """Warm each new store version in the background, then serve it (no visitor waits).

    Ends when another store is configured in this process (tests build several apps).
    """
    import logging
    import time

    while True:
        time.sleep(settings.warm_poll)
        if queries.settings() is not settings:
            return
        try:
            latest = queries.store().version()
        except StoreError as exc:  # vanished, corrupted or unreadable: keep serving what is warm
            logging.getLogger(__name__).error("%s. The pages keep the data they had.", exc)
            continue
        if latest == queries.current_version():
            continue
        try:
            with queries.building(latest):
                _warm_up()
        except Exception:  # serve the new data anyway; its pages compute on demand
            logging.getLogger(__name__).exception("warm-up of store version %s failed", latest)
        queries.serve(latest)


def _warm_up() -> None:
    """Compute statuses, coverage and disparities of every group and source type.

    Also splits them by country (what a country page looks up; a country's observations are
    found when it is asked for, ``tables.country_rows``).

    "all" first, with the default overview and world matrix memoised under the keys their
    callbacks use, so the first visitor gets cache hits (the world matrix takes ~150 ms); then
    official and community (without them the first ``source=official`` request waits ~1.5 s
    on the real extract).
    """
    # The engine's tables of this store version: computed by the first process, read from
    # disk by every other worker and every later start (data/precomputed.py).
    queries.prepare_tables()
    for source in queries.SOURCES:
        _warm_tables(source)
        _warm_countries(source)
        if source == "all":
            _default_pages(("overview", "matrix"))
    _freeze()


def _warm_first() -> None:
    """Before the workers fork: the default overview, every group's tables, then the rest.

    All of it is read or computed here once and shared by the workers copy-on-write. The
    rest (countries' splits, the world matrix: ~1 CPU-s on the real extract) used to be
    warmed by each worker after the fork: four workers doing that at once on two cores
    delayed the first visitor's map (cold start to the first map 10.6 -> 8.5 s, workers'
    private memory 129 -> 27 MB each, on a loaded machine; bench/RESULTS.md).
    """
    queries.prepare_tables()
    _default_pages(("overview",))
    for source in queries.SOURCES:
        _warm_tables(source)
    for source in queries.SOURCES:
        _warm_countries(source)
        if source == "all":
            _default_pages(("matrix",))
    _freeze()


def _freeze() -> None:
    """What was built so far lives as long as the process: keep it out of the cyclic collector.

    Its full passes over it otherwise add ~100 ms to about one request in twenty.
    """
    import gc

    gc.freeze()


def _warm_tables(source: str) -> None:
    from data.vocab import groups

    for group in groups():
        queries.coverage(group, source)
        queries.disparities(group, source)
        if source == "all":  # official rows whatever the source; any base year reads it
            queries.progress(group)
    # how the values map finds its pairs' source rows (in the store's order: no sorted copy)
    data_tables.in_key_order(source)


def _warm_countries(source: str) -> None:
    from data.vocab import groups

    for group in groups():
        queries.country_frames("", group, source)  # splits every country's rows once


def _default_pages(pages: tuple[str, ...]) -> None:
    """Memoise the default overview and/or world matrix under their callbacks' keys."""
    from layouts import state

    ver = content.version()
    name = "default pages" if len(pages) > 1 else f"default {pages[0]}"
    # on Redis once across workers: the others find these entries there (data/cache.py)
    # the app being warmed: dash.get_app() can answer another app created in this process
    # before it (Dash leaves its context variable set in the caller's context)
    server = _warmed.get("server") or dash.get_app().server
    with server.app_context(), warming(f"{name} v{ver}") as todo:
        s, lang = state.DEFAULTS, i18n.supported(i18n.language())
        filters = tuple(state.validate({}, content.choices())[0][k] for k in state.PARAMS)
        if todo and "overview" in pages:  # under the keys the page's layout asks for
            args = overview.payload_args(s)
            content.overview_payload(ver, *args[:-1], lang, args[-1])
            content.page_json(ver, "overview", lang, (), filters)
        if todo and "matrix" in pages:
            search = state.to_search(s)
            content.matrix_payload(ver, s["region"], s["source"], s["sort"], search, lang)
            content.page_json(ver, "matrix", lang, (), filters)


def create_server(settings: Settings | None = None, *, preload: bool = False) -> Flask:
    """The Flask server of a new app (the WSGI entry point: ``app:create_server()``).

    ``preload=True`` for a server that forks workers after loading it (gunicorn.conf.py).
    """
    return create_app(settings, preload=preload).server


def _title(**_: object) -> str:
    return i18n.t("app.title")


def _matrix_title(**_: object) -> str:
    return f"{i18n.t('nav.matrix')} \u2014 {i18n.t('app.title')}"


def _register_pages() -> None:
    title = _title  # page titles in the request's language
    # the pages' layouts memoised as JSON data (content.page): first loads and navigation
    dash.register_page(
        "overview",
        path="/",
        name=i18n.t("nav.map"),
        title=title,
        layout=content.page("overview", overview.layout),
    )
    dash.register_page(
        "matrix",
        path="/matrix",
        name=i18n.t("nav.matrix"),
        title=_matrix_title,
        layout=content.page("matrix", matrix.layout),
    )
    dash.register_page(
        "country",
        path_template="/country/<iso3>",
        title=_country_title,
        layout=content.page("country", country.layout, ("iso3",), country.known_code),
    )
    from layouts.pages import embed  # the map or a chart for other sites' iframes (issue #8)

    dash.register_page("embed", path=embed.PATH, title=title, layout=embed.layout)
    dash.register_page("not_found_404", path="/404", title=title, layout=shell.page_not_found)


def _country_title(iso3: str | None = None, **_: object) -> str:
    from data import reference

    name = reference.area_name(str(iso3 or "").upper(), i18n.language())
    return f"{name} \u2014 {i18n.t('app.title')}"


_INDEX_ENDPOINTS = ("/", "/<path:path>")  # Dash's page routes (every other path is a file)


def _not_found_status(server: Flask) -> None:
    """Unknown paths (and unknown country codes) answer 404, with the friendly page's HTML.

    Dash serves the same index for every path and its Pages router draws the not-found
    layout in the browser: the page is right, only the status has to change.
    """

    @server.after_request
    def not_found_status(response: Response) -> Response:
        if (
            request.endpoint in _INDEX_ENDPOINTS
            and response.status_code == 200
            and shell.page_status(request.path, _is_country) == 404
        ):
            response.status_code = 404
        return response


def _is_country(iso3: str) -> bool:
    return iso3 in set(reference.countries()["iso3"])


def _country_search_route(server: Flask) -> None:
    """``GET /find?q=Kenya`` (the header's search form) redirects to ``/country/KEN``.

    A name nothing matches goes to ``/country/<text>``: the friendly not-found page, which
    says what was asked for.
    """

    @server.route("/find")
    def find_country() -> Response:
        text = request.args.get("q", "")
        names = {c: reference.area_name(c, i18n.language()) for c in reference.countries()["iso3"]}
        iso3 = views.find_country(text, names)
        target = f"/country/{iso3}" if iso3 else f"/country/{quote(text.strip(), safe='')}"
        return redirect(target if text.strip() else "/", code=303)


class _QuietHandler(WSGIRequestHandler):
    """The development server without its versions in the ``Server`` header."""

    def version_string(self) -> str:
        return "gapmap"


if __name__ == "__main__":
    import sys

    _settings = Settings.from_env()
    try:
        _app = create_app(_settings)
    except StoreError as _exc:  # a clear line for the operator, not a traceback
        sys.stderr.write(f"gapmap cannot start: {_exc}\n")
        sys.exit(1)
    _app.run(
        host=_settings.host,
        port=_settings.port,
        debug=_settings.debug,
        request_handler=_QuietHandler,
    )
