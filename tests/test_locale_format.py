"""Numbers, links and chart chrome per language (issue #10), without a browser.

Numbers are written with Babel (CLDR): "31,9 %" in French and Spanish, Western digits and
"." for plain Arabic (CLDR's default numbering system for "ar" is latn). Years never get a
thousands separator. Downloads stay machine-readable (not tested here: server/downloads.py).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layouts import components, figures, i18n, ids, tables
from layouts.i18n import t

NNBSP, NBSP = "\u202f", "\u00a0"
ROOT = Path(__file__).resolve().parents[1]


def _text(component) -> str:
    """A component tree as JSON text, non-ASCII characters as they are."""
    import json

    from layouts.pages.content import jsonable

    return json.dumps(jsonable(component), ensure_ascii=False)


@pytest.mark.parametrize(
    "lang,share,one_decimal,stored,big,percent_value",
    [
        ("en", "32%", "31.9%", "12.85", "1,234.5", "12.85%"),
        ("fr", f"32{NBSP}%", f"31,9{NBSP}%", "12,85", f"1{NNBSP}234,5", f"12,85{NBSP}%"),
        ("es", f"32{NBSP}%", f"31,9{NBSP}%", "12,85", "1.234,5", f"12,85{NBSP}%"),
        ("ar", "32%", "31.9%", "12.85", "1,234.5", "12.85%"),
    ],
)
def test_numbers_follow_the_language(lang, share, one_decimal, stored, big, percent_value):
    assert i18n.percent(0.319, lang) == share
    assert i18n.percent(0.319, lang, digits=1) == one_decimal
    assert i18n.exact(12.85, lang) == stored
    assert i18n.exact(1234.5, lang) == big
    assert i18n.value_percent(12.85, lang) == percent_value
    assert figures.fmt_share(0.319, lang) == share
    assert tables.with_unit(12.85, "%", lang) == percent_value
    # a stored value keeps every digit; a chart rounds to 3 significant digits
    assert i18n.exact(0.123456789, lang).endswith("123456789")
    assert figures.fmt_number(0.123456, lang=lang)[-3:] == "123"


def test_missing_values_and_signs():
    for value in (None, float("nan"), pd.NA, np.nan):
        assert i18n.exact(value, "fr") == "" and i18n.percent(value, "fr") == ""
        assert figures.fmt_share(value, "fr") == t("value.none", "fr")
    assert i18n.points(0.2, "fr") == "+20" and i18n.points(-0.05, "fr") == "-5"
    assert i18n.points(0.0, "fr") == "0"


def test_years_are_never_grouped():
    # a year in a sentence (t() groups only whole numbers of 10,000 and more)
    assert t("col.base_share", "fr", year=2015).endswith("2015")
    frame = pd.DataFrame(
        {"year": [2015, 2023], "expected": [4, 4], "with_value": [1, 3], "share": [0.25, 0.75]}
    )
    table = _text(tables.progress_table(frame, "caption", "fr"))
    assert "2015" in table and "2\u202f015" not in table and "2,015" not in table
    assert f"75{NBSP}%" in table
    fig = figures.progress_figure(frame, axis="x", lang="fr")
    assert fig.layout.xaxis.tickformat == "d"  # no thousands separator on the year axis


def test_charts_use_the_language_separators_and_preformatted_hovers():
    assert i18n.separators("en") == ".,"
    assert i18n.separators("fr") == f",{NNBSP}"
    assert i18n.separators("es") == ",."
    frame = pd.DataFrame(
        {
            "line": ["total", "total"],
            "label": ["", ""],
            "slice": ["", ""],
            "period_sort": [2019.0, 2020.0],
            "period": ["2019", "2020"],
            "value": [12.85, 1234.5],
            "lower": [np.nan, np.nan],
            "upper": [np.nan, np.nan],
            "source_type": ["official", "official"],
            "dataset": [1, 1],
            "unit": ["PERCENT", "PERCENT"],
        }
    )
    fig = figures.timeseries_figure(frame, unit="%", lang="fr")
    assert fig.layout.separators == f",{NNBSP}"
    trace = fig.data[0]
    assert [row[1] for row in trace.customdata] == ["12,85", f"1{NNBSP}234,5"]
    assert "%{customdata[1]}" in trace.hovertemplate and "%{y}" not in trace.hovertemplate


def test_map_hover_and_table_speak_french():
    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA"],
            "name": ["Kenya", "Ouganda"],
            "z": [0.319, np.nan],
            "status": ["", ""],
            "value": [12.85, np.nan],
            "ref_value": [np.nan, np.nan],
            "direction": ["", ""],
            "period": ["2020", ""],
            "source": ["", ""],
            "nature": ["", ""],
            "expected": [47, 0],
            "disaggregated": [15, 0],
        }
    )
    fig = figures.map_figure(frame, "coverage", lang="fr")
    assert fig.layout.separators == f",{NNBSP}"
    hover = fig.data[1].customdata[0][1]
    assert hover.startswith(f"32{NBSP}%"), hover
    values = _text(tables.map_table(frame, "values", "", "caption", "fr"))
    assert "12,85" in values and "12.85" not in values


def test_a_chart_says_how_many_values_it_does_not_draw():
    obs = pd.DataFrame(
        {
            "value": [10.0, 11.0, 3.0, 4.0, 5.0, np.nan],
            "unit": ["PERCENT", "PERCENT", "NUMBER", "NUMBER", None, "NUMBER"],
        }
    )
    frame = pd.DataFrame(
        {
            "line": ["total"] * 2,
            "label": [""] * 2,
            "slice": [""] * 2,
            "period_sort": [2019.0, 2020.0],
            "period": ["2019", "2020"],
            "value": [10.0, 11.0],
            "lower": [np.nan] * 2,
            "upper": [np.nan] * 2,
            "source_type": ["official"] * 2,
            "dataset": [1, 1],
            "unit": ["PERCENT"] * 2,
        }
    )
    n = figures.values_not_drawn(obs, frame)
    assert n == 3  # two in another unit, one with none; the missing value is no value
    fig = figures.timeseries_figure(frame, unit="%", lang="fr", not_drawn=n)
    note = fig.layout.annotations[0].text
    assert note == t("country.ts_not_drawn", "fr", count=3, n=3)
    assert note.startswith("3 valeurs") and "tableau" in note
    assert figures.not_drawn_text(1, "en") == t("country.ts_not_drawn.one", "en", n=1)
    assert figures.not_drawn_text(0, "en") == ""
    assert not figures.timeseries_figure(frame, unit="%", lang="fr").layout.annotations
    for lang in i18n.LANGUAGES:
        assert "3" in figures.not_drawn_text(3, lang)


def test_long_axis_titles_are_wrapped():
    assert figures.wrapped("Ventilations avec une valeur") == "Ventilations avec<br>une valeur"
    fig = figures.progress_figure(
        pd.DataFrame({"year": [2020], "expected": [2], "with_value": [1], "share": [0.5]}),
        axis=t("country.progress_axis", "fr"),
        lang="fr",
    )
    assert "<br>" in fig.layout.yaxis.title.text and fig.layout.yaxis.automargin


@pytest.mark.parametrize(
    "here,expected",
    [
        ("", "?lang=fr"),
        ("/matrix", "/matrix?lang=fr"),
        ("/?group=women&source=official", "/?group=women&source=official&lang=fr"),
        ("/country/KEN?lang=es&group=women", "/country/KEN?group=women&lang=fr"),
    ],
)
def test_language_links_keep_the_path_and_the_filters(here, expected):
    assert components.with_param(here, "lang", "fr") == expected
    nav = components.language_selector("en", here=here)
    links = {a.id: a.href for li in nav.children.children for a in [li.children]}
    assert links[ids.language_link("fr")] == expected
    assert links[ids.CONTRAST_LINK] == components.with_param(here, "contrast", "high")


def test_the_shell_builds_the_links_from_the_page_address():
    from flask import Flask

    from layouts import shell

    server = Flask(__name__)
    page = "http://x/country/KEN?group=women&lang=fr"
    with server.test_request_context("/_dash-layout", headers={"Referer": page}):
        assert shell.here() == "/country/KEN?group=women&lang=fr"
    with server.test_request_context("/matrix?sort=women"):
        assert shell.here() == "/matrix?sort=women"
    with server.test_request_context("/matrix"):
        assert shell.here() == "/matrix"


def test_the_modebar_words_travel_with_each_graph():
    assert i18n.graph_locale("en") == {"locale": "en"}
    for lang in ("fr", "es", "ar"):
        config = i18n.graph_locale(lang)
        assert config["locale"] == lang
        words = config["locales"][lang]["dictionary"]
        assert set(words) == set(i18n.PLOTLY_WORDS)
        assert words["Download plot as a PNG"] == t("modebar.download", lang)
        assert all(v != k for k, v in words.items() if k != "Zoom"), lang
    # the English catalogue carries plotly.js's own words (its dictionary keys)
    for plotly, key in i18n.PLOTLY_WORDS.items():
        assert t(key, "en") == plotly


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_plotly_locale_files_are_vendored_and_register_themselves(lang):
    path = ROOT / "assets" / "vendor" / "plotly-locales" / f"plotly-locale-{lang}.js"
    text = path.read_text()
    assert f'name:"{lang}"' in text and "PlotlyLocales" in text
    assert not re.search(r"https?://", text)
    readme = (path.parent / "README.md").read_text()
    assert "plotly.js@4.1.1" in readme and "MIT" in readme


def test_dates_are_written_the_language_way():
    day = datetime.date(2026, 12, 2)
    assert i18n.date_text(day, "fr") == "2 décembre 2026"
    assert i18n.date_text(day, "ar") != day.isoformat()
