"""Shell wiring: the page-wide error message of a failed callback, cleared on navigation."""

from __future__ import annotations

import logging

from dash import Input, Output, ctx, set_props

from layouts import components, ids
from layouts.i18n import language

log = logging.getLogger("gapmap.callbacks")


def on_error(err: Exception) -> None:
    """``Dash(on_error=...)``: log the failure, tell the user in plain words, keep outputs."""
    log.error("callback failed (trigger: %s)", ctx.triggered_id, exc_info=err)
    set_props(ids.ERROR_REGION, {"children": components.error_message(language())})


def register(app):
    """Register the shell's callbacks: a new page clears the message of the last one."""
    app.clientside_callback(
        "function (pathname) { return null; }",
        Output(ids.ERROR_REGION, "children"),
        Input(ids.SHELL_URL, "pathname"),
        prevent_initial_call=True,
    )
