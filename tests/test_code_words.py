"""Words for canonical codes in the page's language (#10): catalogue keys and their use."""

from __future__ import annotations

import pandas as pd
import pytest

from data.display import DIMENSION_NAMES, _names
from layouts import i18n

LANGS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE]
AGE_KEYS = ["range", "over", "under", "upto", "months_under", "months_range", "years"]


def _code_rows() -> list[tuple[str, str, str]]:
    return [(d, c, label) for (d, c), label in _names().items()]  # units too


def test_every_display_code_has_an_english_key_equal_to_its_label():
    english = i18n.english()
    rows = _code_rows()
    assert len(rows) > 50
    assert [(d, c) for d, c, label in rows if english.get(f"code.{d}.{c}") != label] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_display_code_age_template_and_dimension_is_translated(lang):
    catalogue = i18n._catalogues()[lang]
    keys = [f"code.{d}.{c}" for d, c, _ in _code_rows()]
    keys += [f"age.{k}" for k in AGE_KEYS] + [f"dimension.{d}" for d in DIMENSION_NAMES]
    assert [k for k in keys if not catalogue.get(k, "").strip()] == []


def test_code_words_name_codes_and_ages_in_the_language():
    from data.display import breakdown_label, code_label

    fr, ar = i18n.code_words("fr"), i18n.code_words("ar")
    assert code_label("disability", "PD", fr) == "Personnes handicapées"
    assert code_label("age", "Y15T24", fr) == "15\u201324 ans"
    assert code_label("age", "Y_GE15", i18n.code_words("es")) == "15 años y más"
    assert code_label("sex", "F", ar) == "إناث"
    # without words, or for a code nothing names, English / as given (never guessed)
    assert code_label("disability", "PD") == "Persons with disabilities"
    assert code_label("age", "Y15T24") == "15\u201324 years"
    assert code_label("sex", "XYZ", fr) == "XYZ"
    assert code_label("sex", "raw:Femme enceinte", fr) == "Femme enceinte"
    row = dict.fromkeys(DIMENSION_NAMES, "_T") | {"sex": "F", "age": "Y_GE15", "other_dims": ""}
    assert breakdown_label(row, words=fr) == "Femmes, 15 ans et plus"
    assert breakdown_label(row) == "Female, 15 years and over"
    assert i18n.dimension_name("quantile", "fr") == "revenu"
    assert i18n.dimension_name("quantile", "en") == "income"


def _pairs_frame():
    from data import gaps
    from data.vocab import group
    from tests.conftest import obs_frame

    base = {"series": "SL_TLF_UEMDIS", "iso3": "KEN", "m49": "404", "unit": "PERCENT"}
    base |= {"year": 2017, "period_sort": 2017.0}
    rows = [
        {**base, "period": "2017", "disability": "PD", "sex": "F", "value": 30.0},
        {**base, "period": "2017", "disability": "PWD", "sex": "F", "value": 20.0},
        {**base, "period": "2017", "value": 25.0},
    ]
    obs = obs_frame(rows)
    return obs, gaps.disparity(gaps.pairs(obs, group("disability")), {})


def test_timeseries_legend_table_and_provenance_in_french_numbers_unchanged():
    from data import views_country
    from layouts import figures, tables
    from tests.test_components import texts

    obs, disp = _pairs_frame()
    en = views_country.timeseries_frame(obs, disp, "disability")
    fr = views_country.timeseries_frame(obs, disp, "disability", words=i18n.code_words("fr"))
    assert set(fr["label"]) == {"Personnes handicapées", "Personnes non handicapées"}
    assert set(fr["slice"]) == {"Femmes"}
    assert set(en["label"]) == {"Persons with disabilities", "Persons without disabilities"}
    cols = ["line", "period", "value", "source_type", "dataset", "source_row", "unit"]
    pd.testing.assert_frame_equal(en[cols], fr[cols])  # the numbers do not change

    names = [t.name for t in figures.timeseries_figure(fr, unit="%", lang="fr").data]
    assert "Personnes handicapées (officielle)" in names, names
    assert not any("Persons" in n or "Female" in n for n in names)
    table = texts(tables.timeseries_table(fr, "Cap", unit="%", lang="fr"))
    assert "Personnes handicapées" in table and "Persons with" not in table

    prov_fr = views_country.provenance_rows(obs, {}, words=i18n.code_words("fr"))
    prov_en = views_country.provenance_rows(obs, {})
    assert "Femmes, Personnes handicapées" in set(prov_fr["breakdown"])
    assert "Female, Persons with disabilities" in set(prov_en["breakdown"])
    assert prov_fr["value"].tolist() == prov_en["value"].tolist()


