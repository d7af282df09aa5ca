"""Findings: three to six plain statements about one country and group, from the page's frames.

The country brief (``/country/<ISO3>/brief``) opens with them. Every number comes from the
frames the country page shows (``data.views_country``: ``group_summary``, ``scorecard``,
``official_vs_community``, ``progress_rows``), never from a second computation, and is written
as the page writes it (``display.exact``). Each finding keeps the facts behind its sentence
(values, periods, the ``(dataset, source_row)`` of every value cited) so tests can hold it
against the page. Where the data say nothing, the finding says what is missing.

Wording is looked up with a ``translate(key, **fmt)`` function given by the caller
(``layouts.i18n.t``): the data layer never imports the layout layer. The same frames give
the same findings, in the same order, with the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data import display
from data import views_country as views

Translate = Callable[..., str]
Source = tuple[int, int]  # (dataset id, row of the source file)
MAX_FINDINGS = 6
MAX_DISPARITIES = 3


@dataclass(frozen=True)
class Finding:
    """One statement: its kind, its text, and the facts and source rows behind it."""

    kind: (
        str  # coverage | none_expected | disparity | no_disparity | community | missing | progress
    )
    text: str
    facts: dict[str, Any] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Names:
    """Words the sentences need, resolved by the caller in the reader's language."""

    country: str  # "Kenya"
    group: str  # "persons with disabilities" (``i18n.group_label``)
    dimension: str  # "disability" (``display.DIMENSION_NAMES``)
    titles: Mapping[str, str]  # series code -> title
    dataset_names: Mapping[int, str]  # dataset id -> name
    # a stored value written the reader's way, every digit kept ("12,85" in French:
    # ``layouts.i18n.exact`` with a language); English by default
    number: Callable[[Any], str] = display.exact
    # the same with its per cent sign ("12,85\u00a0%": ``layouts.i18n.value_percent``)
    with_percent: Callable[[Any], str] = lambda value: f"{display.exact(value)}%"
    # the reader's names of breakdown codes (``layouts.i18n.code_words``); English by default
    words: display.Words | None = None


def with_unit(value: Any, unit: str, names: Names | None = None) -> str:
    """A value as the page's tables write it ("12.85%", "3.4 per 1,000"; "—" when none).

    ``names`` gives the reader's number format (``Names.number``, ``Names.percent``).
    """
    names = names or Names("", "", "", {}, {})
    text = (names.number(value) if display.exact(value) else "") or "\u2014"
    if not unit or text == "\u2014":
        return text
    return names.with_percent(value) if unit == "%" else f"{text} {unit}"


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def difference_text(
    difference: Any, value: Any, ref_value: Any, number: Callable[[Any], str] = display.exact
) -> str:
    """The engine's ``difference`` without float noise: to the decimals of its two values.

    4.1000000000000005 from 12.3 - 8.2 is written 4.1 (the number the two values give), with
    no sign: the sentence says "higher" or "lower".
    """
    places = max(_decimals(display.exact(value)), _decimals(display.exact(ref_value)))
    return number(round(abs(float(difference)), places))


