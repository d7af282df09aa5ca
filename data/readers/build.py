"""Column-level steps every reader shares: group dimensions, other breakdowns, areas, finishing.

Labels are mapped through the ``Vocabulary`` once per distinct label. A label nothing maps is
kept as ``raw:<label>``, counted in ``unmapped`` and reported once (warning ``unknown_label``)
with its count and first row: never guessed, never dropped. When several source columns carry
the same dimension (Open SDG's "Ethnicity" and "Ethnic group"), the first non-blank one wins per
row and the other cell goes to ``other_dims``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd

from data import reference
from data.readers.common import Context, per_unique
from data.schema import (
    DIMENSIONS,
    TOTAL,
    UNMAPPED_PREFIX,
    Problem,
    ReadResult,
    conform,
    duplicate_problems,
    empty_frame,
)

Column = tuple[str, pd.Series]  # (header as in the file, cells)


def map_dimension(
    ctx: Context, dim: str, header: str, texts: pd.Series, rows: np.ndarray
) -> np.ndarray:
    """Canonical codes of one dimension column; unmapped labels kept as ``raw:<label>``."""
    codes, uniques = pd.factorize(texts, sort=False)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[-1] = TOTAL
    missing: list[int] = []
    for k, label in enumerate(uniques):
        code = ctx.vocab.map_label(dim, str(label))
        if code is None:
            missing.append(k)
            code = UNMAPPED_PREFIX + str(label).strip()
        mapped[k] = code
    if missing:
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for k in missing:
            label = str(uniques[k]).strip()
            first = int(rows[int(np.argmax(codes == k))])
            ctx.unmapped[(dim, label)] = ctx.unmapped.get((dim, label), 0) + int(counts[k])
            ctx.add(
                first,
                header,
                label,
                f"a label the vocabulary maps for dimension {dim} (add it to a label map); "
                f"{int(counts[k])} row(s) kept as {UNMAPPED_PREFIX}{label}",
                "unknown_label",
                "warning",
            )
    return mapped[codes]


def assign_dimensions(
    ctx: Context,
    columns: Sequence[Column],
    rows: np.ndarray,
    dimension_of: Callable[[str], str | None] | None = None,
) -> tuple[dict[str, np.ndarray], list[Column]]:
    """Split breakdown columns into canonical dimensions and leftovers for ``other_dims``.

    Args:
        ctx: reader context (vocabulary, problem list).
        columns: (header, cells) of every breakdown column, in file order.
        rows: source row numbers.
        dimension_of: header -> dimension; default ``ctx.vocab.dimension_for_column``.

    Returns:
        ({dimension: codes}, leftover columns); a leftover column of a dimension already
        taken holds only the cells that lost to an earlier non-blank column.
    """
    by_dim: dict[str, list[Column]] = {}
    leftovers: list[Column] = []
    for header, texts in columns:
        dim = (dimension_of or ctx.vocab.dimension_for_column)(header)
        (by_dim.setdefault(dim, []) if dim else leftovers).append((header, texts))
    out: dict[str, np.ndarray] = {}
    for dim, cols in by_dim.items():
        if len(cols) == 1:
            out[dim] = map_dimension(ctx, dim, cols[0][0], cols[0][1], rows)
            continue
        chosen = cols[0][1].to_numpy(dtype=object)
        taken = np.zeros((len(cols), len(chosen)), dtype=bool)
        taken[0] = chosen != ""
        for j, (_, texts) in enumerate(cols[1:], start=1):
            cells = texts.to_numpy(dtype=object)
            use = (chosen == "") & (cells != "")
            chosen = np.where(use, cells, chosen)
            taken[j] = use
        label_of = np.zeros(len(chosen), dtype=np.int64)
        for j in range(1, len(cols)):
            label_of[taken[j]] = j
        out[dim] = _map_split(ctx, dim, cols, chosen, label_of, rows)
        for j, (header, texts) in enumerate(cols[1:], start=1):
            rest = texts.where(~taken[j], "")
            leftovers.append((header, rest))
    return out, _without_label_columns(ctx, leftovers, by_dim)


def _without_label_columns(
    ctx: Context, leftovers: list[Column], by_dim: dict[str, list[Column]]
) -> list[Column]:
    """Leftover columns less those that only repeat a coded dimension in words.

    ``SEX_DESC`` next to ``SEX`` or ``Sex label`` next to ``Sex`` (one label per code and one
    code per label) is the code's name, not a further breakdown: kept as one, it would give
    female and male rows different breakdowns, so they would never pair. Each dropped column
    is reported as a warning.
    """
    coded = [(h, t) for cols in by_dim.values() for h, t in cols]
    kept = []
    for header, texts in leftovers:
        twin = next((h for h, t in coded if _one_to_one(texts, t)), None)
        if twin is None:
            kept.append((header, texts))
            continue
        ctx.add(
            None,
            header,
            None,
            f"a breakdown of its own; it repeats column {twin!r} in words (one label per code), "
            f"so it is read as that column's label and not kept as a breakdown",
            "label_column",
            "warning",
        )
    return kept


def _one_to_one(labels: pd.Series, codes: pd.Series) -> bool:
    """Whether two columns determine each other and vary (at least two distinct values)."""
    both = pd.DataFrame({"l": labels.astype(str).str.strip(), "c": codes.astype(str).str.strip()})
    pairs = both.drop_duplicates()
    distinct = pairs["l"].nunique()
    return distinct >= 2 and distinct == len(pairs) == pairs["c"].nunique()


def _map_split(
    ctx: Context,
    dim: str,
    cols: Sequence[Column],
    chosen: np.ndarray,
    label_of: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Map the winning cells, reporting each under the header it came from."""
    result = np.empty(len(chosen), dtype=object)
    for j, (header, _) in enumerate(cols):
        sel = label_of == j
        if sel.any():
            part = pd.Series(chosen[sel], dtype=object).astype(str)
            result[sel] = map_dimension(ctx, dim, header, part, rows[sel])
    return result


