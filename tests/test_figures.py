"""layouts.figures: targeted asserts on built figures (no rendering)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from data.gaps import STATUSES
from data.views import MAP_COLUMNS
from layouts import figures, theme


def _frame(z, status, **extra):
    n = len(z)
    base = {
        "iso3": ["KEN", "UGA", "FRA", "CHL"][:n],
        "name": ["Kenya", "Uganda", "France", "Chile"][:n],
        "z": z,
        "status": status,
        "value": z,
        "ref_value": [np.nan] * n,
        "difference": [np.nan] * n,
        "ratio": [np.nan] * n,
        "direction": [""] * n,
        "period": ["2022"] * n,
        "source": ["Demo"] * n,
        "nature": ["C"] * n,
        "source_type": ["official"] * n,
        "expected": [4] * n,
        "disaggregated": [1] * n,
    }
    base.update(extra)
    return pd.DataFrame(base)[MAP_COLUMNS]


def test_coverage_map_traces_and_no_data():
    fig = figures.map_figure(
        _frame([0.25, np.nan, 1.0], ["disaggregated", "no_data", "disaggregated"]), "coverage"
    )
    grey, main, *symbols = fig.data
    assert list(main.locations) == ["KEN", "FRA"]
    assert list(main.z) == [0.25, 1.0]
    assert main.locationmode == "ISO-3"
    assert (main.zmin, main.zmax) == (0, 1)
    assert list(grey.locations) == ["UGA"]
    assert grey.colorscale[0][1] == theme.NO_DATA and grey.colorscale[-1][1] == theme.NO_DATA
    assert [s.name for s in symbols][0] == "Disaggregated (recent)"
    assert len(symbols) == len(STATUSES)
    assert fig.layout.geo.resolution == 110


def test_status_symbols_are_not_colour_alone():
    fig = figures.map_figure(_frame([0, 4], ["disaggregated", "no_data"]), "status")
    symbols = {t.marker.symbol: list(t.locations) for t in fig.data[2:]}
    assert symbols[theme.STATUS_SYMBOLS["disaggregated"]] == ["KEN"]
    assert symbols[theme.STATUS_SYMBOLS["no_data"]] == ["UGA"]
    assert len(set(theme.STATUS_SYMBOLS.values())) == len(STATUSES)
    # the symbols are explained once, by the page's HTML legend, never by a plotly legend
    assert not any(t.showlegend for t in fig.data)
    assert fig.data[1].showscale is False  # discrete statuses: the legend explains them


def test_hover_has_country_value_period_source_nature_status():
    fig = figures.map_figure(_frame([12.5], ["disaggregated"]), "values")
    main = fig.data[1]
    row = list(main.customdata[0])
    assert row[:1] == ["Kenya"] and row[1] == "12.5" and row[2] == "2022"
    assert row[3] == "Demo" and row[4] == "C" and row[5] == "Disaggregated (recent)"
    for word in ("Value", "Period", "Source", "Nature", "Status"):
        assert word in main.hovertemplate


def test_disparity_diverging_centred_on_parity():
    frame = _frame(
        [-2.0, 3.0],
        ["disaggregated", "disaggregated"],
        direction=["worse", "better"],
        ref_value=[10.0, 10.0],
    )
    fig = figures.map_figure(frame, "disparity", colorbar_title="Gap")
    main = fig.data[1]
    assert main.zmid == 0
    assert main.colorscale[0][1] == theme.DISPARITY_SCALE[0][1]
    assert "worse" in main.customdata[0][1]


def test_map_json_has_no_geometry_and_is_small():
    n = 200
    frame = pd.DataFrame({c: [""] * n for c in MAP_COLUMNS})
    frame["iso3"] = [f"C{i:02d}" for i in range(n)]
    frame["name"] = frame["iso3"]
    for col in ("z", "value", "ref_value", "difference", "ratio"):
        frame[col] = np.linspace(0, 1, n)
    frame["status"] = "disaggregated"
    frame[["expected", "disaggregated"]] = 3
    text = pio.to_json(figures.map_figure(frame, "coverage"))
    assert "geojson" not in text and "coordinates" not in text
    assert len(text) < 40_000
    assert len(json.dumps(json.loads(text)["layout"]["template"])) < 100  # no default template


def test_fit_to_region():
    fig = figures.map_figure(_frame([1.0], ["disaggregated"]), "coverage", fit=True)
    assert fig.layout.geo.fitbounds == "locations"


def test_timeseries_figure_lines_and_bounds():
    frame = pd.DataFrame(
        {
            "line": ["group", "group", "reference", "total"],
            "year": [2020, 2022, 2022, 2022],
            "period": ["2020", "2022", "2022", "2022"],
            "period_sort": [2020.0, 2022.0, 2022.0, 2022.0],
            "value": [10.0, 12.0, 8.0, 9.0],
            "lower": [np.nan, 11.0, np.nan, np.nan],
            "upper": [np.nan, 13.5, np.nan, np.nan],
            "source_type": ["official"] * 4,
        }
    )
    fig = figures.timeseries_figure(frame, title="T", unit="%")
    names = [t.name for t in fig.data]
    assert names == ["Group (official)", "Reference (official)", "Total (official)"]
    group = fig.data[0]
    assert list(group.y) == [10.0, 12.0]
    assert group.error_y.array[1] == pytest.approx(1.5)
    assert group.error_y.arrayminus[1] == pytest.approx(1.0)
    assert fig.data[1].error_y.array is None
    styles = {t.marker.symbol for t in fig.data} | {t.line.dash for t in fig.data}
    assert len(styles) == 6  # every line differs by symbol and dash, not colour only


def test_timeseries_empty_and_empty_figure():
    fig = figures.timeseries_figure(pd.DataFrame(columns=["line"]))
    assert fig.layout.annotations[0].text == "No data for this selection"
    assert not fig.data


def test_number_formatting():
    assert figures.fmt_number(np.nan) == "\u2014"
    assert figures.fmt_number(12.3456) == "12.3"
    assert figures.fmt_number(123456.0) == "123,456"
    assert figures.fmt_share(0.256) == "26%"
    assert figures.fmt_share(None) == "\u2014"


def test_graph_config_is_offline():
    cfg = theme.graph_config("/assets/topojson/")
    assert cfg["topojsonURL"] == "/assets/topojson/"
    assert cfg["displaylogo"] is False and cfg["showSendToCloud"] is False
    assert "sendChartToCloud" in cfg["modeBarButtonsToRemove"]


def test_theme_helpers():
    assert theme.share_colour(None) == theme.NO_DATA
    assert theme.share_colour(float("nan")) == theme.NO_DATA
    assert theme.share_colour(1.0) == theme.COVERAGE_SCALE[-1][1]
    assert theme.text_on("#ffffff") == "#000000" and theme.text_on("#253494") == "#ffffff"
    steps = theme.discrete_status_scale()
    assert steps[0][1] == theme.STATUS_COLOURS["disaggregated"]
    assert steps[-1] == [1.0, theme.STATUS_COLOURS["no_data"]]


def test_text_from_data_is_never_markup_in_figures():
    import pandas as pd

    from layouts.figures import safe, safe_array, timeseries_figure

    link = '<a href="http://evil.example">PERCENT</a>'
    assert safe(link) == '&lt;a href="http://evil.example"&gt;PERCENT&lt;/a&gt;'
    assert safe_array(np.array([["<b>x</b>", 1.5]], dtype=object))[0].tolist() == [
        "&lt;b&gt;x&lt;/b&gt;",
        1.5,
    ]
    many = np.array([["Kenya", 2.0], ["Chad", "x"], ["A & B", ">"]], dtype=object)
    assert safe_array(many).tolist() == [["Kenya", 2.0], ["Chad", "x"], ["A &amp; B", "&gt;"]]
    clean = many[:2]
    assert safe_array(clean).tolist() == clean.tolist()
    assert safe_array(clean) is not clean  # a copy either way
    fig = figures.map_figure(
        _frame([0.5, 0.2], ["disaggregated", "no_data"]), "values", colorbar_title=link
    )
    assert "<a" not in fig.data[1].colorbar.title.text
    frame = pd.DataFrame(
        {
            "line": ["total"],
            "label": ["<a href='x'>Total</a>"],
            "slice": [""],
            "year": [2020],
            "period": ["2020"],
            "period_sort": [2020.0],
            "value": [1.0],
            "lower": [float("nan")],
            "upper": [float("nan")],
            "source_type": ["official"],
            "dataset": [1],
            "source_row": [2],
            "unit": ["<a>u</a>"],
        }
    )
    ts = timeseries_figure(frame, title="t", unit="<a href='x'>%</a>", lang="en")
    texts = [ts.layout.yaxis.title.text] + [tr.name for tr in ts.data]
    texts += [tr.hovertemplate for tr in ts.data]
    assert not any("<a" in str(x) for x in texts), texts
