"""What the country page shows, from the gap engine's results (pure pandas, no Dash).

Split from ``data.views`` (the overview and the matrix) so each stays small: the scorecard, the
series x groups status matrix, the missing splits, the time series lines, the provenance rows
and official next to community values, each a small frame a ``layouts.tables`` builder renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from data import display
from data.gaps import REASONS, STATUSES
from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL

_PLAIN = {TOTAL, NOT_APPLICABLE}
# Units whose group and reference values add up to 100 when the series is a split of a whole
# (share of persons with disabilities among X: 99.8 vs 0.2), and units of counts (how many
# persons with and without disabilities: a population size, not a disparity).
PERCENT_UNITS = frozenset({"PERCENT", "PT"})
COUNT_UNITS = frozenset({"NUMBER", "NUM_TH", "NUM_M"})
_SHARE_TOLERANCE = 1.0


def meaningful_pairs(disp: pd.DataFrame) -> pd.DataFrame:
    """The disparity rows whose group-vs-reference comparison means something.

    Drops counts (``COUNT_UNITS``) and shares of a whole: series (per country, source type and
    unit) in a percent unit whose every group value and reference value sum to about 100, i.e.
    the split of one population into the group and the rest (99.8 vs 0.2).

    Args:
        disp: ``gaps.disparity`` rows (iso3, series, source_type, unit, value, ref_value).

    Returns:
        The kept rows (same columns).
    """
    if disp.empty:
        return disp
    unit = disp["unit"].astype(object).astype(str)
    near_100 = (disp["value"] + disp["ref_value"] - 100).abs() <= _SHARE_TOLERANCE
    share_like = near_100 & unit.isin(PERCENT_UNITS)
    keys = [disp[c].astype(object) for c in ("iso3", "series", "source_type")] + [unit]
    whole = share_like.groupby(keys).transform("all").astype(bool)
    return disp[~(whole | unit.isin(COUNT_UNITS))]


def scorecard(
    cov: pd.DataFrame,
    disp: pd.DataFrame,
    iso3: str,
    groups: list[str],
    obs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per group for one country: coverage and the largest disparity.

    Args:
        cov: coverage of several groups concatenated (iso3, group, expected, disaggregated,
            share).
        disp: disparities of several groups concatenated, with a ``group`` column.
        iso3: the country.
        groups: group ids in display order.
        obs: the country's observations (dataset, source_row, footnote), to tell pairs
            measured differently (``footnotes_differ``); without them, no caveat.

    Returns:
        Columns ``group, expected, disaggregated, share, series, value, ref_value, ratio,
        direction, period, source_type, unit, caveat`` (the last nine describe the largest
        relative gap among the latest headline pair of each series and source type, among
        ``meaningful_pairs`` only; "" / NaN when there is none; ``caveat`` True when its
        group and reference values carry different footnotes).
    """
    index = pd.DataFrame({"group": groups}).set_index("group").index
    c = cov[cov["iso3"] == iso3].drop_duplicates("group")
    at = pd.Index(c["group"]).get_indexer(index)  # each group's coverage row (-1: none)
    columns: dict[str, Any] = {
        "expected": _take(c["expected"], at, 0).astype(int),
        "disaggregated": _take(c["disaggregated"], at, 0).astype(int),
        "share": _take(c["share"], at, np.nan).astype(c["share"].dtype),
    }
    # only the columns read below: every step copies the frame (disparities carry ~40)
    d = disp.loc[(disp["iso3"] == iso3) & disp["ratio"].notna(), _card_columns(disp)]
    d = meaningful_pairs(d)
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["group", "series", "source_type"])
    d = d.assign(_gap=(d["ratio"] - 1).abs()).sort_values("_gap", ascending=False)
    d = d.drop_duplicates("group").set_index("group")
    at = d.index.get_indexer(index)  # each group's largest gap (-1: none)
    text = ["series", "direction", "period", "source_type", "unit"]
    for col in ("series", "value", "ref_value", "ratio", "direction", "period", *text[3:]):
        found = _take(d[col], at, np.nan) if col in d else np.full(len(index), np.nan, object)
        columns[col] = [_text(v) for v in found] if col in text else found
    caveat = footnotes_differ(d, obs) if obs is not None else pd.Series(False, index=d.index)
    columns["caveat"] = _take(caveat, at, False).astype(bool)
    out = pd.DataFrame(columns, index=index).astype(dict.fromkeys(text, str))
    return out.reset_index()


