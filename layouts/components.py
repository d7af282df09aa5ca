"""Pure component builders: controls, the app shell, headline cards, notices and the legend.

Controls are native ``<select>`` elements (``dbc.Select``) with a ``<label for>``: their
accessible name is their visible label (Dash 4's ``dcc.Dropdown`` announces its value instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.gaps import STATUSES
from layouts import ids, theme
from layouts.i18n import t
from layouts.state import Problem

Option = dict[str, str]


def options(pairs: Iterable[tuple[str, str]]) -> list[Option]:
    """Select options from (value, label) pairs."""
    return [{"label": label, "value": value} for value, label in pairs]


def select(
    control_id: str, label: str, opts: Sequence[Option], value: str, width: int = 3
) -> dbc.Col:
    """A labelled native select in a grid column (label ``for`` = the select's id)."""
    return dbc.Col(
        [
            dbc.Label(label, html_for=control_id, className="form-label fw-semibold mb-1"),
            dbc.Select(id=control_id, options=list(opts), value=value, className="form-select"),
        ],
        md=width,
        className="mb-2",
    )


def radio_group(control_id: str, label: str, opts: Sequence[Option], value: str) -> dbc.Col:
    """Radio buttons in a fieldset whose legend is the visible label."""
    return dbc.Col(
        html.Fieldset(
            [
                html.Legend(label, className="form-label fw-semibold mb-1 fs-6"),
                dbc.RadioItems(
                    id=control_id,
                    options=list(opts),
                    value=value,
                    inline=True,
                    className="mode-radios",
                ),
            ],
            className="mb-2",
        ),
        md=12,
    )


def filter_panel(controls: Sequence[Any], heading: str) -> html.Section:
    """The filter form: a labelled region with the controls in a responsive grid."""
    return html.Section(
        [
            html.H2(heading, id=ids.FILTERS_HEADING, className="h5 visually-hidden"),
            dbc.Row(list(controls), className="g-2 align-items-end"),
        ],
        className="filters border rounded p-3 mb-3 bg-light",
        **{"aria-labelledby": ids.FILTERS_HEADING},
    )


def notice(problems: Sequence[Problem], describe: Any = None, lang: str | None = None) -> list[Any]:
    """A visible notice for link parameters that were not understood ([] when none).

    Args:
        problems: from ``state.validate``.
        describe: optional callable (param, value) -> display text of a fallback value.
        lang: language.
    """
    if not problems:
        return []
    items = [
        html.Li(
            t(
                "notice.invalid",
                lang,
                param=t(f"filters.{p.param}", lang),
                value=p.value,
                fallback=describe(p.param, p.fallback) if describe else p.fallback or "\u2014",
            )
        )
        for p in problems
    ]
    return [
        html.Div(
            [html.Strong(t("notice.heading", lang)), html.Ul(items, className="mb-0")],
            className="alert alert-warning mb-3",
        )
    ]


def headline_cards(cards: Sequence[tuple[str, str]], lang: str | None = None) -> html.Div:
    """Headline cards: (big number, sentence) pairs, in words and numbers."""
    cols = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.P(number, className="headline-number display-6 mb-0"),
                        html.P(text, className="mb-0"),
                    ]
                ),
                className="h-100",
            ),
            md=12 // max(len(cards), 1) if len(cards) <= 4 else 3,
        )
        for number, text in cards
    ]
    return html.Div(
        dbc.Row(cols, className="g-2"), role="group", **{"aria-label": t("headline.label", lang)}
    )


def status_legend(lang: str | None = None) -> html.Div:
    """The statuses with colour, symbol and meaning (always visible, not colour alone)."""
    items = [
        html.Li(
            [
                html.Span(
                    theme.STATUS_GLYPHS[s],
                    className="legend-glyph",
                    style={"color": theme.STATUS_COLOURS[s]},
                    **{"aria-hidden": "true"},
                ),
                html.Strong(t(f"status.{s}", lang) + ": "),
                html.Span(t(f"status.help.{s}", lang)),
            ]
        )
        for s in STATUSES
    ]
    return html.Div(
        [
            html.H3(t("legend.heading", lang), className="h6"),
            html.Ul(items, className="list-unstyled status-legend mb-0"),
        ],
        id=ids.MAP_LEGEND,
        className="mb-2",
    )


