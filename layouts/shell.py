"""The app shell around every page.

Skip link, header and navigation, the demo banner, the page container (``main`` landmark) and
the footer with the datasets in use. The embed page (``/embed``, shown inside another site's
``<iframe>``) gets no chrome: only the demo banner and the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dash
import dash_bootstrap_components as dbc
from dash import html

from data import queries, reference
from layouts import components, ids
from layouts.i18n import language, t
from layouts.pages import content


def layout(lang: str | None = None) -> html.Div:
    """The shell for the current store (banner and footer reflect its datasets)."""
    snap = queries.snapshot()
    if embedding():
        return bare(snap, lang)
    lang = lang or language()
    return html.Div(
        [
            dash.dcc.Location(id=ids.SHELL_URL, refresh=False),
            header(lang, high_contrast(), here()),
            dbc.Container(
                # the banner inside <main>: every piece of content sits in a landmark, and the
                # skip link lands on the warning that the data are invented
                html.Main(
                    [
                        # a failed callback writes its message here (app.py on_error)
                        html.Div(id=ids.ERROR_REGION, role="alert"),
                        html.Div(components.demo_banner(snap.illustrative, lang, snap.mixed)),
                        page_container(),
                    ],
                    id=ids.MAIN,
                    tabIndex="-1",
                )
            ),
            footer(snap.version, lang),
        ]
    )


def header(lang: str, contrast: bool, page: str) -> html.Header:
    """The site header; its country search (every country's name) memoised per language.

    The rest depends on the page's address (the language and contrast links keep it): built
    per request, so no address, however random, adds an entry to the shared cache.
    """
    return components.site_header(lang, high_contrast=contrast, here=page, search=search_box(lang))


@content.memoized
def search_box(lang: str) -> dict:
    """The header's country search (a list of every country's name) as JSON data, memoised."""
    return content.jsonable(components.country_search(country_names(lang), lang))


@content.memoized
def footer(ver: int, lang: str) -> dict:
    """The footer with the store's datasets, as JSON data, memoised."""
    snap = queries.snapshot()
    datasets = snap.datasets.to_dict("records")
    return content.jsonable(
        components.site_footer(
            datasets, queries.settings().recent_years, lang, as_of=int(snap.as_of or 0)
        )
    )


def embedding() -> bool:
    """Whether the layout is asked for by the embed page.

    Dash fetches the layout from the page it is on: that page's address is the request's
    ``Referer`` (same origin, so the referrer policy keeps the path).
    """
    from flask import has_request_context, request

    from layouts.pages.embed import is_embed

    return has_request_context() and (is_embed(request.referrer) or is_embed(request.path))


def bare(snap: queries.Snapshot, lang: str | None = None) -> html.Div:
    """The embed page's shell: no skip link, header, navigation or footer.

    The demo banner stays: invented values are never shown without saying so.
    """
    return html.Div(
        [
            dash.dcc.Location(id=ids.SHELL_URL, refresh=False),
            html.Main(
                [
                    html.Div(id=ids.ERROR_REGION, role="alert"),
                    html.Div(components.demo_banner(snap.illustrative, lang, snap.mixed)),
                    page_container(),
                ],
                id=ids.MAIN,
                className="embed-main p-2",
            ),
        ]
    )


def page_container() -> html.Div:
    """Dash's page container with the page of the address already in it.

    Dash's router fills its container by a callback once the layout has arrived: one more
    round trip (~150 ms on a slow link, and the server's time) before anything of the page is
    drawn. Here the layout request carries the page: its address is the request's ``Referer``,
    and the container's ``Location`` holds that path and query, so it does not fire the router
    on mount. Later navigation goes through the router as before. Without a ``Referer``, or if
    the page cannot be built here, Dash's empty container: the router fills it.
    """
    where = _page_address()
    if where is None:
        return dash.page_container
    pathname, search = where
    try:
        content, title = _page_of(pathname, search)
    except Exception:  # the router's callback builds it, with its error handling
        logging.getLogger(__name__).exception("page %s built by the router instead", pathname)
        return dash.page_container
    if content is None:
        return dash.page_container
    location, body, store, dummy = dash.page_container.children
    return html.Div(
        [
            dash.dcc.Location(
                id=location.id, refresh=location.refresh, pathname=pathname, search=search
            ),
            html.Div(content, id=body.id, disable_n_clicks=True),
            dash.dcc.Store(id=store.id, data={"title": title}),
            html.Div(id=dummy.id, disable_n_clicks=True),
        ]
    )


