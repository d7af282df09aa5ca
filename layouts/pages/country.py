"""The country page ``/country/<ISO3>``.

Read top down on one to three screens: the group and series controls, a summary of the
group's coverage in words, the chosen series over time (official and community values as
separate lines) or why it is empty, then the scorecard, the missing splits by SDG goal and the
series x groups statuses, both collapsed (the statuses' table is sent when first opened).
Unknown codes get a friendly page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd
from dash import dcc, html, no_update

from data import display, queries, reference
from data import tables as data_tables
from data import views_country as views
from data.catalogue import about_group
from data.gaps import REASONS, STATUSES
from data.vocab import groups as vocab_groups
from layouts import components, figures, ids, state, tables
from layouts.i18n import (
    code_words,
    dimension_name,
    group_label,
    group_title,
    language,
    supported,
    t,
)
from layouts.pages import content, links


def known(iso3: Any) -> bool:
    """Whether ``iso3`` (also as sent back by a browser) is a country of the reference list."""
    return isinstance(iso3, str) and iso3 in reference.country_codes()


def known_code(iso3: str) -> bool:
    """Whether a country page's path names a known country (``/country/ken`` too)."""
    return known(str(iso3).strip().upper())


def not_found(code: str, lang: str | None = None) -> html.Div:
    """Friendly page for an unknown country code."""
    return html.Div(
        [
            html.H1(t("notfound.heading", lang), id=ids.NOT_FOUND_HEADING, className="h3"),
            html.P(t("notfound.text", lang, code=code)),
            dcc.Link(t("notfound.back", lang), href="/", className="btn btn-primary"),
        ],
        className="not-found-page",
    )


def _section(title: str, body: Any, section_id: str) -> html.Section:
    heading_id = f"{section_id}-heading"
    return html.Section(
        [html.H2(title, id=heading_id, className="h5 mt-4"), html.Div(body, id=section_id)],
        **{"aria-labelledby": heading_id},
    )


def _store_key() -> tuple[int, int]:
    """The key of this module's look-ups: the store's identity and version.

    Another store opened in the same process (as tests do) restarts its versions at 1.
    """
    return queries.store().identity, content.version()


def group_frames(iso3: str, source: str) -> dict[str, pd.DataFrame]:
    """``content.group_frames`` of the store served (kept for the few countries last shown)."""
    return _group_frames(_store_key(), iso3, source)


@lru_cache(maxsize=8)
def _group_frames(key: tuple[int, int], iso3: str, source: str) -> dict[str, pd.DataFrame]:
    """``content.group_frames``, kept for the few countries last shown (read only).

    A page open asks for them twice: its layout (scorecard, status matrix) and its first
    callback (missing splits), often in the same worker.
    """
    return content.group_frames(iso3, source)


@content.memoized
def static_payload(ver: int, iso3: str, source: str, lang: str | None = None) -> dict[str, Any]:
    """Scorecard of a country and the number of rows of its status matrix (any series)."""
    frames = group_frames(iso3, source)
    card = data_tables.scorecard_table(iso3, source, frames)  # the download's and brief's too
    wide = views.status_cells(frames["statuses"], iso3, list(content.all_groups()))
    return {
        "scorecard": content.jsonable(tables.scorecard_table(card, content.titles(), lang)),
        "matrix_rows": len(wide),
    }


@content.memoized
def matrix_payload(ver: int, iso3: str, source: str, lang: str | None = None) -> Any:
    """The status matrix's table (series x groups), sent when its ``<details>`` first opens."""
    frames = group_frames(iso3, source)
    wide = views.status_cells(frames["statuses"], iso3, list(content.all_groups()))
    return content.jsonable(tables.status_matrix_table(wide, content.titles(), lang))


