"""The overview payload's fast paths give exactly what the plain computation gave.

``views.map_columns`` (the map frame as arrays), ``tables.map_table`` (provenance by row
positions), ``figures.map_figure_dict`` (the figure without a plotly Figure) and one headline
per build replace pandas operations on whole frames and a deep copy of the figure. The reference
copies below are that code as it was; on the real-shape store (tests/realshape.py) the frames
(values and dtypes) and the payload JSON must be identical for every mode, source, region,
year and language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from data import queries, views
from data import tables as data_tables
from data.display import unit_name
from data.gaps import STATUSES
from layouts import figures, i18n, state
from layouts.components import headline_cards, map_legend
from layouts.i18n import code_words, language, t
from layouts.pages import content
from layouts.pages import overview_parts as op

# ---- the code as it was ----


def reference_map_frame(
    mode: str,
    iso3s: list[str],
    *,
    statuses: pd.DataFrame,
    coverage: pd.DataFrame,
    disparities: pd.DataFrame,
    series: str,
    year: int | None,
    window: int,
    polarity: str = "unknown",
    dataset_names: Mapping[int, str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """``views.map_frame`` as it was (pandas operations on whole frames)."""
    out = views._frame(iso3s, lang).set_index("iso3")
    if mode == "gaps" and not series:
        cov = coverage.set_index("iso3").reindex(out.index)
        known = cov["expected"].fillna(0) > 0
        out["z"] = cov["share"].where(known)
        out["value"] = out["z"]
        out["status"] = views.coverage_marker(cov.fillna(0)).where(known, "")
        out["expected"] = cov["expected"].fillna(0).astype(int)
        out["disaggregated"] = cov["disaggregated"].fillna(0).astype(int)
        if "reason" in statuses:
            # each country's main reason depends on its rows only: computed once per table
            top = views.derived(statuses, "main_reasons", views.main_reasons).set_index("iso3")
            out["reason"] = top["reason"].reindex(out.index).fillna("").where(known, "")
        return out.reset_index()[views._OUT]
    st = views.rows_of(statuses, "series", series).set_index("iso3").reindex(out.index)
    out["status"] = st["status"].fillna("no_data").astype(object)
    out["period"] = st["latest_year"].astype("string").fillna("")
    if "reason" in st:
        out["reason"] = st["reason"].astype(object).fillna("")
        out["age"] = pd.to_numeric(st["age"], errors="coerce").astype(float)
    if mode == "gaps":
        out["z"] = out["status"].map({s: float(i) for i, s in enumerate(STATUSES)})
        return out.reset_index()[views._OUT]
    pairs = views.latest_pairs(views.series_pairs(disparities, series), series, year, window)
    pairs = pairs.set_index("iso3")
    has = out.index.isin(pairs.index)
    found = pairs.reindex(out.index)  # whole columns at once, not a .loc write per column
    for col in ("value", "ref_value", "difference", "ratio"):
        out[col] = found[col].astype(float)
    for col in ("direction", "period", "nature", "source_type"):
        kept = np.where(has, found[col].astype(str).to_numpy(), out[col].to_numpy())
        out[col] = pd.Series(kept, index=out.index, dtype=out[col].dtype)
    source = found["dataset"].map(dict(dataset_names or {})).astype(object)
    out["source"] = pd.Series(source.where(has, "").fillna(""), dtype=out["source"].dtype)
    sign = {"higher_better": 1.0, "lower_better": -1.0}.get(polarity, 1.0)
    out["z"] = out["value"] if mode == "values" else out["difference"].astype(float) * sign
    return out.reset_index()[views._OUT]


def reference_map_table(state: Mapping[str, str], lang: str = "en") -> tuple[pd.DataFrame, str]:
    """``tables.map_table`` as it was (the frame built by pandas operations)."""
    mode, group, goal, source = state["mode"], state["group"], state["goal"], state["source"]
    region = state.get("region") or data_tables.WORLD
    if mode == "progress":
        now = int(queries.snapshot().as_of or 0)
        first = min(int(state["base"]), now) if now else int(state["base"])
        prog = queries.progress(group, first_year=first)
        return views.progress_frame(prog, data_tables.countries_in(region), first, now, lang), ""
    series = data_tables.shown_series(mode, group, goal, state.get("series", ""), source)
    year = None if state["year"] == "latest" else int(state["year"])
    window = queries.settings().recent_years
    disp = queries.disparities(group, source)
    cov = data_tables.group_coverage(group, source, goal)
    frame = reference_map_frame(
        mode,
        data_tables.countries_in(region),
        statuses=data_tables.group_statuses(group, source, goal),
        coverage=cov,
        disparities=disp,
        series=series,
        year=year,
        window=window,
        polarity=data_tables.catalogue_value(series, "polarity", "unknown"),
        dataset_names=data_tables.dataset_names(),
        lang=lang,
    )
    frame = frame.assign(**dict.fromkeys(data_tables.MAP_PROVENANCE, pd.NA))
    if mode in ("values", "disparity") and len(disp):
        pairs = views.latest_pairs(views.series_pairs(disp, series), series, year, window)
        pairs = data_tables.with_provenance_of(pairs, source, series).set_index("iso3")
        found = pairs.reindex(frame["iso3"])
        for col, src in zip(
            data_tables.MAP_PROVENANCE,
            [*data_tables.MAP_PROVENANCE[:3], "source", "footnote"],
            strict=True,
        ):
            frame[col] = found[src].to_numpy()
        for col in data_tables.MAP_PROVENANCE[:3]:
            frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    return frame, series


def reference_summary(
    kind: str,
    frame: pd.DataFrame,
    h: dict[str, Any],
    series: str,
    group: str,
    region: str,
    year: str,
    lang: str | None,
    source: str = "all",
) -> str:
    """``overview_parts.summary`` as it was: a copy of the coloured countries' rows."""
    names = {
        "group": i18n.group_label(group, lang),
        "region": content.region_name(region, lang),
        "series": content.titles().get(series) or series,
        "year": content.describe("year", year, lang),
    }
    coloured = frame[frame["z"].notna()]
    if kind == "coverage":
        if source == "community":
            return op.community_summary(frame, h, names, lang)
        best = views.top_shares(coloured)
        best_text = ", ".join(
            f"{n} ({figures.fmt_share(z, lang)})"
            for n, z in zip(best["name"], best["z"], strict=True)
        )
        return t(
            "summary.coverage",
            lang,
            recent=h["recent"],
            total=h["countries"],
            none=h["none"],
            best=best_text or t("summary.best_none", lang),
            **names,
        )
    if kind == "status":
        counts = frame["status"].value_counts()
        text = "; ".join(f"{t(f'status.{s}', lang)}: {int(n)}" for s, n in counts.items())
        return t("summary.status", lang, counts=text, **names)
    if coloured.empty:
        return t("summary.empty", lang, region=names["region"])
    if kind == "values":
        low = coloured.loc[coloured["z"].astype(float).idxmin()]
        high = coloured.loc[coloured["z"].astype(float).idxmax()]
        return t(
            "summary.values",
            lang,
            count=len(coloured),
            n=len(coloured),
            low=f"{low['name']} {i18n.exact(low['value'], lang)}",
            high=f"{high['name']} {i18n.exact(high['value'], lang)}",
            **names,
        )
    d = coloured["direction"].value_counts()
    return t(
        "summary.disparity",
        lang,
        worse=int(d.get("worse", 0)),
        better=int(d.get("better", 0)),
        unknown=int(d.get("unknown", 0) + d.get("equal", 0)),
        **names,
    )


