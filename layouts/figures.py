"""Plotly figures built from view frames (pure: no I/O, no Dash).

Maps use ``go.Choropleth`` with ``locationmode="ISO-3"``: the figure carries only codes and
values; the geometry is the topojson the browser fetches once from /assets/topojson/ (see
``theme.graph_config``). Statuses get a marker symbol layer as well as a colour, so "why
missing" never depends on colour alone.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec

from data.gaps import STATUSES
from layouts import i18n, theme
from layouts.components import lower, reason_text
from layouts.i18n import t


def fmt_number(value: Any, digits: int = 3, lang: str | None = None) -> str:
    """A value for a chart, the language's way: ``digits`` significant digits, "—" if missing."""
    return _rounded(value, lang or i18n.language(), digits) or t("value.none", lang)


_ROUNDED: dict[tuple[float, str, int], str] = {}


def _rounded(value: Any, lang: str, digits: int) -> str:
    """``i18n.rounded``, remembered per number (a map's hover repeats the same values)."""
    if not isinstance(value, float | int) or value != value:
        return i18n.rounded(value, lang, digits)
    key = (float(value), lang, digits)
    found = _ROUNDED.get(key)
    if found is None:
        if len(_ROUNDED) > 200_000:
            _ROUNDED.clear()
        found = _ROUNDED[key] = i18n.rounded(value, lang, digits)
    return found


def safe(text: Any) -> str:
    """Text from data files for a plotly figure: shown as written, never as markup.

    plotly.js renders a subset of HTML in titles, names and hover text (links included);
    escaped, ``<a href=...>`` in a unit cell is shown as those characters, not as a link.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_array(values: np.ndarray) -> np.ndarray:
    """``safe`` applied to every text cell of a customdata array (numbers stay numbers)."""
    out = np.array(values, dtype=object, copy=True)
    flat = out.reshape(-1)
    for i, v in enumerate(flat):
        # only texts with a character to escape change (``safe`` of any other is itself)
        if isinstance(v, str) and ("&" in v or "<" in v or ">" in v):
            flat[i] = safe(v)
    return out


def fmt_share(share: Any, lang: str | None = None) -> str:
    """A share 0..1 as a whole percentage, the language's way ("32%", "32 %")."""
    return i18n.percent(share, lang) or t("value.none", lang)


def _hover_data(frame: pd.DataFrame, mode: str, lang: str | None) -> tuple[np.ndarray, str]:
    """Customdata columns and the hover template: country, value, period, source, Nature, status."""
    said: dict[Any, str] = {}  # each text once per map, not once per country

    def share(s: Any, d: Any, e: Any) -> str:
        key = ("share", s, d, e)
        if key not in said:
            said[key] = t("value.share", lang, pct=fmt_share(s, lang), n=d, expected=e)
        return said[key]

    code = lang or i18n.language()  # what t and fmt_number resolve, once per map
    directions: dict[Any, str] = {}

    def disparity(v: Any, r: Any, d: Any) -> str:
        if v != v:
            return t("value.none", code)
        key = ("disparity", v, r, d)
        if key not in said:
            if d not in directions:
                directions[d] = t(f"direction.{d or 'unknown'}", code)
            said[key] = t(
                "value.disparity",
                code,
                value=fmt_number(v, lang=code),
                ref=fmt_number(r, lang=code),
                direction=directions[d],
            )
        return said[key]

    def cells(column: str) -> list[Any]:  # the values iterating the column gives, at once
        return frame[column].tolist()

    if mode == "coverage":
        values = [
            share(s, d, e)
            for s, d, e in zip(cells("z"), cells("disaggregated"), cells("expected"), strict=True)
        ]
    elif mode == "disparity":
        values = [
            disparity(v, r, d)
            for v, r, d in zip(cells("value"), cells("ref_value"), cells("direction"), strict=True)
        ]
    else:
        values = [fmt_number(v, lang=code) for v in cells("value")]
    words = {s: t(f"status.{s}", lang) if s else t("value.none") for s in set(frame["status"])}
    status = [words[s] for s in frame["status"]]
    data = np.column_stack(
        [
            frame["name"].to_numpy(dtype=object),
            np.array(values, dtype=object),
            _filled(frame["period"], t("value.none")),
            _filled(frame["source"], t("value.none")),
            _filled(frame["nature"], t("value.none")),
            np.array(status, dtype=object),
            np.array(_reason_column(frame, mode, lang), dtype=object),
        ]
    )
    keys = ("hover.value", "hover.period", "hover.source", "hover.nature", "hover.status")
    labels = [t(k, lang) for k in (*keys, "hover.reason")]
    template = (
        "<b>%{customdata[0]}</b><br>"
        + "<br>".join(f"{label}: %{{customdata[{i + 1}]}}" for i, label in enumerate(labels))
        + "<extra></extra>"
    )
    return data, template