def status_matrix(iso3: str, current: Any, lang: str | None = None) -> Any:
    """The status matrix of a known country, for the source of the page's stored state."""
    query = {"source": current.get("source")} if isinstance(current, dict) else {}
    s, _ = state.validate(query, content.choices())
    return matrix_payload(content.version(), iso3, s["source"], lang)


@content.memoized
def missing_payload(ver: int, iso3: str, source: str, lang: str | None = None) -> Any:
    """The missing splits of a country ("what to ask the statistics office for"), by goal."""
    groups = list(content.all_groups())
    statuses = group_frames(iso3, source)["statuses"]  # every group's, in group order
    counted = content.country_observations(iso3, source, columns=["series", "value"])
    published = views.published_counts(counted)
    goals = content.choices().series_goals
    missing = views.missing_splits(statuses, iso3, groups, goals, published)
    return content.jsonable(tables.missing_list(missing, content.titles(), lang))


def _sources(by_source: dict[str, int], lang: str | None) -> str:
    return ", ".join(
        t("country.count_source", lang, n=n, source=t(f"sourceword.{k}", lang))
        for k, n in sorted(by_source.items())
    )


def group_summary_text(facts: dict[str, int], country: str, group: str, lang: str | None) -> str:
    """The coverage of the chosen group in words (the first sentence under the controls)."""
    if not facts["expected"]:
        return t("country.summary_none", lang, country=country, group=group_label(group, lang))
    head = t(
        "country.summary",
        lang,
        country=country,
        n=facts["disaggregated"],
        expected=facts["expected"],
        group=group_label(group, lang),
    )
    reasons = _reasons_sentence(facts.get("reasons") or {}, lang)
    if facts["disaggregated"] == facts["expected"]:
        return f"{head} {reasons}".strip()
    rest = t("country.summary_rest", lang, **{k: facts[k] for k in STATUSES[1:]})
    return f"{head} {rest} {reasons}".strip()


def _reasons_sentence(reasons: dict[str, int], lang: str | None) -> str:
    """The reasons of the group's statuses with their counts ("Reasons: Not split 30; ...")."""
    if not reasons:
        return ""
    items = "; ".join(
        t("country.summary_reason", lang, reason=t(f"reason.{r}", lang), n=n)
        for r, n in reasons.items()
    )
    return t("country.summary_reasons", lang, items=items)


def progress_summary_text(
    rows: pd.DataFrame, country: str, group: str, window: int, lang: str | None
) -> str:
    """The first and last year of ``views_country.progress_rows`` in one sentence."""
    if rows.empty or not int(rows["expected"].max()):
        return t("country.progress_none", lang, country=country, group=group_label(group, lang))
    first, last = rows.iloc[0], rows.iloc[-1]
    return t(
        "country.progress_summary",
        lang,
        country=country,
        group=group_label(group, lang),
        first_n=int(first["with_value"]),
        first_expected=int(first["expected"]),
        first_year=int(first["year"]),
        last_n=int(last["with_value"]),
        last_expected=int(last["expected"]),
        last_year=int(last["year"]),
        window=window,
    )


def progress_block(
    rows: pd.DataFrame,
    country: str,
    group: str,
    window: int,
    lang: str | None,
    lead: list[Any] | None = None,
    chart: tuple[Any, str] | None = None,
) -> html.Div:
    """The group's summary and its progress over time, side by side (compact).

    Left: ``lead`` (the summary sentence and the key of reasons), then the progress sentence
    and its table (collapsed); right: the small chart of the same numbers (``chart``: the
    ``progress_chart`` already built).
    """
    fig, caption = chart or progress_chart(rows, group, window, lang)
    graph = dcc.Graph(id=ids.COUNTRY_PROGRESS, figure=fig, config=content.graph_config())
    heading = "country-progress-heading"  # a run-in heading: one line less on the page
    section = html.Section(
        [
            html.P(
                [
                    html.Strong(t("country.progress", lang), id=heading),
                    ". ",
                    html.Span(
                        progress_summary_text(rows, country, group, window, lang),
                        id=ids.COUNTRY_PROGRESS_SUMMARY,
                    ),
                ],
                className="chart-summary mb-1 mt-2",
            ),
            html.Details(
                [
                    html.Summary(t("country.progress_show", lang)),
                    html.Div(
                        tables.progress_table(rows, caption, lang), id=ids.COUNTRY_PROGRESS_TABLE
                    ),
                ]
            ),
        ],
        id="country-progress-section",
        **{"aria-labelledby": heading},
    )
    chart = html.Figure(
        [graph, html.Figcaption(caption, className="visually-hidden")], className="mb-0"
    )
    return html.Div(
        [
            html.Div([*(lead or []), section], className="col-lg-7"),
            html.Div(chart, className="col-lg-5"),
        ],
        className="row g-3 align-items-start country-progress",
    )


