"""The coverage matrix ``/matrix``: countries of a region x groups, coloured by coverage.

Sortable by country name or by any group's coverage (highest or lowest first); every cell
links to the country page with that group chosen and the other filters kept. A colour key
says what the cell colours mean.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html, no_update

from layouts import components, ids, state, tables
from layouts.i18n import group_title, supported, t
from layouts.pages import content, links

CONTROL_IDS: dict[str, str] = {
    "region": ids.MATRIX_REGION,
    "source": ids.MATRIX_SOURCE,
    "sort": ids.MATRIX_SORT,
}


def controls(s: dict[str, str], lang: str | None = None) -> list[Any]:
    """Region, source and sort selects showing state ``s``."""
    return [
        content.region_select(ids.MATRIX_REGION, s["region"], lang, width=5),
        content.source_select(ids.MATRIX_SOURCE, s["source"], lang, width=3),
        components.select(
            ids.MATRIX_SORT,
            t("filters.sort", lang),
            components.options(sort_options(lang)),
            s["sort"],
            width=4,
        ),
    ]


def sort_options(lang: str | None = None) -> list[tuple[str, str]]:
    """(value, label) of every sort order: by name, by each group's coverage both ways."""
    pairs = [("name", t("filters.sort_name", lang))]
    for g in content.all_groups():
        name = group_title(g, lang)
        pairs += [
            (g, t("filters.sort_desc", lang, group=name)),
            (g + state.SORT_ASCENDING, t("filters.sort_asc", lang, group=name)),
        ]
    return pairs


def colour_key(lang: str | None = None) -> html.Section:
    """The matrix's colour key: what each cell colour means."""
    return html.Section(
        [
            html.H2(t("matrix.key_heading", lang), className="h6", id=ids.MATRIX_KEY),
            html.P(t("matrix.key_help", lang), className="small mb-1"),
            components.share_key(lang),
            reason_key(lang),
        ],
        className="matrix-key mb-2",
        **{"aria-labelledby": ids.MATRIX_KEY},
    )


def reason_key(lang: str | None = None) -> html.Div:
    """The key of the reason letters in the cells ("N = Not split: the country publishes ...")."""
    from data.gaps import REASONS

    letters = tables.reason_letters(lang)
    items = [
        html.Li(
            [
                html.Strong(letters[r], className="reason-letter"),
                f" = {t(f'reason.{r}', lang)}: {t(f'reason.help.{r}', lang)}",
            ]
        )
        for r in REASONS
        if r not in MATRIX_NEVER
    ]
    return html.Div(
        [
            html.P(t("matrix.reason_key", lang), className="small mb-1"),
            html.Ul(
                items, className="list-unstyled small mb-1 reason-key", id=ids.MATRIX_REASON_KEY
            ),
        ]
    )


# reasons a cell never shows: its reason is that of a gap (not disaggregated), and series that
# are not expected of a country are not counted
MATRIX_NEVER = frozenset({"not_expected_here", "small_sample"})


def layout(lang: str | None = None, **query: Any) -> html.Div:
    """The matrix for the region, source and sort of the query string."""
    lang = supported(lang)  # a cache key: a known language, never None
    s, problems = state.validate(query, content.choices())
    search = state.to_search(s)
    # the table of this state comes with the page (a cache hit after the warm-up): no callback
    # round trip before it; the Location holds the address, so the page's callback (which
    # answers changes only) does not run when it mounts
    payload = content.matrix_payload(
        content.version(), s["region"], s["source"], s["sort"], search, lang
    )
    return html.Div(
        [
            dcc.Location(id=ids.MATRIX_URL, refresh=False, pathname="/matrix", search=search),
            dcc.Store(id=ids.MATRIX_STATE, data=s),
            html.H1(t("matrix.heading", lang), id=ids.MATRIX_HEADING, className="h3 mb-2"),
            html.P(t("matrix.intro", lang)),
            html.Div(
                components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
                id=ids.MATRIX_NOTICE,
                role="status",
            ),
            components.filter_panel(controls(s, lang), t("filters.heading", lang)),
            # the links of this state; the page's callback sends those of a change
            components.download_menu(
                t("downloads.what.matrix", lang),
                ids.MATRIX_DOWNLOADS,
                links.menu_links("matrix", search, "", lang),
                lang=lang,
            ),
            colour_key(lang),
            components.busy(
                [
                    html.P(payload["summary"], id=ids.MATRIX_SUMMARY, **{"aria-live": "polite"}),
                    html.Div(payload["table"], id=ids.MATRIX_TABLE),
                ],
                lang,
            ),
        ],
        className="matrix-page",
    )


def sync(
    from_url: bool,
    search: str | None,
    values: dict[str, Any],
    current: dict | None,
    lang: str | None = None,
) -> tuple:
    """Outputs of the matrix callback.

    Returns:
        (search, region, source, sort, notice, state, table, summary); all ``no_update`` when
        the URL changed to the state already shown. After a control's change, a control is
        ``no_update`` where the state keeps the value it sent.
    """
    s, problems, write = state.resolve(from_url, search, values, content.choices())
    if from_url and s == current:
        return (no_update,) * 8
    payload = content.matrix_payload(
        content.version(), s["region"], s["source"], s["sort"], state.to_search(s), lang
    )
    # after a control's change, a control is set only where the state corrects it: a control
    # the person changed again while this answer was on its way keeps the newer choice
    controls = [s[k] for k in CONTROL_IDS]
    if not from_url:
        controls = [v if v != values.get(k) else no_update for k, v in zip(CONTROL_IDS, controls)]
    return (
        state.to_search(s) if write else no_update,
        *controls,
        components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
        s,
        payload["table"],
        payload["summary"],
    )


def is_here(pathname: str | None) -> bool:
    """Whether the browser's path is the matrix's (else the page is being left)."""
    return (pathname or "/matrix").rstrip("/") == "/matrix"
