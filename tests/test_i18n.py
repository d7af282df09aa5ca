"""layouts.i18n: every string the layouts ask for exists; languages plug in without layouts."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from data.gaps import STATUSES
from data.vocab import groups
from layouts import i18n, state
from layouts.i18n import EN, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("layouts/**/*.py"), *ROOT.glob("callbacks/*.py"), ROOT / "app.py"]
LITERAL = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")


def test_every_literal_key_exists():
    used = {key for path in SOURCES for key in LITERAL.findall(path.read_text())}
    assert len(used) > 50
    assert sorted(used - set(EN)) == []


@pytest.mark.parametrize(
    "prefix,values",
    [
        ("status", STATUSES),
        ("status.help", STATUSES),
        ("mode", state.MODES),
        ("source", state.SOURCES),
        ("filters", list(state.PARAMS)),
        ("line", ["group", "reference", "total"]),
        ("direction", ["worse", "better", "equal", "unknown"]),
        ("country.ask_reason", [s for s in STATUSES if s != "disaggregated"]),
        ("group", list(groups())),
        ("groupcap", list(groups())),
    ],
)
def test_dynamic_keys_exist(prefix, values):
    missing = [f"{prefix}.{v}" for v in values if f"{prefix}.{v}" not in EN]
    assert missing == []


def test_placeholders_are_named_and_formattable():
    for key, text in EN.items():
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        assert all(n.isidentifier() for n in names), key
        text.format(**dict.fromkeys(names, "x"))


def test_fallbacks_and_errors(monkeypatch):
    assert t("nav.map", "zz") == "Map"  # unknown language -> English
    with pytest.raises(KeyError):
        t("no.such.key")
    monkeypatch.setitem(i18n.CATALOGUES, "fr", {"nav.map": "Carte"})
    assert t("nav.map", "fr") == "Carte"
    assert t("nav.matrix", "fr") == "Coverage matrix"  # missing in fr -> English
    assert t("headline.any", n=3, group="x") == "3 countries have any data on x"


def test_default_language_and_direction():
    before = i18n.language()
    try:
        i18n.set_language("ar")
        assert i18n.direction() == "rtl"
        i18n.set_language("")
        assert i18n.language() == "en" and i18n.direction() == "ltr"
    finally:
        i18n.set_language(before)


def test_group_labels_translate_and_fall_back():
    assert i18n.group_label("disability") == "persons with disabilities"
    assert i18n.group_title("women") == "Women and girls"
    assert i18n.group_label("not-a-group") == "not-a-group"


def test_no_user_string_literals_in_components():
    """Builders take words from t(): html.X("...") with a literal sentence is a smell."""
    pattern = re.compile(r"""html\.(?:H\d|P|Li|Span|Strong|Label|Button|Summary)\(\s*"[A-Za-z]""")
    offenders = [p.name for p in SOURCES if pattern.search(p.read_text())]
    assert offenders == []


def test_plural_forms_follow_the_count(monkeypatch):
    one = t("headline.none", "en", count=1, n=1, group="women")
    assert one == "1 country publishes no split for women at all"
    many = t("headline.none", "en", count=2, n=2, group="women")
    assert many == "2 countries publish no split for women at all"
    assert t("headline.any", count=0, n=0, group="x").startswith("0 countries have")
    assert t("headline.recent", count=1, n=3, recent=1) == "3 within the last year"
    assert t("matrix.summary", count=1, countries=1, region="X").startswith("1 country in X")
    # a language without the key falls back to English text *and* English plural rules
    # (French counts 0 as "one")
    monkeypatch.setitem(i18n.CATALOGUES, "fr", {"nav.map": "Carte"})
    assert t("headline.none", "fr", count=0, n=0, group="x").startswith("0 countries")
    assert i18n.plural_form("fr", 0) == "one" and i18n.plural_form("en", 0) == "other"
    # every plural form has its general form and the same placeholders
    for key in [k for k in EN if k.rsplit(".", 1)[-1] in {"zero", "one", "two", "few", "many"}]:
        base = key.rsplit(".", 1)[0]
        assert base in EN, key
        names = {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}
        assert names <= {f for _, f, _, _ in string.Formatter().parse(EN[base]) if f}, key


def test_headline_cards_use_the_singular_for_one_country():
    import pandas as pd

    from layouts.pages import overview_parts

    cov = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA"],
            "expected": [2, 2],
            "disaggregated": [1, 0],
            "outdated": [0, 0],
            "community_only": [0, 0],
            "total_only": [0, 1],
            "no_data": [1, 1],
            "share": [0.5, 0.0],
        }
    )
    cards = overview_parts.cards(cov, cov, ["KEN", "UGA"], "women", "", 5, "en")
    sentences = [text for _, text in cards]
    assert "1 country has any data on women and girls" in sentences
    assert "1 country publishes no split for women and girls at all" in sentences