def progress_chart(
    rows: pd.DataFrame, group: str, window: int, lang: str | None
) -> tuple[Any, str]:
    """The progress figure of ``views_country.progress_rows`` and its caption."""
    caption = t("country.progress_caption", lang, group=group_label(group, lang), window=window)
    return figures.progress_figure_dict(rows, axis=t("country.progress_axis", lang)), caption


def out_of_scope_text(countries: list[str], country: str, lang: str | None) -> str:
    """Why another country's national series is not a gap here (``countries``: names)."""
    return t("country.out_of_scope", lang, countries=", ".join(countries), country=country)


def why_text(facts: dict[str, Any], country: str, group: str, source: str, lang: str | None) -> str:
    """Why the chosen series shows no line for the group ("" when it shows one)."""
    if facts["group_points"]:
        return ""
    if not facts["values"]:
        return t("country.why.no_data", lang, country=country, scope=t(f"country.scope.{source}"))
    dim = vocab_groups().get(group)
    dimension = dimension_name(dim.dimension, lang) if dim else group
    key = (
        "country.why.total_only"
        if facts["status"] == "total_only"
        else "country.why.split_elsewhere"
    )
    text = t(
        key,
        lang,
        count=facts["values"],
        country=country,
        n=facts["values"],
        sources=_sources(facts["by_source"], lang),
        dimension=dimension,
        group=group_label(group, lang),
    )
    return f"{text} {t('country.why.total_shown', lang)}" if facts["shown"] else text


def _ts_summary(
    frame: pd.DataFrame, series: str, unit: str, lang: str | None, caveat: bool = False
) -> str:
    keys = ["line", "label", "slice", "source_type", "dataset"]
    latest = frame.groupby(keys, sort=False).tail(1)  # sorted by line, then time
    lines = "; ".join(
        t(
            "country.ts_line",
            lang,
            line=figures.trace_name(r, lang=lang),
            value=tables.with_unit(r["value"], unit, lang),
            period=r["period"],
        )
        for r in latest.to_dict("records")
    )
    text = t("country.ts_summary", lang, series=series, lines=lines)
    return f"{text} \u26a0 {t('country.ts_caveat', lang)}" if caveat else text


