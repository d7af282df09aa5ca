"""The overview's data-driven parts (map, headline cards, summary, table) for one filter state.

Called through ``content.overview_payload`` (memoised); returns JSON-able dicts.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from data import queries, views
from data import tables as data_tables
from data.display import unit_name
from layouts import components, figures, i18n, state, tables
from layouts.components import headline_cards, map_legend
from layouts.i18n import code_words, group_label, language, number, t
from layouts.pages import content


def _unit(series: str) -> str:
    return data_tables.catalogue_value(series, "unit")


def cards(
    cov: pd.DataFrame,
    st: pd.DataFrame,
    iso3s: list[str],
    group: str,
    series: str,
    recent: int,
    lang: str | None,
    h: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """Headline (number, sentence) pairs for the group, plus the series' statuses if chosen.

    ``h``: ``views.headline(cov, iso3s)`` when the caller has it already.
    """
    h = views.headline(cov, iso3s) if h is None else h
    name = group_label(group, lang)
    out = [
        (f"{h['any']}", t("headline.any", lang, count=h["any"], n=h["any"], group=name)),
        (f"{h['recent']}", t("headline.recent", lang, count=recent, n=h["recent"], recent=recent)),
        (f"{h['none']}", t("headline.none", lang, count=h["none"], n=h["none"], group=name)),
        (
            figures.fmt_share(h["share"], lang),
            t(
                "headline.pairs",
                lang,
                pct=figures.fmt_share(h["share"], lang),
                expected=number(h["expected"], lang),
            ),
        ),
    ]
    if series:
        counts = views.status_counts(st, series, iso3s)
        rest = "; ".join(
            f"{t(f'status.{s}', lang)}: {n}" for s, n in counts.items() if s != "disaggregated"
        )
        out[-1] = (
            f"{counts['disaggregated']}",
            t(
                "headline.series",
                lang,
                count=counts["disaggregated"],
                series=content.titles().get(series) or series,
                group=name,
                rest=rest,
            ),
        )
    return out


def summary(
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
    """One paragraph that says what the map shows (the chart's text alternative).

    Coverage lists the best-covered countries, never one at 0 %; with the community source
    and no community split anywhere it says so, and how to add community data.
    """
    names = {
        "group": group_label(group, lang),
        "region": content.region_name(region, lang),
        "series": content.titles().get(series) or series,
        "year": content.describe("year", year, lang),
    }
    has = frame["z"].notna()  # the coloured countries
    if kind == "coverage":
        if source == "community":
            return community_summary(frame, h, names, lang)
        best = views.top_shares(frame[has])
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
    if not has.any():
        return t("summary.empty", lang, region=names["region"])
    coloured = np.flatnonzero(has.to_numpy())  # their rows: only these cells are read
    if kind == "values":
        z = frame["z"].to_numpy(dtype=float)[coloured]
        # the first lowest and highest, as idxmin and idxmax choose
        low, high = (int(coloured[pick(z)]) for pick in (np.argmin, np.argmax))
        name, value = frame["name"], frame["value"]
        return t(
            "summary.values",
            lang,
            count=len(coloured),
            n=len(coloured),
            low=f"{name.iloc[low]} {i18n.exact(value.iloc[low], lang)}",
            high=f"{name.iloc[high]} {i18n.exact(value.iloc[high], lang)}",
            **names,
        )
    d = Counter(frame["direction"].to_numpy(dtype=object)[coloured].tolist())
    return t(
        "summary.disparity",
        lang,
        worse=int(d.get("worse", 0)),
        better=int(d.get("better", 0)),
        unknown=int(d.get("unknown", 0) + d.get("equal", 0)),
        **names,
    )


def community_summary(
    frame: pd.DataFrame, h: dict[str, Any], names: dict[str, str], lang: str | None
) -> str:
    """Coverage summary of the community source: who has community splits, or that none do.

    Community splits never count as recent official ones, so "highest coverage" would name
    countries at 0 %.
    """
    if h["any"] == 0:
        return t("summary.no_community", lang, **names)
    having = frame.loc[frame["status"] == "community_only", "name"].sort_values().tolist()
    shown = ", ".join(having[:5]) + (", \u2026" if len(having) > 5 else "")
    n = len(having)
    return t("summary.community", lang, count=n, n=n, names=shown or "\u2014", **names)


def map_frame(
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
) -> tuple[pd.DataFrame, str]:
    """``views.map_frame`` for a filter state, and the series it shows.

    The progress map's frame is ``views.progress_frame`` (official splits of every expected
    series, at the base year and the as-of year).
    """
    s = {"mode": mode, "group": group, "goal": goal, "series": series, "year": year, "base": base}
    frame, shown = data_tables.map_table(
        {**s, "region": region, "source": source}, lang or language()
    )
    return frame, shown  # one function for the page, its download, the API and the brief


def progress_summary(frame: pd.DataFrame, group: str, region: str, lang: str | None) -> str:
    """The progress map in words: how many countries improved, declined, stayed unchanged."""
    names = {"group": group_label(group, lang), "region": content.region_name(region, lang)}
    base = int(frame["base"].iloc[0]) if len(frame) else 0
    if not (frame["direction"] != "").any():
        return t("summary.progress_none", lang, base=base, **names)
    counts = views.progress_counts(frame)
    now = int(frame["now"].iloc[0])
    return t("summary.progress", lang, base=base, now=now, **counts, **names)


def top_reason(st: pd.DataFrame, iso3s: list[str], lang: str | None) -> str:
    """The most common gap reason over the countries, in a sentence ("" when no gap)."""
    totals = views.reason_totals(st, iso3s)
    if not totals:
        return ""
    reason, n = next(iter(totals.items()))
    return t(
        "summary.top_reason",
        lang,
        reason=components.lower(t(f"reason.{reason}", lang)),
        help=t(f"reason.help.{reason}", lang),
        n=number(n, lang),
        total=number(sum(totals.values()), lang),
    )


def legend_info(
    kind: str, frame: pd.DataFrame, st: pd.DataFrame, iso3s: list[str], base: str
) -> dict[str, Any]:
    """What the legend of a map kind adds from the data (see ``components.map_legend``)."""
    if kind == "coverage":
        return {"totals": views.reason_totals(st, iso3s)}
    if kind == "status":
        return {"counts": views.status_reasons(frame)}
    if kind == "progress":
        shown = int(frame["base"].iloc[0]) if len(frame) else int(base)
        return {"base": shown, "window": queries.settings().recent_years}
    return {}


def legend_data(kind: str, lang: str | None, info: dict[str, Any]) -> Any:
    """The map's legend as sent (``components.map_legend``)."""
    return content.jsonable(map_legend(kind, lang, info))