def _filled(column: pd.Series, none: str) -> np.ndarray:
    """``column.replace("", none)`` as an object array (empty texts shown as ``none``)."""
    values = column.to_numpy(dtype=object)
    return np.array(
        [none if isinstance(v, str) and v == "" else v for v in values], dtype=object
    ).reshape(len(values))


def _reason_column(frame: pd.DataFrame, mode: str, lang: str | None) -> list[str]:
    """The reason in words for each country's hover; "—" when there is none.

    A status map says the series' reason ("Outdated: 9 years old"), the coverage map the
    country's most common gap reason ("mostly: not split").
    """
    none = t("value.none")
    if "reason" not in frame:
        return [none] * len(frame)
    ages = frame["age"].tolist() if "age" in frame else [None] * len(frame)
    out = []
    said: dict[tuple[Any, Any], str] = {}  # each (reason, age) in words once
    for reason, age in zip(frame["reason"].tolist(), ages, strict=True):
        key = (reason, age if age == age else None)  # no age: NaN or None, the same words
        found = said.get(key)
        if found is None:
            text = reason_text(reason, age, lang) if reason else ""
            if text and mode == "coverage":
                text = t("reason.mostly", lang, reason=lower(text))
            found = said[key] = text or none
        out.append(found)
    return out


def _progress_hover(frame: pd.DataFrame, lang: str | None) -> tuple[np.ndarray, str]:
    """Customdata and hover template of the progress map: the change and both shares."""
    texts = []
    for r in frame.to_dict("records"):
        if r["z"] != r["z"]:
            texts.append(t("value.not_expected", lang))
            continue
        texts.append(
            t(
                "value.progress",
                lang,
                change=i18n.points(r["z"], lang),
                base_pct=fmt_share(r["base_share"], lang),
                now_pct=fmt_share(r["now_share"], lang),
                base_n=r["base_n"],
                now_n=r["now_n"],
                expected=r["expected"],
                base=r["base"],
                now=r["now"],
            )
        )
    data = np.column_stack([frame["name"], texts])
    template = "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"
    return data, template


