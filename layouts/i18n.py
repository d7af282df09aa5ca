"""One translation function for every user-facing string: ``t(key, lang, **fmt)``.

The words live in gettext catalogues (``layouts/locale/<lang>/LC_MESSAGES/messages.po``), one
per language, read with Babel when the app is created (``load()``; a script or test that never
creates an app loads them on the first ``t()``). The msgid is a stable key ("nav.map"), not the
English sentence: call sites stay ``t("nav.map")``, rewording the English does not orphan the
translations, and plural forms keep their ``<key>.one`` entries. The English catalogue carries
the English text; the other catalogues carry it as an extracted comment (``#.``) for
translators. A key missing in a language falls back to English; a test fails on any untranslated
key. Extraction and update (see README "Languages")::

    pybabel extract -F babel.cfg -k t -o layouts/locale/messages.pot layouts callbacks server app.py
    pybabel update -i layouts/locale/messages.pot -d layouts/locale -D messages --no-fuzzy-matching

The language of a request: ``?lang=`` in the URL, else the page's own ``lang=`` (a callback's
``Referer``), else the ``gapmap_lang`` cookie (set when a ``lang=`` URL was visited), else the
browser's ``Accept-Language``, else ``GAPMAP_LANGUAGE``. Country names come from CLDR through
``data.reference.area_name``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "fr", "es", "ar")  # the order of the header's language selector
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
LOCALE_DIR = Path(__file__).parent / "locale"
COOKIE = "gapmap_lang"
_current = {"lang": DEFAULT_LANGUAGE}

# language -> {key: text}; filled by load() (tests may monkeypatch entries)
CATALOGUES: dict[str, dict[str, str]] = {}


def compiled(po: Path) -> Path | None:
    """The ``messages.mo`` the set-up compiled from ``po`` (``pybabel compile``), if current.

    None when there is none or the ``.po`` was edited after it (then the ``.po`` is read).
    """
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo
    return None


def load(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, str]]:
    """Read every language's catalogue into ``CATALOGUES`` (translated entries, not fuzzy).

    The compiled ``messages.mo`` (the set-up runs ``pybabel compile``: README "The two
    commands") when it is current, else the ``messages.po`` itself, so a catalogue edited
    since the last compile is never shadowed by a stale one.
    """
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    found: dict[str, dict[str, str]] = {}
    for path in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po")):
        mo = compiled(path)
        with (mo or path).open("rb") as f:
            catalog = read_mo(f) if mo else read_po(f)
        found[path.parts[-3]] = {
            m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy
        }
    if DEFAULT_LANGUAGE not in found:
        raise RuntimeError(f"no English catalogue in {locale_dir}")
    CATALOGUES.clear()
    CATALOGUES.update(found)
    return CATALOGUES


def _catalogues() -> dict[str, dict[str, str]]:
    return CATALOGUES if DEFAULT_LANGUAGE in CATALOGUES else load()


def english() -> dict[str, str]:
    """Key -> English text (every key the UI may ask for)."""
    return _catalogues()[DEFAULT_LANGUAGE]


def set_language(lang: str) -> None:
    """Set the app's default language (called once by ``create_app``)."""
    _current["lang"] = lang or DEFAULT_LANGUAGE


def language() -> str:
    """The language of the current request (see the module docstring), or the app's default."""
    from flask import g, has_request_context

    if not has_request_context():
        return _current["lang"]
    if "gapmap_lang" not in g:
        g.gapmap_lang = request_language() or _current["lang"]
    return g.gapmap_lang


def request_language() -> str | None:
    """The language a request asks for: URL, its page's URL, cookie, Accept-Language."""
    from flask import request

    asked = [request.args.get("lang")]
    if request.referrer:  # a callback or layout request: the language of the page it serves
        asked.append(parse_qs(urlparse(request.referrer).query).get("lang", [None])[0])
    asked.append(request.cookies.get(COOKIE))
    for lang in asked:
        if known(lang):
            return lang
    return request.accept_languages.best_match(LANGUAGES)


def supported(lang: str | None) -> str:
    """``lang`` when a catalogue has it, else the request's language (see ``language()``).

    A ``lang`` from a URL becomes part of cache keys: an unknown one must not create entries
    (random values would fill the shared cache and evict the warm ones), and no key may stand
    for "whatever language the request asks for" (the first visitor's language would be served
    to the next).
    """
    return lang if known(lang) else language()


def known(lang: str | None) -> bool:
    """Whether a catalogue exists for ``lang``."""
    return isinstance(lang, str) and lang in _catalogues()


def t(key: str, lang: str | None = None, *, count: int | None = None, **fmt: Any) -> str:
    """Translate ``key`` into ``lang`` (default: the request's language), formatted with ``fmt``.

    With ``count``, the plural form of the language for that number (CLDR categories:
    ``one``, ``few``, ``many``, ...) is looked up as ``<key>.<form>``; ``<key>`` itself is the
    general ("other") form. Falls back to English when the language or the key is missing
    there; an unknown key raises ``KeyError`` so that a typo fails a test instead of reaching
    users. Whole numbers of 10,000 or more in ``fmt`` are grouped the language's way.
    """
    catalogues = _catalogues()
    code = lang or language()
    catalogue = catalogues.get(code) or catalogues[DEFAULT_LANGUAGE]
    if key not in catalogue:  # English text, hence English plural rules
        code, catalogue = DEFAULT_LANGUAGE, catalogues[DEFAULT_LANGUAGE]
    if count is not None:
        form = f"{key}.{plural_form(code, count)}"
        key = form if form in catalogue else key
    text = catalogue[key]
    if not fmt:
        return text
    return text.format(**{k: _localised(v, code) for k, v in fmt.items()})


def _localised(value: Any, lang: str) -> Any:
    # below 10,000 a whole number may be a year: never grouped ("2,023")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return number(value, lang)
    return value


def number(value: float, lang: str | None = None) -> str:
    """A number written the language's way (1,234.5 / 1 234,5 / 1.234,5)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang or language())


def date_text(day: Any, lang: str | None = None) -> str:
    """A date written the language's way ("2 December 2026", "2 décembre 2026")."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=lang or language())


# Digits: CLDR's default numbering system of each language (``numbering_system="default"``).
# For plain "ar" that is "latn" in CLDR 46 (Babel 2.19): Western digits, "." and ","; a
# regional locale such as "ar-EG" would get Arabic-Indic digits ("٣١٫٩"). Years are never
# passed through these functions: a year is a label ("2023"), not a quantity ("2,023").
_DIGITS = "default"


def _missing(value: Any) -> bool:
    """None, NaN, ``pd.NA`` or anything that is no number."""
    import math

    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):  # None, pd.NA, text
        return True