def _take(values: pd.Series, at: np.ndarray, missing: Any) -> np.ndarray:
    """``values`` (as Python objects) at positions ``at``; ``missing`` where ``at`` is -1."""
    out = np.full(len(at), missing, dtype=object)
    hit = at >= 0
    out[hit] = values.to_numpy(dtype=object)[at[hit]]
    return out


def _text(value: Any) -> str:
    """A value as ``fillna("").astype(str)`` writes it."""
    return "" if value is None or value is pd.NA or value != value else str(value)


# the disparity columns ``scorecard`` reads (and ``meaningful_pairs``, ``footnotes_differ``)
_CARD = (
    *("group", "iso3", "series", "source_type", "unit", "value", "ref_value", "ratio"),
    *("direction", "period", "headline", "year", "period_sort"),
    *("dataset", "source_row", "ref_source_row"),
)


def _card_columns(disp: pd.DataFrame) -> list[str]:
    return [c for c in _CARD if c in disp]


def _note(value: Any) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value).strip()


def footnotes_differ(pairs: pd.DataFrame, obs: pd.DataFrame) -> pd.Series:
    """Whether each pair's group value and reference were measured differently.

    The pairs carry no footnotes: they are read from the observations of the same dataset by
    ``source_row`` and ``ref_source_row``. Footnotes that differ at all (e.g. the group row
    says "Washington Group Short Set" and the reference row says nothing) mean the source
    describes the two values differently: their gap is not a clean disparity.

    Args:
        pairs: ``gaps.pairs``/``gaps.disparity`` rows (dataset, source_row, ref_source_row).
        obs: observations (dataset, source_row, footnote) covering those rows.

    Returns:
        Booleans on ``pairs``' index (False where a row is not found).
    """
    if pairs.empty or obs.empty or "footnote" not in obs:
        return pd.Series(False, index=pairs.index, dtype=bool)
    from data.tables import rows_for  # the rows the pairs can find: a few, not every one

    obs = rows_for(obs, pairs)
    notes = {
        (int(d), int(r)): _note(f)
        for d, r, f in zip(obs["dataset"], obs["source_row"], obs["footnote"], strict=True)
    }
    out = []
    for d, g, r in zip(pairs["dataset"], pairs["source_row"], pairs["ref_source_row"], strict=True):
        mine, ref = notes.get((int(d), int(g))), notes.get((int(d), int(r)))
        out.append(mine is not None and ref is not None and mine != ref)
    return pd.Series(out, index=pairs.index, dtype=bool)


def measured_differently(frame: pd.DataFrame, pairs: pd.DataFrame, obs: pd.DataFrame) -> bool:
    """Whether a group value drawn in ``frame`` is paired with a reference noted differently.

    Args:
        frame: ``timeseries_frame`` output (line, dataset, source_row).
        pairs: the pairs it was drawn from (dataset, source_row, ref_source_row).
        obs: the observations (dataset, source_row, footnote).
    """
    if frame.empty or pairs.empty:
        return False
    flagged = pairs[footnotes_differ(pairs, obs)]
    keys = {
        (int(d), int(r)) for d, r in zip(flagged["dataset"], flagged["source_row"], strict=True)
    }
    shown = frame[frame["line"] == "group"]
    return any(
        (int(d), int(r)) in keys for d, r in zip(shown["dataset"], shown["source_row"], strict=True)
    )


