"""What a submission would add: the gaps it fills and its values against the published store.

"Fills 12 of 40 missing disability splits for Kenya": the gap engine (``gaps.status``) run on
the country's published rows, then on the same rows plus the submission's, with the store-wide
context (as-of year, expected series, scope, declared splits) unchanged. A country's statuses
depend only on its own rows and that context, so only the submitted countries are computed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import catalogue as cat_mod
from data import display, gaps, queries, reference
from data.schema import DIMENSIONS, KEY_COLUMNS
from data.vocab import CANONICAL, groups

MISSING = ("total_only", "no_data")


def code_options(dimension: str, words: display.Words | None = None) -> list[tuple[str, str]]:
    """Canonical codes a label of ``dimension`` can be mapped to, with their names.

    ``words`` (``layouts.i18n.code_words``) names them in the reader's language; English
    without it.
    """
    codes = set(CANONICAL.get(dimension, ())) - {"_Z", "_U", "_X", "_O", "_N"}
    for g in groups().values():
        if g.dimension == dimension:
            codes |= {c for c in (*g.codes, *g.reference) if c != "*"}
    return sorted((c, display.code_label(dimension, c, words)) for c in codes)


def fills(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Per group and country: missing splits before, and how many the submission fills.

    Args:
        frame: canonical rows of the submission (``schema.OBS_COLUMNS``).

    Returns:
        Dicts ``group, group_label, iso3, country, expected, missing, filled`` for every group
        whose codes the rows carry, per submitted country.
    """
    countries = sorted(set(frame["iso3"].astype(object)) - {""})
    if not countries or frame.empty:
        return []
    snap = queries.snapshot()
    published = queries.observations("all")
    published = published[published["iso3"].isin(countries)]
    together = pd.concat(
        [published.astype(dict.fromkeys(published.columns, object)), frame.astype(object)],
        ignore_index=True,
    )
    for col in ("value", "lower", "upper", "n", "period_sort"):
        together[col] = pd.to_numeric(together[col])
    together["year"] = pd.to_numeric(together["year"]).astype("int64")
    cat = snap.catalogue
    scope = {s: c for s, c in zip(cat["series"], cat["countries"], strict=True) if c}
    settings = queries.settings()
    out = []
    for gid, g in groups().items():
        if not frame[g.dimension].astype(object).map(g.is_group_code).any():
            continue
        before = queries.statuses(gid)
        before = before[before["iso3"].isin(countries)]
        after = gaps.status(
            together,
            g,
            queries.expected_series(gid),
            countries,
            settings.recent_years,
            scope,
            as_of=snap.as_of,
            specific=queries._specific(snap.version, gid),  # the store-wide context, unchanged
            about=cat_mod.about_group(cat, g),
            declared=queries.declared_splits(gid),
            small_n=settings.small_n,
        )
        merged = before.merge(after, on=["iso3", "series"], suffixes=("", "_after"))
        for iso3 in countries:
            mine = merged[merged["iso3"] == iso3]
            was = mine["status"].astype(object).isin(MISSING)
            now_ = ~mine["status_after"].astype(object).isin(MISSING)
            out.append(
                {
                    "group": gid,
                    "group_label": g.label,
                    "iso3": iso3,
                    "country": reference.area_name(iso3),
                    "expected": int(len(mine)),
                    "missing": int(was.sum()),
                    "filled": int((was & now_).sum()),
                }
            )
    return out


def changes(frame: pd.DataFrame, limit: int = 20) -> dict[str, Any]:
    """The submission's values against published values of the same observation.

    Returns:
        ``new`` (no published value for that series, country, period and breakdown), ``same``
        (a published value equal), ``different`` (published values differ: both are kept, the
        published one is never overwritten) and ``examples`` of the different ones.
    """
    keys = [k for k in KEY_COLUMNS if k not in ("source_type", "nature", "reporting_type")]
    countries = sorted(set(frame["iso3"].astype(object)) - {""})
    published = queries.observations("all")
    published = published[published["iso3"].isin(countries)]
    mine = frame[[*keys, "iso3", "value"]].astype(object)
    theirs = published[[*keys, "value", "source_type", "dataset"]].astype(object)
    merged = mine.merge(theirs, on=keys, how="left", suffixes=("", "_published"), indicator=True)
    found = merged[merged["_merge"] == "both"].copy()
    found["eq"] = pd.to_numeric(found["value"]) == pd.to_numeric(found["value_published"])
    equal = found.groupby(keys, dropna=False)["eq"].any().astype(bool)
    n_new = int((merged.drop_duplicates(keys)["_merge"] == "left_only").sum())
    different = found[~found.set_index(keys).index.isin(equal[equal].index)]
    examples = [
        {
            "series": r["series"],
            "iso3": r["iso3"],
            "period": r["period"],
            "breakdown": display.breakdown_label({d: r[d] for d in DIMENSIONS}),
            "value": r["value"],
            "published": r["value_published"],
            "source_type": r["source_type"],
        }
        for r in different.head(limit).to_dict("records")
    ]
    return {
        "new": n_new,
        "same": int(equal.sum()),
        "different": int((~equal).sum()),
        "examples": examples,
    }
