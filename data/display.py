"""Words for codes: what people read instead of ``SL_TLF_UEMDIS``, ``PERCENT`` or ``age=Y_GE15``.

Display names come from the editable ``raw/display_codes.csv`` (dimension, code, label; the
pseudo-dimension ``unit`` holds units of measure); ages without an entry are read by a grammar
(``Y15T24`` -> "15-24 years"), and labels kept as given (``raw:<label>``) show that label. A code
nothing names is shown as it is, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def _age(code: str) -> str | None:
    if m := re.fullmatch(r"Y(\d+)T(\d+)", code):
        return f"{int(m[1])}\u2013{int(m[2])} years"
    if m := re.fullmatch(r"Y_GE(\d+)", code):
        return f"{int(m[1])} years and over"
    if m := re.fullmatch(r"Y_LT(\d+)", code):
        return f"under {int(m[1])} years"
    if m := re.fullmatch(r"Y_LE(\d+)", code):
        return f"{int(m[1])} years and under"
    if m := re.fullmatch(r"M_LT(\d+)", code):
        return f"under {int(m[1])} months"
    if m := re.fullmatch(r"M(\d+)T(\d+)", code):
        return f"{int(m[1])}\u2013{int(m[2])} months"
    if m := re.fullmatch(r"Y(\d+)", code):
        return f"{int(m[1])} years"
    return None


def code_label(dimension: str, code: str) -> str:
    """Display name of a canonical code of a dimension ("F" -> "Female")."""
    code = str(code)
    if code.startswith(UNMAPPED_PREFIX):
        return code[len(UNMAPPED_PREFIX) :]
    if (dimension, code) in _names():
        return _names()[(dimension, code)]
    if dimension == "age":
        return _age(code) or code
    return code


def unit_name(unit: str) -> str:
    """Display name of a unit of measure ("PERCENT" -> "%"); unknown units as given."""
    return _names().get(("unit", str(unit)), str(unit))


def breakdown_label(row: Mapping[str, Any], skip: str = "") -> str:
    """An observation's breakdown in words ("Female, 15 years and over"; "" when none).

    Args:
        row: canonical columns (every dimension and ``other_dims``).
        skip: a dimension to leave out (e.g. the group's own, named elsewhere).
    """
    parts = [code_label(d, row[d]) for d in DIMENSIONS if d != skip and str(row[d]) not in _PLAIN]
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
