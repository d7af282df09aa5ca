"""layouts.i18n: every string the layouts ask for exists; languages plug in without layouts."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from data.gaps import STATUSES
from data.vocab import groups
from layouts import i18n, state
from layouts.i18n import t

EN = i18n.english()

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


# --- gettext catalogues (issue #10) -------------------------------------------------------

LOCALE = ROOT / "layouts" / "locale"
OTHERS = [lang for lang in i18n.LANGUAGES if lang != "en"]


def _po(lang):
    from babel.messages.pofile import read_po

    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


def _names(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_every_language_of_the_selector_has_a_catalogue():
    assert set(i18n.load()) == set(i18n.LANGUAGES)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_ui_string_has_a_translation_with_the_same_placeholders(lang):
    catalog = _po(lang)
    assert str(catalog.locale) == lang
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(set(EN) - set(translated))
    assert missing == [], f"{lang}: {len(missing)} strings without a translation: {missing[:10]}"
    for key, text in translated.items():
        base = key if key in EN else key.rsplit(".", 1)[0]
        assert base in EN, f"{lang}: {key} is no UI string (nor a plural form of one)"
        if key in EN and key.rsplit(".", 1)[-1] not in {"zero", "one", "two", "few", "many"}:
            assert _names(text) == _names(EN[key]), f"{lang} {key}: placeholders differ"
        else:  # a plural form may say "one" in words instead of {n}
            assert _names(text) <= _names(EN[base]), f"{lang} {key}: unknown placeholder"
        text.format(**dict.fromkeys(_names(text), "x"))


def test_the_catalogue_template_is_what_pybabel_extracts_now(tmp_path):
    """layouts/locale/messages.pot is up to date, and lists exactly the English keys."""
    import subprocess
    import sys

    out = tmp_path / "messages.pot"
    cmd = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    cmd += ["-k", "t", "--no-default-keywords", "--no-location", "--sort-output"]
    cmd += ["--omit-header", "-w", "100", "-o", str(out), "layouts", "callbacks", "server"]
    subprocess.run([*cmd, "app.py"], cwd=ROOT, check=True, capture_output=True)
    from babel.messages.pofile import read_po

    with out.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert sorted(extracted - set(EN)) == [], "keys used in code with no English text"
    assert extracted == set(EN)
    with (LOCALE / "messages.pot").open("rb") as f:
        committed = {m.id for m in read_po(f) if m.id}
    assert committed == extracted, "run the pybabel extract/update commands of the README"


@pytest.mark.parametrize("lang", OTHERS)
def test_groups_statuses_and_reasons_are_translated(lang):
    for key in [*(f"status.{s}" for s in STATUSES), *(f"group.{g}" for g in groups())]:
        assert t(key, lang) != t(key, "en"), (lang, key)
    assert i18n.group_label("disability", lang) != "persons with disabilities"


def test_plural_forms_in_french_count_zero_as_one():
    assert t("headline.none", "fr", count=0, n=0, group="x").startswith("0 pays ne publie ")
    assert t("headline.none", "fr", count=2, n=2, group="x").startswith("2 pays ne publient ")
    assert t("headline.any", "es", count=1, n=1, group="x") == "1 país tiene algún dato sobre x"


def test_numbers_and_dates_follow_the_language():
    import datetime

    assert i18n.number(1234567.5, "en") == "1,234,567.5"
    assert i18n.number(1234567.5, "es") == "1.234.567,5"
    assert i18n.number(1234567.5, "fr").replace("\u202f", " ") == "1 234 567,5"
    # counts of 10,000 and more are grouped inside sentences; years (below 10,000) never
    text = t("footer.demo_item", "fr", name="a", source_type="b", rows=123456)
    assert text.replace("\u202f", " ") == "a (b ; 123 456 valeurs)"
    assert t("col.base_share", "es", year=2023) == "Proporción en 2023"
    day = datetime.date(2026, 12, 2)
    assert i18n.date_text(day, "fr") == "2 décembre 2026"
    assert i18n.date_text(day, "es") == "2 de diciembre de 2026"


def test_language_names_are_autonyms():
    names = [i18n.language_name(lang) for lang in i18n.LANGUAGES]
    assert names == ["English", "Français", "Español", "العربية"]


def test_country_names_come_from_cldr():
    from data import reference

    assert reference.area_name("CIV", "fr") == "Côte d’Ivoire"
    assert reference.area_name("DEU", "es") == "Alemania"
    assert reference.area_name("KEN", "ar") == "كينيا"


@pytest.mark.parametrize(
    "url,headers,cookie,expected",
    [
        ("/?lang=fr", {}, None, "fr"),
        ("/?lang=zz", {"Accept-Language": "es-MX,es;q=0.9"}, None, "es"),
        ("/", {"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"}, None, "ar"),
        ("/", {"Accept-Language": "de-DE,de;q=0.9"}, None, "en"),  # none supported: default
        ("/", {"Accept-Language": "en"}, "fr", "fr"),  # the visitor chose French before
        # a callback request: the language of the page that sends it
        ("/_dash-update-component", {"Referer": "http://x/country/KEN?lang=ar"}, "fr", "ar"),
    ],
)
def test_the_request_language(url, headers, cookie, expected):
    from flask import Flask

    server = Flask(__name__)
    if cookie:
        headers = {**headers, "Cookie": f"{i18n.COOKIE}={cookie}"}
    with server.test_request_context(url, headers=headers):
        assert i18n.language() == expected
        assert i18n.direction() == ("rtl" if expected == "ar" else "ltr")
        assert t("nav.map") == t("nav.map", expected)


def test_series_titles_are_english_and_marked_where_no_translation_exists(tmp_path):
    from data import pipeline, queries
    from data.settings import Settings
    from layouts.pages import content

    store = queries.configure(Settings(data_dir=tmp_path, demo_on_empty=True))
    pipeline.ensure_demo(store)
    content.reset()
    english = content.titles("en")
    assert english and all(not v.endswith("]") for v in english.values())
    for lang, mark in (("fr", " [en anglais]"), ("es", " [en inglés]"), ("ar", " [بالإنكليزية]")):
        marked = content.titles(lang)
        assert marked == {code: title + mark for code, title in english.items()}


def test_the_set_up_compiles_the_catalogues_and_the_app_reads_them(tmp_path):
    """Both README commands compile the catalogues; a compiled one reads as its .po; stale: .po."""
    import os
    import shutil
    import subprocess

    compile_cmd = "pybabel -q compile -d layouts/locale -D messages"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run_command = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert compile_cmd in run_command and "python app.py" in run_command
    assert compile_cmd in (ROOT / ".ci" / "test").read_text(encoding="utf-8")

    shutil.copytree(LOCALE, tmp_path / "locale")
    subprocess.run(
        ["pybabel", "-q", "compile", "-d", str(tmp_path / "locale"), "-D", "messages"],
        check=True,
        capture_output=True,
    )
    from_po = {lang: dict(words) for lang, words in i18n.load(_po_only(tmp_path)).items()}
    po = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    assert i18n.compiled(po) == po.with_suffix(".mo")
    from_mo = {lang: dict(words) for lang, words in i18n.load(tmp_path / "locale").items()}
    assert from_mo == from_po and len(from_mo) == len(i18n.LANGUAGES)
    assert from_mo["fr"]["nav.map"] == "Carte"

    # a .po edited after the compile is read itself: a stale .mo never hides the change
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Carte"', 'msgstr "Carte (nouvelle)"', 1),
        encoding="utf-8",
    )
    mo_time = po.with_suffix(".mo").stat().st_mtime
    os.utime(po, (mo_time + 10, mo_time + 10))
    assert i18n.compiled(po) is None
    assert i18n.load(tmp_path / "locale")["fr"]["nav.map"] == "Carte (nouvelle)"
    i18n.load()  # the project's own catalogues again


def _po_only(tmp_path: Path) -> Path:
    """A copy of the catalogues without any compiled .mo (what a fresh clone has)."""
    import shutil

    target = tmp_path / "po-only"
    shutil.copytree(LOCALE, target, ignore=shutil.ignore_patterns("*.mo"))
    return target
