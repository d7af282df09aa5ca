"""Words for canonical codes in the page's language (#10): catalogue keys and their use."""

from __future__ import annotations

import pytest

from data.display import DIMENSION_NAMES, _names
from layouts import i18n

LANGS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE]
AGE_KEYS = ["range", "over", "under", "upto", "months_under", "months_range", "years"]


def _code_rows() -> list[tuple[str, str, str]]:
    return [(d, c, label) for (d, c), label in _names().items() if d != "unit"]


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