def graph(graph_id: str, figure: Any, config: dict[str, Any], class_name: str = "") -> dcc.Graph:
    """A graph with the offline config (its text alternative is the caption and the table)."""
    return dcc.Graph(
        id=graph_id, figure=figure, config=config, className=f"graph {class_name}".strip()
    )


def figure_block(graph_component: Any, summary_id: str, summary: Any, caption: str) -> html.Figure:
    """A chart with its text summary as caption (announced when it changes)."""
    return html.Figure(
        [
            graph_component,
            html.Figcaption(
                [
                    html.Span(caption, className="visually-hidden"),
                    html.P(
                        summary,
                        id=summary_id,
                        className="chart-summary mb-1",
                        **{"aria-live": "polite"},
                    ),
                ]
            ),
        ],
        className="mb-2",
    )


def site_header(lang: str | None = None) -> html.Header:
    """Skip link, title and the main navigation."""
    return html.Header(
        [
            html.A(
                t("shell.skip", lang),
                href=f"#{ids.MAIN}",
                id=ids.SKIP_LINK,
                className="visually-hidden-focusable skip-link",
            ),
            dbc.Container(
                [
                    html.Div(
                        [
                            html.P(t("app.title", lang), className="site-title h4 mb-0"),
                            html.P(t("app.tagline", lang), className="mb-0 small"),
                        ]
                    ),
                    html.Nav(
                        html.Ul(
                            [
                                html.Li(
                                    dcc.Link(
                                        t("nav.map", lang),
                                        href="/",
                                        id=ids.NAV_MAP,
                                        className="nav-link",
                                    )
                                ),
                                html.Li(
                                    dcc.Link(
                                        t("nav.matrix", lang),
                                        href="/matrix",
                                        id=ids.NAV_MATRIX,
                                        className="nav-link",
                                    )
                                ),
                            ],
                            className="nav",
                        ),
                        id=ids.NAV,
                        **{"aria-label": t("shell.nav_label", lang)},
                    ),
                ],
                className="d-flex flex-wrap justify-content-between align-items-center py-2",
            ),
        ],
        id=ids.HEADER,
        className="site-header border-bottom mb-3",
    )


def demo_banner(illustrative: bool, lang: str | None = None) -> list[Any]:
    """The "illustrative demo data" banner ([] for real data)."""
    if not illustrative:
        return []
    return [
        html.Div(
            t("banner.demo", lang),
            id=ids.DEMO_BANNER,
            role="note",
            className="alert alert-danger demo-banner mb-3 fw-semibold",
        )
    ]


def site_footer(
    datasets: Sequence[dict[str, Any]], recent_years: int, lang: str | None = None
) -> html.Footer:
    """Footer: every dataset in use with its attribution and licence.

    Args:
        datasets: rows of ``store.datasets()`` as dicts (name, source_type, rows, attribution,
            licence, illustrative).
        recent_years: the recency window, explained in words.
        lang: language.
    """
    items = [
        html.Li(
            t(
                "footer.dataset",
                lang,
                name=d["name"],
                source_type=t(f"source.{d['source_type']}", lang)
                + (f", {t('footer.illustrative', lang)}" if d.get("illustrative") else ""),
                rows=f"{int(d['rows']):,}",
                attribution=d.get("attribution") or "",
                licence=d.get("licence") or "\u2014",
            )
        )
        for d in datasets
    ] or [html.Li(t("footer.none", lang))]
    return html.Footer(
        dbc.Container(
            [
                html.H2(t("footer.heading", lang), className="h6"),
                html.Ul(items, id=ids.FOOTER_DATASETS, className="small"),
                html.P(t("footer.about", lang, recent=recent_years), className="small mb-0"),
            ]
        ),
        id=ids.FOOTER,
        className="site-footer border-top mt-4 py-3 bg-light",
    )
