"""Acceptance (issue #8): on the real extract, the brief's findings for KEN, NPL, IND, BGD and
VNM carry the country page's numbers: coverage as the page's summary says it, the largest gap
as the page's scorecard writes it, progress as the page's progress sentence says it."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from data import reference
from layouts import markup, tables
from layouts.pages import content, country
from server import brief

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
COUNTRIES = ("KEN", "NPL", "IND", "BGD", "VNM")
GROUPS = ("disability", "women")


def _text(payload) -> str:
    """Every string of a serialised component tree, joined (markup left as it is)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)

    walk(json.loads(json.dumps(payload)))
    return "\n".join(out)


@pytest.fixture
def app(extract):
    """The app on the extract (the page's payloads draw graphs: they need a Dash app)."""
    from app import create_app

    return create_app(extract[1], warm=False)


@pytest.mark.parametrize("iso3", COUNTRIES)
def test_brief_findings_equal_the_country_page_numbers(app, iso3):
    ver = content.version()
    name = reference.area_name(iso3)
    scorecard = _text(country.static_payload.uncached(ver, iso3, "all", None)["scorecard"])
    checked = 0
    for group in GROUPS:
        found = brief._findings(iso3, group, "all", None)
        assert 3 <= len(found) <= 6
        page = _text(country.detail_payload.uncached(ver, iso3, group, "", "all", None))
        for f in found:
            if f.kind == "coverage":
                n, expected = f.facts["disaggregated"], f.facts["expected"]
                assert f"{name}: {n} of {expected} expected splits" in page
                assert f" {n} of {expected} series" in f.text
                checked += 1
            elif f.kind == "disparity" and f is next(x for x in found if x.kind == "disparity"):
                # the first gap is the page's scorecard line for the group, written the same
                line = tables.largest_text(
                    {**f.facts, "caveat": f.facts["caveat"]}, content.titles(), None
                )
                assert markup.esc(line) in scorecard
                checked += 1
            elif f.kind == "progress":
                assert f.text.split(" (A split")[0] in page
                checked += 1
            assert f.sources or f.kind not in ("disparity", "community")
    assert checked >= 3


def test_kenya_brief_page_shows_the_findings(extract):
    from datetime import date

    ctx = brief.context.uncached(
        content.version(),
        "KEN",
        "women",
        "all",
        None,
        date.today().isoformat(),
    )
    kinds = [f["kind"] for f in ctx["findings"]]
    assert kinds[0] == "coverage" and "disparity" in kinds
    html = brief.build.render(ctx)
    for f in ctx["findings"]:
        assert str(escape(f["text"])) in html