@content.memoized
def detail_payload(
    ver: int, iso3: str, group: str, series: str, source: str, lang: str | None = None
) -> dict[str, Any]:
    """Summary, time series, provenance and official-vs-community of one group and series."""
    country = reference.area_name(iso3, lang or language())
    frames = queries.country_frames(iso3, group, source)
    facts = views.group_summary(frames["coverage"], frames["statuses"], iso3, group)
    rows = views.progress_rows(queries.progress(group), iso3)
    window = queries.settings().recent_years - 1
    progress_fig, progress_caption = progress_chart(rows, group, window, lang)
    # the page's main chart (its image download): the series over time, else the progress
    chart = {
        "figure": progress_fig,
        "title": f"{progress_caption} \u2014 {country}",
        "summary": progress_summary_text(rows, country, group, window, lang),
    }
    summary = progress_block(
        rows,
        country,
        group,
        window,
        lang,
        [
            html.P(
                group_summary_text(facts, country, group, lang), className="country-summary mb-2"
            ),
            html.Div(tables.reasons_key(REASONS, lang), id=ids.COUNTRY_REASONS_KEY),
        ],
        (progress_fig, progress_caption),
    )
    if not series:
        return {
            "detail": content.jsonable(html.Div([summary, html.P(t("country.no_series", lang))])),
            "chart": content.jsonable(chart),
        }
    obs = content.country_observations(iso3, source, series)
    disp = frames["disparities"]
    pairs = disp[disp["series"] == series]
    dim = vocab_groups()[group].dimension if group in vocab_groups() else None
    words = code_words(lang)  # breakdown codes in the page's language (downloads: English)
    frame = views.timeseries_frame(obs, pairs, dim, words=words)
    if group in vocab_groups() and series in about_group(
        queries.snapshot().catalogue, vocab_groups()[group]
    ):
        # a series about the group (SI_COV_DISAB): each value is the group's, not a "total"
        frame = views.as_group_line(frame, group_title(group, lang))
    title = content.titles().get(series, series)
    unit = display.unit_name(str(frame["unit"].iloc[0]), words) if len(frame) else ""
    st = frames["statuses"]
    status = st.loc[(st["series"] == series) & (st["iso3"] == iso3), "status"].astype(object)
    facts_s = views.series_facts(obs, frame, str(status.iloc[0]) if len(status) else "")
    why = why_text(facts_s, country, group, source, lang)
    if series in queries.not_expected_here(group, iso3):
        scope = views.scope_countries(queries.snapshot().catalogue, series)
        names = [reference.area_name(c, lang or language()) for c in scope]
        why = out_of_scope_text(names, country, lang)
    all_sources = queries.country_frames(iso3, group, "all")["disparities"]
    both = views.official_vs_community(all_sources, iso3)
    prov = views.provenance_rows(obs, content.dataset_names(), words=words)
    caption = f"{title} \u2014 {group_title(group, lang)}"
    detail: list[Any] = [summary]
    if why:
        detail.append(html.P(why, className="country-why alert alert-info py-2"))
    if len(frame):
        not_drawn = figures.values_not_drawn(obs, frame)  # other units: said, not dropped
        fig = figures.timeseries_figure_dict(
            frame,
            title=title,
            unit=unit,
            lang=lang,
            dataset_names=content.dataset_names(),
            not_drawn=not_drawn,
        )
        caveat = views.measured_differently(frame, pairs, obs)
        ts_text = _ts_summary(frame, title, unit, lang, caveat)
        ts_text = f"{ts_text} {figures.not_drawn_text(not_drawn, lang)}".strip()
        chart = {"figure": fig, "title": f"{caption} \u2014 {country}", "summary": ts_text}
        detail += [
            _section(
                t("country.timeseries_of", lang, series=title),
                components.figure_block(
                    dcc.Graph(id=ids.COUNTRY_TIMESERIES, figure=fig, config=content.graph_config()),
                    ids.COUNTRY_TIMESERIES_SUMMARY,
                    ts_text,
                    caption,
                ),
                "country-ts-section",
            ),
            html.Details(
                [
                    html.Summary(t("overview.table_summary", lang)),
                    html.Div(
                        tables.timeseries_table(frame, caption, lang, unit),
                        id=ids.COUNTRY_TIMESERIES_TABLE,
                    ),
                ]
            ),
        ]
    else:  # the ids stay on the page (the wiring contract), with nothing to draw
        detail += [
            html.Div(id=ids.COUNTRY_TIMESERIES, hidden=True),
            html.Div(id=ids.COUNTRY_TIMESERIES_SUMMARY, hidden=True),
            html.Div(id=ids.COUNTRY_TIMESERIES_TABLE, hidden=True),
        ]
    provenance = (
        html.Details(
            [
                html.Summary(t("country.provenance_show", lang, n=len(prov))),
                tables.provenance_table(prov, caption, lang),
            ]
        )
        if len(prov)
        else html.P(t("country.provenance_none", lang))
    )
    detail += [
        _section(t("country.provenance", lang), provenance, ids.COUNTRY_PROVENANCE),
        _section(
            t("country.side_by_side", lang),
            tables.side_by_side_table(both, content.titles(), group, lang),
            ids.COUNTRY_SIDE_BY_SIDE,
        ),
    ]
    return {"detail": content.jsonable(html.Div(detail)), "chart": content.jsonable(chart)}


