"""The country brief as printable HTML: findings, scorecard, map and charts, missing splits.

Pure builders (no I/O but the template files): the server gathers the frames
(``server/brief.py``) and draws each figure as SVG; this module turns frames into the rows and
sentences the Jinja2 template ``templates/brief.html`` lays out. The template autoescapes:
text from data files is never markup. Charts come from ``layouts.figures`` (the functions the
country page and the map use); each has a text summary and a table with the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup, escape

from data import display
from data.vocab import groups as vocab_groups
from layouts import figures, tables, theme
from layouts.i18n import code_words, dimension_name, direction, exact, group_label, group_title, t

TEMPLATES = Path(__file__).parent / "templates"
_DASH = "\u2014"


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment of ``layouts/templates`` (autoescape on for every template)."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def render(context: Mapping[str, Any], standalone: bool = False) -> str:
    """The brief's HTML page (``standalone``: no links back to the server, for the pack)."""
    lang = context.get("lang") or "en"
    return (
        environment()
        .get_template("brief.html")
        .render(**context, standalone=standalone, dir=direction(lang))
    )


_SVG_OPEN = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?<svg\b")


def svg_markup(svg: bytes | str, label: str) -> Markup:
    """An SVG chart for inline use: named for assistive technology, no XML prologue.

    The SVG comes from plotly's own export (its text already escaped); ``label`` is escaped
    here. Its ``viewBox`` lets CSS scale it to the page width.
    """
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    attrs = f'<svg role="img" aria-label="{escape(label)}" focusable="false"'
    return Markup(_SVG_OPEN.sub(attrs, text, count=1))


def scorecard_rows(
    card: pd.DataFrame, titles: Mapping[str, str], lang: str | None
) -> list[list[str]]:
    """The scorecard as the page writes it (``tables.scorecard_table``'s cells), as text."""
    return [
        [
            group_title(r["group"], lang),
            figures.fmt_share(r["share"], lang) if r["expected"] else t("value.not_expected", lang),
            f"{r['disaggregated']} / {r['expected']}",
            tables.largest_text(r, titles, lang),
        ]
        for r in card.to_dict("records")
    ]


def scorecard_headers(lang: str | None) -> list[str]:
    """Column headers of the scorecard (the page's)."""
    keys = ("col.group", "col.coverage", "col.disaggregated", "col.largest")
    return [t(k, lang) for k in keys]


def dimension_words(group: str, lang: str | None = None) -> str:
    """The group's dimension in words ("disability", "income"; "handicap", "revenu")."""
    dim = vocab_groups().get(group)
    return dimension_name(dim.dimension, lang) if dim else group


def ask_text(r: Mapping[str, Any], titles: Mapping[str, str], lang: str | None) -> str:
    """One missing split in words, as the page's list says it (``tables.missing_list``)."""
    series, group = titles.get(r["series"], r["series"]), group_title(r["group"], lang)
    why = tables.reason_text(
        str(r.get("reason") or ""),
        lang,
        age=r.get("age"),
        published=int(r.get("published") or 0),
        dimension=dimension_words(str(r["group"]), lang),
    )
    if why and r["status"] != "outdated":
        return f"{t('country.ask_plain', lang, series=series, group=group)}: {why}"
    year = r["latest_year"] if r["latest_year"] == r["latest_year"] else ""
    reason = t(f"country.ask_reason.{r['status']}", lang, year=year)
    text = t("country.ask", lang, series=series, group=group, reason=reason)
    return f"{text}: {why}" if why else text


def missing_blocks(
    frame: pd.DataFrame, titles: Mapping[str, str], lang: str | None
) -> list[dict[str, Any]]:
    """The missing splits by SDG goal: heading and items (``views_country.missing_splits``)."""
    blocks = []
    goals = frame["goal"].astype(str) if len(frame) else pd.Series(dtype=str)
    for goal, part in frame.groupby(goals.to_numpy(), sort=False):
        n = len(part)
        heading = (
            t("country.missing_goal", lang, goal=goal, n=n)
            if goal
            else t("country.missing_goal_unknown", lang, n=n)
        )
        items = [ask_text(r, titles, lang) for r in part.to_dict("records")]
        blocks.append({"heading": heading, "items": items})
    return blocks


def outlined_map(frame: pd.DataFrame, iso3: str, lang: str | None) -> go.Figure:
    """The overview's coverage map of a region (``figures.map_figure``), the country outlined."""
    fig = figures.map_figure(frame, "coverage", fit=True, lang=lang)
    fig.add_trace(
        go.Choropleth(
            locations=[iso3],
            z=[0],
            locationmode="ISO-3",
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            showscale=False,
            marker={"line": {"color": "#000000", "width": 2.5}},
            hoverinfo="skip",
        )
    )
    return fig