def reference_build(
    *,
    mode: str,
    group: str,
    goal: str,
    series: str,
    year: str,
    region: str,
    source: str,
    lang: str | None,
    base: str = "2015",
) -> dict[str, Any]:
    """``overview_parts.build`` as it was: a plotly Figure, the headline counted twice."""
    s = {"mode": mode, "group": group, "goal": goal, "series": series, "year": year}
    s = {**s, "base": base, "region": region, "source": source}
    frame, series = reference_map_table(s, lang or language())
    kind = content.map_kind(mode, series)
    iso3s = list(content.members(region))
    st = content.group_statuses(group, source, goal)
    info = op.legend_info(kind, frame, st, iso3s, base)
    bar = {
        "values": unit_name(op._unit(series), code_words(lang)),
        "disparity": t("col.gap_bar", lang),
        "progress": t("colorbar.progress", lang, base=info.get("base", base)),
    }.get(kind, "")
    fig = figures.map_figure(
        frame, kind, colorbar_title=bar, fit=region != content.WORLD, lang=lang
    )
    cov = content.group_coverage(group, source, goal)
    recent = queries.settings().recent_years
    h = views.headline(cov, iso3s)
    if kind == "progress":
        text = op.progress_summary(frame, group, region, lang)
    else:
        text = reference_summary(kind, frame, h, series, group, region, year, lang, source)
        if kind == "coverage" and source != "community":
            text = f"{text} {op.top_reason(st, iso3s, lang)}".strip()
    return {
        "figure": content.jsonable(fig),
        "headlines": content.jsonable(
            headline_cards(op.cards(cov, st, iso3s, group, series, recent, lang), lang)
        ),
        "summary": text,
        "legend": content.jsonable(map_legend(kind, lang, info)),
    }


# ---- the comparisons ----

REGIONS = ("001", "002", "142", "150", "404")