def _first_lower(text: str) -> str:
    """Lower-case a label's first letter for mid-sentence use (not an acronym's: "UN")."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _cite(obs: pd.DataFrame, keys: list[Source], names: Names) -> str:
    """The source of the cited rows in words: their ``source`` text and dataset name."""
    found = []
    index = _row_index(obs)
    for dataset, row in keys:
        source = index.get((dataset, row), "")
        name = names.dataset_names.get(dataset, str(dataset))
        part = f"{source}; {name}" if source and source != name else name
        if part not in found:
            found.append(part)
    return " / ".join(found)


def _row_index(obs: pd.DataFrame) -> dict[Source, str]:
    if obs.empty:
        return {}
    return {
        (int(d), int(r)): "" if s is None or s != s else str(s).strip()
        for d, r, s in zip(obs["dataset"], obs["source_row"], obs["source"], strict=True)
    }


def coverage_finding(
    facts: dict[str, Any], as_of: int, names: Names, cited: str, translate: Translate
) -> Finding:
    """How many expected splits are available and recent (``views_country.group_summary``)."""
    words = {"country": names.country, "group": names.group, "dimension": names.dimension}
    if not facts["expected"]:
        text = translate("brief.f.none_expected", **words)
        return Finding("none_expected", text, dict(facts))
    key = "brief.f.coverage" if facts["disaggregated"] else "brief.f.coverage_zero"
    text = translate(
        key,
        n=facts["disaggregated"],
        expected=facts["expected"],
        year=as_of,
        sources=cited,
        **words,
    )
    return Finding("coverage", text, {**facts, "as_of": as_of})


def _pair_row(disp: pd.DataFrame, card: Mapping[str, Any]) -> pd.Series:
    """The disparity row a scorecard line was taken from (headline first, then file order)."""
    same = disp[
        (disp["series"].astype(object) == card["series"])
        & (disp["source_type"].astype(object) == card["source_type"])
        & (disp["period"].astype(object) == card["period"])
        & (disp["value"] == card["value"])
        & (disp["ref_value"] == card["ref_value"])
    ]
    same = same.sort_values(["headline", "dataset", "source_row"], ascending=[False, True, True])
    return same.iloc[0]


def disparity_findings(
    iso3: str,
    group: str,
    coverage: pd.DataFrame,
    disparities: pd.DataFrame,
    obs: pd.DataFrame,
    names: Names,
    translate: Translate,
) -> list[Finding]:
    """The scorecard's largest gap, then the next largest among the other series (up to 3).

    Each is ``views_country.scorecard`` on the disparities without the series already said:
    the first is exactly the page's scorecard line for the group.
    """
    out: list[Finding] = []
    used: set[str] = set()
    for _ in range(MAX_DISPARITIES):
        rest = disparities[~disparities["series"].astype(object).isin(used)]
        card = views.scorecard(coverage, rest, iso3, [group], obs).iloc[0].to_dict()
        if not card["series"]:
            break
        used.add(card["series"])
        out.append(_disparity(card, _pair_row(rest, card), obs, names, translate))
    return out


def _disparity(
    card: dict[str, Any], pair: pd.Series, obs: pd.DataFrame, names: Names, translate: Translate
) -> Finding:
    unit = display.unit_name(card["unit"], names.words) if card["unit"] else ""
    keys = [(int(pair["dataset"]), int(pair["source_row"]))]
    keys.append((int(pair["dataset"]), int(pair["ref_source_row"])))
    diff = float(pair["difference"])
    side = "higher" if diff > 0 else "lower" if diff < 0 else "equal"
    amount = difference_text(diff, card["value"], card["ref_value"], names.number)
    points = unit == "%"
    gap = translate(
        f"brief.gap.{side}{'_points' if points else ''}",
        diff=amount if points or not unit else f"{amount} {unit}",
    )
    reference = display.code_label(str(pair["group_dim"]), str(pair["ref_code"]), names.words)
    text = translate(
        "brief.f.disparity",
        period=card["period"],
        series=names.titles.get(card["series"], card["series"]),
        group=names.group,
        country=names.country,
        value=with_unit(card["value"], unit if unit == "%" else "", names),
        ref=with_unit(card["ref_value"], unit, names),
        reference=_first_lower(reference),
        gap=gap,
        direction=translate(f"direction.{card['direction'] or 'unknown'}"),
        source_type=translate(f"sourceword.{card['source_type'] or 'all'}"),
        sources=_cite(obs, keys, names),
    )
    if card["caveat"]:
        text = f"{text} \u26a0 {translate('brief.f.caveat')}"
    facts = {
        k: card[k]
        for k in ("series", "value", "ref_value", "period", "source_type", "unit", "direction")
    }
    facts.update(difference=diff, caveat=bool(card["caveat"]), ref_code=str(pair["ref_code"]))
    return Finding("disparity", text, facts, tuple(keys))


def community_finding(
    iso3: str, all_sources: pd.DataFrame, obs: pd.DataFrame, names: Names, translate: Translate
) -> Finding | None:
    """Official and community values of the first series that has both (or None)."""
    both = views.official_vs_community(all_sources, iso3)
    if both.empty:
        return None
    row = both.iloc[0].to_dict()
    keys = []
    for kind in ("community", "official"):
        part = all_sources[
            (all_sources["series"].astype(object) == row["series"])
            & (all_sources["source_type"].astype(object) == kind)
            & (all_sources["period"].astype(object) == row[f"{kind}_period"])
            & (all_sources["value"] == row[f"{kind}_value"])
        ].sort_values(["headline", "dataset", "source_row"], ascending=[False, True, True])
        if len(part):
            keys.append((int(part["dataset"].iloc[0]), int(part["source_row"].iloc[0])))
    text = translate(
        "brief.f.community",
        series=names.titles.get(row["series"], row["series"]),
        group=names.group,
        country=names.country,
        community=names.number(row["community_value"]),
        community_period=row["community_period"],
        official=names.number(row["official_value"]),
        official_period=row["official_period"],
        sources=_cite(obs, keys, names),
    )
    return Finding("community", text, row, tuple(keys))


def missing_finding(facts: dict[str, Any], names: Names, translate: Translate) -> Finding | None:
    """What the statistics office does not publish (counts of ``group_summary``)."""
    if not facts["expected"]:
        return None
    gaps = facts["expected"] - facts["disaggregated"]
    words = {"country": names.country, "group": names.group, "dimension": names.dimension}
    if not gaps:
        return Finding("missing", translate("brief.f.missing_none", **words), dict(facts))
    text = translate(
        "brief.f.missing",
        gaps=gaps,
        expected=facts["expected"],
        no_data=facts["no_data"],
        total_only=facts["total_only"],
        outdated=facts["outdated"],
        community_only=facts["community_only"],
        **words,
    )
    return Finding("missing", text, dict(facts))


def progress_finding(
    rows: pd.DataFrame, names: Names, window: int, translate: Translate
) -> Finding | None:
    """Official splits with a value, first year against last (``progress_rows``)."""
    if rows.empty or not int(rows["expected"].max()) or len(rows) < 2:
        return None
    first, last = rows.iloc[0], rows.iloc[-1]
    facts = {
        "first_year": int(first["year"]),
        "first_n": int(first["with_value"]),
        "first_expected": int(first["expected"]),
        "last_year": int(last["year"]),
        "last_n": int(last["with_value"]),
        "last_expected": int(last["expected"]),
    }
    text = translate("country.progress_summary", country=names.country, group=names.group, **facts)
    return Finding(
        "progress", f"{text} {translate('brief.f.progress_window', window=window)}", facts
    )


def findings(
    *,
    iso3: str,
    group: str,
    frames: Mapping[str, pd.DataFrame],
    obs: pd.DataFrame,
    progress: pd.DataFrame,
    names: Names,
    translate: Translate,
    window: int = 5,
) -> list[Finding]:
    """Three to six findings about one country and group, in a fixed order.

    Coverage; the largest gaps (up to three, two when community data add one); official
    against community values; what is missing; progress since the base year.

    Args:
        iso3: the country.
        group: the group id.
        frames: the country page's frames: ``coverage`` and ``statuses`` (at least this
            group), ``disparities`` (this group, with a ``group`` column, of the page's
            source filter) and ``all_sources`` (this group's disparities of every source).
        obs: the country's observations (dataset, source_row, source, footnote, ...).
        progress: ``views_country.progress_rows`` of the country and group.
        names: words for the sentences.
        translate: ``translate(key, **fmt) -> str`` (``layouts.i18n.t`` with a language).
        window: the recency window in years (``GAPMAP_RECENT_YEARS``), for the progress note.
    """
    cov, st = frames["coverage"], frames["statuses"]
    facts = views.group_summary(cov, st, iso3, group)
    mine = st[(st["iso3"].astype(object) == iso3) & (st["group"].astype(object) == group)]
    as_of = int(mine["newest_year"].dropna().max()) if "newest_year" in mine and len(mine) else 0
    used = sorted({int(d) for d in obs["dataset"]}) if len(obs) else []
    cited = "; ".join(names.dataset_names.get(d, str(d)) for d in used) or translate(
        "brief.f.no_dataset"
    )
    out = [coverage_finding(facts, as_of, names, cited, translate)]
    disp = frames["disparities"]
    gaps = disparity_findings(iso3, group, cov, disp, obs, names, translate)
    if not gaps:
        words = {"country": names.country, "group": names.group}
        out.append(Finding("no_disparity", translate("brief.f.no_disparity", **words)))
    community = community_finding(iso3, frames["all_sources"], obs, names, translate)
    tail = [community, missing_finding(facts, names, translate)]
    tail.append(progress_finding(progress, names, window - 1, translate))
    rest = [f for f in tail if f is not None]
    room = MAX_FINDINGS - len(out) - len(rest)
    out += gaps[: max(1, room)] if gaps else []
    return (out + rest)[:MAX_FINDINGS]
