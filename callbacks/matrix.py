"""Matrix wiring: URL <-> region/source/sort, the matrix table and its download links.

The page's layout carries the table of its address; the callbacks answer changes.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks import downloads
from layouts import ids
from layouts.i18n import language
from layouts.pages import matrix

STATE_AT = 5  # the state's place among matrix.sync's outputs (search, 3 controls, notice)


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
        *downloads.outputs(ids.MATRIX_DOWNLOADS, duplicate=True),
        Input(ids.MATRIX_URL, "search"),
        *[Input(cid, "value") for cid in controls.values()],
        State(ids.MATRIX_STATE, "data"),
        State(ids.MATRIX_URL, "pathname"),
        prevent_initial_call=True,  # the page's layout carries the table of its address
    )
    def update_matrix(search, *values_and_current):
        *values, current, pathname = values_and_current
        if not matrix.is_here(pathname):
            raise PreventUpdate  # the URL moved to another page: the matrix is unmounting
        from_url = ctx.triggered_id in (None, ids.MATRIX_URL)
        out = matrix.sync(from_url, search, dict(zip(controls, values)), current, language())
        return *out, *downloads.links(ids.MATRIX_DOWNLOADS, "matrix", out, STATE_AT, current)