def test_french_country_page_names_the_group_in_french_english_page_unchanged(realshape):
    """The whole country page (legend, time-series table, provenance) in the page's language."""
    import json
    from dataclasses import replace

    from app import create_app
    from data import queries
    from layouts.pages import country

    create_app(replace(realshape, cache_type="NullCache"), warm=False)
    series = sorted(
        set(queries.country_frames("KEN", "disability", "all")["disparities"]["series"])
    )
    assert series, "the real-shape store has disability pairs for Kenya"
    pages = {
        lang: country.detail_payload.uncached(0, "KEN", "disability", series[0], "all", lang)
        for lang in ("en", "fr")
    }
    legend = {
        lang: [tr["name"] for tr in p["chart"]["figure"]["data"]] for lang, p in pages.items()
    }
    assert any("Personnes handicapées" in n for n in legend["fr"]), legend["fr"]
    assert not any("Persons with disabilities" in n for n in legend["fr"])
    assert any("Persons with disabilities" in n for n in legend["en"]), legend["en"]
    detail = {lang: json.dumps(p["detail"], ensure_ascii=False) for lang, p in pages.items()}
    assert (
        "Personnes handicapées" in detail["fr"] and "Persons with disabilities" not in detail["fr"]
    )
    assert "Persons with disabilities" in detail["en"] and "Personnes" not in detail["en"]
    ys = {lang: [tr.get("y") for tr in p["chart"]["figure"]["data"]] for lang, p in pages.items()}
    assert ys["fr"] == ys["en"]  # the same numbers, only the words change


def test_french_brief_names_breakdowns_in_french(tmp_path):
    """The brief (legend, tables, findings) in its language; the English brief unchanged."""
    from app import create_app
    from data.settings import Settings
    from server import images

    settings = Settings(data_dir=tmp_path, demo_on_empty=True, cache_type="NullCache")
    client = create_app(settings, warm=False).server.test_client()
    try:
        pages = {
            lang: client.get(f"/country/KEN/brief?group=disability&lang={lang}").data.decode()
            for lang in ("en", "fr")
        }
    finally:
        images.close()
    assert "Persons with disabilities (community)" in pages["en"]
    assert "Personnes handicapées" not in pages["en"]
    assert "Personnes handicapées" in pages["fr"]
    assert "Persons with disabilities" not in pages["fr"]
    assert "Persons without disabilities" not in pages["fr"]


def test_units_are_named_in_the_language_and_per_cent_stays_a_sign():
    from data.display import unit_name

    fr, es, ar = (i18n.code_words(lang) for lang in ("fr", "es", "ar"))
    assert unit_name("PER_100000_LIVE_BIRTHS", fr) == "pour 100 000 naissances vivantes"
    assert unit_name("NUMBER", es) == "número"
    assert unit_name("PER_1000_POP", ar) == "لكل 1000 نسمة"
    # "%" is what the pages test to write percentage points: the same sign in every language
    assert {unit_name("PERCENT", w) for w in (fr, es, ar, None)} == {"%"}
    assert unit_name("NUMBER") == "number" and unit_name("UNKNOWN_UNIT", fr) == "UNKNOWN_UNIT"


def test_the_wizard_names_canonical_codes_in_the_page_language():
    from data import submission_preview

    fr = dict(submission_preview.code_options("disability", i18n.code_words("fr")))
    en = dict(submission_preview.code_options("disability"))
    assert fr["PD"] == "Personnes handicapées" and en["PD"] == "Persons with disabilities"
    assert fr.keys() == en.keys()  # the same codes to choose from, named in the language
