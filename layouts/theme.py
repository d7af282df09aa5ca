"""Colours, colour scales, status symbols and the figure template: the only source of colour.

Palettes are colour-blind safe: statuses use the Okabe-Ito palette *and* a marker symbol each
(never colour alone); sequential scales are ColorBrewer YlGnBu and viridis; the diverging
disparity scale is ColorBrewer PuOr (orange = group worse off, purple = better off); the
progress scale is ColorBrewer BrBG (brown = fewer splits than in the base year, green = more).
"""

from __future__ import annotations

import math
from typing import Any

NO_DATA = "#a6a6a6"  # countries without a value (distinct from every legend class under CVD)
LAND = "#e6e6e6"  # shapes of the map file that are outside the current selection
BORDER = "#ffffff"
OCEAN = "#ffffff"
TEXT = "#212529"
FOCUS = "#0b5cad"

STATUS_COLOURS: dict[str, str] = {
    "disaggregated": "#0072B2",  # blue
    "outdated": "#56B4E9",  # sky blue
    "community_only": "#CC79A7",  # reddish purple
    "total_only": "#E69F00",  # orange
    "no_data": NO_DATA,
}
# plotly marker symbols and the glyph the HTML legend and tables show for the same status
STATUS_SYMBOLS: dict[str, str] = {
    "disaggregated": "circle",
    "outdated": "triangle-up",
    "community_only": "star",
    "total_only": "square",
    "no_data": "x",
}
STATUS_GLYPHS: dict[str, str] = {
    "disaggregated": "\u25cf",  # ●
    "outdated": "\u25b2",  # ▲
    "community_only": "\u2605",  # ★
    "total_only": "\u25a0",  # ■
    "no_data": "\u2715",  # ✕
}
MARKER_LINE = "#000000"

FULL_SHARE = 0.9995  # from here a share prints as "100%" and takes the last class colour
# Coverage classes: [lowest share, colour] (ColorBrewer YlGnBu, 6 classes): 0 %, 1-9 %,
# 10-24 %, 25-49 %, 50-99 %, 100 %. Real coverage is low (the best country near 25 %), so the
# classes are narrow there: equal 20 % steps coloured nearly the whole world alike.
COVERAGE_SCALE: list[list[Any]] = [
    [0.0, "#ffffcc"],
    [1e-9, "#c7e9b4"],
    [0.10, "#7fcdbb"],
    [0.25, "#41b6c4"],
    [0.50, "#2c7fb8"],
    [FULL_SHARE, "#253494"],
]
VALUE_SCALE = "Viridis"
# negative = group worse off than its reference (orange), positive = better off (purple)
DISPARITY_SCALE: list[list[Any]] = [
    [0.0, "#b35806"],
    [0.25, "#f1a340"],
    [0.5, "#f7f7f7"],
    [0.75, "#998ec3"],
    [1.0, "#542788"],
]
# change since a base year in the share of expected splits with a value: ColorBrewer BrBG
# (colour-blind safe): brown = fewer splits than in the base year, green = more, pale = same
PROGRESS_SCALE: list[list[Any]] = [
    [0.0, "#8c510a"],
    [0.25, "#d8b365"],
    [0.5, "#f5f5f5"],
    [0.75, "#5ab4ac"],
    [1.0, "#01665e"],
]
LINE_STYLES: dict[str, dict[str, str]] = {
    "group": {"color": "#D55E00", "dash": "solid", "symbol": "circle"},
    "reference": {"color": "#0072B2", "dash": "dash", "symbol": "square"},
    "total": {"color": "#555555", "dash": "dot", "symbol": "diamond"},
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "color": TEXT}


def discrete_status_scale() -> list[list[Any]]:
    """A stepped colour scale for status codes 0..4 (the order of ``gaps.STATUSES``)."""
    from data.gaps import STATUSES

    steps: list[list[Any]] = []
    n = len(STATUSES)
    for i, status in enumerate(STATUSES):
        colour = STATUS_COLOURS[status]
        steps += [[i / n, colour], [(i + 1) / n, colour]]
    return steps