def progress_rows(progress: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """One country's coverage by year (``queries.progress`` rows), oldest first.

    Args:
        progress: ``gaps.progress`` output (iso3, group, year, expected, with_value, share).
        iso3: the country.

    Returns:
        Columns ``year, expected, with_value, share`` (ints, share 0..1 or NaN).
    """
    part = progress[progress["iso3"].astype(object) == iso3].sort_values("year")
    out = part[["year", "expected", "with_value", "share"]].reset_index(drop=True)
    return out.astype({"year": int, "expected": int, "with_value": int, "share": float})


def scope_countries(catalogue: pd.DataFrame, series: str) -> tuple[str, ...]:
    """The countries a national series is published for (empty: every country).

    Args:
        catalogue: the series catalogue (series, countries: a tuple of ISO3 or empty).
        series: the series code.
    """
    row = catalogue.loc[catalogue["series"] == series, "countries"]
    return tuple(row.iloc[0]) if len(row) and row.iloc[0] else ()


def cell_key(status: str, reason: str = "", age: Any = None) -> str:
    """One status-matrix cell as text: ``status`` or ``status|reason|age`` (age "" if none)."""
    if not reason:
        return status
    known = age is not None and age is not pd.NA and age == age
    return f"{status}|{reason}|{int(age) if known else ''}"


def split_cell(cell: str) -> tuple[str, str, int | None]:
    """``cell_key`` read back: (status, reason, age)."""
    status, _, rest = str(cell).partition("|")
    reason, _, age = rest.partition("|")
    return status, reason, int(age) if age else None


def status_cells(statuses: pd.DataFrame, iso3: str, groups: list[str]) -> pd.DataFrame:
    """Like ``status_matrix``, each cell with its reason (``cell_key``; "" = not expected).

    Args:
        statuses: statuses of several groups concatenated (iso3, series, group, status and,
            when known, reason and age).
        iso3: the country.
        groups: columns in order.

    Returns:
        Index ``series`` (sorted), one column per group.
    """
    part = statuses[statuses["iso3"] == iso3]
    reason = part["reason"] if "reason" in part else pd.Series("", index=part.index)
    age = part["age"] if "age" in part else pd.Series(None, index=part.index)
    cells = [
        cell_key(str(s), "" if r is None or r != r else str(r), a)
        for s, r, a in zip(part["status"].astype(object), reason.astype(object), age, strict=True)
    ]
    part = pd.DataFrame(
        {
            "series": part["series"].astype(object),
            "group": part["group"].astype(object),
            "status": cells,
        }
    )
    return status_matrix(part.assign(iso3=iso3), iso3, groups)


def status_matrix(statuses: pd.DataFrame, iso3: str, groups: list[str]) -> pd.DataFrame:
    """Series x groups status for one country ("" where the group is not expected).

    Args:
        statuses: statuses of several groups concatenated (iso3, series, group, status).
        iso3: the country.
        groups: columns in order.

    Returns:
        Index ``series`` (sorted), one column per group.
    """
    part = statuses.loc[statuses["iso3"] == iso3, ["series", "group", "status"]].astype(object)
    wide = part.pivot_table(index="series", columns="group", values="status", aggfunc="first")
    return wide.reindex(columns=groups).astype(object).fillna("").sort_index()


def missing_splits(
    statuses: pd.DataFrame,
    iso3: str,
    groups: list[str],
    goals: Mapping[str, tuple[str, ...]] | None = None,
    published: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """What to ask the statistics office for: every expected split that is not recent.

    Args:
        statuses: statuses of several groups concatenated (iso3, series, group, status,
            latest_year and, when known, reason and age).
        iso3: the country.
        groups: group ids in display order.
        goals: series -> SDG goals; the first is the series' ``goal`` ("" when unknown).
        published: series -> how many values the country publishes (``published_counts``).

    Returns:
        Columns ``series, group, status, latest_year, goal, reason, age, published`` for
        statuses other than ``disaggregated``, ordered by goal (numerically, unknown last),
        group order, status (no data last) then series. ``reason`` "" and ``age`` NA when
        unknown; ``published`` 0 when unknown.
    """
    part = statuses[(statuses["iso3"] == iso3) & (statuses["status"] != "disaggregated")]
    part = part[part["group"].isin(groups)]
    goal = part["series"].astype(object).map(lambda s: ((goals or {}).get(s) or ("",))[0])
    part = part.assign(
        goal=goal.astype(str),
        _n=pd.to_numeric(goal, errors="coerce").fillna(10_000),
        _g=part["group"].map({g: i for i, g in enumerate(groups)}),
        _s=part["status"].map({s: i for i, s in enumerate(STATUSES)}),
    )
    part = part.sort_values(["_n", "goal", "_g", "_s", "series"], kind="stable")
    part = part.assign(
        reason=part["reason"].astype(object).fillna("").astype(str) if "reason" in part else "",
        age=part["age"] if "age" in part else pd.NA,
        published=[int((published or {}).get(s, 0)) for s in part["series"].astype(object)],
    )
    cols = ["series", "group", "status", "latest_year", "goal", "reason", "age", "published"]
    return part[cols].reset_index(drop=True)


def published_counts(obs: pd.DataFrame) -> dict[str, int]:
    """Series -> how many values (rows with a value) one country's observations hold."""
    if obs.empty:
        return {}
    counts = obs.loc[obs["value"].notna(), "series"].astype(object).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def group_summary(cov: pd.DataFrame, statuses: pd.DataFrame, iso3: str, group: str) -> dict:
    """How one country covers one group, as counts for a sentence.

    Args:
        cov: coverage rows (iso3, group, expected, disaggregated, share).
        statuses: statuses (iso3, group, series, status) of at least this country and group.
        iso3: the country.
        group: the group id.

    Returns:
        ``expected``, ``disaggregated``, one count per status of ``gaps.STATUSES`` and
        ``reasons``: reason -> count, in the order of ``gaps.REASONS`` (reasons that occur).
    """
    st = statuses[(statuses["iso3"] == iso3) & (statuses["group"] == group)]
    counts = st["status"].astype(object).value_counts()
    out: dict[str, Any] = {s: int(counts.get(s, 0)) for s in STATUSES}
    why = st["reason"].astype(object).value_counts() if "reason" in st else pd.Series()
    out["reasons"] = {r: int(why[r]) for r in REASONS if r in why.index}
    row = cov[(cov["iso3"] == iso3) & (cov["group"] == group)]
    out["expected"] = int(row["expected"].iloc[0]) if len(row) else int(len(st))
    out["disaggregated"] = int(row["disaggregated"].iloc[0]) if len(row) else out[STATUSES[0]]
    return out


def rank_series(expected: list[str], with_group: set[str], with_any: set[str]) -> list[str]:
    """Series in the order a country page offers them.

    Those with a group value first, then those the country has any value of, then the rest;
    the code order within each tier.
    """
    return sorted(
        dict.fromkeys(expected), key=lambda s: (s not in with_group, s not in with_any, s)
    )


def series_facts(obs: pd.DataFrame, frame: pd.DataFrame, status: str) -> dict[str, Any]:
    """What a country's view of one series shows, for the sentence that says why it is empty.

    Args:
        obs: observations of one country and series (value, source_type).
        frame: ``timeseries_frame`` output for the same country, series and group.
        status: the status of the (country, series, group) ("" when not expected).

    Returns:
        ``values`` (observations with a value), ``by_source`` (source type -> count),
        ``group_points`` (points of the group line), ``shown`` (points drawn), ``status``.
    """
    has = obs[obs["value"].notna()] if len(obs) else obs
    by_source = has["source_type"].astype(object).value_counts() if len(has) else pd.Series()
    return {
        "values": int(len(has)),
        "by_source": {str(k): int(v) for k, v in by_source.items()},
        "group_points": int((frame["line"] == "group").sum()) if len(frame) else 0,
        "shown": int(len(frame)),
        "status": status,
    }


def _plain_rows(obs: pd.DataFrame) -> pd.Series:
    """Rows with no breakdown at all (every dimension a total, no other breakdown)."""
    plain = pd.Series(True, index=obs.index)
    for dim in DIMENSIONS:
        plain &= obs[dim].astype(object).isin(_PLAIN)
    return plain & (obs["other_dims"].astype(object) == "")


TS_COLUMNS = [
    "line",
    "label",
    "slice",
    "year",
    "period",
    "period_sort",
    "value",
    "lower",
    "upper",
    "source_type",
    "dataset",
    "source_row",
    "unit",
]
_SLICE_COLS = [*DIMENSIONS, "other_dims"]


def _slice_key(frame: pd.DataFrame, skip: str) -> pd.Series:
    cols = [c for c in _SLICE_COLS if c != skip and c in frame]
    if not cols:
        return frame[cols].astype(object).astype(str).agg("|".join, axis=1)
    parts = [frame[c].astype(object).astype(str).tolist() for c in cols]
    return pd.Series(["|".join(k) for k in zip(*parts)], index=frame.index, dtype=object)


def _best_slice(frame: pd.DataFrame, skip: str, preferred: pd.Series | None = None) -> pd.DataFrame:
    """Per dataset: the preferred rows if it has any, else the rows of its most observed slice."""
    if frame.empty:
        return frame
    key = _slice_key(frame, skip).to_numpy()
    pref = np.zeros(len(frame), bool) if preferred is None else preferred.to_numpy(dtype=bool)
    dataset = frame["dataset"].astype(object).to_numpy()
    keep = np.zeros(len(frame), bool)
    for ds in pd.unique(dataset):
        mine = dataset == ds
        if (mine & pref).any():
            keep |= mine & pref
            continue
        commonest = pd.Series(key[mine]).value_counts().index[0]
        keep |= mine & (key == commonest)
    return frame[keep]


def _slice_labels(
    frame: pd.DataFrame, skip: str, constant: set[str], words: display.Words | None = None
) -> list[str]:
    """The breakdown of each row in words, without ``skip`` and the ``constant`` parts."""
    blank = {c: TOTAL for c in constant if c in DIMENSIONS}

    def other(value: Any) -> str:
        return ";".join(i for i in str(value or "").split(";") if i and i not in constant)

    return [
        display.breakdown_label(
            {**r, **blank, "other_dims": other(r["other_dims"])}, skip=skip, words=words
        )
        for r in frame[[c for c in _SLICE_COLS if c in frame]].to_dict("records")  # those read
    ]


def _constant(obs: pd.DataFrame) -> set[str]:
    """Dimensions and ``other_dims`` items with one value throughout (the base, not a split)."""
    found = {d for d in DIMENSIONS if d in obs and len(pd.unique(obs[d].astype(object))) <= 1}
    items = [set(filter(None, str(o).split(";"))) for o in pd.unique(obs["other_dims"])]
    return found | (set.intersection(*items) if items else set())


def timeseries_frame(
    obs: pd.DataFrame,
    pairs: pd.DataFrame,
    dimension: str | None = None,
    words: display.Words | None = None,
) -> pd.DataFrame:
    """Group, reference and total lines of one series in one country, never mixing sources.

    Args:
        obs: observations of one country and series (canonical columns).
        pairs: ``gaps.disparity`` rows of the same country, series and group.
        dimension: the group's dimension (total rows are those where it is a total); taken
            from ``pairs`` when there are pairs; without either, rows with no breakdown.
        words: a language's names of codes for ``label`` and ``slice`` (``display.code_label``;
            the page supplies ``layouts.i18n.code_words(lang)``); English without it.

    Returns:
        Columns ``TS_COLUMNS``: ``line`` (group, reference, total), ``label`` (the group or
        reference code in words, "" for the total), ``slice`` (the other breakdown in words,
        "" when none), ``year, period, period_sort, value, lower, upper, source_type, dataset,
        source_row, unit``, sorted by line then time. Per dataset, the headline slice (or,
        without one, its most observed slice); one unit (the most common).
        A line is drawn per line, label, slice, source type and dataset.
    """
    frames = []
    unit = None
    dim = dimension
    constant = _constant(obs) if len(obs) else set()
    if not pairs.empty:
        dim = str(pairs["group_dim"].iloc[0]) if "group_dim" in pairs else dimension
        p = _best_slice(pairs, dim or "", pairs["headline"].astype(bool))
        unit = p["unit"].astype(object).mode().iloc[0]
        p = p[p["unit"].astype(object) == unit]
        sl = _slice_labels(p, dim or "", constant, words)
        base = ["year", "period", "period_sort", "source_type", "dataset", "unit"]
        g = p[[*base, "value", "lower", "upper", "source_row"]].assign(
            line="group",
            label=[display.code_label(dim or "", c, words) for c in p[dim].astype(object)],
            slice=sl,
        )
        r = p[[*base, "ref_value", "ref_lower", "ref_upper", "ref_source_row"]]
        r = r.rename(columns=lambda c: c[4:] if c.startswith("ref_") else c)
        r = r.assign(
            line="reference",
            label=[display.code_label(dim or "", c, words) for c in p["ref_code"].astype(object)],
            slice=sl,
        )
        frames += [g, r]
    if len(obs):
        has = obs[obs["value"].notna()]
        if dim and dim in has:
            total = has[has[dim].astype(object).isin(_PLAIN)]
            if frames:  # the totals of the slices compared, except those used as reference
                total = total[_slice_key(total, dim).isin(set(_slice_key(p, dim)))]
                used = set(zip(p["dataset"], p["ref_source_row"], strict=True))
                mine = zip(total["dataset"], total["source_row"], strict=True)
                total = total[[k not in used for k in mine]]
            elif len(total):
                total = _best_slice(total, dim, _plain_rows(total))
        else:
            total = has[_plain_rows(has)]
        if len(total):
            unit = unit if unit is not None else total["unit"].astype(object).mode().iloc[0]
            total = total[total["unit"].astype(object) == unit]
            frames.append(
                total.assign(
                    line="total",
                    label="",
                    slice=_slice_labels(total, dim or "", constant, words),
                )
            )
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=TS_COLUMNS)
    out = pd.concat(
        [
            f[TS_COLUMNS].astype({"period": object, "source_type": object, "unit": object})
            for f in frames
        ],
        ignore_index=True,
    )
    out = out.drop_duplicates(["line", "label", "slice", "period", "source_type", "dataset"])
    order = {"group": 0, "reference": 1, "total": 2}
    return out.sort_values(
        ["line", "period_sort"],
        key=lambda s: s.map(order) if s.name == "line" else s,
        kind="stable",
    ).reset_index(drop=True)


def breakdown(row: Mapping[str, Any]) -> str:
    """Human-readable breakdown of an observation ("sex=F, disability=PD" or "total")."""
    parts = [f"{d}={row[d]}" for d in DIMENSIONS if str(row[d]) not in _PLAIN]
    if row.get("other_dims"):
        parts.append(str(row["other_dims"]).replace(";", ", "))
    return ", ".join(parts) or "total"


def provenance_rows(
    obs: pd.DataFrame,
    dataset_names: Mapping[int, str],
    limit: int = 400,
    words: display.Words | None = None,
) -> pd.DataFrame:
    """Where every value of one country and series comes from.

    Args:
        obs: observations (canonical columns) of one country and series.
        dataset_names: dataset id -> name.
        limit: at most this many rows (newest first).
        words: a language's names of codes for ``breakdown`` (English without it).

    Returns:
        Columns ``period, breakdown, value, value_flag, unit, source_type, dataset, source,
        source_row, nature, footnote``; breakdown and unit in words (``data.display``;
        breakdown "" for a total).
    """
    o = obs.sort_values(["period_sort", "source_row"], ascending=[False, True]).head(limit)
    out = pd.DataFrame(
        {
            "period": o["period"].astype(object),
            "breakdown": [
                display.breakdown_label(r, words=words)
                for r in o[[c for c in _SLICE_COLS if c in o]].to_dict("records")
            ],
            "value": o["value"],
            "value_flag": o["value_flag"].astype(object),
            "unit": o["unit"].astype(object).map(lambda u: display.unit_name(u, words)),
            "source_type": o["source_type"].astype(object),
            "dataset": o["dataset"]
            .map(dict(dataset_names))
            .astype(object)
            .fillna(o["dataset"].astype(str)),
            "source": o["source"].astype(object),
            "source_row": o["source_row"],
            "nature": o["nature"].astype(object),
            "footnote": o["footnote"].astype(object),
        }
    )
    return out.reset_index(drop=True)


def official_vs_community(disp: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Latest official and community group values per series where both exist.

    Args:
        disp: disparities of one group (iso3, series, source_type, headline, year, period,
            value, ref_value).
        iso3: the country.

    Returns:
        Columns ``series, official_value, official_ref, official_period, community_value,
        community_ref, community_period``.
    """
    keep = ["series", "source_type", "headline", "year", "period_sort", "value", "ref_value"]
    d = disp.loc[disp["iso3"] == iso3, [*keep, "period"]]  # the columns read: a cheaper sort
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["series", "source_type"])
    cols = ["series"]
    parts = []
    for kind in ("official", "community"):
        k = d[d["source_type"] == kind].set_index("series")[["value", "ref_value", "period"]]
        parts.append(k.add_prefix(f"{kind}_").rename(columns={f"{kind}_ref_value": f"{kind}_ref"}))
        cols += [f"{kind}_value", f"{kind}_ref", f"{kind}_period"]
    both = parts[0].join(parts[1], how="inner").reset_index()
    return both[cols].sort_values("series", ignore_index=True)


def as_group_line(frame: pd.DataFrame, group_name: str) -> pd.DataFrame:
    """A series about the group: its "total" line is the group line, named after the group.

    Such a series carries none of the group's codes (SI_COV_DISAB): every value is the group's.

    Args:
        frame: ``timeseries_frame`` output (line, label, ...).
        group_name: the group's display name ("Persons with disabilities").

    Returns:
        The same rows; ``total`` lines become ``group`` lines labelled with the group's name.
    """
    out = frame.copy()
    total = out["line"] == "total"
    out.loc[total, "line"] = "group"
    out.loc[total, "label"] = group_name
    return out
