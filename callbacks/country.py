"""Country page wiring: URL <-> group/series, and the series-dependent sections."""

from __future__ import annotations

from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate
from flask import request

from layouts import ids, state
from layouts.i18n import language
from layouts.pages import content, country
from server import images


def register(app):
    """Register the callbacks of the country page."""

    @app.callback(
        Output(ids.COUNTRY_URL, "search"),
        Output(ids.COUNTRY_GROUP, "value"),
        Output(ids.COUNTRY_SERIES, "value"),
        Output(ids.COUNTRY_SERIES, "options"),
        Output(ids.COUNTRY_NOTICE, "children"),
        Output(ids.COUNTRY_STATE, "data"),
        Output(ids.COUNTRY_DETAIL, "children"),
        Output(ids.COUNTRY_BACK, "href"),
        Output(ids.COUNTRY_MISSING, "children"),
        Input(ids.COUNTRY_URL, "search"),
        Input(ids.COUNTRY_GROUP, "value"),
        Input(ids.COUNTRY_SERIES, "value"),
        State(ids.COUNTRY_ISO3, "data"),
        State(ids.COUNTRY_STATE, "data"),
        State(ids.COUNTRY_URL, "pathname"),
    )
    def update_country(search, group, series, iso3, current, pathname):
        if not country.known(iso3) or not country.is_here(pathname, iso3):
            raise PreventUpdate  # the URL moved to another page: this one is unmounting
        from_url = ctx.triggered_id in (None, ids.COUNTRY_URL)
        values = {"group": group, "series": series}
        return country.sync(iso3, from_url, search, values, current, language())

    @app.callback(
        *[
            Output(i, images.MENU_PROPS[k])
            for k, i in ids.COUNTRY_DOWNLOADS.items()
            if k in images.MENU_PROPS
        ],
        Input(ids.COUNTRY_STATE, "data"),
        State(ids.COUNTRY_ISO3, "data"),
    )
    def update_downloads(s, iso3):
        s = state.trusted(s, content.choices())
        if not s or not country.known(iso3):
            raise PreventUpdate  # the state arrives with the page's first update
        view, search = f"country-{iso3}", state.to_search(s)
        links = images.menu_links(view, search, request.host_url, language())
        return images.menu_values(ids.COUNTRY_DOWNLOADS, links)