def share_classes() -> list[tuple[int, int, str]]:
    """The coverage classes as (lowest %, highest %, colour): (0, 0), (1, 9), ... (100, 100).

    The same classes colour the matrix cells (``share_class``) and the coverage map
    (``stepped_coverage_scale``); the legends of both are built from this list.
    """
    lows = [math.ceil(stop * 100) for stop, _ in COVERAGE_SCALE]
    highs = [low - 1 for low in lows[1:]] + [100]
    return [
        (low, max(low, high), str(colour))
        for low, high, (_, colour) in zip(lows, highs, COVERAGE_SCALE, strict=True)
    ]


def stepped_coverage_scale() -> list[list[Any]]:
    """A stepped plotly colour scale over shares 0..1 with one flat colour per coverage class."""
    ends = [stop for stop, _ in COVERAGE_SCALE[1:]] + [1.0]
    steps: list[list[Any]] = []
    for (stop, colour), end in zip(COVERAGE_SCALE, ends, strict=True):
        steps += [[stop, colour], [end, colour]]
    return steps


def share_colour(share: float | None) -> str:
    """Background colour of a coverage share (matrix cells); NO_DATA for None/NaN."""
    if share is None or share != share:  # NaN
        return NO_DATA
    share = min(max(float(share), 0.0), 1.0)
    for stop, colour in reversed(COVERAGE_SCALE):
        if share >= stop:
            return str(colour)
    return str(COVERAGE_SCALE[0][1])


def share_class(share: float | None) -> str:
    """CSS class of a matrix cell: ``cov-0`` .. ``cov-5`` by coverage, ``cov-na`` for none.

    The classes are generated from ``COVERAGE_SCALE`` by ``matrix_css`` (served in
    assets/app.css), so a cell carries a short class instead of inline colours.
    """
    if share is None or share != share:
        return "cov-na"
    share = min(max(float(share), 0.0), 1.0)
    index = max(i for i, (stop, _) in enumerate(COVERAGE_SCALE) if share >= stop)
    return f"cov-{index}"


def matrix_css() -> str:
    """CSS rules for the ``share_class`` classes (background and contrasting text)."""
    rules = [(f"cov-{i}", str(colour)) for i, (_, colour) in enumerate(COVERAGE_SCALE)]
    rules.append(("cov-na", NO_DATA))
    return "\n".join(
        f".matrix-table td.{name}, .matrix-table td.{name} a "
        f"{{ background-color: {bg}; color: {text_on(bg)}; }}"
        for name, bg in rules
    )


def status_css() -> str:
    """CSS rules for the status glyph classes of tables (``glyph-<status>``)."""
    return "\n".join(f".glyph-{s} {{ color: {c}; }}" for s, c in STATUS_COLOURS.items())


def text_on(background: str) -> str:
    """Black or white text, whichever contrasts more with a #rrggbb background."""
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lum = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return "#000000" if luminance > 0.179 else "#ffffff"


# the world map on a phone (callbacks/clientside.py): a near-square window on Europe, Africa
# and western Asia, a little zoomed, so the drawing fills its 320 px box (the whole world at
# 375 px wide is ~160 px tall); the user pans to the rest
PHONE_GEO: dict[str, Any] = {
    "projection": {"scale": 1.2},
    "lonaxis": {"range": [-30, 90]},
    "lataxis": {"range": [-40, 75]},
}


def geo_layout(fit: bool = False) -> dict[str, Any]:
    """The map's ``layout.geo``: offline 110m topojson, no frame, light land."""
    geo: dict[str, Any] = {
        "resolution": 110,
        "projection": {"type": "natural earth"},
        "showframe": False,
        "showcoastlines": False,
        "showcountries": True,
        "countrycolor": BORDER,
        "showland": True,
        "landcolor": LAND,
        "showocean": False,
        "bgcolor": OCEAN,
        "lataxis": {"range": [-58, 85]},
    }
    if fit:
        geo["fitbounds"] = "locations"
        geo.pop("lataxis")
    return geo


def base_layout() -> dict[str, Any]:
    """Layout shared by every figure (an empty template: plotly's default adds ~7 KB)."""
    return {
        "template": "none",
        "font": FONT,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"color": TEXT}},
    }


def graph_config(topojson_url: str) -> dict[str, Any]:
    """``dcc.Graph.config``: served topojson, no logo, no button that points off-site."""
    return {
        "topojsonURL": topojson_url,
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "plotlyServerURL": "",
        "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "lasso2d", "select2d"],
        "responsive": True,
    }