def map_chart(
    frame: pd.DataFrame, iso3: str, group: str, region: str, lang: str | None
) -> dict[str, Any]:
    """The region's coverage map with its summary and table (``views.map_frame`` rows)."""
    mine = frame[frame["iso3"] == iso3]
    share = figures.fmt_share(mine["z"].iloc[0], lang) if len(mine) else t("value.none", lang)
    country = mine["name"].iloc[0] if len(mine) else iso3
    words = {"group": group_label(group, lang), "region": region}
    rows = [
        [
            r["name"],
            t(
                "value.share",
                lang,
                pct=figures.fmt_share(r["z"], lang),
                n=r["disaggregated"],
                expected=r["expected"],
            )
            if r["expected"]
            else t("value.not_expected", lang),
        ]
        for r in frame.sort_values("name").to_dict("records")
    ]
    legend = [
        (
            t("legend.share_one", lang, pct=low)
            if low == high
            else t("legend.share_class", lang, low=low, high=high),
            colour,
            "\u25a0",
        )
        for low, high, colour in theme.share_classes()
    ]
    legend.append((t("legend.not_expected", lang), theme.NO_DATA, "\u25a0"))
    legend += [
        (t(f"status.{s}", lang), theme.STATUS_COLOURS[s], theme.STATUS_GLYPHS[s])
        for s in theme.STATUS_GLYPHS
        if s in set(frame["status"])
    ]
    legend.append((country, "#000000", "\u25a1"))
    return {
        "key": "map",
        "legend": legend,
        "heading": t("brief.map", lang, **words),
        "figure": outlined_map(frame, iso3, lang),
        "summary": t("brief.map_summary", lang, country=country, share=share, **words),
        "caption": t("brief.map_caption", lang, **words),
        "headers": [t("col.country", lang), t("col.coverage", lang)],
        "rows": rows,
        "size": (860, 520),
    }


def progress_chart(
    rows: pd.DataFrame, summary: str, group: str, window: int, lang: str | None
) -> dict[str, Any]:
    """The country's progress chart (``figures.progress_figure``), its sentence and table."""
    caption = t("country.progress_caption", lang, group=group_label(group, lang), window=window)
    return {
        "key": "progress",
        "heading": t("country.progress", lang),
        "figure": figures.progress_figure(
            rows, axis=t("country.progress_axis", lang), height=260, lang=lang
        ),
        "summary": summary,
        "caption": caption,
        "headers": [
            t(k, lang) for k in ("col.year", "col.with_value", "col.expected", "col.share")
        ],
        "rows": [
            [
                str(r["year"]),
                str(r["with_value"]),
                str(r["expected"]),
                figures.fmt_share(r["share"], lang),
            ]
            for r in rows.to_dict("records")
        ],
        "size": (760, 300),
    }


def _line_name(r: Mapping[str, Any], lang: str | None) -> str:
    key = {
        "line": r["line"],
        "label": r.get("label") or "",
        "slice": r.get("slice") or "",
        "source_type": r["source_type"],
    }
    return figures.trace_name(key, lang=lang)


def timeseries_chart(
    frame: pd.DataFrame,
    title: str,
    group: str,
    lang: str | None,
    dataset_names: Mapping[int, str],
) -> dict[str, Any]:
    """One series over time (``figures.timeseries_figure``), its latest values and table."""
    unit = display.unit_name(str(frame["unit"].iloc[0]), code_words(lang)) if len(frame) else ""
    keys = ["line", "label", "slice", "source_type", "dataset"]
    latest = frame.groupby(keys, sort=False).tail(1)
    lines = "; ".join(
        t(
            "country.ts_line",
            lang,
            line=_line_name(r, lang),
            value=tables.with_unit(r["value"], unit, lang),
            period=r["period"],
        )
        for r in latest.to_dict("records")
    )
    fig = figures.timeseries_figure(
        frame, title=title, unit=unit, lang=lang, dataset_names=dict(dataset_names)
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    rows = [
        [
            _line_name(r, lang),
            str(r["period"]),
            tables.with_unit(r["value"], unit, lang),
            f"{exact(r['lower'], lang) or _DASH} \u2013 {exact(r['upper'], lang) or _DASH}"
            if r["lower"] == r["lower"]
            else _DASH,
            str(r.get("dataset_name") or dataset_names.get(int(r["dataset"]), "")),
            str(r["source_row"]),
        ]
        for r in frame.to_dict("records")
    ]
    headers = ["col.line", "col.period", "col.value", "col.bounds", "col.dataset", "col.row"]
    return {
        "key": "timeseries",
        "heading": t("country.timeseries_of", lang, series=title),
        "figure": fig,
        "summary": t("country.ts_summary", lang, series=title, lines=lines),
        "caption": f"{title} \u2014 {group_title(group, lang)}",
        "headers": [t(h, lang) for h in headers],
        "rows": rows,
        "size": (860, 380),
    }


def about(citation: Mapping[str, Any], url: str, lang: str | None) -> dict[str, Any]:
    """The closing block: citation, licence, datasets and the brief's address."""
    datasets: Sequence[Mapping[str, Any]] = citation.get("datasets") or ()
    return {
        "cite": t("brief.cite", lang, citation=citation["citation"]),
        "licence": t("brief.licence", lang, licence=citation["licence"]),
        "datasets": [
            " ".join(
                f"{d['name']} ({d['source_type']}). {d.get('attribution') or ''} "
                f"{t('brief.licence', lang, licence=d.get('licence') or _DASH)}".split()
            )
            for d in datasets
        ],
        "url": url,
    }
