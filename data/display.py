"""Words for codes: what people read instead of ``SL_TLF_UEMDIS``, ``PERCENT`` or ``age=Y_GE15``.

Display names come from the editable ``raw/display_codes.csv`` (dimension, code, label; the
pseudo-dimension ``unit`` holds units of measure); ages without an entry are read by a grammar
(``Y15T24`` -> "15-24 years"), and labels kept as given (``raw:<label>``) show that label. A code
nothing names is shown as it is, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL, UNMAPPED_PREFIX
from data.vocab import RAW, _read_csv

_PLAIN = {TOTAL, NOT_APPLICABLE, ""}
DIMENSION_NAMES = {
    "sex": "sex",
    "age": "age",
    "disability": "disability",
    "location": "location",
    "quantile": "income",
    "migratory": "migratory status",
    "ethnicity": "population group",
    "education": "education",
}


@lru_cache(maxsize=1)
def _names() -> dict[tuple[str, str], str]:
    return {(r["dimension"], r["code"]): r["label"] for r in _read_csv(RAW / "display_codes.csv")}


# The age grammar: code pattern -> template kind; the English templates below, other languages
# from the catalogues (``age.<kind>``, supplied through a ``words`` function by layouts).
_AGE_GRAMMAR = [
    (r"Y(\d+)T(\d+)", "range"),
    (r"Y_GE(\d+)", "over"),
    (r"Y_LT(\d+)", "under"),
    (r"Y_LE(\d+)", "upto"),
    (r"M_LT(\d+)", "months_under"),
    (r"M(\d+)T(\d+)", "months_range"),
    (r"Y(\d+)", "years"),
]
AGE_TEMPLATES = {
    "range": "{a}\u2013{b} years",
    "over": "{n} years and over",
    "under": "under {n} years",
    "upto": "{n} years and under",
    "months_under": "under {n} months",
    "months_range": "{a}\u2013{b} months",
    "years": "{n} years",
}

# A language's words for codes: (dimension, code) -> its name, or None to use the English one.
Words = Callable[[str, str], str | None]


def age_parts(code: str) -> tuple[str, dict[str, str]] | None:
    """The grammar's reading of an age code: ``("range", {"a": "15", "b": "24"})`` or None."""
    for pattern, kind in _AGE_GRAMMAR:
        if m := re.fullmatch(pattern, code):
            numbers = [str(int(g)) for g in m.groups()]
            names = ["a", "b"] if len(numbers) == 2 else ["n"]
            return kind, dict(zip(names, numbers, strict=True))
    return None


def _age(code: str) -> str | None:
    found = age_parts(code)
    return AGE_TEMPLATES[found[0]].format(**found[1]) if found else None


def code_label(dimension: str, code: str, words: Words | None = None) -> str:
    """Display name of a canonical code of a dimension ("F" -> "Female").

    ``words`` (supplied by the layouts layer, e.g. ``layouts.i18n.code_words("fr")``) names
    codes in a page's language ("Femmes"); a code it does not name keeps its English name.
    Labels kept as given (``raw:``) are shown as given in every language.
    """
    code = str(code)
    if code.startswith(UNMAPPED_PREFIX):
        return code[len(UNMAPPED_PREFIX) :]
    if words is not None and (found := words(dimension, code)):
        return found
    if (dimension, code) in _names():
        return _names()[(dimension, code)]
    if dimension == "age":
        return _age(code) or code
    return code


def unit_name(unit: str, words: Words | None = None) -> str:
    """Display name of a unit of measure ("PERCENT" -> "%"); unknown units as given.

    ``words`` (``layouts.i18n.code_words``) names it in the reader's language
    (``words("unit", "NUMBER")`` -> "nombre"); English without it.
    """
    named = words("unit", str(unit)) if words else None
    return named or _names().get(("unit", str(unit)), str(unit))


def breakdown_label(row: Mapping[str, Any], skip: str = "", words: Words | None = None) -> str:
    """An observation's breakdown in words ("Female, 15 years and over"; "" when none).

    Args:
        row: canonical columns (every dimension and ``other_dims``).
        skip: a dimension to leave out (e.g. the group's own, named elsewhere).
        words: a language's names of codes (see ``code_label``); English without it.
    """
    parts = [
        code_label(d, row[d], words) for d in DIMENSIONS if d != skip and str(row[d]) not in _PLAIN
    ]
    other = str(row.get("other_dims") or "")
    for item in filter(None, other.split(";")):
        name, _, code = item.partition("=")
        parts.append(f"{name.replace('_', ' ')}: {code}" if code else name)
    return ", ".join(parts)


def exact(value: Any) -> str:
    """A stored value exactly as stored, for tables ("12.85", "11.98", "1,234.5"; "" if none).

    The shortest text that reads back as the same float: a value imported from "12.85" shows
    as 12.85, never rounded (trailing zeros of the source, as in "12.50", are not kept: the
    number is the same). Charts may round for space; tables, the accessible alternative, never.
    """
    import math

    import numpy as np

    if value is None or value is pd.NA:
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    text = np.format_float_positional(number, trim="-")
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{frac}"