def _stored(value: Any) -> Any:
    """The shortest decimal that reads back as the same float ("12.85", never 12.8499...)."""
    from decimal import Decimal

    import numpy as np

    return Decimal(np.format_float_positional(float(value), trim="-"))


def exact(value: Any, lang: str | None = None) -> str:
    """A stored value exactly as stored, written the language's way ("" when missing).

    "12.85" reads "12,85" in French and Spanish, "1,234.5" reads "1 234,5": every digit is
    kept (tables and sentences never round; ``data.display.exact`` is the English form).
    """
    from babel.numbers import format_decimal

    if _missing(value):
        return ""
    return format_decimal(
        _stored(value),
        locale=lang or language(),
        decimal_quantization=False,
        numbering_system=_DIGITS,
    )


def rounded(value: Any, lang: str | None = None, digits: int = 3) -> str:
    """A value rounded for a chart: ``digits`` significant digits below 1,000, whole above."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    if _missing(value):
        return ""
    number = float(value)
    if number != 0 and abs(number) < 1000:
        shown: Any = Decimal(f"{number:.{digits}g}")
    else:
        shown = Decimal(round(number))
    return format_decimal(
        shown, locale=lang or language(), decimal_quantization=False, numbering_system=_DIGITS
    )


def percent(share: Any, lang: str | None = None, digits: int = 0) -> str:
    """A share 0..1 as a percentage with ``digits`` decimals ("32%", "31,9 %"; "" if missing)."""
    if _missing(share):
        return ""
    return _percent(float(share), lang or language(), digits)


@lru_cache(maxsize=8192)  # the world matrix formats 2,500 shares, most of them alike
def _percent(share: float, code: str, digits: int) -> str:
    from babel import Locale
    from babel.numbers import format_percent

    # the language's own pattern (French "#,##0 %": a space before "%"), with ``digits`` decimals
    own = Locale.parse(code).percent_formats[None].pattern.split(";")[0]
    pattern = own.replace("#,##0", "#,##0." + "0" * digits) if digits else own
    return format_percent(share, format=pattern, locale=code, numbering_system=_DIGITS)


def value_percent(value: Any, lang: str | None = None) -> str:
    """A stored value in percent (12.85 -> "12.85%", "12,85 %"), every digit kept."""
    from babel.numbers import format_percent

    if _missing(value):
        return ""
    return format_percent(
        _stored(value) / 100,
        locale=lang or language(),
        decimal_quantization=False,
        numbering_system=_DIGITS,
    )


def points(change: Any, lang: str | None = None) -> str:
    """A change in percentage points from a change of share ("+20", "-5", "0")."""
    from babel.numbers import format_decimal

    if _missing(change):
        return ""
    whole = round(float(change) * 100)
    text = format_decimal(abs(whole), locale=lang or language(), numbering_system=_DIGITS)
    return f"+{text}" if whole > 0 else (f"-{text}" if whole < 0 else text)


def separators(lang: str | None = None) -> str:
    """Plotly's ``layout.separators`` for a language: its decimal then its group symbol."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    code = lang or language()
    return get_decimal_symbol(code, numbering_system=_DIGITS) + get_group_symbol(
        code, numbering_system=_DIGITS
    )