def offered_series(iso3: str, group: str, source: str, goal: str) -> list[str]:
    """Series of the group for this country: group values first, then any value, then none."""
    return list(_offered(_store_key(), iso3, group, source, goal))


@lru_cache(maxsize=32)
def _offered(
    key: tuple[int, int], iso3: str, group: str, source: str, goal: str
) -> tuple[str, ...]:
    """``offered_series`` of a store version (a page asks for it up to four times per open)."""
    expected = content.country_series(iso3, group, source, goal)
    frames = queries.country_frames(iso3, group, source)
    st = frames["statuses"]
    has_any = set(st.loc[st["status"] != "no_data", "series"].astype(object))  # no obs scan
    # a group value: a pair with its reference, or a series about the group (SI_COV_DISAB)
    split = st["status"].isin(("disaggregated", "outdated", "community_only"))
    with_group = set(frames["disparities"]["series"].astype(object))
    with_group |= set(st.loc[split, "series"].astype(object))
    return tuple(views.rank_series(expected, with_group, has_any))


def series_label(code: str, names: dict[str, str]) -> str:
    """Option label of a series: its title, the code as secondary text."""
    title = names.get(code, "")
    return f"{title} ({code})" if title else code


def series_options(iso3: str, group: str, source: str, goal: str) -> list[dict]:
    """Series of the group for this country (those with values first)."""
    names = content.titles()
    return components.options(
        (s, series_label(s, names)) for s in offered_series(iso3, group, source, goal)
    )


def pick_series(iso3: str, s: dict[str, str]) -> str:
    """The series shown: the chosen one, else the first with a group value (else any value)."""
    offered = offered_series(iso3, s["group"], s["source"], s["goal"])
    return s["series"] if s["series"] in offered else (offered[0] if offered else "")


