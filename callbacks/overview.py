"""Overview wiring: URL <-> filters, filters -> map/cards/table, map click -> country page."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import request

from layouts import ids, state
from layouts.i18n import language, t
from layouts.pages import content, overview
from server import images


def register(app):
    """Register the callbacks of the overview."""
    controls = overview.FILTER_IDS

    @app.callback(
        Output(ids.OVERVIEW_URL, "search"),
        *[Output(cid, "value") for cid in controls.values()],
        Output(ids.FILTER_SERIES, "options"),
        Output(ids.OVERVIEW_NOTICE, "children"),
        Output(ids.OVERVIEW_STATE, "data"),
        Output(ids.OVERVIEW_HEADING, "children"),
        *[Output(box, "style") for box in overview.BOX_IDS.values()],
        Input(ids.OVERVIEW_URL, "search"),
        *[Input(cid, "value") for cid in controls.values()],
        State(ids.OVERVIEW_STATE, "data"),
        State(ids.OVERVIEW_URL, "pathname"),
    )
    def sync_filters(search, *values_and_current):
        *values, current, pathname = values_and_current
        if not overview.is_here(pathname):
            raise PreventUpdate  # the URL moved to another page: the overview is unmounting
        from_url = ctx.triggered_id in (None, ids.OVERVIEW_URL)
        return overview.sync(from_url, search, dict(zip(controls, values)), current, language())

    @app.callback(
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.HEADLINES, "children"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_LEGEND, "children"),
        Input(ids.OVERVIEW_STATE, "data"),
    )
    def update_map(s):
        args = overview.payload_args(s)
        p = content.overview_payload(content.version(), *args[:-1], language(), args[-1])
        return p["figure"], p["headlines"], p["summary"], p["legend"]

    @app.callback(
        Output(ids.MAP_TABLE, "children"),
        Output(ids.MAP_TABLE_TOGGLE, "children"),
        Output(ids.MAP_TABLE_TOGGLE, "aria-expanded"),
        Input(ids.OVERVIEW_STATE, "data"),
        Input(ids.MAP_TABLE_TOGGLE, "n_clicks"),
    )
    def update_table(s, clicks):
        if not (clicks if isinstance(clicks, int) else 0) % 2:
            return [], t("overview.table_show", language()), "false"
        args = overview.payload_args(s)
        table = content.table_payload(content.version(), *args[:-1], language(), args[-1])
        return table, t("overview.table_hide", language()), "true"

    @app.callback(
        *[
            Output(i, images.MENU_PROPS[k])
            for k, i in ids.OVERVIEW_DOWNLOADS.items()
            if k in images.MENU_PROPS
        ],
        Input(ids.OVERVIEW_STATE, "data"),
    )
    def update_downloads(s):
        search = state.to_search(state.trusted(s, content.choices()) or {})
        links = images.menu_links("map", search, request.host_url, language())
        return images.menu_values(ids.OVERVIEW_DOWNLOADS, links)

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