def _plain(values: Any) -> list[Any]:
    """A column as plain Python values (what plotly's validators would turn it into)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


@lru_cache(maxsize=16)
def _validated(key: str, value: Any) -> Any:
    """What plotly's validators make of a fixed style value (a named colour scale, a template).

    Computed once through a validated figure, so the unvalidated figures below carry exactly
    what a validated one would.
    """
    if key == "template":
        return go.Figure(layout={"template": value}).to_plotly_json()["layout"]["template"]
    return go.Choropleth(colorscale=value).to_plotly_json()["colorscale"]


def _scale(scale: Any) -> Any:
    return _validated("colorscale", scale if isinstance(scale, str) else _frozen(scale))


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _no_data_trace(
    frame: pd.DataFrame, customdata: np.ndarray, template: str, lang: str | None
) -> dict[str, Any]:
    """Grey shapes for countries with nothing to colour (so every country is drawn)."""
    mask = frame["z"].isna().to_numpy()
    return {
        "type": "choropleth",
        "locations": _plain(frame["iso3"].to_numpy()[mask]),
        "z": np.zeros(int(mask.sum())),
        "locationmode": "ISO-3",
        "colorscale": _scale([[0, theme.NO_DATA], [1, theme.NO_DATA]]),
        "showscale": False,
        "customdata": customdata[mask].tolist(),
        "hovertemplate": template,
        "name": t("legend.no_value", lang),
        "marker": {"line": {"color": theme.BORDER, "width": 0.5}},
        "showlegend": False,
    }


def _symbol_traces(frame: pd.DataFrame, lang: str | None) -> list[dict[str, Any]]:
    """One marker layer per status (symbol + colour); the HTML legend explains them.

    The markers do not hover (the shape under them does), so the hover data travel once.
    Countries whose ``status`` is "" (coverage mode: the colour says it all) get none.
    """
    traces = []
    status = frame["status"].to_numpy(dtype=object)
    iso3 = frame["iso3"].to_numpy(dtype=object)
    for s in STATUSES:
        traces.append(
            {
                "type": "scattergeo",
                "locations": iso3[status == s].tolist(),
                "locationmode": "ISO-3",
                "mode": "markers",
                "marker": {
                    "symbol": theme.STATUS_SYMBOLS[s],
                    "size": 7,
                    "color": theme.STATUS_COLOURS[s],
                    "line": {"color": theme.MARKER_LINE, "width": 1},
                },
                "name": t(f"status.{s}", lang),
                "hoverinfo": "skip",
                "showlegend": False,  # one legend: the HTML one (plotly's was cut on phones)
            }
        )
    return traces


def _symmetric(z: pd.Series) -> dict[str, float]:
    """zmin/zmax around 0 (at least +-10 points), so that equal changes get equal colours."""
    top = float(np.nanmax(np.abs(z.to_numpy(dtype=float)))) if z.notna().any() else 0.0
    top = max(top, 10.0)
    return {"zmin": -top, "zmax": top}


def map_figure(
    frame: pd.DataFrame,
    mode: str,
    *,
    colorbar_title: str = "",
    fit: bool = False,
    lang: str | None = None,
) -> go.Figure:
    """The overview map (``map_parts`` as a figure; see there)."""
    traces, layout = map_parts(frame, mode, colorbar_title=colorbar_title, fit=fit, lang=lang)
    return go.Figure(data=traces, layout=layout, _validate=False)


def map_figure_dict(
    frame: pd.DataFrame,
    mode: str,
    *,
    colorbar_title: str = "",
    fit: bool = False,
    lang: str | None = None,
) -> dict[str, Any]:
    """``map_figure(...).to_dict()`` without the figure: for a caller that only serialises it.

    The same keys in the same order and numpy arrays as plotly's typed arrays (what
    ``to_dict`` gives), without the figure's deep copy of every hover text
    (tests/test_payload_fast.py: the same JSON). Plain JSON data already (what
    ``content.jsonable`` would return, so it is sent as it is) and the figure's own: the
    layout and colour scales, taken from values cached for every figure, are copies.
    """
    traces, layout = map_parts(frame, mode, colorbar_title=colorbar_title, fit=fit, lang=lang)
    data = [_as_stored(trace) for trace in traces]
    for trace in data:
        if "colorscale" in trace:
            trace["colorscale"] = _copy(trace["colorscale"])
    return {"data": data, "layout": _copy(_as_stored(layout))}


def _copy(value: Any) -> Any:
    """A copy of small plain data (lists, dicts, strings, numbers): ~10 us for a layout."""
    return json.loads(json.dumps(value))


def _as_stored(props: dict[str, Any]) -> dict[str, Any]:
    """A trace or layout as a figure stores it (what ``to_dict`` gives back).

    Its properties in plotly's (alphabetical) order, ``type`` last; numpy arrays as typed
    arrays (``_stored_array``).
    """
    out = {
        k: _stored_array(v) if isinstance(v, np.ndarray) else v
        for k, v in sorted(props.items())
        if k != "type"
    }
    if "type" in props:
        out["type"] = props["type"]
    return out


def _stored_array(values: np.ndarray) -> Any:
    """A typed array (``to_dict``'s base64 step), or ``[]`` for an empty one.

    ``to_dict`` leaves an empty one a numpy array; the JSON sent is the same.
    """
    return to_typed_array_spec(values) if values.size else []


def map_parts(
    frame: pd.DataFrame,
    mode: str,
    *,
    colorbar_title: str = "",
    fit: bool = False,
    lang: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The overview map's traces and layout, as plain values.

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
        (traces, layout) of a figure with a choropleth of the coloured countries (coverage:
        one flat colour per class of ``theme.share_classes``), a grey choropleth of the others
        and one marker layer per status; no plotly legend (``components.map_legend`` is the legend).
    """
    if mode == "progress":
        customdata, template = _progress_hover(frame, lang)
    else:
        customdata, template = _hover_data(frame, mode, lang)
    customdata = safe_array(customdata)
    colorbar_title = safe(colorbar_title)
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
        "progress": {"colorscale": theme.PROGRESS_SCALE, "zmid": 0, **_symmetric(z)},
    }[mode]
    scale["colorscale"] = _scale(scale["colorscale"])
    main = {
        "type": "choropleth",
        "locations": _plain(frame["iso3"].to_numpy()[has]),
        "z": z.to_numpy(dtype=float)[has],
        "locationmode": "ISO-3",
        "customdata": customdata[has].tolist(),
        "hovertemplate": template,
        "marker": {"line": {"color": theme.BORDER, "width": 0.5}},
        # coverage and status classes are keyed by the HTML legend; values and gaps get a
        # horizontal colour bar under the map (a vertical one took a third of a phone's width)
        "showscale": mode in ("values", "disparity", "progress"),
        "colorbar": {
            "title": {"text": colorbar_title, "side": "top"},
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 0,
            "yanchor": "top",
            "len": 0.7,
            "thickness": 12,
        },
        "name": colorbar_title,
        **scale,
    }
    symbols = _symbol_traces(frame, lang) if "status" in frame else []
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
    layout["template"] = _validated("template", layout["template"])
    # plain values, given whole and not validated: plotly's validation and merge machinery
    # cost most of a map update (tests/test_figures_fast.py: the same JSON as validated)
    traces = [_no_data_trace(frame, customdata, template, lang), main, *symbols]
    return traces, layout