# plotly.js's own English words (its locale dictionary keys) -> our catalogue keys
PLOTLY_WORDS = {
    "Download plot as a PNG": "modebar.download",
    "Zoom": "modebar.zoom",
    "Pan": "modebar.pan",
    "Zoom in": "modebar.zoom_in",
    "Zoom out": "modebar.zoom_out",
    "Autoscale": "modebar.autoscale",
    "Reset axes": "modebar.reset_axes",
    "Reset": "modebar.reset",
    "Reset view": "modebar.reset_view",
    "Show closest data on hover": "modebar.closest",
    "Compare data on hover": "modebar.compare",
    "Toggle Spike Lines": "modebar.spikes",
}


def graph_locale(lang: str | None = None) -> dict[str, Any]:
    """``dcc.Graph.config`` entries that put plotly.js's modebar in the page's language.

    ``locale`` picks the plotly.js locale file (assets/vendor/plotly-locales); ``locales``
    carries our catalogue's words for the buttons the app shows, merged over it (plotly.js has
    no Arabic modebar words).
    """
    code = lang or language()
    if code not in LANGUAGES or code == DEFAULT_LANGUAGE:
        return {"locale": DEFAULT_LANGUAGE}
    words = {plotly: t(key, code) for plotly, key in PLOTLY_WORDS.items()}
    return {"locale": code, "locales": {code: {"dictionary": words}}}


def plural_form(lang: str, count: int) -> str:
    """CLDR plural category of ``count`` in ``lang`` ("one", "other", ...)."""
    return _plural_rule(lang)(abs(int(count)))


@lru_cache(maxsize=16)
def _plural_rule(lang: str) -> Callable[[int], str]:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale("en").plural_form


def direction(lang: str | None = None) -> str:
    """Text direction of a language for ``<html dir>``."""
    return "rtl" if (lang or language()) in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=8)
def language_name(lang: str) -> str:
    """A language's name in itself (CLDR): "English", "Français", "Español", "العربية"."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def group_label(group_id: str, lang: str | None = None) -> str:
    """Translated name of an LNOB group (falls back to the vocabulary label)."""
    key = f"group.{group_id}"
    if key in english():
        return t(key, lang)
    from data.vocab import groups

    found = groups().get(group_id)
    return found.label if found else group_id


def group_title(group_id: str, lang: str | None = None) -> str:
    """Capitalised group name for labels and column headers."""
    key = f"groupcap.{group_id}"
    if key in english():
        return t(key, lang)
    return group_label(group_id, lang)


def code_words(lang: str | None = None) -> Callable[[str, str], str | None]:
    """A language's names of canonical codes, for ``data.display.code_label``'s ``words``.

    ``code.<dimension>.<code>`` from the catalogue ("code.disability.PD" -> "Personnes
    handicapées"); ages the catalogue does not name are read by the grammar of
    ``data.display.age_parts`` with the language's templates (``age.range`` "{a}–{b} ans").
    None (the English name) for a code nothing names. Downloads and the API stay English:
    only pages pass these words.
    """
    code_lang = lang or language()

    def words(dimension: str, code: str) -> str | None:
        key = f"code.{dimension}.{code}"
        if key in english():
            return t(key, code_lang)
        if dimension == "age":
            from data.display import age_parts

            found = age_parts(str(code))
            if found:
                return t(f"age.{found[0]}", code_lang, **found[1])
        return None

    return words


def dimension_name(dimension: str, lang: str | None = None) -> str:
    """A dimension's name in words ("income", "revenu"); ``data.display.DIMENSION_NAMES``."""
    key = f"dimension.{dimension}"
    if key in english():
        return t(key, lang)
    from data.display import DIMENSION_NAMES

    return DIMENSION_NAMES.get(dimension, dimension)


def extract_keys(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method (babel.cfg) for Python: the literal keys of ``t(...)`` calls.

    Babel's own Python extractor joins both strings of a conditional first argument into one
    msgid; this one reads the syntax tree and yields both.
    """
    import ast

    for node in ast.walk(ast.parse(fileobj.read())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name != "t":
            continue
        first = node.args[0]
        for arg in (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, None, arg.value, []


def extract_english(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method (babel.cfg): every key of the English catalogue.

    Keys built at run time (``t(f"status.{s}")``) are not literals in the code; the English
    catalogue declares them, with the English text as the translators' comment.
    """
    from babel.messages.pofile import read_po

    for message in read_po(fileobj):
        if message.id:
            line = message.lineno or 0
            yield line, None, str(message.id), [str(message.string)]
