"""Overview wiring: URL <-> filters -> map/cards/table (one callback), map click -> country."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import downloads
from layouts import ids, state
from layouts.i18n import language
from layouts.pages import content, overview

# what changed, for ``overview.update`` (None: Dash's initial call, the URL as loaded; the
# state store is no input: a request naming it asks for the map of the state it sends)
TRIGGERS = {
    None: "url",
    ids.OVERVIEW_URL: "url",
    ids.MAP_TABLE_TOGGLE: "table",
    ids.OVERVIEW_STATE: "state",
}


def register(app):
    """Register the callbacks of the overview."""
    controls = overview.FILTER_IDS

    # One callback for a change: URL <-> controls, and the map (and the table when shown) of
    # the new state in the same answer. The page's layout draws the first state itself.
    @app.callback(
        Output(ids.OVERVIEW_URL, "search"),
        *[Output(cid, "value") for cid in controls.values()],
        Output(ids.FILTER_SERIES, "options"),
        Output(ids.OVERVIEW_NOTICE, "children"),
        Output(ids.OVERVIEW_STATE, "data"),
        Output(ids.OVERVIEW_HEADING, "children"),
        *[Output(box, "style") for box in overview.BOX_IDS.values()],
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.HEADLINES, "children"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_LEGEND, "children"),
        Output(ids.MAP_TABLE, "children"),
        Output(ids.MAP_TABLE_TOGGLE, "children"),
        Output(ids.MAP_TABLE_TOGGLE, "aria-expanded"),
        *downloads.outputs(ids.OVERVIEW_DOWNLOADS, duplicate=True),
        Input(ids.OVERVIEW_URL, "search"),
        *[Input(cid, "value") for cid in controls.values()],
        Input(ids.MAP_TABLE_TOGGLE, "n_clicks"),
        State(ids.OVERVIEW_STATE, "data"),
        State(ids.OVERVIEW_URL, "pathname"),
        prevent_initial_call=True,
    )
    def update_overview(search, *values_clicks_and_current):
        *values, clicks, current, pathname = values_clicks_and_current
        if not overview.is_here(pathname):
            raise PreventUpdate  # the URL moved to another page: the overview is unmounting
        trigger, values = TRIGGERS.get(ctx.triggered_id, "control"), dict(zip(controls, values))
        out = overview.update(trigger, search, values, clicks, current, language())
        links = downloads.links(ids.OVERVIEW_DOWNLOADS, "map", out, overview.STATE_AT, current)
        return *out, *links

    @app.callback(
        Output(ids.OVERVIEW_NAV, "href"),
        Input(ids.MAP_GRAPH, "clickData"),
        State(ids.OVERVIEW_STATE, "data"),
        prevent_initial_call=True,
    )
    def go_to_country(click, s):
        iso3 = overview.clicked_iso3(click)
        s = state.trusted(s, content.choices()) or {}
        return f"/country/{iso3}{state.to_search(s)}" if iso3 else no_update
