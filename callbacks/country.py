"""Country page wiring: URL <-> group/series, the series-dependent sections, download links.

The page's layout carries the state of its address; the callbacks answer changes. The status
matrix's table is sent when its summary is first opened.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks import downloads
from layouts import ids
from layouts.i18n import language
from layouts.pages import country

STATE_AT = 5  # the state's place among country.sync's outputs


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
        *downloads.outputs(ids.COUNTRY_DOWNLOADS, duplicate=True),
        Input(ids.COUNTRY_URL, "search"),
        Input(ids.COUNTRY_GROUP, "value"),
        Input(ids.COUNTRY_SERIES, "value"),
        State(ids.COUNTRY_ISO3, "data"),
        State(ids.COUNTRY_STATE, "data"),
        State(ids.COUNTRY_URL, "pathname"),
        prevent_initial_call=True,  # the page's layout carries the state of its address
    )
    def update_country(search, group, series, iso3, current, pathname):
        if not country.known(iso3) or not country.is_here(pathname, iso3):
            raise PreventUpdate  # the URL moved to another page: this one is unmounting
        from_url = ctx.triggered_id in (None, ids.COUNTRY_URL)
        values = {"group": group, "series": series}
        out = country.sync(iso3, from_url, search, values, current, language())
        view = f"country-{iso3}"
        return *out, *downloads.links(ids.COUNTRY_DOWNLOADS, view, out, STATE_AT, current)

    @app.callback(
        Output(ids.COUNTRY_STATUS_MATRIX_BODY, "children"),
        # set in the browser by a click of the summary while the table is missing (clientside)
        Input(ids.COUNTRY_STATUS_MATRIX_ASKED, "data"),
        State(ids.COUNTRY_ISO3, "data"),
        State(ids.COUNTRY_STATE, "data"),
        prevent_initial_call=True,
    )
    def show_status_matrix(asked, iso3, current):
        if not asked or not country.known(iso3):
            raise PreventUpdate
        return country.status_matrix(iso3, current, language())