# Community values are drawn with open markers and a different dash: never one line with the
# official values, and not told apart by colour alone.
_COMMUNITY_DASH = {"solid": "dashdot", "dash": "longdashdot", "dot": "longdash"}
_TRACE_KEYS = ["line", "label", "slice", "source_type", "dataset"]


def trace_name(key: dict[str, Any], dataset: str = "", lang: str | None = None) -> str:
    """Legend name of one time-series line: who, which slice, which source type (and dataset).

    Args:
        key: ``line`` (group, reference, total), ``label`` (the code in words), ``slice``
            (other breakdown in words) and ``source_type``.
        dataset: the dataset's name, added when two lines would otherwise share a name.
        lang: language.
    """
    who = key["label"] or t(f"line.{key['line']}", lang)
    if key.get("slice"):
        who = f"{who}, {key['slice']}"
    name = t("country.trace", lang, who=who, source=t(f"sourceword.{key['source_type']}", lang))
    return f"{name} \u2014 {dataset}" if dataset else name


def values_not_drawn(obs: pd.DataFrame, frame: pd.DataFrame) -> int:
    """Values of ``obs`` in another unit than the chart's, or without a unit: never drawn.

    The time series draws one unit (``views_country.timeseries_frame``: the most common);
    the provenance table lists every value with its unit. Observations of the drawn unit left
    out for another reason (another slice) are not counted.

    Args:
        obs: observations of one country and series (``value``, ``unit``).
        frame: the chart's ``timeseries_frame`` (``unit``).
    """
    if obs.empty or "unit" not in obs:
        return 0
    has = obs[obs["value"].notna()]
    units = has["unit"].astype(object)
    drawn = set(frame["unit"].astype(object).dropna()) if len(frame) else set()
    blank = units.isna() | (units.astype(str).str.strip() == "")
    return int((blank | ~units.isin(drawn)).sum())


