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
from layouts.i18n import LANGUAGES, language, language_name, number, t
from layouts.state import Problem

Option = dict[str, str]


def options(pairs: Iterable[tuple[str, str]]) -> list[Option]:
    """Select options from (value, label) pairs."""
    return [{"label": label, "value": value} for value, label in pairs]


def select(
    control_id: str,
    label: str,
    opts: Sequence[Option],
    value: str,
    width: int = 3,
    box_id: str | None = None,
    hidden: bool = False,
) -> dbc.Col:
    """A labelled native select in a grid column (label ``for`` = the select's id).

    ``box_id`` names the column, so a callback can hide it (``hidden``: ``display: none``).
    """
    return dbc.Col(
        [
            dbc.Label(label, html_for=control_id, className="form-label fw-semibold mb-1"),
            dbc.Select(id=control_id, options=list(opts), value=value, className="form-select"),
        ],
        md=width,
        className="mb-2",
        style=hidden_style(hidden),
        **({"id": box_id} if box_id else {}),
    )


def hidden_style(hidden: bool) -> dict[str, str]:
    """Inline style that hides a box (removed from layout and from the accessibility tree)."""
    return {"display": "none"} if hidden else {}


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


def headline_cards(cards: Sequence[tuple[str, str]], lang: str | None = None) -> dict[str, Any]:
    """Headline cards: (big number, sentence) pairs, in words and numbers, in a labelled group.

    Built as the plain data Dash sends for them (a ``Div`` of a bootstrap ``Row`` of ``Col`` >
    ``Card`` > ``CardBody`` > two ``P``): a map update builds them for every change, and the
    ~20 components with their serialisation cost ~0.4 ms, these dicts ~0.02 ms
    (tests/test_components.py: the same JSON as those components).
    """

    def node(kind: str, namespace: str, children: Any, **props: Any) -> dict[str, Any]:
        return {"props": {"children": children, **props}, "type": kind, "namespace": namespace}

    html_ns, dbc_ns = "dash_html_components", "dash_bootstrap_components"
    width = 12 // max(len(cards), 1) if len(cards) <= 4 else 3
    cols = [
        node(
            "Col",
            dbc_ns,
            node(
                "Card",
                dbc_ns,
                node(
                    "CardBody",
                    dbc_ns,
                    [
                        node("P", html_ns, number, className="headline-number display-6 mb-0"),
                        node("P", html_ns, text, className="mb-0"),
                    ],
                ),
                className="h-100",
            ),
            md=width,
        )
        for number, text in cards
    ]
    row = node("Row", dbc_ns, cols, className="g-2")
    return node("Div", html_ns, row, role="group", **{"aria-label": t("headline.label", lang)})


def _glyph(status: str) -> html.Span:
    return html.Span(
        theme.STATUS_GLYPHS[status],
        className="legend-glyph",
        style={"color": theme.STATUS_COLOURS[status]},
        **{"aria-hidden": "true"},
    )


def lower(text: str) -> str:
    """A phrase inside a sentence: its first letter in lower case ("Not split" -> "not split")."""
    return text[:1].lower() + text[1:]


def reason_text(reason: str, age: Any = None, lang: str | None = None) -> str:
    """A gap reason as a short phrase ("Outdated \u2014 9 years old"); "" for no reason.

    The same words as ``tables.reason_text`` without its country-page details (figures cannot
    import the tables).
    """
    if not reason:
        return ""
    text = t(f"reason.{reason}", lang)
    if reason == "stale" and age is not None and age == age:
        text += " \u2014 " + t("reason.age", lang, count=int(age), age=int(age))
    return text


def _reason_counts(info: dict[str, Any], lang: str | None) -> str:
    """Countries per reason in words, most first ("95 published, never split ...")."""
    ages = ""
    if info.get("ages"):
        low, high = info["ages"]
        ages = (
            t("reason.age", lang, count=low, age=low)
            if low == high
            else t("reason.ages", lang, low=low, high=high)
        )
    parts = []
    for r, n in info["reasons"]:
        part = t(
            "legend.reason_count", lang, n=number(n, lang), reason=lower(t(f"reason.{r}", lang))
        )
        parts.append(f"{part} ({ages})" if r == "stale" and ages else part)
    return ", ".join(parts)


