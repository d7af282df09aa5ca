"""The fast paths of the overview, matrix and country payloads equal the plain computation.

Each fast path (plain-dict figures, per-version look-ups) is compared with the straightforward
computation it replaces, on the real-shape store (tests/realshape.py) and a set of filter states.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from data.gaps import STATUSES
from layouts import figures, i18n, theme
from layouts.i18n import t

# ---- the map figure as it was built before (validated plotly objects) ----


def _ref_no_data_trace(
    frame: pd.DataFrame, customdata: np.ndarray, template: str, lang: str | None
) -> go.Choropleth:
    """Grey shapes for countries with nothing to colour (so every country is drawn)."""
    mask = frame["z"].isna().to_numpy()
    return go.Choropleth(
        locations=frame.loc[mask, "iso3"],
        z=np.zeros(int(mask.sum())),
        locationmode="ISO-3",
        colorscale=[[0, theme.NO_DATA], [1, theme.NO_DATA]],
        showscale=False,
        customdata=customdata[mask],
        hovertemplate=template,
        name=t("legend.no_value", lang),
        marker={"line": {"color": theme.BORDER, "width": 0.5}},
        showlegend=False,
    )


def _ref_symbol_traces(frame: pd.DataFrame, lang: str | None) -> list[go.Scattergeo]:
    """One marker layer per status (symbol + colour); the HTML legend explains them.

    The markers do not hover (the shape under them does), so the hover data travel once.
    Countries whose ``status`` is "" (coverage mode: the colour says it all) get none.
    """
    traces = []
    for status in STATUSES:
        mask = (frame["status"] == status).to_numpy()
        traces.append(
            go.Scattergeo(
                locations=frame.loc[mask, "iso3"],
                locationmode="ISO-3",
                mode="markers",
                marker={
                    "symbol": theme.STATUS_SYMBOLS[status],
                    "size": 7,
                    "color": theme.STATUS_COLOURS[status],
                    "line": {"color": theme.MARKER_LINE, "width": 1},
                },
                name=t(f"status.{status}", lang),
                hoverinfo="skip",
                showlegend=False,  # one legend: the HTML one (plotly's was cut on phones)
            )
        )
    return traces


def reference_map_figure(
    frame: pd.DataFrame,
    mode: str,
    *,
    colorbar_title: str = "",
    fit: bool = False,
    lang: str | None = None,
) -> go.Figure:
    """The overview map.

    Args:
        frame: ``views.map_frame`` output (iso3, name, z, status, value, ref_value, direction,
            period, source, nature, expected, disaggregated).
        mode: ``coverage`` (z = share 0..1), ``status`` (z = index in ``gaps.STATUSES``),
            ``values`` (z = value), ``disparity`` (z = signed gap, negative = worse) or
            ``progress`` (``views.progress_frame``: z = change in share since the base year).
        colorbar_title: title of the colour bar (values and disparity; a unit name such as
            "%", never a code).
        fit: zoom to the countries in ``frame`` (a region was chosen).
        lang: language of labels.

    Returns:
        A figure with a choropleth of the coloured countries (coverage: one flat colour per
        class of ``theme.share_classes``), a grey choropleth of the others and one marker layer
        per status; no plotly legend (``components.map_legend`` is the legend).
    """
    if mode == "progress":
        customdata, template = figures._progress_hover(frame, lang)
    else:
        customdata, template = figures._hover_data(frame, mode, lang)
    customdata = figures.safe_array(customdata)
    colorbar_title = figures.safe(colorbar_title)
    has = frame["z"].notna().to_numpy()
    # progress: a change of share drawn in percentage points (+20, not 0.2)
    z = frame["z"].astype(float) * (100 if mode == "progress" else 1)
    scale: dict[str, Any] = {
        "coverage": {"colorscale": theme.stepped_coverage_scale(), "zmin": 0, "zmax": 1},
        "status": {
            "colorscale": theme.discrete_status_scale(),
            "zmin": -0.5,
            "zmax": len(STATUSES) - 0.5,
        },
        "values": {"colorscale": theme.VALUE_SCALE},
        "disparity": {"colorscale": theme.DISPARITY_SCALE, "zmid": 0},
        # change in share 0..1 both ways, symmetric so that "unchanged" is the pale middle
        "progress": {"colorscale": theme.PROGRESS_SCALE, "zmid": 0, **figures._symmetric(z)},
    }[mode]
    main = go.Choropleth(
        locations=frame.loc[has, "iso3"],
        z=z[has],
        locationmode="ISO-3",
        customdata=customdata[has],
        hovertemplate=template,
        marker={"line": {"color": theme.BORDER, "width": 0.5}},
        # coverage and status classes are keyed by the HTML legend; values and gaps get a
        # horizontal colour bar under the map (a vertical one took a third of a phone's width)
        showscale=mode in ("values", "disparity", "progress"),
        colorbar={
            "title": {"text": colorbar_title, "side": "top"},
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 0,
            "yanchor": "top",
            "len": 0.7,
            "thickness": 12,
        },
        name=colorbar_title,
        **scale,
    )
    symbols = _ref_symbol_traces(frame, lang) if "status" in frame else []
    layout = {
        **theme.base_layout(),
        "geo": theme.geo_layout(fit),
        "autosize": True,  # no height: the graph's box (assets/app.css .map-graph) sizes it
        "clickmode": "event",
        "showlegend": False,
        "separators": i18n.separators(lang),  # the colour bar's ticks
    }
    if mode in ("values", "disparity", "progress"):  # room for the colour bar under the map
        layout["margin"] = {**layout["margin"], "b": 60}
    # the layout given whole at construction: update_layout's merge machinery cost ~40 % of
    # the figure on every map update
    traces = [_ref_no_data_trace(frame, customdata, template, lang), main, *symbols]
    return go.Figure(data=traces, layout=layout)


# ---- the country page's figures as they were built before (validated plotly objects) ----


def reference_timeseries_figure(
    frame: pd.DataFrame,
    *,
    title: str = "",
    unit: str = "",
    lang: str | None = None,
    dataset_names: dict[int, str] | None = None,
    not_drawn: int = 0,
) -> go.Figure:
    """Group, reference and total lines over time, with error bars where bounds are known.

    One trace per line, label, slice, source type and dataset: official and community values
    are never joined, and each trace is named by the group or reference in words and its
    source type ("Persons with disabilities (official)").

    Args:
        frame: ``views_country.timeseries_frame`` output (line, label, slice, period_sort,
            period, value, lower, upper, source_type, dataset).
        title: the series title (kept in ``layout.meta``; the page heading shows it), with
            the slice added when every line shares one.
        unit: the y-axis title (the unit in words).
        lang: language of labels.
        dataset_names: dataset id -> name (to tell apart two datasets of one source type).
        not_drawn: values in another unit or with none (``values_not_drawn``), said in words
            above the plot.
    """
    if frame.empty:
        return figures.empty_figure(t("empty.no_data", lang))
    frame = frame.assign(
        **{c: frame[c] if c in frame else "" for c in ("label", "slice", "dataset")}
    )
    keys = frame[figures._TRACE_KEYS].astype(object).drop_duplicates().to_dict("records")
    if len({k["slice"] for k in keys}) == 1:  # one slice throughout: said once, in the title
        title = f"{title} ({keys[0]['slice']})" if title and keys[0]["slice"] else title
        keys = [{**k, "slice": ""} for k in keys]
        frame = frame.assign(slice="")
    names = [figures.trace_name(k, lang=lang) for k in keys]
    twice = {n for n in names if names.count(n) > 1}
    order = {line: i for i, line in enumerate(theme.LINE_STYLES)}
    traces = []
    for key, name in sorted(
        zip(keys, names, strict=True), key=lambda kn: (order.get(kn[0]["line"], 9), kn[1])
    ):
        if name in twice:
            ds = (dataset_names or {}).get(key["dataset"], str(key["dataset"]))
            name = figures.trace_name(key, ds, lang)
        mask = np.ones(len(frame), bool)
        for col in figures._TRACE_KEYS:
            mask &= (frame[col].astype(object) == key[col]).to_numpy()
        part = frame[mask].sort_values("period_sort")
        style = dict(theme.LINE_STYLES.get(key["line"], theme.LINE_STYLES["total"]))
        if key["source_type"] != "official":
            style["dash"] = figures._COMMUNITY_DASH.get(style["dash"], "dashdot")
            style["symbol"] = f"{style['symbol']}-open"
        bounded = part["upper"].notna() & part["lower"].notna()
        error = None
        if bounded.any():
            error = {
                "type": "data",
                "symmetric": False,
                "visible": True,
                "array": (part["upper"] - part["value"]).where(bounded),
                "arrayminus": (part["value"] - part["lower"]).where(bounded),
                "color": style["color"],
            }
        traces.append(
            go.Scatter(
                x=part["period_sort"],
                y=part["value"],
                mode="lines+markers",
                name=figures.safe(name),
                error_y=error,
                line={"color": style["color"], "dash": style["dash"]},
                marker={"symbol": style["symbol"], "size": 8},
                # the value as stored, written the language's way ("12,85"): plotly's own
                # %{y} would round it and knows only the two separators
                customdata=figures.safe_array(
                    np.column_stack(
                        [
                            part["period"].astype(str),
                            [i18n.exact(v, lang) for v in part["value"]],
                        ]
                    )
                ),
                hovertemplate=f"{figures.safe(name)}: %{{customdata[1]}} {figures.safe(unit)}<br>"
                f"{t('hover.period', lang)}: %{{customdata[0]}}<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        **theme.base_layout(),
        height=280,
        separators=i18n.separators(lang),  # the y axis' ticks: "0,5" in French
        meta={"title": title},  # the page's heading says it: a plotly title is cut on a phone
        yaxis={
            "title": {"text": figures.wrapped(unit, 24)},
            "gridcolor": "#eeeeee",
            "automargin": True,
        },
        xaxis={
            "tickformat": "d",
            "gridcolor": "#eeeeee",
            **figures._year_ticks(frame["period_sort"]),
        },
        legend={"orientation": "h", "y": -0.12, "yanchor": "top"},
    )
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 30})
    if not_drawn:
        fig.update_layout(
            margin={"t": 30},
            annotations=[
                {
                    "text": figures.safe(figures.not_drawn_text(not_drawn, lang)),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0,
                    "y": 1,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 12},
                }
            ],
        )
    return fig


def reference_progress_figure(
    frame: pd.DataFrame, *, axis: str = "", height: int = 200, lang: str | None = None
) -> go.Figure:
    """Splits with a value by year, against the expected splits (a small line, no legend).

    Args:
        frame: ``views_country.progress_rows`` output (year, expected, with_value, share).
        axis: the y-axis title ("Splits with a value").
        height: in pixels (small: the page's text summary and table say the same).
        lang: language of the numbers.
    """
    if frame.empty:
        return figures.empty_figure(t("empty.no_data", lang), height=height)
    style = theme.LINE_STYLES["group"]
    top = int(frame["expected"].max())
    fig = go.Figure(
        go.Scatter(
            x=frame["year"].tolist(),  # plain lists: a dozen numbers, readable in the page
            y=frame["with_value"].tolist(),
            mode="lines+markers",
            line={"color": style["color"]},
            marker={"symbol": style["symbol"], "size": 7},
            customdata=[[e] for e in frame["expected"].tolist()],
            hovertemplate="%{x}: %{y} / %{customdata[0]}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        **theme.base_layout(),
        height=height,
        separators=i18n.separators(lang),
        yaxis={
            # wrapped: "Ventilations avec une valeur" in one line is taller than the plot
            "title": {"text": figures.wrapped(axis)},
            "automargin": True,
            "range": [0, max(top, 1) * 1.05],
            "gridcolor": "#eeeeee",
            "rangemode": "tozero",
        },
        xaxis={"tickformat": "d", "gridcolor": "#eeeeee", **figures._year_ticks(frame["year"])},
    )
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 30})
    return fig


def _json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False, engine="json"))


STATES = [  # mode, group, goal, series, year, region, source
    ("gaps", "women", "all", "", "latest", "001", "all"),
    ("gaps", "disability", "all", "", "latest", "002", "official"),
    ("gaps", "women", "5", "", "2020", "001", "community"),
    ("values", "women", "all", "", "latest", "001", "all"),
    ("disparity", "women", "all", "", "latest", "001", "all"),
    ("disparity", "disability", "all", "", "2020", "142", "all"),
    ("progress", "women", "all", "", "latest", "001", "official"),
]


def _state(s: tuple[str, ...]) -> dict[str, str]:
    keys = ("mode", "group", "goal", "series", "year", "region", "source")
    return {**dict(zip(keys, s, strict=True)), "base": "2015"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_map_figure_same_json_as_validated_figure(realshape, lang):
    from data import tables as data_tables
    from layouts.pages import content

    checked = 0
    for s in STATES:
        frame, series = data_tables.map_table(_state(s), lang)
        kind = content.map_kind(s[0], series)
        for fit in (False, True):
            new = figures.map_figure(frame, kind, colorbar_title="<b>%</b>", fit=fit, lang=lang)
            old = reference_map_figure(frame, kind, colorbar_title="<b>%</b>", fit=fit, lang=lang)
            assert _json(new) == _json(old), (s, fit)
            checked += 1
    assert checked == 2 * len(STATES)


def test_map_figure_status_and_empty_frames_same_json():
    from data.views import MAP_COLUMNS, REASON_COLUMNS

    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA", "FRA"],
            "name": ["Kenya", "Uganda", "France <b>"],
            "z": [0.0, np.nan, 4.0],
            "status": ["disaggregated", "", "no_data"],
            "value": [1.5, np.nan, 2.0],
            "ref_value": [np.nan] * 3,
            "difference": [np.nan] * 3,
            "ratio": [np.nan] * 3,
            "direction": ["worse", "", ""],
            "period": ["2022", "", "2019"],
            "source": ["Demo", "", "x"],
            "nature": ["C", "", ""],
            "source_type": ["official"] * 3,
            "expected": [4, 0, 2],
            "disaggregated": [1, 0, 0],
            "reason": ["", "", "stale"],
            "age": [np.nan, np.nan, 9.0],
        }
    )[MAP_COLUMNS + REASON_COLUMNS]
    for kind in ("status", "values", "disparity", "coverage"):
        for part in (frame, frame.iloc[0:0]):
            assert _json(figures.map_figure(part, kind)) == _json(reference_map_figure(part, kind))
    # the unvalidated figure still reads like a validated one
    fig = figures.map_figure(frame, "status")
    assert list(fig.data[1].locations) == ["KEN", "FRA"]
    assert fig.layout.template is not None


def _country_frames(lang: str):
    """(frame, not drawn) of many countries' series: every group's, on the real-shape store."""
    from data import queries
    from data import views_country as vc
    from data.vocab import groups
    from layouts.i18n import code_words
    from layouts.pages import content
    from tests import realshape as shape

    for iso3 in shape.COUNTRIES:
        obs = content.country_observations(iso3, "all")
        for group, g in groups().items():
            disp = queries.country_frames(iso3, group, "all")["disparities"]
            for series in sorted(set(disp["series"].astype(object)))[:4]:
                mine = obs[obs["series"] == series]
                pairs = disp[disp["series"] == series]
                frame = vc.timeseries_frame(mine, pairs, g.dimension, words=code_words(lang))
                yield frame, figures.values_not_drawn(mine, frame)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_country_figures_same_json_as_validated_figures(realshape, lang):
    from data import queries
    from data import views_country as vc

    checked = 0
    names = {1: "UN <SDG>", 2: "Community & co"}
    for frame, not_drawn in _country_frames(lang):
        for extra in ({}, {"not_drawn": not_drawn or 3, "dataset_names": names}):
            kw = {"title": "Series <i>", "unit": "% & more", "lang": lang, **extra}
            old = _json(reference_timeseries_figure(frame, **kw))
            assert _json(figures.timeseries_figure_dict(frame, **kw)) == old
            assert _json(figures.timeseries_figure(frame, **kw)) == old
            checked += 1
    assert checked > 50
    for iso3 in ("KEN", "NPL", "UGA"):
        rows = vc.progress_rows(queries.progress("women"), iso3)
        for kw in ({"axis": "Splits"}, {"axis": "Ventilations avec une valeur", "lang": lang}):
            old = _json(reference_progress_figure(rows, **kw))
            assert _json(figures.progress_figure_dict(rows, **kw)) == old
            assert _json(figures.progress_figure(rows, **kw)) == old
    empty = pd.DataFrame(columns=vc.TS_COLUMNS)
    assert _json(figures.timeseries_figure_dict(empty, lang=lang)) == _json(
        reference_timeseries_figure(empty, lang=lang)
    )
    no_rows = pd.DataFrame(columns=["year", "expected", "with_value", "share"])
    assert _json(figures.progress_figure_dict(no_rows, lang=lang)) == _json(
        reference_progress_figure(no_rows, lang=lang)
    )