def not_drawn_text(n: int, lang: str | None = None) -> str:
    """The chart's words for values it does not draw ("" when it draws them all)."""
    return t("country.ts_not_drawn", lang, count=n, n=n) if n else ""


def timeseries_figure(
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
        return empty_figure(t("empty.no_data", lang))
    traces, layout = timeseries_parts(frame, title, unit, lang, dataset_names, not_drawn)
    return go.Figure([go.Scatter(**trace) for trace in traces], layout)


def timeseries_figure_dict(
    frame: pd.DataFrame,
    *,
    title: str = "",
    unit: str = "",
    lang: str | None = None,
    dataset_names: dict[int, str] | None = None,
    not_drawn: int = 0,
) -> dict[str, Any]:
    """``timeseries_figure(...).to_dict()`` without the figure (for a page that serialises it).

    Building plotly's objects (validation of every property) was a third of a country page's
    series answer (tests/test_figures_fast.py: the same figure).
    """
    if frame.empty:
        return timeseries_figure(frame, lang=lang).to_dict()
    return _scatter_dict(*timeseries_parts(frame, title, unit, lang, dataset_names, not_drawn))


def _scatter_dict(traces: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure of scatter traces as plotly stores it (``to_dict``), from plain values."""
    data = []
    for trace in traces:
        if "error_y" in trace:  # its arrays stored as the figure stores them too
            trace = {**trace, "error_y": _as_stored(trace["error_y"])}
        data.append(_as_stored({**trace, "type": "scatter"}))
    template = _validated("template", layout["template"])
    return {"data": data, "layout": _as_stored({**layout, "template": template})}


def timeseries_parts(
    frame: pd.DataFrame,
    title: str,
    unit: str,
    lang: str | None,
    dataset_names: dict[int, str] | None,
    not_drawn: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The traces (scatter properties) and layout of ``timeseries_figure``, as plain values."""
    frame = frame.assign(
        **{c: frame[c] if c in frame else "" for c in ("label", "slice", "dataset")}
    )
    keys = frame[_TRACE_KEYS].astype(object).drop_duplicates().to_dict("records")
    if len({k["slice"] for k in keys}) == 1:  # one slice throughout: said once, in the title
        title = f"{title} ({keys[0]['slice']})" if title and keys[0]["slice"] else title
        keys = [{**k, "slice": ""} for k in keys]
        frame = frame.assign(slice="")
    names = [trace_name(k, lang=lang) for k in keys]
    twice = {n for n in names if names.count(n) > 1}
    order = {line: i for i, line in enumerate(theme.LINE_STYLES)}
    traces = []
    for key, name in sorted(
        zip(keys, names, strict=True), key=lambda kn: (order.get(kn[0]["line"], 9), kn[1])
    ):
        if name in twice:
            ds = (dataset_names or {}).get(key["dataset"], str(key["dataset"]))
            name = trace_name(key, ds, lang)
        mask = np.ones(len(frame), bool)
        for col in _TRACE_KEYS:
            mask &= (frame[col].astype(object) == key[col]).to_numpy()
        part = frame[mask].sort_values("period_sort")
        style = dict(theme.LINE_STYLES.get(key["line"], theme.LINE_STYLES["total"]))
        if key["source_type"] != "official":
            style["dash"] = _COMMUNITY_DASH.get(style["dash"], "dashdot")
            style["symbol"] = f"{style['symbol']}-open"
        bounded = part["upper"].notna() & part["lower"].notna()
        trace: dict[str, Any] = {
            "x": part["period_sort"].to_numpy(dtype=float),
            "y": part["value"].to_numpy(dtype=float),
            "mode": "lines+markers",
            "name": safe(name),
        }
        if bounded.any():
            trace["error_y"] = {
                "type": "data",
                "symmetric": False,
                "visible": True,
                "array": (part["upper"] - part["value"]).where(bounded).to_numpy(dtype=float),
                "arrayminus": (part["value"] - part["lower"]).where(bounded).to_numpy(dtype=float),
                "color": style["color"],
            }
        traces.append(
            {
                **trace,
                "line": {"color": style["color"], "dash": style["dash"]},
                "marker": {"symbol": style["symbol"], "size": 8},
                # the value as stored, written the language's way ("12,85"): plotly's own
                # %{y} would round it and knows only the two separators
                "customdata": safe_array(
                    np.column_stack(
                        [
                            part["period"].astype(str),
                            [i18n.exact(v, lang) for v in part["value"]],
                        ]
                    )
                ),
                "hovertemplate": f"{safe(name)}: %{{customdata[1]}} {safe(unit)}<br>"
                f"{t('hover.period', lang)}: %{{customdata[0]}}<extra></extra>",
            }
        )
    layout = {
        **theme.base_layout(),
        "height": 280,
        "separators": i18n.separators(lang),  # the y axis' ticks: "0,5" in French
        "meta": {"title": title},  # the page's heading says it: a plotly title is cut on a phone
        "yaxis": {"title": {"text": wrapped(unit, 24)}, "gridcolor": "#eeeeee", "automargin": True},
        "xaxis": {"tickformat": "d", "gridcolor": "#eeeeee", **_year_ticks(frame["period_sort"])},
        "legend": {"orientation": "h", "y": -0.12, "yanchor": "top"},
        "margin": {"l": 50, "r": 10, "t": 30 if not_drawn else 10, "b": 30},
    }
    if not_drawn:
        layout["annotations"] = [
            {
                "text": safe(not_drawn_text(not_drawn, lang)),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        ]
    return traces, layout


def progress_figure(
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
        return empty_figure(t("empty.no_data", lang), height=height)
    trace, layout = progress_parts(frame, axis, height, lang)
    return go.Figure(go.Scatter(**trace), layout)


def progress_figure_dict(
    frame: pd.DataFrame, *, axis: str = "", height: int = 200, lang: str | None = None
) -> dict[str, Any]:
    """``progress_figure(...).to_dict()`` without the figure (see ``timeseries_figure_dict``)."""
    if frame.empty:
        return progress_figure(frame, height=height, lang=lang).to_dict()
    trace, layout = progress_parts(frame, axis, height, lang)
    return _scatter_dict([trace], layout)


def progress_parts(
    frame: pd.DataFrame, axis: str, height: int, lang: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trace (scatter properties) and layout of ``progress_figure``, as plain values."""
    style = theme.LINE_STYLES["group"]
    top = int(frame["expected"].max())
    trace = {
        "x": frame["year"].tolist(),  # plain lists: a dozen numbers, readable in the page
        "y": frame["with_value"].tolist(),
        "mode": "lines+markers",
        "line": {"color": style["color"]},
        "marker": {"symbol": style["symbol"], "size": 7},
        "customdata": [[e] for e in frame["expected"].tolist()],
        "hovertemplate": "%{x}: %{y} / %{customdata[0]}<extra></extra>",
        "showlegend": False,
    }
    layout = {
        **theme.base_layout(),
        "height": height,
        "separators": i18n.separators(lang),
        "yaxis": {
            # wrapped: "Ventilations avec une valeur" in one line is taller than the plot
            "title": {"text": wrapped(axis)},
            "automargin": True,
            "range": [0, max(top, 1) * 1.05],
            "gridcolor": "#eeeeee",
            "rangemode": "tozero",
        },
        "xaxis": {"tickformat": "d", "gridcolor": "#eeeeee", **_year_ticks(frame["year"])},
        "margin": {"l": 50, "r": 10, "t": 10, "b": 30},
    }
    return trace, layout


def wrapped(text: str, width: int = 18) -> str:
    """A vertical axis title in lines of at most ``width`` characters (plotly's ``<br>``)."""
    import textwrap

    lines = textwrap.wrap(safe(text), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines)


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
