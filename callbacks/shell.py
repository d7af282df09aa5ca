"""Shell wiring: the page-wide error message of a failed callback, cleared on navigation."""

from __future__ import annotations

import json
import logging

from dash import Input, Output, State, ctx, set_props

from layouts import components, ids
from layouts.i18n import LANGUAGES, language
from server import page_responses

log = logging.getLogger("gapmap.callbacks")

# components.with_param in the browser: the same page and query, one parameter set
KEEP_FILTERS = """
function (pathname, search, contrastHref) {
    var langs = LANGUAGES;
    function withParam(key, value) {
        var params = new URLSearchParams(search || "");
        params.delete(key);
        params.append(key, value);
        return (pathname || "/") + "?" + params.toString();
    }
    var wanted = new URLSearchParams((contrastHref || "").split("?")[1] || "").get("contrast");
    return langs.map(function (l) { return withParam("lang", l); })
        .concat([withParam("contrast", wanted || "high")]);
}
""".replace("LANGUAGES", json.dumps(list(LANGUAGES)))


def on_error(err: Exception) -> None:
    """``Dash(on_error=...)``: log the failure, tell the user in plain words, keep outputs."""
    log.error("callback failed (trigger: %s)", ctx.triggered_id, exc_info=err)
    page_responses.failed()  # this answer (a page's, maybe) is not kept for others
    set_props(ids.ERROR_REGION, {"children": components.error_message(language())})


def register(app):
    """Register the shell's callbacks: errors cleared on a new page, links that keep filters."""
    app.clientside_callback(
        "function (pathname) { return null; }",
        Output(ids.ERROR_REGION, "children"),
        Input(ids.SHELL_URL, "pathname"),
        prevent_initial_call=True,
    )
    # The language and contrast links follow the page's path and filters: a navigation
    # (SHELL_URL) or a page writing its filters into the query string (its own Location with
    # refresh=False, which does not tell the shell's Location).
    app.clientside_callback(
        KEEP_FILTERS,
        _link_outputs(),
        Input(ids.SHELL_URL, "pathname"),
        Input(ids.SHELL_URL, "search"),
        State(ids.CONTRAST_LINK, "href"),
    )
    for page_url in (ids.OVERVIEW_URL, ids.MATRIX_URL, ids.COUNTRY_URL):
        app.clientside_callback(
            KEEP_FILTERS,
            _link_outputs(duplicate=True),
            Input(page_url, "pathname"),
            Input(page_url, "search"),
            State(ids.CONTRAST_LINK, "href"),
            prevent_initial_call=True,
        )


def _link_outputs(duplicate: bool = False) -> list[Output]:
    links = [ids.language_link(code) for code in LANGUAGES] + [ids.CONTRAST_LINK]
    return [Output(link, "href", allow_duplicate=duplicate) for link in links]