@lru_cache(maxsize=64)
def _legend_of(kind: str, lang: str) -> Any:
    """The legend of a map whose legend adds nothing from the data (values, disparity).

    The same for every such map in a language: built once (~0.3 ms of each of their updates).
    """
    return legend_data(kind, lang, {})


def build(
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
    """The map, headline cards, summary and legend for one filter state, as JSON-able values."""
    frame, series = content.map_frame(
        content.version(), mode, group, goal, series, year, region, source, lang, base
    )
    kind = content.map_kind(mode, series)
    iso3s = list(content.members(region))
    st = content.group_statuses(group, source, goal)
    info = legend_info(kind, frame, st, iso3s, base)
    bar = {
        "values": unit_name(_unit(series), code_words(lang)),
        "disparity": t("col.gap_bar", lang),
        "progress": t("colorbar.progress", lang, base=info.get("base", base)),
    }.get(kind, "")
    # the figure as the dict it is sent as: no plotly Figure and its deep copy to build it
    fig = figures.map_figure_dict(
        frame, kind, colorbar_title=bar, fit=region != content.WORLD, lang=lang
    )
    cov = content.group_coverage(group, source, goal)
    recent = queries.settings().recent_years
    h = views.headline(cov, iso3s)
    if kind == "progress":
        text = progress_summary(frame, group, region, lang)
    else:
        text = summary(kind, frame, h, series, group, region, year, lang, source)
        if kind == "coverage" and source != "community":
            text = f"{text} {top_reason(st, iso3s, lang)}".strip()
    return {
        "figure": fig,  # plain JSON data already (figures.map_figure_dict)
        "headlines": headline_cards(cards(cov, st, iso3s, group, series, recent, lang, h), lang),
        "summary": text,
        "legend": _legend_of(kind, lang or language())
        if not info
        else legend_data(kind, lang, info),
    }


def build_table(
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
) -> Any:
    """The map's data as a table (JSON-able), links keeping the filters."""
    frame, shown = content.map_frame(
        content.version(), mode, group, goal, series, year, region, source, lang, base
    )
    search = state.to_search(
        {
            "mode": mode,
            "group": group,
            "goal": goal,
            "series": series,
            "year": year,
            "region": region,
            "source": source,
            "base": base,
        }
    )
    if mode == "progress":
        caption = t("table.caption", lang, what=t("mode.progress", lang))
        return content.jsonable(tables.progress_map_table(frame, search, caption, lang))
    title = content.titles().get(shown) or shown
    caption = t("table.caption", lang, what=f"{t(f'mode.{mode}', lang)} {title}".strip())
    kind = content.map_kind(mode, shown)
    return content.jsonable(tables.map_table(frame, kind, search, caption, lang))