def other_dims(columns: Sequence[Column], n: int, pairs: pd.Series | None = None) -> np.ndarray:
    """``name=value;...`` sorted by name, blanks omitted, per row.

    Args:
        columns: (name, cells) of breakdowns without a canonical dimension.
        n: number of rows.
        pairs: optional cells already holding ``name=value;...`` (the UN ``OtherDimensions``).
    """
    parts = [(name, texts) for name, texts in columns]
    if pairs is not None:
        parts.append(("", pairs))
    if not parts:
        return np.full(n, "", dtype=object)
    key = parts[0][1].astype(str)
    for _, texts in parts[1:]:
        key = key + "\x1f" + texts.astype(str)
    names = [name for name, _ in parts]
    (out,) = per_unique(key, lambda k: (_format_pairs(names, k.split("\x1f")),), 1)
    return out


def _format_pairs(names: Sequence[str], values: Sequence[str]) -> str:
    found: dict[str, str] = {}
    for name, value in zip(names, values, strict=True):
        if name:
            if value.strip():
                found.setdefault(name.strip(), value.strip())
            continue
        for item in value.split(";"):
            k, sep, v = item.partition("=")
            if sep and k.strip() and v.strip():
                found.setdefault(k.strip(), v.strip())
    return ";".join(f"{k}={found[k]}" for k in sorted(found, key=lambda s: (s.casefold(), s)))


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    frame = reference.areas()
    return dict(zip(frame["m49"].astype(str), frame["name_en"].astype(str), strict=True))


def _area_cell(text: str) -> tuple[str, str, str, bool]:
    """(m49, iso3, name, known) for an area cell: M49 digits, or ISO3 letters."""
    raw = text.strip()
    code = reference.m49_for_iso3(raw) if raw.isalpha() else reference.normalize_m49(raw)
    if code is None:
        return (raw.zfill(3) if raw.isdigit() else raw), "", "", False
    return code, reference.iso3_for_m49(code) or "", _area_names().get(code, ""), True


