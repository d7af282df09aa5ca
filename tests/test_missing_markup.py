"""The missing splits as one markup block say what the ~350 Dash components said.

``tables.missing_list`` wrote ``html.Details``/``html.Ul``/``html.Li`` components; it now writes
one ``dcc.Markdown`` block (``layouts.markup``). On the real-shape store (tests/realshape.py),
every country's list equals the component version kept below: intro, one collapsed
``<details>`` per goal with the same summary, the same items in the same order, glyphs hidden
from screen readers, reasons in their own span. The list has no links (before or now).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from dash import html

from data import queries, views_country
from data import tables as data_tables
from data.vocab import groups as all_groups
from layouts import tables, theme
from layouts.i18n import group_title, t
from tests.test_components import tree, walk


def _old_ask(r, titles, lang) -> html.Li:
    """``tables._ask`` as it was (Dash components)."""
    year = r["latest_year"] if r["latest_year"] == r["latest_year"] else ""
    reason = (
        t(f"country.ask_reason.{r['status']}", lang, year=year)
        if r["status"] == "outdated"
        else t(f"country.ask_reason.{r['status']}", lang)
    )
    series, group = titles.get(r["series"], r["series"]), group_title(r["group"], lang)
    text = t("country.ask", lang, series=series, group=group, reason=reason)
    why = tables.reason_text(
        str(r.get("reason") or ""),
        lang,
        age=r.get("age"),
        published=int(r.get("published") or 0),
        dimension=tables._dimension_words(str(r["group"]), lang),
    )
    if not why:
        return html.Li(text)
    if r["status"] != "outdated":
        text = t("country.ask_plain", lang, series=series, group=group)
    glyph = html.Span(
        theme.STATUS_GLYPHS.get(str(r["status"]), "") + " ",
        className=f"glyph-{r['status']}",
        **{"aria-hidden": "true"},
    )
    return html.Li([text, ": ", glyph, html.Span(why, className="reason")])


def _old_missing_list(frame, titles, lang) -> Any:
    """``tables.missing_list`` as it was (Dash components)."""
    if frame.empty:
        return html.P(t("country.missing_none", lang))
    goals = frame["goal"] if "goal" in frame else pd.Series("", index=frame.index)
    blocks = []
    for goal, part in frame.groupby(goals.astype(str).to_numpy(), sort=False):
        summary = (
            t("country.missing_goal", lang, goal=goal, n=len(part))
            if goal
            else t("country.missing_goal_unknown", lang, n=len(part))
        )
        items = [_old_ask(r, titles, lang) for r in part.to_dict("records")]
        blocks.append(
            html.Details(
                [html.Summary(summary), html.Ul(items, className="missing-list")],
                className="missing-goal",
            )
        )
    intro = html.P(t("country.missing_intro", lang, n=len(frame)))
    return html.Div([intro, html.Div(blocks, className="missing-goals")])


def _text(node) -> str:
    children = node.children if isinstance(node.children, list) else [node.children]
    return "".join(c if isinstance(c, str) else _text(c) for c in children)


def _old_shape(block) -> dict:
    details = [c for c in walk(block) if isinstance(c, html.Details)]
    return {
        "intro": _text(block.children[0]),
        "goals": [
            (
                d.className,
                d.children[0].children,
                d.children[1].className,
                [_text(li) for li in d.children[1].children],
                [
                    (s.className, getattr(s, "aria-hidden", None))
                    for li in d.children[1].children
                    for s in walk(li)
                    if isinstance(s, html.Span)
                ],
            )
            for d in details
        ],
        "links": [c for c in walk(block) if isinstance(c, html.A)],
    }


def _new_shape(block) -> dict:
    root = tree(block)
    return {
        "intro": "".join(root.find("p").itertext()),
        "goals": [
            (
                d.get("className"),
                d.find("summary").text,
                d.find("ul").get("className"),
                ["".join(li.itertext()) for li in d.find("ul").findall("li")],
                [
                    (s.get("className"), s.get("aria-hidden"))
                    for li in d.find("ul").findall("li")
                    for s in li.iter("span")
                ],
            )
            for d in root.iter("details")
        ],
        "links": list(root.iter("a")) + list(root.iter("dccLink")),
    }


def _missing(iso3: str, source: str) -> pd.DataFrame:
    """``country.missing_payload``'s frame, from the store's look-ups."""
    groups = list(all_groups())
    statuses = pd.concat(
        [queries.country_frames(iso3, g, source)["statuses"] for g in groups], ignore_index=True
    )
    published = views_country.published_counts(data_tables.country_observations(iso3, source))
    goals = {s: ("8",) if i % 3 else ("10", "16") for i, s in enumerate(statuses["series"])}
    return views_country.missing_splits(statuses, iso3, groups, goals, published)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_markup_lists_the_same_missing_splits(realshape, lang):
    titles = {"FX_001": "Total only <series> & {braces}"}  # escaped as text, not markup
    checked, glyphs = 0, 0
    for iso3 in ("KEN", "NPL", "GBR", "BRA", "FRA", "ZZZ"):
        for source in ("all", "official", "community"):
            frame = _missing(iso3, source)
            new = tables.missing_list(frame, titles, lang)
            old = _old_missing_list(frame, titles, lang)
            if frame.empty:
                assert new.children == old.children
                continue
            got, want = _new_shape(new), _old_shape(old)
            assert got == want
            assert sum(len(g[3]) for g in got["goals"]) == len(frame)
            checked += len(frame)
            glyphs += sum(len(g[4]) for g in got["goals"])
    assert checked > 100 and glyphs > 0  # items with and without a reason


def test_a_group_change_leaves_the_missing_splits_as_shown(realshape):
    from dash import no_update

    from app import create_app
    from layouts.pages import content, country

    app = create_app(realshape, warm=False)
    with app.server.test_request_context("/country/KEN"):
        _sync_steps(country, content, no_update)


def _sync_steps(country, content, no_update) -> None:
    first = country.sync("KEN", True, "", {"group": None, "series": None}, None, "en")
    shown = first[5]
    assert first[8] == country.missing_payload(content.version(), "KEN", shown["source"], "en")
    other = "women" if shown["group"] != "women" else "disability"
    second = country.sync("KEN", False, "", {"group": other, "series": None}, shown, "en")
    assert second[5]["group"] == other and second[6] is not no_update
    assert second[8] is no_update  # they depend on the country and source only
    # another source (the address changed): its own missing splits
    source = "official" if shown["source"] != "official" else "all"
    third = country.sync("KEN", True, f"?source={source}", {}, second[5], "en")
    assert third[5]["source"] == source
    assert third[8] == country.missing_payload(content.version(), "KEN", source, "en")
