"""The app shell around every page.

Skip link, header and navigation, the demo banner, the page container (``main`` landmark) and
the footer with the datasets in use.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from data import queries
from layouts import components, ids
from layouts.i18n import t


def layout(lang: str | None = None) -> html.Div:
    """The shell for the current store (banner and footer reflect its datasets)."""
    snap = queries.snapshot()
    datasets = snap.datasets.to_dict("records")
    return html.Div(
        [
            components.site_header(lang),
            dbc.Container(
                # the banner inside <main>: every piece of content sits in a landmark, and the
                # skip link lands on the warning that the data are invented
                html.Main(
                    [
                        html.Div(components.demo_banner(snap.illustrative, lang)),
                        dash.page_container,
                    ],
                    id=ids.MAIN,
                    tabIndex="-1",
                )
            ),
            components.site_footer(datasets, queries.settings().recent_years, lang),
        ]
    )


def page_not_found(lang: str | None = None, **_: object) -> html.Div:
    """Layout of an unknown path."""
    return html.Div(
        [
            html.H1(t("notfound.page", lang), id=ids.NOT_FOUND_HEADING, className="h3"),
            html.P(t("notfound.page_text", lang)),
            dash.dcc.Link(t("notfound.back", lang), href="/", className="btn btn-primary"),
        ]
    )
