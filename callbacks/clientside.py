"""Pure view changes that run in the browser (no data, no round trip).

On a phone the world map drawn at full width is ~160 px tall inside a 320 px box: the world
map (not a chosen region, which is fitted to its countries) is zoomed in on narrow screens
so the drawing fills the box (``theme.PHONE_GEO``); the user can pan it.
"""

from __future__ import annotations

import json

from dash import Input, Output, State

from layouts import ids, theme
from layouts.i18n import t

NARROW = 576  # px: Bootstrap's "sm" breakpoint, below which the map is zoomed

ZOOM_ON_PHONES = """
function (figure, href) {
    var skip = window.dash_clientside.no_update;
    var geo = figure && figure.layout && figure.layout.geo;
    var phone = %(phone)s;
    if (!geo || window.innerWidth >= %(narrow)d || geo.fitbounds) { return skip; }
    if (geo.lonaxis && geo.lonaxis.range) { return skip; }  // already zoomed
    var zoomed = Object.assign({}, geo, phone, {
        projection: Object.assign({}, geo.projection, phone.projection)
    });
    return Object.assign({}, figure, {layout: Object.assign({}, figure.layout, {geo: zoomed})});
}
"""

# The embed code's copy button: the Clipboard API where the page is a secure context (HTTPS or
# localhost), else the older copy command on the selected text; either way the code stays
# selectable in its read-only box.
COPY_EMBED = """
function (n, code) {
    if (!n) { return window.dash_clientside.no_update; }
    var done = %(done)s, failed = %(failed)s;
    if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(code).then(
            function () { return done; }, function () { return failed; });
    }
    var box = document.getElementById(%(box)s);
    if (box) { box.select(); }
    try { return document.execCommand("copy") ? done : failed; } catch (e) { return failed; }
}
"""


# The embed code of a page's layout has a relative <iframe src> (the layout is memoised for
# every host name the site answers to: layouts/pages/links.py); the page's Location sets its
# href when it mounts, and the browser puts its own origin in front.
ABSOLUTE_EMBED = """
function (href, code) {
    var at = ' src="/';
    if (!code || code.indexOf(at) < 0) { return window.dash_clientside.no_update; }
    return code.replace(at, ' src="' + window.location.origin + '/');
}
"""


# A country's status matrix is asked for on a click (or key press) of its summary while its
# table has not arrived: once it has, closing and opening it sends nothing; if the answer was
# lost (a dropped connection), the next click asks again.
ASK_MATRIX = """
function (n, body) {
    var loaded = body && body.props && body.props.role === "region";
    return loaded ? window.dash_clientside.no_update : n;
}
"""


def copy_embed_js(box_id: str) -> str:
    """The copy button's function for the embed code in ``box_id``."""
    texts = {"done": t("embed.copied"), "failed": t("embed.copy_failed"), "box": box_id}
    return COPY_EMBED % {k: json.dumps(v) for k, v in texts.items()}


def register(app):
    """Register the clientside callbacks (the map zoom, embed codes, the status matrix asked)."""
    app.clientside_callback(
        ZOOM_ON_PHONES % {"narrow": NARROW, "phone": json.dumps(theme.PHONE_GEO)},
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
        Input(ids.MAP_GRAPH, "figure"),
        # the page's layout draws the first map: its Location sets its href when it mounts
        Input(ids.OVERVIEW_URL, "href"),
        prevent_initial_call=True,
    )
    for menu, url in (
        (ids.OVERVIEW_DOWNLOADS, ids.OVERVIEW_URL),
        (ids.COUNTRY_DOWNLOADS, ids.COUNTRY_URL),
    ):
        app.clientside_callback(
            ABSOLUTE_EMBED,
            Output(menu["code"], "value", allow_duplicate=True),
            Input(url, "href"),
            State(menu["code"], "value"),
            prevent_initial_call=True,
        )
        app.clientside_callback(
            copy_embed_js(menu["code"]),
            Output(menu["status"], "children"),
            Input(menu["copy"], "n_clicks"),
            State(menu["code"], "value"),
            prevent_initial_call=True,
        )
    app.clientside_callback(
        ASK_MATRIX,
        Output(ids.COUNTRY_STATUS_MATRIX_ASKED, "data"),
        Input(ids.COUNTRY_STATUS_MATRIX_SHOW, "n_clicks"),
        State(ids.COUNTRY_STATUS_MATRIX_BODY, "children"),  # in the browser: no bytes sent
        prevent_initial_call=True,
    )
