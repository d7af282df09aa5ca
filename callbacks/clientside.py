"""Pure view changes that run in the browser (no data, no round trip).

On a phone the world map drawn at full width is ~160 px tall inside a 320 px box: the world
map (not a chosen region, which is fitted to its countries) is zoomed in on narrow screens
so the drawing fills the box (``theme.PHONE_GEO``); the user can pan it.
"""

from __future__ import annotations

import json

from dash import Input, Output

from layouts import ids, theme

NARROW = 576  # px: Bootstrap's "sm" breakpoint, below which the map is zoomed

ZOOM_ON_PHONES = """
function (figure) {
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


def register(app):
    """Register the clientside callbacks: the world map zoomed to fill a phone's map box."""
    app.clientside_callback(
        ZOOM_ON_PHONES % {"narrow": NARROW, "phone": json.dumps(theme.PHONE_GEO)},
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
        Input(ids.MAP_GRAPH, "figure"),
        prevent_initial_call=True,
    )