def _status_items(
    statuses: Sequence[str], lang: str | None, counts: dict[str, dict[str, Any]] | None = None
) -> list[html.Li]:
    """One item per status: symbol, name, meaning; with ``counts``, countries and reasons."""
    items = []
    for s in statuses:
        info = (counts or {}).get(s)
        if counts is not None and info is None:
            continue  # a status map lists the statuses present, with their counts
        if info is None:
            head, rest = t(f"status.{s}", lang) + ": ", t(f"status.help.{s}", lang)
        else:
            n = info["n"]
            head = t("legend.status_count", lang, count=n, status=t(f"status.{s}", lang), n=n)
            reasons = _reason_counts(info, lang)
            rest = f" \u2014 {reasons}" if reasons else ""
            rest += f". {t(f'status.help.{s}', lang)}"
        items.append(html.Li([_glyph(s), html.Strong(head), html.Span(rest)]))
    return items


def status_legend(
    lang: str | None = None, counts: dict[str, dict[str, Any]] | None = None
) -> html.Div:
    """The statuses with colour, symbol and meaning (always visible, not colour alone).

    Args:
        lang: language.
        counts: ``views.status_reasons`` of the status map: each status present with its
            countries and their gap reasons in words ("Totals only: 120 countries \u2014 95
            published, never split for this group, 25 no comparable reference").
    """
    return html.Div(
        [
            html.H3(t("legend.heading", lang), className="h6"),
            html.Ul(
                _status_items(STATUSES, lang, counts),
                className="list-unstyled status-legend mb-0",
            ),
        ],
        className="mb-2",
    )


def share_key(lang: str | None = None, *, not_expected: bool = True) -> html.Ul:
    """The coverage classes as colour swatches with their range ("0–19%" ... "100%")."""
    items = [
        html.Li(
            [
                html.Span(
                    className="share-swatch",
                    style={"backgroundColor": colour},
                    **{"aria-hidden": "true"},
                ),
                t("legend.share_one", lang, pct=low)
                if low == high
                else t("legend.share_class", lang, low=low, high=high),
            ]
        )
        for low, high, colour in theme.share_classes()
    ]
    if not_expected:
        items.append(
            html.Li(
                [
                    html.Span(
                        className="share-swatch",
                        style={"backgroundColor": theme.NO_DATA},
                        **{"aria-hidden": "true"},
                    ),
                    t("legend.not_expected", lang),
                ]
            )
        )
    return html.Ul(items, className="list-unstyled share-key mb-1")


def reason_totals(totals: dict[str, int], lang: str | None = None, top: int = 4) -> html.Div:
    """The most common gap reasons over the countries shown, in words, with their counts."""
    items = [
        html.Li(
            t(
                "legend.reason_total",
                lang,
                count=n,
                n=number(n, lang),
                reason=t(f"reason.{r}", lang),
            )
        )
        for r, n in list(totals.items())[:top]
    ]
    if not items:
        return html.Div()
    return html.Div(
        [
            html.P(t("legend.reasons_heading", lang), className="mb-1 small fw-semibold"),
            html.Ul(items, className="small mb-1 reason-totals"),
        ]
    )


def coverage_legend(lang: str | None = None, totals: dict[str, int] | None = None) -> html.Div:
    """Legend of the coverage map: colour classes, symbols of "why no split", gap reasons."""
    return html.Div(
        [
            html.H3(t("legend.heading_coverage", lang), className="h6"),
            html.P(t("legend.share_help", lang), className="mb-1 small"),
            share_key(lang),
            reason_totals(totals or {}, lang),
            html.P(t("legend.marker_help", lang), className="mb-1 small"),
            html.Ul(
                _status_items(STATUSES[1:], lang), className="list-unstyled status-legend mb-0"
            ),
        ],
        className="mb-2",
    )