def areas_from_codes(
    ctx: Context, header: str, texts: pd.Series, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area cells (M49, or ISO3) -> (m49, iso3, reference name); unknown -> ``unknown_country``."""
    m49, iso3, names, ok = per_unique(texts, _area_cell, 4)
    ctx.add_rows(
        ~ok.astype(bool),
        rows,
        header,
        texts,
        "a UN M49 area code the reference knows (e.g. 404 for Kenya) or an ISO 3166 "
        "alpha-3 code (KEN)",
        "unknown_country",
    )
    return m49, iso3, names


def area_from_argument(ctx: Context, country: str) -> tuple[str, str, str] | None:
    """(m49, iso3, name) for a ``country`` argument given as ISO3 or M49; None if unknown."""
    text = str(country).strip()
    code = reference.m49_for_iso3(text) if text.isalpha() else reference.normalize_m49(text)
    if code is None:
        ctx.add(
            None,
            None,
            text,
            "a country as ISO 3166 alpha-3 (e.g. KEN) or UN M49 code",
            "unknown_country",
        )
        return None
    return code, reference.iso3_for_m49(code) or "", _area_names().get(code, "")


def finish(
    ctx: Context,
    columns: dict[str, object],
    rows: np.ndarray,
    fmt: str,
) -> ReadResult:
    """Conform the columns, add dataset/source_row/source_type, report duplicates."""
    n = len(rows)
    # conformed without a first frame, and each column let go once converted (``columns``,
    # the reader's own dict, is emptied: a big file's arrays are not all kept to the end)
    given = {k: _column(v, n) for k, v in columns.items()}
    columns.clear()
    given["source_row"] = np.asarray(rows)
    given["dataset"] = np.zeros(n, dtype=np.int64)
    given["source_type"] = np.full(n, ctx.source_type, dtype=object)
    for dim in DIMENSIONS:
        if dim not in given:
            given[dim] = np.full(n, TOTAL, dtype=object)
    frame = conform(given, consume=True)
    _bounds_in_order(ctx, frame)
    dups = duplicate_problems(frame, ctx.file)
    if ctx.keep_conflicts:
        dups = [_soften(p) for p in dups]
    ctx.problems.extend(dups)
    return ReadResult(
        frame=frame, problems=ctx.problems, unmapped=ctx.unmapped, format=fmt, metadata=ctx.metadata
    )


def _column(values: object, n: int) -> object:
    """A reader's column as conform takes it: arrays and Series as they are, a scalar repeated."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if isinstance(values, np.ndarray | list | tuple):
        return values
    return np.full(n, values, dtype=object)


def _bounds_in_order(ctx: Context, frame: pd.DataFrame) -> None:
    """A lower bound above its upper bound is an error."""
    low, high = frame["lower"].to_numpy(), frame["upper"].to_numpy()
    with np.errstate(invalid="ignore"):
        swapped = low > high
    if not swapped.any():
        return
    texts = np.full(len(frame), "", dtype=object)
    texts[swapped] = [
        f"lower {float(a)!r} > upper {float(b)!r}" for a, b in zip(low[swapped], high[swapped])
    ]
    ctx.add_rows(
        swapped,
        frame["source_row"].to_numpy(),
        "lower/upper",
        texts,
        "a lower bound at most the upper bound",
        "bad_bounds",
    )


def _soften(problem: Problem) -> Problem:
    """A conflicting duplicate as a warning (formats whose labels can lose a breakdown)."""
    if problem.severity != "error":
        return problem
    return replace(
        problem,
        severity="warning",
        expected=problem.expected + " (both kept: the "
        "file probably lost a breakdown label; check the source)",
    )


def finish_empty(ctx: Context, fmt: str) -> ReadResult:
    """A result with no rows (the problems say why)."""
    return ReadResult(
        frame=empty_frame(),
        problems=ctx.problems,
        unmapped=ctx.unmapped,
        format=fmt,
        metadata=ctx.metadata,
    )