def layout(iso3: str | None = None, lang: str | None = None, **query: Any) -> html.Div:
    """The country page, or the not-found page for an unknown code."""
    lang = supported(lang)  # a cache key: a known language, never None
    code = str(iso3 or "").strip().upper()
    if not known(code):
        return not_found(str(iso3 or ""), lang)
    s, problems = state.validate(query, content.choices())
    series = pick_series(code, s)
    shown = {**s, "series": series}  # the state the page's callback would store
    ver = content.version()
    static = static_payload(ver, code, s["source"], lang)
    # the series part and the missing splits come with the page (memoised whole): one round
    # trip to a drawn page; the page's callback answers changes only
    detail = detail_payload(ver, code, s["group"], series, s["source"], lang)
    missing = missing_payload(ver, code, s["source"], lang)
    name = reference.area_name(code, lang or language())
    # the links of this state; the page's callback sends those of a change
    found = links.menu_links(f"country-{code}", state.to_search(shown), "", lang)
    return html.Div(
        [
            # the Location holds the address's state, so it does not fire when it mounts
            dcc.Location(
                id=ids.COUNTRY_URL,
                refresh=False,
                pathname=f"/country/{code}",
                search=state.to_search(shown),
            ),
            dcc.Store(id=ids.COUNTRY_ISO3, data=code),
            dcc.Store(id=ids.COUNTRY_STATE, data=shown),
            dcc.Store(id=ids.COUNTRY_STATUS_MATRIX_ASKED),  # the status matrix asked for
            dcc.Link(t("country.back", lang), href="/" + state.to_search(s), id=ids.COUNTRY_BACK),
            html.H1(
                t("country.heading", lang, country=name),
                id=ids.COUNTRY_HEADING,
                className="h3 mt-2",
            ),
            html.Div(
                components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
                id=ids.COUNTRY_NOTICE,
                role="status",
            ),
            components.filter_panel(
                [
                    components.select(
                        ids.COUNTRY_GROUP,
                        t("filters.group", lang),
                        components.options(content.group_option_labels(lang)),
                        s["group"],
                        width=4,
                    ),
                    components.select(
                        ids.COUNTRY_SERIES,
                        t("filters.series", lang),
                        series_options(code, s["group"], s["source"], s["goal"]),
                        series,
                        width=8,
                    ),
                ],
                t("filters.heading", lang),
            ),
            components.download_menu(name, ids.COUNTRY_DOWNLOADS, found, found["code"], lang),
            html.Div(detail["detail"], id=ids.COUNTRY_DETAIL, **{"aria-live": "polite"}),
            _section(t("country.scorecard", lang), static["scorecard"], ids.COUNTRY_SCORECARD),
            _section(t("country.missing", lang), missing, ids.COUNTRY_MISSING),
            _section(
                t("country.status_matrix", lang),
                # the table (~880 rows at 10M observations) comes when the summary is opened
                tables.status_matrix_details(
                    static["matrix_rows"],
                    ids.COUNTRY_STATUS_MATRIX_SHOW,
                    ids.COUNTRY_STATUS_MATRIX_BODY,
                    lang=lang,
                ),
                ids.COUNTRY_STATUS_MATRIX,
            ),
        ],
        className="country-page",
    )


CONTROLS = ("group", "series")  # the page's controls, in the order of sync's outputs


def sync(
    iso3: str,
    from_url: bool,
    search: str | None,
    values: dict[str, Any],
    current: dict | None,
    lang: str | None = None,
) -> tuple:
    """Outputs of the country callback.

    Returns:
        (search, group, series, series options, notice, state, detail, back link, missing
        splits); all ``no_update`` when the URL changed to the state already shown. After a
        control's change, a control is ``no_update`` where the state keeps the value it sent
        (a control changed again while the answer was on its way keeps the newer choice).
        The missing splits depend on the country and source only (the language re-renders
        the page, and with it an empty state): a group or series change leaves them as shown
        (``no_update``) instead of sending the same ~90 KB again.
    """
    s, problems, write = state.resolve(from_url, search, values, content.choices())
    back = "/" + state.to_search(s)  # the filters as chosen, not the series picked here
    s["series"] = pick_series(iso3, s)
    if from_url and s == current:
        return (no_update,) * 9
    detail = detail_payload(content.version(), iso3, s["group"], s["series"], s["source"], lang)
    shown = isinstance(current, dict) and current.get("source") == s["source"]
    missing = no_update if shown else missing_payload(content.version(), iso3, s["source"], lang)
    # after a control's change, a control is set only where the state corrects it: a control
    # the person changed again while this answer was on its way keeps the newer choice
    controls = [s["group"], s["series"]]
    if not from_url:
        controls = [v if v != values.get(k) else no_update for k, v in zip(CONTROLS, controls)]
    return (
        state.to_search(s) if write else no_update,
        *controls,
        series_options(iso3, s["group"], s["source"], s["goal"]),
        components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
        s,
        detail["detail"],
        back,
        missing,
    )


def is_here(pathname: str | None, iso3: str | None) -> bool:
    """Whether the browser's path is this country's page (else the page is being left)."""
    if pathname is None:  # not known yet (the first call): the page is being shown
        return True
    if not isinstance(pathname, str):
        return False
    return pathname.rstrip("/").upper() == f"/COUNTRY/{iso3 or ''}".upper()