def progress_legend(base: int, window: int, lang: str | None = None) -> html.Div:
    """Legend of the progress map: what the diverging colours mean (the colour bar has numbers)."""
    swatches = [
        ("improved", theme.PROGRESS_SCALE[-1][1]),
        ("unchanged", theme.PROGRESS_SCALE[len(theme.PROGRESS_SCALE) // 2][1]),
        ("declined", theme.PROGRESS_SCALE[0][1]),
    ]
    items = [
        html.Li(
            [
                html.Span(
                    className="share-swatch",
                    style={"backgroundColor": colour},
                    **{"aria-hidden": "true"},
                ),
                t(f"legend.progress_class.{d}", lang, base=base),
            ]
        )
        for d, colour in swatches
    ]
    return html.Div(
        [
            html.H3(t("legend.heading_progress", lang), className="h6"),
            html.P(
                t("legend.progress_help", lang, base=base, window=window - 1),
                className="mb-1 small",
            ),
            html.Ul(items, className="list-unstyled share-key mb-1"),
        ],
        className="mb-2",
    )


def map_legend(kind: str, lang: str | None = None, info: dict[str, Any] | None = None) -> html.Div:
    """The one legend of the map (plotly draws none).

    Args:
        kind: ``coverage``, ``status``, ``values``, ``disparity`` or ``progress``.
        lang: language.
        info: what the data add: ``counts`` (status map: ``views.status_reasons``), ``totals``
            (coverage: ``views.reason_totals``), ``base`` and ``window`` (progress).
    """
    info = info or {}
    if kind == "coverage":
        return coverage_legend(lang, info.get("totals"))
    if kind == "progress":
        return progress_legend(info.get("base", 2015), info.get("window", 5), lang)
    return status_legend(lang, info.get("counts") if kind == "status" else None)


def busy(children: Any, lang: str | None = None) -> dcc.Loading:
    """Parts that a callback updates: dimmed under a visible "Updating…" while it runs.

    The spinner is a ``role="status"`` text, so screen readers hear it too; the old content
    stays in place (dimmed) so the page does not jump.
    """
    return dcc.Loading(
        children,
        custom_spinner=html.Div(
            [
                html.Span(
                    className="spinner-border spinner-border-sm me-2", **{"aria-hidden": "true"}
                ),
                t("overview.busy", lang),
            ],
            role="status",
            className="busy-indicator",
        ),
        overlay_style={"visibility": "visible", "opacity": 0.35},
        parent_className="busy-region",
        delay_show=0,
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


def country_search(names: Sequence[str], lang: str | None = None) -> html.Form:
    """The header's country search: a labelled input with a list of names, and a Go button.

    A plain GET form (``/find?q=Kenya``, answered by a redirect to ``/country/KEN``): Enter
    works from the keyboard with no script, and the browser offers the names as you type.
    """
    return html.Form(
        [
            html.Label(
                t("search.label", lang),
                htmlFor=ids.SEARCH_INPUT,
                className="form-label fw-semibold small mb-0 me-2",
            ),
            html.Div(
                [
                    dcc.Input(
                        id=ids.SEARCH_INPUT,
                        type="search",
                        name="q",
                        list=ids.SEARCH_LIST,
                        placeholder=t("search.placeholder", lang),
                        autoComplete="off",  # the datalist suggests; not "required": Dash
                        # colours an empty required input red (3.99:1 contrast)
                        className="form-control form-control-sm",
                    ),
                    html.Button(
                        t("search.button", lang),
                        type="submit",
                        className="btn btn-primary btn-sm",
                    ),
                ],
                className="input-group input-group-sm search-group",
            ),
            html.Datalist([html.Option(value=n) for n in names], id=ids.SEARCH_LIST),
        ],
        id=ids.SEARCH_FORM,
        action="/find",
        method="get",
        role="search",
        className="country-search d-flex align-items-center flex-wrap",
    )


def with_param(here: str, key: str, value: str) -> str:
    """``here`` (a path and query) with ``key=value`` set and every other parameter kept.

    The language and contrast links lead to the same page with the same filters
    (``/country/KEN?group=women&lang=fr``), not to a bare ``?lang=fr``. The browser's
    ``URLSearchParams`` does the same in ``callbacks/shell.py`` when the filters change.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    parts = urlsplit(here or "")
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    return f"{parts.path}?{urlencode([*pairs, (key, value)])}"


def language_selector(
    lang: str | None = None, high_contrast: bool = False, here: str = ""
) -> html.Nav:
    """Links to this page in each language (``?lang=``), each named in its own language.

    Plain links, not a menu: each is one Tab stop, works with no script, and reloads the
    whole page (header and footer included) in the chosen language. Beside them, the
    high-contrast switch (``?contrast=high``), remembered like the language. ``here`` is the
    page's path and query: the links keep them (a clientside callback follows later changes).
    """
    current = lang or language()
    items = [
        html.Li(
            html.A(
                language_name(code),
                href=with_param(here, "lang", code),
                lang=code,
                hrefLang=code,
                id=ids.language_link(code),
                className="nav-link px-2" + (" active fw-bold" if code == current else ""),
                **({"aria-current": "true"} if code == current else {}),
            )
        )
        for code in LANGUAGES
    ]
    switch = "standard" if high_contrast else "high"
    items.append(
        html.Li(
            html.A(
                t(f"shell.contrast_{switch}", lang),
                href=with_param(here, "contrast", switch),
                id=ids.CONTRAST_LINK,
                className="nav-link px-2",
            )
        )
    )
    return html.Nav(
        html.Ul(items, className="nav language-list"),
        id=ids.LANGUAGE_NAV,
        **{"aria-label": t("shell.language", lang)},
    )


def error_message(lang: str | None = None) -> html.Div:
    """What a failed update shows: plain words and a way out, never a traceback."""
    return html.Div(
        [
            html.Strong(t("error.heading", lang)),
            html.P(t("error.text", lang), className="mb-1"),
            html.A(t("error.reload", lang), href="", className="alert-link"),
        ],
        className="alert alert-danger mb-3",
    )


def site_header(
    lang: str | None = None,
    country_names: Sequence[str] = (),
    high_contrast: bool = False,
    here: str = "",
    search: Any = None,
) -> html.Header:
    """Skip link, title, the country search and the main navigation (``here``: the page's URL).

    ``search``: the country search already built (``country_search``, e.g. memoised), else
    built here from ``country_names``.
    """
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
                    country_search(country_names, lang) if search is None else search,
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
                    language_selector(lang, high_contrast, here),
                ],
                className="d-flex flex-wrap justify-content-between align-items-center py-2 gap-2",
            ),
        ],
        id=ids.HEADER,
        className="site-header border-bottom mb-3",
    )


def demo_banner(illustrative: bool, lang: str | None = None, mixed: bool = False) -> list[Any]:
    """The "illustrative demo data" banner ([] when no demo dataset is in the store).

    ``mixed``: demo datasets sit next to real ones (the figures mix invented and real values).
    """
    if not illustrative:
        return []
    return [
        html.Div(
            t("banner.mixed" if mixed else "banner.demo", lang),
            id=ids.DEMO_BANNER,
            role="note",
            className="alert alert-danger demo-banner mb-3 fw-semibold",
        )
    ]


FOOTER_KINDS = ("un", "opensdg", "sdmx", "template")


def dataset_kinds(datasets: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Datasets per kind, in a fixed order: official files by format, community, illustrative."""
    counts: dict[str, int] = {}
    for d in datasets:
        if d.get("illustrative"):
            kind = "illustrative"
        elif d.get("source_type") == "community":
            kind = "community"
        else:
            kind = d.get("format") if d.get("format") in FOOTER_KINDS else "other"
        counts[kind] = counts.get(kind, 0) + 1
    order = [*FOOTER_KINDS, "other", "community", "illustrative"]
    return {k: counts[k] for k in order if k in counts}


def _dataset_item(d: dict[str, Any], lang: str | None) -> html.Li:
    return html.Li(
        t(
            "footer.dataset",
            lang,
            name=d["name"],
            source_type=t(f"source.{d['source_type']}", lang)
            + (f", {t('footer.illustrative', lang)}" if d.get("illustrative") else ""),
            rows=number(int(d["rows"]), lang),
            attribution=d.get("attribution") or "",
            licence=d.get("licence") or "\u2014",
        )
    )


def _demo_item(d: dict[str, Any], lang: str | None) -> html.Li:
    """A demo dataset in one short line (its attribution and licence are in the full list)."""
    source_type = d["source_type"]
    source = t(f"source.{source_type}", lang)
    kind = f"{source}, {t('footer.illustrative', lang)}"
    return html.Li(
        t(
            "footer.demo_item",
            lang,
            name=d["name"],
            source_type=kind,
            rows=number(int(d["rows"]), lang),
        )
    )


def site_footer(
    datasets: Sequence[dict[str, Any]], recent_years: int, lang: str | None = None, as_of: int = 0
) -> html.Footer:
    """Footer: one line on the datasets in use, every one of them in a collapsed list.

    Illustrative (demo) datasets stay listed in view: their values are invented.

    Args:
        datasets: rows of ``store.datasets()`` as dicts (name, format, source_type, rows,
            attribution, licence, illustrative).
        recent_years: the recency window, explained in words.
        lang: language.
        as_of: the as-of year of the statuses (``queries.snapshot().as_of``).
    """
    about = (
        t("footer.about_asof", lang, recent=recent_years, as_of=as_of)
        if as_of
        else t("footer.about", lang, recent=recent_years)
    )
    if not datasets:
        body: list[Any] = [html.Ul([html.Li(t("footer.none", lang))], id=ids.FOOTER_DATASETS)]
    else:
        kinds = dataset_kinds(datasets)
        licences = sorted({str(d.get("licence") or "").strip() for d in datasets} - {""})
        n = len(datasets)
        summary = t(
            "footer.summary",
            lang,
            count=n,
            n=n,
            kinds=", ".join(t(f"footer.kind.{k}", lang, count=c, n=c) for k, c in kinds.items()),
            licences=", ".join(licences) or "\u2014",
        )
        demo = [d for d in datasets if d.get("illustrative")]
        body = [html.P(summary, className="small mb-1", id=ids.FOOTER_SUMMARY)]
        if demo:
            body += [
                html.P(t("footer.illustrative_heading", lang), className="small mb-0 fw-semibold"),
                html.Ul(
                    [_demo_item(d, lang) for d in demo],
                    id=ids.FOOTER_DEMO,
                    className="small mb-1",
                ),
            ]
        body.append(
            html.Details(
                [
                    html.Summary(t("footer.show_all", lang, n=n), className="small"),
                    html.Ul(
                        [_dataset_item(d, lang) for d in datasets],
                        id=ids.FOOTER_DATASETS,
                        className="small",
                    ),
                ],
                className="mb-1",
            )
        )
    return html.Footer(
        dbc.Container(
            [
                html.H2(t("footer.heading", lang), className="h6"),
                *body,
                html.P(about, className="small mb-0"),
                html.P(
                    html.A(t("footer.api_docs", lang), href="/api/docs"), className="small mb-0"
                ),
            ]
        ),
        id=ids.FOOTER,
        className="site-footer border-top mt-4 py-3 bg-light",
    )


# -- downloads, chart images and embeds (issue #8) -------------------------------------------


def legend_entries(
    kind: str, lang: str | None = None, info: dict[str, Any] | None = None
) -> list[tuple[str, str, str]]:
    """The map's HTML legend (``map_legend``) as (label, colour, glyph) lines for an image.

    A line with glyph "" is text only (a heading or a reason count).
    """
    info = info or {}
    if kind == "progress":
        base = info.get("base", 2015)
        scale = theme.PROGRESS_SCALE
        ends = {"improved": scale[-1][1], "unchanged": scale[len(scale) // 2][1]}
        ends["declined"] = scale[0][1]
        return [
            (t(f"legend.progress_class.{d}", lang, base=base), str(c), "\u25a0")
            for d, c in ends.items()
        ]
    statuses: Sequence[str] = STATUSES
    lines: list[tuple[str, str, str]] = []
    if kind == "coverage":
        lines.append((t("legend.coverage", lang), "", ""))
        for low, high, colour in theme.share_classes():
            label = (
                t("legend.share_one", lang, pct=low)
                if low == high
                else t("legend.share_class", lang, low=low, high=high)
            )
            lines.append((label, colour, "\u25a0"))
        lines.append((t("legend.not_expected", lang), theme.NO_DATA, "\u25a0"))
        lines.append((t("legend.heading", lang), "", ""))
        statuses = STATUSES[1:]
    elif kind in ("values", "disparity"):
        return [(t("legend.no_value", lang), theme.NO_DATA, "\u25a0")]
    counts = info.get("counts") if kind == "status" else None
    for s in statuses:
        if counts is not None and s not in counts:
            continue
        name = t(f"status.{s}", lang)
        if counts is not None:
            n = counts[s]["n"]
            name = t("legend.status_count", lang, count=n, status=name, n=n)
        lines.append((name, theme.STATUS_COLOURS[s], theme.STATUS_GLYPHS[s]))
    return lines


def embed_snippet(src: str, title: str, height: int = 520) -> str:
    """The ``<iframe>`` HTML that shows an embed page in another site."""
    from html import escape

    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" '
        f'height="{height}" style="border:0" loading="lazy"></iframe>'
    )


def _download_link(link_id: str, label: str, name: str, href: str | None) -> html.A:
    return html.A(
        label,
        id=link_id,
        href=href,
        download="",
        className="btn btn-outline-secondary btn-sm",
        **{"aria-label": name},
    )


def download_menu(
    what: str,
    link_ids: dict[str, str],
    hrefs: dict[str, str] | None = None,
    snippet: str = "",
    lang: str | None = None,
) -> html.Section:
    """Download data (CSV, XLSX), download chart (PNG, SVG) and the embed code, in one row.

    Plain ``<a download>`` links: keyboard and no script; a callback keeps their ``href`` in
    step with the URL. The embed code sits in a read-only text box (select and copy, or the
    copy button).

    Args:
        what: what is downloaded, in words ("map", "Kenya"): part of every accessible name.
        link_ids: ids by part: ``csv``, ``xlsx`` (data); ``png``, ``svg`` (chart, optional);
            ``code``, ``copy``, ``status`` (embed, optional).
        hrefs: link addresses by part (None: filled by the page's callback).
        snippet: the embed code.
        lang: language.
    """
    hrefs = hrefs or {}
    row: list[Any] = [html.Span(t("downloads.data", lang), className="me-1")]
    for fmt in ("csv", "xlsx"):
        name = t("downloads.data_name", lang, what=what, fmt=fmt.upper())
        row.append(_download_link(link_ids[fmt], fmt.upper(), name, hrefs.get(fmt)))
    if "png" in link_ids:
        row.append(html.Span(t("downloads.chart", lang), className="ms-2 me-1"))
        for fmt in ("png", "svg"):
            name = t("downloads.chart_name", lang, what=what, fmt=fmt.upper())
            row.append(_download_link(link_ids[fmt], fmt.upper(), name, hrefs.get(fmt)))
    if "brief" in link_ids:  # a country: its printable brief and the offline pack
        row.append(html.Span(t("downloads.brief", lang), className="ms-2 me-1"))
        row.append(
            html.A(
                t("downloads.brief_page", lang),
                id=link_ids["brief"],
                href=hrefs.get("brief"),
                className="btn btn-outline-secondary btn-sm",
                **{"aria-label": t("downloads.brief_name", lang, what=what)},
            )
        )
        name = t("downloads.pack_name", lang, what=what)
        row.append(_download_link(link_ids["pack"], t("downloads.pack", lang), name, None))
        row[-1].href = hrefs.get("pack")
    parts: list[Any] = [html.Div(row, className="d-flex flex-wrap align-items-center gap-1")]
    if "code" in link_ids:
        parts.append(
            html.Details(
                [
                    html.Summary(
                        t("embed.show", lang), className="btn btn-outline-secondary btn-sm"
                    ),
                    html.Div(
                        [
                            html.Label(
                                t("embed.label", lang, what=what),
                                htmlFor=link_ids["code"],
                                className="form-label small mb-1",
                            ),
                            dcc.Textarea(
                                id=link_ids["code"],
                                value=snippet,
                                readOnly=True,
                                rows=3,
                                className="form-control form-control-sm font-monospace mb-1",
                            ),
                            html.Button(
                                t("embed.copy", lang),
                                id=link_ids["copy"],
                                type="button",
                                n_clicks=0,
                                className="btn btn-primary btn-sm me-2",
                            ),
                            html.Span(id=link_ids["status"], role="status", className="small"),
                        ],
                        className="embed-box mt-1",
                    ),
                ],
                className="embed-details",
            )
        )
    return html.Section(
        parts,
        className="download-menu d-flex flex-wrap align-items-start gap-2 small mb-2",
        **{"aria-label": t("downloads.heading", lang)},
    )
