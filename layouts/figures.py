"""Plotly figures built from view frames (pure: no I/O, no Dash).

Maps use ``go.Choropleth`` with ``locationmode="ISO-3"``: the figure carries only codes and
values; the geometry is the topojson the browser fetches once from /assets/topojson/ (see
``theme.graph_config``). Statuses get a marker symbol layer as well as a colour, so "why
missing" never depends on colour alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data.gaps import STATUSES
from layouts import theme
from layouts.i18n import t


def fmt_number(value: Any, digits: int = 3) -> str:
    """A value for people: up to ``digits`` significant digits, "—" when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return t("value.none")
    number = float(value)
    if number != 0 and abs(number) < 1000:
        return f"{number:.{digits}g}"
    return f"{number:,.0f}"


def fmt_share(share: Any) -> str:
    """A share 0..1 as a whole percentage."""
    if share is None or share != share:
        return t("value.none")
    return f"{float(share) * 100:.0f}%"


def _hover_data(frame: pd.DataFrame, mode: str, lang: str | None) -> tuple[np.ndarray, str]:
    """Customdata columns and the hover template: country, value, period, source, Nature, status."""
    if mode == "coverage":
        values = [
            t("value.share", lang, pct=fmt_share(s), n=d, expected=e)
            for s, d, e in zip(frame["z"], frame["disaggregated"], frame["expected"], strict=True)
        ]
    elif mode == "disparity":
        values = [
            t(
                "value.disparity",
                lang,
                value=fmt_number(v),
                ref=fmt_number(r),
                direction=t(f"direction.{d or 'unknown'}", lang),
            )
            if v == v
            else t("value.none")
            for v, r, d in zip(frame["value"], frame["ref_value"], frame["direction"], strict=True)
        ]
    else:
        values = [fmt_number(v) for v in frame["value"]]
    status = [t(f"status.{s}", lang) if s else t("value.none") for s in frame["status"]]
    data = np.column_stack(
        [
            frame["name"],
            values,
            frame["period"].replace("", t("value.none")),
            frame["source"].replace("", t("value.none")),
            frame["nature"].replace("", t("value.none")),
            status,
        ]
    )
    labels = [
        t(k, lang)
        for k in ("hover.value", "hover.period", "hover.source", "hover.nature", "hover.status")
    ]
    template = (
        "<b>%{customdata[0]}</b><br>"
        + "<br>".join(f"{label}: %{{customdata[{i + 1}]}}" for i, label in enumerate(labels))
        + "<extra></extra>"
    )
    return data, template


def _no_data_trace(
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


def _symbol_traces(frame: pd.DataFrame, lang: str | None) -> list[go.Scattergeo]:
    """One marker layer per status (symbol + colour), which is also the legend.

    The markers do not hover (the shape under them does), so the hover data travel once.
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
                showlegend=True,
                legendgroup=status,
            )
        )
    return traces


def map_figure(
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
            ``values`` (z = value) or ``disparity`` (z = signed gap, negative = worse).
        colorbar_title: title of the colour bar (values and disparity).
        fit: zoom to the countries in ``frame`` (a region was chosen).
        lang: language of labels.

    Returns:
        A figure with a choropleth of the coloured countries, a grey choropleth of the others
        and one marker layer per status.
    """
    customdata, template = _hover_data(frame, mode, lang)
    has = frame["z"].notna().to_numpy()
    scale: dict[str, Any] = {
        "coverage": {"colorscale": theme.COVERAGE_SCALE, "zmin": 0, "zmax": 1},
        "status": {
            "colorscale": theme.discrete_status_scale(),
            "zmin": -0.5,
            "zmax": len(STATUSES) - 0.5,
        },
        "values": {"colorscale": theme.VALUE_SCALE},
        "disparity": {"colorscale": theme.DISPARITY_SCALE, "zmid": 0},
    }[mode]
    main = go.Choropleth(
        locations=frame.loc[has, "iso3"],
        z=frame.loc[has, "z"].astype(float),
        locationmode="ISO-3",
        customdata=customdata[has],
        hovertemplate=template,
        marker={"line": {"color": theme.BORDER, "width": 0.5}},
        showscale=mode != "status",
        colorbar={
            "title": {"text": colorbar_title},
            "len": 0.6,
            "thickness": 14,
            **({"tickformat": ".0%"} if mode == "coverage" else {}),
        },
        name=colorbar_title,
        **scale,
    )
    fig = go.Figure(
        [_no_data_trace(frame, customdata, template, lang), main, *_symbol_traces(frame, lang)]
    )
    fig.update_layout(
        **theme.base_layout(),
        geo=theme.geo_layout(fit),
        autosize=True,  # no height: the graph's box (assets/app.css .map-graph) sizes it
        clickmode="event",
        legend={
            "title": {"text": t("legend.heading", lang)},
            "orientation": "h",
            "yanchor": "top",
            "y": -0.02,
            "x": 0,
            "itemclick": False,
            "itemdoubleclick": False,
        },
    )
    return fig


def timeseries_figure(
    frame: pd.DataFrame, *, title: str = "", unit: str = "", lang: str | None = None
) -> go.Figure:
    """Group, reference and total lines over time, with error bars where bounds are known.

    Args:
        frame: ``views.timeseries_frame`` output (line, period_sort, period, value, lower,
            upper, source_type).
        title: the series title.
        unit: the y-axis title.
        lang: language of labels.
    """
    if frame.empty:
        return empty_figure(t("empty.no_data", lang))
    traces = []
    for line, style in theme.LINE_STYLES.items():
        part = frame[frame["line"] == line].sort_values("period_sort")
        if part.empty:
            continue
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
                name=t(f"line.{line}", lang),
                error_y=error,
                line={"color": style["color"], "dash": style["dash"]},
                marker={"symbol": style["symbol"], "size": 8},
                customdata=np.column_stack([part["period"], part["source_type"]]),
                hovertemplate=f"{t(f'line.{line}', lang)}: %{{y}}<br>"
                f"{t('hover.period', lang)}: %{{customdata[0]}} (%{{customdata[1]}})"
                "<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        **theme.base_layout(),
        height=380,
        title={"text": title},
        yaxis={"title": {"text": unit}, "gridcolor": "#eeeeee"},
        xaxis={"tickformat": "d", "gridcolor": "#eeeeee", **_year_ticks(frame["period_sort"])},
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_layout(margin={"l": 60, "r": 20, "t": 40, "b": 40})
    return fig


def _year_ticks(period_sort: pd.Series) -> dict[str, Any]:
    """Whole-year ticks: with plotly's automatic half-year steps, "d" prints 2018 twice."""
    first, last = float(period_sort.min()), float(period_sort.max())
    return {"tick0": float(np.floor(first)), "dtick": max(1, int(np.ceil((last - first) / 8)))}


def empty_figure(message: str, height: int | None = 240) -> go.Figure:
    """A blank figure that says why it is blank (``height=None``: as tall as its box)."""
    fig = go.Figure()
    fig.update_layout(
        **theme.base_layout(),
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 16}}],
    )
    return fig
