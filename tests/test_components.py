"""Pure component and table builders, and the URL filter state (no browser)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from dash import dcc, html

from data.gaps import STATUSES
from data.views import MAP_COLUMNS
from layouts import components, ids, markup, state, tables, theme


def walk(node):
    """Every component of a tree, depth first."""
    yield node
    children = getattr(node, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "_type"):
            yield from walk(child)


def find(node, component_id):
    return next(c for c in walk(node) if getattr(c, "id", None) == component_id)


def tree(md):
    """The markup of a ``dcc.Markdown`` table as XML (it must be well-formed for the browser's
    JSX parser too)."""
    assert isinstance(md, dcc.Markdown) and md.dangerously_allow_html
    assert "\n" not in md.children  # a blank line would end the HTML block
    return ET.fromstring(md.children)


def texts(node):
    out = []
    for c in walk(node):
        ch = getattr(c, "children", None)
        if isinstance(c, dcc.Markdown):
            root = tree(c)
            if root.find(".//caption") is None:  # markup other than a table (a list)
                out.append(" ".join(root.itertext()))
                continue
            out.append(" ".join(" ".join(e.itertext()) for e in root.iter("tr")))
            out.append("".join(root.find(".//caption").itertext()))
            continue
        for item in ch if isinstance(ch, list | tuple) else [ch]:
            if isinstance(item, str):
                out.append(item)
    return " ".join(out)


def markdown_table(node):
    """The (only) markup table inside a component tree, as XML."""
    [md] = [c for c in walk(node) if isinstance(c, dcc.Markdown)]
    return tree(md)


# -- controls ------------------------------------------------------------------------------
def test_select_label_is_its_accessible_name():
    col = components.select("x-id", "Population group", components.options([("a", "A")]), "a")
    label, control = col.children
    assert label.html_for == "x-id" and label.children == "Population group"
    assert control.id == "x-id" and control.value == "a"
    assert control.options == [{"label": "A", "value": "a"}]


def test_radio_group_in_fieldset_with_legend():
    col = components.radio_group("m", "Map shows", components.options([("gaps", "Gaps")]), "gaps")
    fieldset = col.children
    assert isinstance(fieldset, html.Fieldset)
    assert isinstance(fieldset.children[0], html.Legend)
    assert fieldset.children[0].children == "Map shows"
    assert fieldset.children[1].value == "gaps"


def test_filter_panel_is_labelled_region():
    panel = components.filter_panel([html.Div("c")], "Filters")
    assert isinstance(panel, html.Section)
    assert getattr(panel, "aria-labelledby") == ids.FILTERS_HEADING
    assert find(panel, ids.FILTERS_HEADING).children == "Filters"


def test_notice_lists_each_problem_and_is_empty_without():
    assert components.notice([]) == []
    [box] = components.notice(
        [state.Problem("group", "nobody", "disability")], lambda p, v: f"<{v}>"
    )
    text = texts(box)
    assert "Population group" in text and "nobody" in text and "<disability>" in text
    assert "alert-warning" in box.className


def _component_cards(cards, lang):
    """The headline cards as Dash components (how they were built before they were sent as
    plain data): the reference for ``components.headline_cards``."""
    import dash_bootstrap_components as dbc

    from layouts.i18n import t

    cols = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.P(number, className="headline-number display-6 mb-0"),
                        html.P(text, className="mb-0"),
                    ]
                ),
                className="h-100",
            ),
            md=12 // max(len(cards), 1) if len(cards) <= 4 else 3,
        )
        for number, text in cards
    ]
    return html.Div(
        dbc.Row(cols, className="g-2"), role="group", **{"aria-label": t("headline.label", lang)}
    )


def test_headline_cards_words_and_numbers():
    block = components.headline_cards([("146", "146 countries have any data"), ("62", "recent")])
    assert block["props"]["role"] == "group" and block["props"]["aria-label"]
    cards = block["props"]["children"]["props"]["children"]
    bodies = [c["props"]["children"]["props"]["children"]["props"]["children"] for c in cards]
    assert [[p["props"]["children"] for p in body] for body in bodies] == [
        ["146", "146 countries have any data"],
        ["62", "recent"],
    ]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_headline_cards_are_the_components_as_sent(n, lang):
    import json

    from layouts.pages.content import jsonable

    cards = [(str(i * 7), f"{i} countries & <b>more</b> \u00e9t\u00e9") for i in range(n)]
    data = components.headline_cards(cards, lang)
    assert json.dumps(data) == json.dumps(jsonable(_component_cards(cards, lang)))


def test_status_legend_has_symbol_colour_and_words_for_every_status():
    legend = components.status_legend()
    items = [c for c in walk(legend) if isinstance(c, html.Li)]
    assert len(items) == len(STATUSES)
    glyphs = [c for c in walk(legend) if getattr(c, "className", "") == "legend-glyph"]
    assert [g.children for g in glyphs] == [theme.STATUS_GLYPHS[s] for s in STATUSES]
    assert [g.style["color"] for g in glyphs] == [theme.STATUS_COLOURS[s] for s in STATUSES]
    assert "Totals only" in texts(legend)


def test_status_markup_glyph_is_hidden_words_are_spoken():
    cell = ET.fromstring(f"<td>{tables.status_markup('outdated')}</td>")
    [glyph] = cell.findall("span")
    assert glyph.get("aria-hidden") == "true" and glyph.get("className") == "glyph-outdated"
    assert glyph.text.strip() == theme.STATUS_GLYPHS["outdated"]
    assert glyph.tail == "Outdated split"
    assert tables.status_markup("") == "\u2013"  # not expected: the caption explains the dash


def test_markup_escapes_text_and_keeps_links():
    source = markup.table(
        "Cap <1> & {x}",
        ["A", "B"],
        [[markup.link("K & N", "/country/KEN?a=1&b=2"), markup.Cell("50%", "cov-2")]],
    )
    assert "{" not in source and "}" not in source  # braces would start JSX expressions
    table = ET.fromstring(source)
    assert table.find("caption").text == "Cap <1> & {x}"
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row"]
    link = table.find("tbody/tr/th/dccLink")
    assert link.get("href") == "/country/KEN?a=1&b=2" and link.text == "K & N"
    assert table.find("tbody/tr/td").get("className") == "cov-2"


def test_shell_parts_landmarks_banner_footer():
    header = components.site_header()
    assert isinstance(header, html.Header)
    nav = find(header, ids.NAV)
    assert isinstance(nav, html.Nav) and getattr(nav, "aria-label") == "Main"
    assert find(header, ids.SKIP_LINK).href == f"#{ids.MAIN}"
    assert find(header, ids.NAV_MATRIX).href == "/matrix"
    assert components.demo_banner(False) == []
    [banner] = components.demo_banner(True)
    assert banner.id == ids.DEMO_BANNER and "NOT a real statistic" in banner.children
    footer = components.site_footer(
        [
            {
                "name": "Set A",
                "source_type": "official",
                "rows": 1200,
                "attribution": "By UNSD.",
                "licence": "CC-BY-4.0",
                "illustrative": False,
            }
        ],
        5,
    )
    assert isinstance(footer, html.Footer)
    text = texts(footer)
    assert "Set A" in text and "By UNSD." in text and "CC-BY-4.0" in text and "1,200" in text
    assert "No dataset" in texts(components.site_footer([], 5))


# -- tables --------------------------------------------------------------------------------
def _map_frame():
    frame = pd.DataFrame({c: [""] * 2 for c in MAP_COLUMNS})
    frame["iso3"], frame["name"] = ["UGA", "KEN"], ["Uganda", "Kenya"]
    frame["z"] = [np.nan, 0.5]
    frame["value"] = frame["z"]
    for col in ("ref_value", "difference", "ratio"):
        frame[col] = np.nan
    frame["status"] = ["no_data", "disaggregated"]
    frame["expected"], frame["disaggregated"] = [4, 4], [0, 2]
    return frame


def test_map_table_rows_link_to_countries_with_filters():
    div = tables.map_table(_map_frame(), "coverage", "?group=women", "Coverage")
    table = markdown_table(div)
    links = list(table.iter("dccLink"))
    assert [lk.get("href") for lk in links] == [
        "/country/KEN?group=women",
        "/country/UGA?group=women",
    ]
    assert [lk.text for lk in links] == ["Kenya", "Uganda"]
    assert [th.text for th in table.iter("th") if th.get("scope") == "col"][:3] == [
        "Country",
        "Coverage",
        "Status",
    ]
    text = texts(div)
    assert "50% (2 of 4 series)" in text and "No data" in text
    assert table.find("caption").text == "Coverage"
    # one component for the whole table, however many rows (Dash mounts it in one go)
    assert sum(1 for _ in walk(div)) == 2


def test_matrix_table_cells_are_coloured_links():
    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "KEN"],
            "name": ["Kenya"] * 2,
            "group": ["disability", "women"],
            "share": [0.0, 1.0],
            "disaggregated": [0, 3],
            "expected": [2, 3],
        }
    )
    div = tables.matrix_table(frame, ["disability", "women"], lambda g: f"?group={g}", "Cap")
    table = markdown_table(div)
    [cell] = [a for a in table.iter("dccLink") if a.get("href") == "/country/KEN?group=women"]
    assert cell.text == "100% (3/3)"
    assert "id" not in cell.attrib  # found by href: no id per cell
    tds = list(table.iter("td"))
    assert [td.get("className") for td in tds] == ["cov-0", "cov-5"]
    assert all(td.find("dccLink") is not None for td in tds)  # every cell is a link
    row_head = table.find("tbody/tr/th")
    assert row_head.get("scope") == "row" and row_head.find("dccLink").text == "Kenya"
    headers = [th.text for th in table.iter("th") if th.get("scope") == "col"]
    assert headers == ["Country", "Persons with disabilities", "Women and girls"]
    assert table.find("caption").text == "Cap"
    assert div.tabIndex == "0"  # scrollable region reachable by keyboard
    assert div.role == "region" and getattr(div, "aria-label") == "Cap"


def test_country_tables():
    card = pd.DataFrame(
        {
            "group": ["disability"],
            "expected": [2],
            "disaggregated": [1],
            "share": [0.5],
            "series": ["S1"],
            "value": [12.0],
            "ref_value": [8.0],
            "ratio": [1.5],
            "direction": ["worse"],
            "period": ["2022"],
        }
    )
    text = texts(tables.scorecard_table(card, {"S1": "Unemployment"}))
    assert "50%" in text and "1 / 2" in text
    # no source type in the frame: the sentence says it could be either, never nothing
    assert "Unemployment (official or community, 2022): 12 vs 8 (worse)" in text
    wide = pd.DataFrame({"disability": ["outdated"], "women": [""]}, index=["S1"])
    box = tables.status_matrix_table(wide, {"S1": "Unemployment"})
    # collapsed (hundreds of rows on real data); the table is sent into it when first opened
    details = tables.status_matrix_details(len(wide), "show", "body")
    assert isinstance(details, html.Details)
    summary, body = details.children
    assert summary.children == "Show the status of all 1 series for each group"
    assert (summary.id, summary.n_clicks, body.id) == ("show", 0, "body")
    assert texts(body) == "Loading the table\u2026"
    text = texts(box)
    assert "Outdated split" in text and "not expected" in text and "Unemployment" in text
    # the wide table scrolls in a region that the keyboard reaches and that has a name
    assert box.tabIndex == "0" and box.role == "region"
    assert getattr(box, "aria-label") == "Table of statuses, series by group (scrolls)"
    table = markdown_table(box)
    assert [th.get("scope") for th in table.iter("th")][:3] == ["col", "col", "col"]
    assert table.find("tbody/tr/th").get("scope") == "row"
    missing = pd.DataFrame(
        {
            "series": ["S1", "S2"],
            "group": ["disability", "women"],
            "status": ["outdated", "total_only"],
            "latest_year": [2010, pd.NA],
        }
    )
    block = tables.missing_list(missing, {"S1": "Unemployment"})
    items = ["".join(li.itertext()) for li in tree(block).iter("li")]
    first = "Unemployment split by Persons with disabilities (latest split 2010)"
    assert items[0] == first
    assert "only totals are published" in items[1]
    none = tables.missing_list(missing.iloc[0:0], {})
    assert isinstance(none, html.P)


def test_timeseries_provenance_side_by_side_tables():
    ts = pd.DataFrame(
        {
            "line": ["group"],
            "period": ["2022"],
            "value": [12.0],
            "lower": [11.0],
            "upper": [13.0],
            "source_type": ["community"],
        }
    )
    text = texts(tables.timeseries_table(ts, "Cap"))
    assert "Group" in text and "11 \u2013 13" in text and "Community-generated" in text
    prov = pd.DataFrame(
        {
            "period": ["2022"],
            "breakdown": ["disability=PD"],
            "value": [2.5],
            "value_flag": ["<"],
            "unit": ["PERCENT"],
            "source_type": ["official"],
            "dataset": ["Set A"],
            "source": ["LFS"],
            "source_row": [17],
            "nature": ["C"],
            "footnote": [""],
        }
    )
    text = texts(tables.provenance_table(prov, "Cap"))
    assert "<2.5" in text and "Set A" in text and "17" in text and "LFS" in text
    both = pd.DataFrame(
        {
            "series": ["S1"],
            "official_value": [12.0],
            "official_ref": [8.0],
            "official_period": ["2022"],
            "community_value": [20.0],
            "community_ref": [9.0],
            "community_period": ["2019"],
        }
    )
    text = texts(tables.side_by_side_table(both, {"S1": "Unemployment"}, "disability"))
    assert "12 (reference 8), 2022" in text and "20 (reference 9), 2019" in text
    empty = tables.side_by_side_table(both.iloc[0:0], {}, "disability")
    assert "No series has both" in empty.children


# -- URL state -----------------------------------------------------------------------------
CHOICES = state.Choices(
    groups=("disability", "women"),
    goals=("1", "8"),
    series_groups={"A": ("disability",), "B": ("women", "disability"), "C": ("women",)},
    series_goals={"A": ("8",), "B": ("1",), "C": ("8",)},
    years=(2022, 2021),
    regions=("001", "002"),
)


def test_validate_defaults_and_problems():
    s, problems = state.validate({}, CHOICES)
    assert s == state.DEFAULTS and problems == []
    s, problems = state.validate(
        {"group": "nobody", "year": "1900", "mode": "values", "region": "2", "series": ["C", "A"]},
        CHOICES,
    )
    assert s["group"] == "disability" and s["year"] == "latest" and s["mode"] == "values"
    assert s["region"] == "002"  # "2" is M49 002
    assert s["series"] == ""  # C cannot be split by disability (the fallback group)
    assert [(p.param, p.value) for p in problems] == [
        ("group", "nobody"),
        ("series", "C"),
        ("year", "1900"),
    ]


def test_series_only_for_group_and_goal():
    assert state.series_for("women", "all", CHOICES) == ["B", "C"]
    assert state.series_for("disability", "8", CHOICES) == ["A"]
    s, problems = state.validate({"series": "A", "goal": "1"}, CHOICES)
    assert s["series"] == "" and problems[0].param == "series"


def test_search_round_trip():
    s, _ = state.validate({"group": "women", "series": "C", "year": "2021"}, CHOICES)
    search = state.to_search(s)
    assert search == "?group=women&series=C&year=2021"  # defaults are implied
    assert state.parse_search(search, CHOICES) == (s, [])
    assert "series=" not in state.to_search({**s, "series": ""})
    assert state.to_search(state.DEFAULTS) == ""
    assert state.parse_search("?series=all", CHOICES)[0]["series"] == ""
    assert state.control_value("series", "") == state.ALL_SERIES


def test_resolve_url_never_rewrites_controls_do():
    s, problems, write = state.resolve(True, "?group=bad", {}, CHOICES)
    assert s["group"] == "disability" and problems and write is False
    s, problems, write = state.resolve(
        False, "?group=disability&series=A", {"group": "women", "series": "A"}, CHOICES
    )
    assert s["group"] == "women" and s["series"] == "" and problems == [] and write is True


def test_matrix_css_in_assets_matches_theme():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "assets" / "app.css").read_text()
    assert theme.matrix_css() in css
    assert theme.status_css() in css
    assert theme.share_class(None) == "cov-na" and theme.share_class(0.0) == "cov-0"
    assert theme.share_class(0.59) == "cov-4" and theme.share_class(1.0) == "cov-5"
    # narrow classes where real coverage is (0 %, 1-9 %, 10-24 %): 3 % and 24 % differ
    assert theme.share_class(0.03) == "cov-1" and theme.share_class(0.24) == "cov-2"


def test_map_legend_coverage_keys_classes_and_symbols_only_for_no_recent_split():
    legend = components.map_legend("coverage")
    text = texts(legend)
    for label in ("0%", "1\u20139%", "10\u201324%", "100%", "No series expected"):
        assert label in text
    glyphs = [c.children for c in walk(legend) if getattr(c, "className", "") == "legend-glyph"]
    # no "Disaggregated (recent)" symbol: the colour says how much, a symbol only why none
    assert theme.STATUS_GLYPHS["disaggregated"] not in glyphs
    assert "Disaggregated (recent)" not in text and "Community data only" in text
    status = texts(components.map_legend("values"))
    assert "Disaggregated (recent)" in status and "Totals only" in status


def test_share_key_has_a_swatch_per_class():
    key = components.share_key()
    swatches = [c for c in walk(key) if getattr(c, "className", "") == "share-swatch"]
    colours = [c.style["backgroundColor"] for c in swatches]
    assert colours == [c for _, _, c in theme.share_classes()] + [theme.NO_DATA]


def test_stepped_coverage_scale_matches_matrix_classes():
    scale = theme.stepped_coverage_scale()
    assert [p for p, _ in scale] == sorted(p for p, _ in scale)
    for share in (0.0, 0.03, 0.1, 0.24, 0.3, 0.6, 1.0):
        colour = [c for p, c in scale if p <= share][-1]
        index = int(theme.share_class(share).split("-")[1])
        assert colour == theme.COVERAGE_SCALE[index][1], share


def test_country_search_is_a_labelled_get_form_with_suggestions():
    form = components.country_search(["Kenya", "Nepal"])
    assert form.action == "/find" and form.method == "get" and form.role == "search"
    [label] = [c for c in walk(form) if isinstance(c, html.Label)]
    assert label.htmlFor == ids.SEARCH_INPUT and label.children == "Find a country"
    [box] = [c for c in walk(form) if getattr(c, "id", None) == ids.SEARCH_INPUT]
    assert box.name == "q" and box.list == ids.SEARCH_LIST
    [options] = [c for c in walk(form) if getattr(c, "id", None) == ids.SEARCH_LIST]
    assert [o.value for o in options.children] == ["Kenya", "Nepal"]
    header = components.site_header(None, ["Kenya"])
    order = [getattr(c, "id", None) for c in walk(header)]
    assert order.index(ids.SEARCH_INPUT) < order.index(ids.NAV_MAP)  # early in the tab order


def test_error_message_is_plain_words_with_a_way_out():
    text = texts(components.error_message())
    assert "Something went wrong" in text and "Reload the page" in text
    assert "Traceback" not in text and "Error" not in text


def test_busy_wraps_in_a_loading_with_a_spoken_status():
    wrapped = components.busy(html.Div(id="x"))
    assert isinstance(wrapped, dcc.Loading)
    assert wrapped.custom_spinner.role == "status"
    assert "Updating" in texts(wrapped.custom_spinner)


def test_select_box_can_be_hidden():
    col = components.select("a", "A", [], "", box_id="a-box", hidden=True)
    assert col.id == "a-box" and col.style == {"display": "none"}
    assert components.select("a", "A", [], "").style == {}


def test_page_status():
    from layouts.shell import page_status

    def known(code):
        return code in {"KEN"}

    assert [page_status(p, known) for p in ("/", "/matrix", "/matrix/", "/country/KEN")] == [
        200
    ] * 4
    assert page_status("/country/ken", known) == 200
    for path in ("/country/XXX", "/nope", "/country/KEN/x", "/404", "/country"):
        assert page_status(path, known) == 404, path


def test_year_filter_hidden_only_in_gaps_mode():
    from layouts.pages import overview

    assert overview.year_hidden("gaps") and not overview.year_hidden("values")
    assert not overview.year_hidden("disparity")


def test_matrix_sort_accepts_both_orders_of_a_group():
    from data import views

    assert state.SORT_ASCENDING == views.ASCENDING
    for sort in ("name", "women", "women-asc", "disability-asc"):
        assert state.validate({"sort": sort}, CHOICES)[0]["sort"] == sort
    s, problems = state.validate({"sort": "nobody-asc"}, CHOICES)
    assert s["sort"] == "name" and problems[0].param == "sort"


# -- issue #7: reasons in words, the progress map, a compact footer ---------------------------
def test_status_legend_lists_each_status_with_its_countries_and_reasons_in_words():
    counts = {
        "outdated": {"n": 30, "reasons": [("stale", 30)], "ages": (6, 12)},
        "total_only": {
            "n": 120,
            "reasons": [("not_published", 95), ("not_comparable", 25)],
            "ages": None,
        },
    }
    text = texts(components.map_legend("status", None, {"counts": counts}))
    assert "Totals only: 120 countries" in text
    assert "95 not split, 25 not comparable" in text
    assert "30 outdated (6\u201312 years old)" in text
    assert "No data" not in text  # only the statuses present, with their counts
    # without counts (values, disparity): every status and its meaning
    assert "No data" in texts(components.map_legend("values"))


def test_coverage_legend_names_the_most_common_gap_reasons():
    text = texts(components.map_legend("coverage", None, {"totals": {"not_published": 4210}}))
    assert "4,210 country\u2013series gaps: Not split" in text


def test_reason_text_in_words_with_the_age():
    assert components.reason_text("stale", 9) == "Outdated \u2014 9 years old"
    assert components.reason_text("not_published") == "Not split"
    assert components.reason_text("") == ""


def test_map_table_says_the_reason_in_words():
    frame = _map_frame().assign(reason=["no_series", "stale"], age=[np.nan, 9.0])
    text = texts(tables.map_table(frame, "status", "", "Status"))
    assert "Not published at all" in text and "Outdated \u2014 9 years old" in text


def test_matrix_cells_end_with_their_reason_letter_and_the_key_explains_it():
    from layouts.pages import matrix

    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "KEN"],
            "name": ["Kenya"] * 2,
            "group": ["disability", "women"],
            "share": [0.12, 1.0],
            "disaggregated": [3, 3],
            "expected": [25, 3],
            "reason": ["not_published", ""],
        }
    )
    div = tables.matrix_table(frame, ["disability", "women"], lambda g: f"?group={g}", "Cap")
    cells = ["".join(td.itertext()) for td in markdown_table(div).iter("td")]
    assert cells == ["12% (3/25) N", "100% (3/3)"]
    items = [c for c in walk(matrix.reason_key()) if isinstance(c, html.Li)]
    first = items[0].children
    assert first[0].children == "N" and first[1].startswith(" = Not split: The country publishes")
    assert len(items) == 7  # every reason a gap can have


def test_progress_mode_and_base_year_in_the_url():
    choices = state.Choices(**{**CHOICES.__dict__, "as_of": 2023})
    s, problems = state.validate({"mode": "progress", "base": "2010"}, choices)
    assert (s["mode"], s["base"], problems) == ("progress", "2010", [])
    assert state.to_search(s) == "?mode=progress&base=2010"
    assert state.parse_search("?mode=progress", choices)[0]["base"] == "2015"  # the default
    s, problems = state.validate({"mode": "progress", "base": "1990"}, choices)
    assert s["base"] == "2015" and [p.param for p in problems] == ["base"]
    assert state.base_years(choices)[0] == 2023 and state.base_years(choices)[-1] == 2000


def test_progress_mode_hides_the_filters_it_does_not_use():
    from layouts.pages import overview

    hide = overview.hidden("progress")
    assert hide["series"] and hide["year"] and hide["goal"] and hide["source"]
    assert not hide["base"] and overview.hidden("gaps")["base"]
    state_ = {**state.DEFAULTS, "mode": "gaps", "base": "2010"}
    assert overview.payload_args(state_)[-1] == "2015"  # other modes share one cache entry
    assert overview.payload_args({**state_, "mode": "progress"})[-1] == "2010"


def test_progress_legend_and_table():
    legend = texts(components.map_legend("progress", None, {"base": 2015, "window": 5}))
    assert "change since 2015" in legend and "More splits than in 2015" in legend
    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "CHL"],
            "name": ["Kenya", "Chile"],
            "z": [0.2, np.nan],
            "expected": [10, 0],
            "base_n": [3, 0],
            "now_n": [5, 0],
            "base_share": [0.3, np.nan],
            "now_share": [0.5, np.nan],
            "base": 2015,
            "now": 2023,
            "direction": ["improved", ""],
        }
    )
    text = texts(tables.progress_map_table(frame, "?mode=progress", "Progress"))
    assert "Share in 2015" in text and "Share in 2023" in text
    assert "30% (3 of 10 series)" in text and "50% (5 of 10 series)" in text
    assert "+20" in text and "improved" in text


def test_progress_map_is_diverging_and_says_the_change_on_hover():
    from layouts import figures

    frame = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA", "CHL"],
            "name": ["Kenya", "Uganda", "Chile"],
            "z": [0.2, -0.1, np.nan],
            "expected": [10, 10, 0],
            "base_n": [3, 3, 0],
            "now_n": [5, 2, 0],
            "base_share": [0.3, 0.3, np.nan],
            "now_share": [0.5, 0.2, np.nan],
            "base": 2015,
            "now": 2023,
            "direction": ["improved", "declined", ""],
        }
    )
    fig = figures.map_figure(frame, "progress", colorbar_title="Change")
    main = fig.data[1]
    assert main.zmid == 0 and main.zmin == -main.zmax and main.showscale
    assert [c[1] for c in main.customdata][0].startswith("+20 points: 30% (3 of 10) in 2015")
    assert list(fig.data[0].locations) == ["CHL"]  # nothing expected: grey


def test_status_map_hover_says_the_reason():
    from layouts import figures

    frame = _map_frame().assign(reason=["no_series", "stale"], age=[np.nan, 9.0])
    frame["z"] = [4.0, 1.0]
    fig = figures.map_figure(frame, "status")
    assert "Why" in fig.data[1].hovertemplate
    assert [c[-1] for c in fig.data[1].customdata] == [
        "Not published at all",
        "Outdated \u2014 9 years old",
    ]


def _datasets():
    row = {"source_type": "official", "rows": 10, "attribution": "", "illustrative": False}
    return [
        {**row, "name": "un.csv", "format": "un", "licence": "CC BY 4.0"},
        *[
            {**row, "name": f"os{i}.csv", "format": "opensdg", "licence": "OGL v3"}
            for i in range(17)
        ],
        {
            **row,
            "name": "npl.csv",
            "format": "template",
            "source_type": "community",
            "licence": "CC BY 4.0",
        },
        {**row, "name": "Demo A", "format": "template", "illustrative": True, "licence": "CC0"},
    ]


def test_footer_is_one_summary_line_with_the_list_collapsed_and_demo_data_in_view():
    footer = components.site_footer(_datasets(), 5, as_of=2023)
    summary = find(footer, ids.FOOTER_SUMMARY).children
    assert summary == (
        "Data in use: 20 datasets \u2014 1 UN SDG Global Database export, 17 Open SDG files, "
        "1 community dataset, 1 illustrative demo dataset; licences: CC BY 4.0, CC0, OGL v3."
    )
    details = next(c for c in walk(footer) if isinstance(c, html.Details))
    assert not getattr(details, "open", None)  # collapsed
    assert len(find(details, ids.FOOTER_DATASETS).children) == 20
    demo = find(footer, ids.FOOTER_DEMO)  # outside the <details>: always visible
    assert "Demo A" in texts(demo) and "illustrative" in texts(demo)
    assert not any(getattr(c, "id", None) == ids.FOOTER_DEMO for c in walk(details))
    text = texts(footer)
    assert "recent = the 5 years up to 2023, the newest year of official country data" in text
    assert "newest data of each series" not in text


def test_map_table_values_are_the_stored_ones():
    from layouts.tables import _map_value

    row = {"value": 46.05, "ref_value": 11.98, "direction": "worse", "z": 46.05}
    assert _map_value(row, "values", "en") == "46.05"
    assert "46.05" in _map_value(row, "disparity", "en")
    assert "11.98" in _map_value(row, "disparity", "en")
