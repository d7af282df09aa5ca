"""The embed page ``/embed?view=map|chart&...``: one map or chart for an ``<iframe>`` elsewhere.

The same URL parameters as the dashboard (``view=chart`` adds ``country=<ISO3>``); the shell
draws no header, navigation or footer around it (``shell.layout``). What it shows is the
page's own figure from the same memoised payloads, its text alternative, the map's legend, a
source line and a link that opens the view in the dashboard. The server lets other sites frame
this one path (``server/security.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dash import html

from data import queries
from layouts import components, ids, state
from layouts.i18n import supported, t
from layouts.pages import content

PATH = "/embed"
VIEWS = ("map", "chart")


def path(view: str, search: str = "", iso3: str = "") -> str:
    """The embed address of a view: ``/embed?view=...`` then the page's own parameters."""
    pairs = [("view", view)] + ([("country", iso3)] if iso3 else [])
    pairs += [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k not in ("view",)]
    return f"{PATH}?{urlencode(pairs)}"


def source_line(dataset_ids: Sequence[int] | None, source: str, lang: str | None) -> str:
    """The datasets behind a figure, with attribution and licence, in one sentence.

    ``dataset_ids`` None: every dataset of the source type (``all``: every dataset).
    """
    sets = queries.snapshot().datasets
    if dataset_ids is not None:
        sets = sets[sets["id"].astype(int).isin([int(i) for i in dataset_ids])]
    elif source != "all":
        sets = sets[sets["source_type"] == source]
    if sets.empty:
        return t("image.source_none", lang)
    parts = []
    for d in sets.to_dict("records"):
        who = str(d.get("attribution") or "").strip()
        kind = t(f"source.{d['source_type']}", lang)
        parts.append(f"{d['name']} ({kind}{'; ' + who if who else ''})")
    licences = sorted({str(x).strip() for x in sets["licence"]} - {""})
    return t("image.source", lang, datasets="; ".join(parts), licences=", ".join(licences) or "-")


def country_datasets(iso3: str, series: str, source: str) -> list[int] | None:
    """Datasets of a country's values of one series (None: no series, cite the source type)."""
    if not series:
        return None
    obs = content.country_observations(iso3, source, series, ["dataset"])
    return [int(i) for i in obs["dataset"].unique()]


def _credit(source: str, href: str, lang: str | None) -> html.P:
    return html.P(
        [
            f"{t('embed.credit', lang)}. {source} ",
            html.A(t("embed.open", lang), href=href, target="_blank", rel="noopener"),
        ],
        id=ids.EMBED_CREDIT,
        className="small text-muted mb-0",
    )


def _map(query: dict[str, Any], lang: str | None) -> list[Any]:
    from layouts.pages import overview

    s, _ = state.validate(query, content.choices())
    args = overview.payload_args(s)
    p = content.overview_payload(content.version(), *args[:-1], lang, args[-1])
    search = state.to_search(s)
    source = "official" if s["mode"] == "progress" else s["source"]
    return [
        html.H1(overview.heading(s["group"], lang), className="h6 mb-1"),
        # the legend's headings are h3, as on the overview
        html.H2(t("overview.map_heading", lang), className="visually-hidden"),
        components.figure_block(
            components.graph(ids.EMBED_GRAPH, p["figure"], content.graph_config(), "map-graph"),
            ids.EMBED_SUMMARY,
            p["summary"],
            t("overview.map_heading", lang),
        ),
        html.Div(p["legend"], className="small"),
        _credit(source_line(None, source, lang), "/" + search, lang),
    ]


def _chart(iso3: str, query: dict[str, Any], lang: str | None) -> list[Any]:
    from layouts.pages import country

    if not country.known(iso3):
        reason = t("notfound.text", lang, code=iso3)
        return [html.H1(t("embed.unknown", lang, reason=reason), className="h6")]
    s, _ = state.validate(query, content.choices())
    s["series"] = country.pick_series(iso3, s)
    p = country.detail_payload(content.version(), iso3, s["group"], s["series"], s["source"], lang)
    chart = p["chart"]
    used = country_datasets(iso3, s["series"], s["source"])
    return [
        html.H1(chart["title"], className="h6 mb-1"),
        components.figure_block(
            components.graph(ids.EMBED_GRAPH, chart["figure"], content.graph_config()),
            ids.EMBED_SUMMARY,
            chart.get("summary", ""),
            chart["title"],
        ),
        _credit(source_line(used, s["source"], lang), f"/country/{iso3}{state.to_search(s)}", lang),
    ]


def layout(lang: str | None = None, view: str = "map", country: str = "", **query: Any) -> Any:
    """The embed page for the query string (an unknown view or country says so)."""
    lang = supported(lang)  # a cache key: a known language, never None
    if view == "chart":
        body = _chart(str(country or "").strip().upper(), query, lang)
    elif view == "map":
        body = _map(query, lang)
    else:
        reason = t("embed.unknown_view", lang, views=", ".join(VIEWS))
        body = [html.H1(t("embed.unknown", lang, reason=reason), className="h6")]
    return html.Div(body, id=ids.EMBED_PAGE, className="embed-page")


def is_embed(path_or_url: str | None) -> bool:
    """Whether an address is the embed page's (the shell then draws no chrome)."""
    from urllib.parse import urlsplit

    return urlsplit(path_or_url or "").path.rstrip("/") == PATH
