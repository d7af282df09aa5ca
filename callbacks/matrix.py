"""Matrix wiring: URL <-> region/source/sort, and the matrix table."""

from __future__ import annotations

from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate
from flask import request

from layouts import ids, state
from layouts.i18n import language
from layouts.pages import content, matrix
from server import images


def register(app):
    """Register the callbacks of the matrix page."""
    controls = matrix.CONTROL_IDS

    @app.callback(
        Output(ids.MATRIX_URL, "search"),
        *[Output(cid, "value") for cid in controls.values()],
        Output(ids.MATRIX_NOTICE, "children"),
        Output(ids.MATRIX_STATE, "data"),
        Output(ids.MATRIX_TABLE, "children"),
        Output(ids.MATRIX_SUMMARY, "children"),
        Input(ids.MATRIX_URL, "search"),
        *[Input(cid, "value") for cid in controls.values()],
        State(ids.MATRIX_STATE, "data"),
        State(ids.MATRIX_URL, "pathname"),
    )
    def update_matrix(search, *values_and_current):
        *values, current, pathname = values_and_current
        if not matrix.is_here(pathname):
            raise PreventUpdate  # the URL moved to another page: the matrix is unmounting
        from_url = ctx.triggered_id in (None, ids.MATRIX_URL)
        return matrix.sync(from_url, search, dict(zip(controls, values)), current, language())

    @app.callback(
        Output(ids.MATRIX_DATA_CSV, "href"),
        Output(ids.MATRIX_DATA_XLSX, "href"),
        Input(ids.MATRIX_STATE, "data"),
    )
    def update_downloads(s):
        s = state.trusted(s, content.choices())
        if not s:
            raise PreventUpdate  # the state arrives with the first update
        links = images.menu_links("matrix", state.to_search(s), request.host_url, language())
        return images.menu_values(ids.MATRIX_DOWNLOADS, links)
