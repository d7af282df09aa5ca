"""Group vocabulary: canonical dimensions and codes, raw-label mapping, and the LNOB groups.

Raw labels (the UN export's FEMALE or 15-24, Open SDG's "Disabled (GSS harmonised)") become SDMX
SDG codes through ``raw/labels.csv`` plus the files named in ``GAPMAP_LABEL_MAPS``, and, for age,
a documented grammar (``15-24`` -> ``Y15T24``). A label nothing maps is returned as ``None`` so the
caller can report it by name and count: never guessed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL

RAW = Path(__file__).parent / "raw"

# Codes that are valid as they are, per dimension (SDMX SDG code lists, the subset we use).
_SPECIAL = {TOTAL, NOT_APPLICABLE, "_U", "_X", "_O", "_N"}
CANONICAL: dict[str, frozenset[str]] = {
    "sex": frozenset({"F", "M"} | _SPECIAL),
    "age": frozenset(_SPECIAL),  # plus anything matching _AGE_CODE
    "disability": frozenset({"PD", "PWD"} | _SPECIAL),
    "location": frozenset({"U", "R", "TSUB", "CITY", "SUBURB"} | _SPECIAL),
    "quantile": frozenset(
        {"Q1", "Q2", "Q3", "Q4", "Q5", "B40", "B50", "B20", "T20", "R60", "T60", "D1", "D10"}
        | _SPECIAL
    ),
    "migratory": frozenset({"MIGPER", "NONMIG", "MS_MIGRANT", "MS_NONMIGRANT"} | _SPECIAL),
    # SDG population-group codes (the export does not say which group each one is)
    "ethnicity": frozenset({"POP_A", "POP_B", "POP_C", "POP_D", "POP_E"} | _SPECIAL),
    # SDG education-level codes (ISCED 2011 based) as the UN export writes them
    "education": frozenset(
        {
            "PREPRI",
            "PRIMAR",
            "LOWSEC",
            "UPPSEC",
            "SECOND",
            "POSTSEC",
            "TERTIARY",
            "GRAD23",
            "AGG_0_1",
            "AGG_GE2",
            "AGG_5T8",
            "AGG_3T4",
            "AGG_2_3",
        }
        | {f"ISCED11_{i}" for i in range(9)}
        | _SPECIAL
    ),
}
_AGE_CODE = re.compile(r"^(Y\d+T\d+|Y_GE\d+|Y_LT\d+|Y_LE\d+|M\d+T\d+|M_LT\d+|Y\d+)$")


def _norm(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def _age_grammar(label: str) -> str | None:
    """UN export and free-text ages -> SDMX age codes. None when the label is not an age."""
    s = _norm(label).removeprefix("aged ").removesuffix(" years old").removesuffix(" years")
    s = s.removesuffix(" yrs")
    if m := re.fullmatch(r"(\d+)\s*(?:-|–|to)\s*(\d+)", s):
        return f"Y{int(m[1])}T{int(m[2])}"
    if m := re.fullmatch(r"(\d+)\s*(?:\+|and over|and older|or over|or older|plus)", s):
        return f"Y_GE{int(m[1])}"
    if m := re.fullmatch(r"(?:<|under|less than|below)\s*(\d+)\s*y?", s):
        return f"Y_LT{int(m[1])}"
    if m := re.fullmatch(r"<=\s*(\d+)\s*y?", s):
        return f"Y_LE{int(m[1])}"
    if m := re.fullmatch(r"<\s*(\d+)\s*m", s):
        return f"M_LT{int(m[1])}"
    if m := re.fullmatch(r"m(\d+)t(\d+)", s):
        return f"M{int(m[1])}T{int(m[2])}"
    return None


@dataclass(frozen=True)
class Group:
    """An LNOB group: codes of one dimension and the reference it is compared with."""

    id: str
    dimension: str
    codes: tuple[str, ...]  # ("*",) = every non-total, non-reference code
    reference: tuple[str, ...]  # in order of preference
    label: str

    def is_group_code(self, code: str) -> bool:
        """Whether a canonical code of this group's dimension belongs to the group."""
        if self.codes == ("*",):
            return not (code in _SPECIAL or code in self.reference or code.startswith("raw:"))
        return code in self.codes

    def rank(self, code: str) -> int:
        """Preference of a group code (0 = best)."""
        return self.codes.index(code) if code in self.codes else len(self.codes)


class Vocabulary:
    """Label and column mappings, built from the packaged files plus user files."""

    def __init__(self, extra_maps: Iterable[Path] = ()):
        self.labels: dict[tuple[str, str], str] = {}
        self.columns: dict[str, str] = {}
        for path in [RAW / "labels.csv", *extra_maps]:
            for row in _read_csv(Path(path)):
                dim = row["dimension"].strip()
                if dim not in DIMENSIONS:
                    raise ValueError(f"{path}: unknown dimension {dim!r}; expected {DIMENSIONS}")
                self.labels[(dim, _norm(row["label"]))] = row["code"].strip()
        for row in _read_csv(RAW / "columns.csv"):
            self.columns[_norm(row["column"])] = row["dimension"].strip()

    def dimension_for_column(self, header: str) -> str | None:
        """Canonical dimension carried by a source column, or None."""
        return self.columns.get(_norm(header.strip().strip("[]")))

    def map_label(self, dimension: str, label: str) -> str | None:
        """Canonical code for a raw label; "" maps to the total; None when nothing maps."""
        raw = str(label).strip()
        if raw == "":
            return TOTAL
        if (dimension, _norm(raw)) in self.labels:
            return self.labels[(dimension, _norm(raw))]
        if raw in CANONICAL[dimension]:
            return raw
        if dimension == "age":
            if _AGE_CODE.match(raw):
                return raw
            return _age_grammar(raw)
        return None


@lru_cache(maxsize=8)
def vocabulary(extra_maps: tuple[Path, ...] = ()) -> Vocabulary:
    """The vocabulary with the packaged maps plus ``extra_maps`` (cached per tuple of paths)."""
    return Vocabulary(extra_maps)


@lru_cache(maxsize=1)
def groups() -> dict[str, Group]:
    """The LNOB groups by stable id, from ``raw/groups.csv``."""
    out: dict[str, Group] = {}
    for row in _read_csv(RAW / "groups.csv"):
        out[row["id"]] = Group(
            id=row["id"],
            dimension=row["dimension"],
            codes=tuple(row["codes"].split("|")),
            reference=tuple(row["reference"].split("|")),
            label=row["label"],
        )
    return out


def group(group_id: str) -> Group:
    """One group by id; KeyError names the valid ids."""
    all_groups = groups()
    if group_id not in all_groups:
        raise KeyError(f"unknown group {group_id!r}; expected one of {', '.join(all_groups)}")
    return all_groups[group_id]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))