def _page_address() -> tuple[str, str] | None:
    """(path, query string with its "?" or "") of the page asking for Dash's layout."""
    from urllib.parse import urlsplit

    from flask import has_request_context, request

    if not has_request_context() or not request.path.endswith("/_dash-layout"):
        return None
    if not request.referrer:
        return None
    page = urlsplit(request.referrer)
    if page.netloc != request.host:
        return None
    return page.path or "/", f"?{page.query}" if page.query else ""


def _page_of(pathname: str, search: str) -> tuple[object, str]:
    """The layout and title Dash's router would give the address (None: leave it to it).

    The same steps as the router's callback (dash.Dash.enable_pages), through the functions
    it uses (dash._pages, pinned by requirements.txt to Dash 4; tests/test_app_smoke.py
    compares the two).
    """
    from dash import _pages

    page, variables = _pages._path_to_page(dash.get_app().strip_relative_path(pathname))
    if not page or page.get("module", "").split(".")[-1] == "not_found_404":
        return None, ""
    params = {**(variables or {}), **_pages._parse_query_string(search)}
    layout = page.get("layout", "")
    content = layout(**params) if callable(layout) else layout
    title = page["title"]
    return content, title(**(variables or {})) if callable(title) else title


def country_names(lang: str | None = None) -> list[str]:
    """Names of every country in the page's language, sorted: the search box's suggestions."""
    code = lang or language()
    return sorted(
        (reference.area_name(c, code) for c in reference.countries()["iso3"]), key=str.casefold
    )


CONTRAST_COOKIE = "gapmap_contrast"


def here() -> str:
    """The page's path and query: the request's, or for Dash's layout request its ``Referer``.

    The language and contrast links keep them (``components.with_param``).
    """
    from urllib.parse import urlsplit

    from flask import has_request_context, request

    if not has_request_context():
        return ""
    if request.path.startswith("/_dash") and request.referrer:
        page = urlsplit(request.referrer)
        return f"{page.path}?{page.query}" if page.query else page.path
    return request.full_path.rstrip("?")


def high_contrast() -> bool:
    """Whether the request asks for the high-contrast display (``?contrast=high`` or cookie)."""
    from flask import has_request_context, request

    if not has_request_context():
        return False
    asked = request.args.get("contrast")
    if asked not in ("high", "standard") and request.referrer:
        from urllib.parse import parse_qs, urlparse

        asked = parse_qs(urlparse(request.referrer).query).get("contrast", [None])[0]
    if asked not in ("high", "standard"):
        asked = request.cookies.get(CONTRAST_COOKIE)
    return asked == "high"


def page_status(path: str, is_country: Callable[[str], bool]) -> int:
    """HTTP status of a page path: 200 for ``/``, ``/matrix``, ``/embed``, a known country."""
    parts = [p for p in path.split("/") if p]
    if parts in ([], ["matrix"], ["embed"]):
        return 200
    if len(parts) == 2 and parts[0] == "country" and is_country(parts[1].upper()):
        return 200
    return 404


def page_not_found(lang: str | None = None, **_: object) -> html.Div:
    """Layout of an unknown path."""
    return html.Div(
        [
            html.H1(t("notfound.page", lang), id=ids.NOT_FOUND_HEADING, className="h3"),
            html.P(t("notfound.page_text", lang)),
            dash.dcc.Link(t("notfound.back", lang), href="/", className="btn btn-primary"),
        ]
    )