def _states() -> list[dict[str, str]]:
    """Every mode x source x group with defaults, then chosen series, years, regions, goals."""
    ch = content.choices()
    out = []
    for mode in state.MODES:
        for source in state.SOURCES:
            for group in ch.groups:
                out.append({**state.DEFAULTS, "mode": mode, "group": group, "source": source})
    for i, group in enumerate(ch.groups):
        for j, goal in enumerate(("all", *ch.goals[:3])):
            series = state.series_for(group, goal, ch)
            for k, mode in enumerate(state.MODES):
                s = {**state.DEFAULTS, "mode": mode, "group": group, "goal": goal}
                s["source"] = state.SOURCES[(i + j + k) % 3]
                s["region"] = REGIONS[(i + k) % len(REGIONS)]
                s["series"] = series[(j + k) % len(series)] if series and mode != "progress" else ""
                s["year"] = str(ch.years[(i + j) % len(ch.years)]) if (i + k) % 2 else "latest"
                out.append(s)
    return out


LANGS = (None, "fr", "ar")


def _kwargs(s: dict[str, str], lang: str | None) -> dict[str, Any]:
    keys = ("mode", "group", "goal", "series", "year", "region", "source", "base")
    return {**{k: s[k] for k in keys}, "lang": lang}


def test_map_table_same_frame_as_before(realshape):
    checked = 0
    for n, s in enumerate(_states()):
        lang = ("en", "fr", "es", "ar")[n % 4]
        new, series = data_tables.map_table(s, lang)
        old, old_series = reference_map_table(s, lang)
        assert series == old_series
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        assert list(new.dtypes) == list(old.dtypes), s
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("lang", LANGS)
def test_overview_payload_same_json_as_before(realshape, lang):
    checked, kinds = 0, set()
    for s in _states():
        new = op.build(**_kwargs(s, lang))
        old = reference_build(**_kwargs(s, lang))
        assert json.dumps(new) == json.dumps(old), s
        kinds.add(content.map_kind(s["mode"], s["series"]))
        checked += 1
    assert kinds >= {"coverage", "status", "values", "disparity", "progress"}
    assert checked > 100


def test_map_frame_plain_shapes_same_as_before():
    """Hand-made frames: no reason column, repeated codes, empty regions (the plain way)."""
    statuses = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA", "KEN"],
            "series": ["A", "A", "B"],
            "status": ["disaggregated", "outdated", "no_data"],
            "latest_year": pd.array([2021, 2015, None], dtype="Int64"),
        }
    )
    coverage = pd.DataFrame(
        {
            "iso3": ["KEN", "UGA"],
            "expected": [2, 1],
            **{s: [1, 0] for s in STATUSES},
            "share": [0.5, 0.0],
        }
    )
    disp = pd.DataFrame(
        {
            "iso3": ["KEN"],
            "series": ["A"],
            "headline": [True],
            "year": [2021],
            "period_sort": [2021.0],
            "source_type": ["official"],
            "value": [1.5],
            "ref_value": [2.0],
            "difference": [-0.5],
            "ratio": [0.75],
            "direction": ["worse"],
            "period": ["2021"],
            "nature": ["C"],
            "dataset": [1],
        }
    )
    for mode, series in (("gaps", ""), ("gaps", "A"), ("values", "A"), ("disparity", "A")):
        for iso3s in (["KEN", "UGA", "FRA"], []):
            args = {"statuses": statuses, "coverage": coverage, "disparities": disp}
            more = {"series": series, "year": None, "window": 5, "dataset_names": {1: "D"}}
            new = views.map_frame(mode, iso3s, **args, **more)
            old = reference_map_frame(mode, iso3s, **args, **more)
            pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_map_figure_dict_is_the_figure_as_sent(realshape):
    for s in _states()[::7]:
        frame, series = data_tables.map_table(s, "en")
        kind = content.map_kind(s["mode"], series)
        for fit in (False, True):
            new = figures.map_figure_dict(frame, kind, colorbar_title="<b>%</b>", fit=fit)
            fig = figures.map_figure(frame, kind, colorbar_title="<b>%</b>", fit=fit)
            assert json.dumps(content.jsonable(new)) == json.dumps(content.jsonable(fig))
            # the same keys in the same order, the same typed arrays ([] for an empty one)
            old = json.dumps(fig.to_dict(), default=lambda v: v.tolist() if v.size == 0 else v)
            assert json.dumps(new) == old
            # plain JSON data, as sent (no NaN, numpy value or tuple: == would tell)
            assert content.jsonable(new) == new
    # each figure's own: changing one (its cached layout and colour scale) changes no other
    s = next(s for s in _states() if s["mode"] == "values")
    frame, series = data_tables.map_table(s, "en")
    first, second = (figures.map_figure_dict(frame, "values") for _ in range(2))
    assert first == second
    first["layout"]["font"]["size"] = -1
    first["layout"]["geo"]["projection"]["type"] = "changed"
    first["data"][1]["colorscale"][0][1] = "changed"
    assert figures.map_figure_dict(frame, "values") == second
