"""Pure table builders: the data-table alternative of every chart and the country page tables.

Tables are plain HTML (``<table>`` with ``<caption>`` and ``<th scope>``): screen readers and
keyboards handle them natively, and every country or cell that leads somewhere is a link. Each
table is one ``dcc.Markdown`` of markup (``layouts.markup``), not a component per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from dash import dcc, html

from data import display, views_country
from data.vocab import groups as vocab_groups
from layouts import markup, theme
from layouts.figures import fmt_share, trace_name
from layouts.i18n import code_words, dimension_name, exact, group_title, points, t, value_percent

_NOT_EXPECTED = "\u2013"
_DASH = "\u2014"


def simple_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str,
    row_headers: bool = True,
    caption_hidden: bool = False,
) -> dcc.Markdown:
    """A table with a caption, column headers and (optionally) the first cell as row header.

    One component whatever the number of rows (see ``layouts.markup``). ``caption_hidden``
    keeps the caption for screen readers only (when a heading says it).
    """
    source = markup.table(
        caption,
        headers,
        rows,
        class_name="table table-striped table-hover table-sm data-table",
        caption_class="visually-hidden" if caption_hidden else "caption-top",
        row_headers=row_headers,
    )
    return markup.block(source)


def scroll_region(body: Any, label: str, class_name: str) -> html.Div:
    """A scrolling box that keyboard users can reach (Tab) and screen readers can name."""
    return html.Div(
        body, className=class_name, tabIndex="0", role="region", **{"aria-label": label}
    )


def country_href(iso3: str, search: str = "") -> str:
    """Path of a country page, keeping the filters of ``search``."""
    return f"/country/{iso3}{search}"


def _map_value(r: dict[str, Any], mode: str, lang: str | None) -> str:
    if mode == "coverage":
        return t(
            "value.share",
            lang,
            pct=fmt_share(r["z"], lang),
            n=r["disaggregated"],
            expected=r["expected"],
        )
    if mode == "disparity" and r["value"] == r["value"]:
        return t(
            "value.disparity",
            lang,
            value=exact(r["value"], lang) or t("value.none", lang),
            ref=exact(r["ref_value"], lang) or t("value.none", lang),
            direction=t(f"direction.{r['direction'] or 'unknown'}", lang),
        )
    # the table is the map's accessible alternative: stored values, never rounded
    value = exact(r["value"], lang) or t("value.none", lang)
    return value if mode != "status" else t("value.none", lang)


def map_table(
    frame: pd.DataFrame, mode: str, search: str, caption: str, lang: str | None = None
) -> html.Div:
    """The map's data as a table, one row per country, each country a link to its page.

    Args:
        frame: ``views.map_frame`` output.
        mode: ``coverage``, ``status``, ``values`` or ``disparity``.
        search: the current query string (kept in the links).
        caption: what the table shows.
        lang: language.
    """
    value_head = t("col.coverage" if mode == "coverage" else "col.value", lang)
    headers = [
        t("col.country", lang),
        value_head,
        t("col.status", lang),
        t("col.main_reason" if mode == "coverage" else "col.reason", lang),
        t("col.period", lang),
        t("col.source", lang),
        t("col.nature", lang),
    ]
    rows = [
        [
            markup.link(r["name"], country_href(r["iso3"], search)),
            _map_value(r, mode, lang),
            t(f"status.{r['status']}", lang) if r["status"] else _DASH,
            reason_text(r.get("reason") or "", lang, age=r.get("age")) or _DASH,
            r["period"] or _DASH,
            r["source"] or _DASH,
            r["nature"] or _DASH,
        ]
        for r in frame.sort_values("name").to_dict("records")
    ]
    return html.Div(simple_table(headers, rows, caption), className="table-responsive")


def progress_map_table(
    frame: pd.DataFrame, search: str, caption: str, lang: str | None = None
) -> html.Div:
    """The progress map's data: share of expected splits with a value at both years, change.

    Args:
        frame: ``views.progress_frame`` output (one row per country).
        search: the current query string (kept in the links).
        caption: what the table shows.
        lang: language.
    """
    base = int(frame["base"].iloc[0]) if len(frame) else 0
    now = int(frame["now"].iloc[0]) if len(frame) else 0
    headers = [
        t("col.country", lang),
        t("col.base_share", lang, year=base),
        t("col.now_share", lang, year=now),
        t("col.change", lang),
        t("col.progress_direction", lang),
    ]
    rows = []
    for r in frame.sort_values("name").to_dict("records"):
        known = bool(r["direction"])
        at = {
            y: t(
                "value.share",
                lang,
                pct=fmt_share(r[f"{y}_share"], lang),
                n=r[f"{y}_n"],
                expected=r["expected"],
            )
            for y in ("base", "now")
        }
        rows.append(
            [
                markup.link(r["name"], country_href(r["iso3"], search)),
                at["base"] if known else t("value.not_expected", lang),
                at["now"] if known else _DASH,
                points(r["z"], lang) if known else _DASH,
                t(f"progress.{r['direction']}", lang) if known else _DASH,
            ]
        )
    return html.Div(simple_table(headers, rows, caption), className="table-responsive")


def matrix_table(
    frame: pd.DataFrame,
    groups: Sequence[str],
    search_for: Callable[[str], str],
    caption: str,
    lang: str | None = None,
) -> html.Div:
    """Countries (rows) x groups (columns), cells coloured by coverage, each cell a link.

    Each cell is ``<td class="cov-N"><a href="/country/ISO3?group=...">`` (no id: tests and
    styles find a cell by its link's ``href``), which keeps the world matrix under 20 KB.

    Args:
        frame: ``views.matrix_frame`` output (iso3, name, group, share, disaggregated,
            expected, reason), rows of one country adjacent; a cell with a gap reason ends
            with its letter (``reason_letters``: "12% (3/25) N").
        groups: the group ids, in column order.
        search_for: group id -> query string of the link (the other filters kept).
        caption: the table caption.
        lang: language.
    """
    headers = [t("col.country", lang)] + [group_title(g, lang) for g in groups]
    rows: dict[str, list[Any]] = {}
    none = t("value.none", lang)
    query = {g: search_for(g) for g in groups}
    letters = reason_letters(lang)
    # One pass over plain records: a groupby with a frame per country costs ~200 ms at world size.
    for r in frame.to_dict("records"):
        iso3 = str(r["iso3"])
        cells = rows.get(iso3)
        if cells is None:
            cells = rows[iso3] = [markup.link(r["name"], country_href(iso3, query[groups[0]]))]
        known = bool(r["expected"])
        text = (
            f"{fmt_share(r['share'], lang)} ({r['disaggregated']}/{r['expected']})"
            if known
            else none
        )
        # the cell's most common gap reason as its key letter, after the link ("12% (3/25) N")
        letter = f" {letters[r['reason']]}" if known and r.get("reason") else ""
        cls = theme.share_class(r["share"] if known else None)
        href = markup.esc(country_href(iso3, query[r["group"]]))
        # the hot loop of the world matrix (2,500 cells): one f-string a cell, text escaped
        cells.append(
            markup.Markup(
                f'<td className="{cls}"><dccLink href="{href}">{markup.esc(text)}</dccLink>'
                f"{markup.esc(letter)}</td>"
            )
        )
    source = markup.table(
        caption, headers, list(rows.values()), class_name="table table-sm matrix-table"
    )
    return scroll_region(markup.block(source), caption, "table-responsive matrix-scroll")


def reason_letters(lang: str | None = None) -> dict[str, str]:
    """Gap reason -> the one letter a matrix cell shows for it (keyed under the matrix)."""
    from data.gaps import REASONS

    return {r: t(f"reasonletter.{r}", lang) for r in REASONS}


def with_unit(value: Any, unit: str, lang: str | None = None) -> str:
    """A stored value, exactly as stored, and its unit ("12.85%", "3.4 per 1,000 live births").

    Tables and sentences never round (``i18n.exact``) and write numbers the language's way
    ("12,85 %" in French); "—" when there is no value.
    """
    text = exact(value, lang) or _DASH
    if not unit or text == _DASH:
        return text
    return value_percent(value, lang) if unit == "%" else f"{text} {unit}"


def _exact(value: Any, lang: str | None = None) -> str:
    return exact(value, lang) or _DASH


def largest_text(r: Mapping[str, Any], titles: Mapping[str, str], lang: str | None) -> str:
    """The largest disparity of a scorecard row in words, naming its source type and unit."""
    if not r["series"]:
        return t("value.none", lang)
    unit = display.unit_name(r.get("unit") or "", code_words(lang)) if r.get("unit") else ""
    pair = t(
        "value.disparity",
        lang,
        value=with_unit(r["value"], unit if unit == "%" else "", lang),
        ref=with_unit(r["ref_value"], unit, lang),
        direction=t(f"direction.{r['direction'] or 'unknown'}", lang),
    )
    text = t(
        "country.largest",
        lang,
        series=titles.get(r["series"], r["series"]),
        source=t(f"sourceword.{r.get('source_type') or 'all'}", lang),
        period=r["period"],
        pair=pair,
    )
    return f"{text} \u2014 \u26a0 {t('country.caveat', lang)}" if r.get("caveat") else text


def scorecard_table(
    frame: pd.DataFrame, titles: Mapping[str, str], lang: str | None = None
) -> html.Div:
    """The country's scorecard: one row per group, in a region that scrolls on a phone.

    Args:
        frame: ``views_country.scorecard`` output.
        titles: series code -> title.
        lang: language.
    """
    headers = [
        t("col.group", lang),
        t("col.coverage", lang),
        t("col.disaggregated", lang),
        t("col.largest", lang),
    ]
    rows = [
        [
            group_title(r["group"], lang),
            fmt_share(r["share"], lang) if r["expected"] else t("value.not_expected", lang),
            f"{r['disaggregated']} / {r['expected']}",
            largest_text(r, titles, lang),
        ]
        for r in frame.to_dict("records")
    ]
    return scroll_region(
        simple_table(headers, rows, t("country.scorecard", lang), caption_hidden=True),
        t("country.scorecard_table", lang),  # a region's name differs from its section's
        "table-responsive country-table scorecard",
    )


def reason_text(
    reason: str,
    lang: str | None = None,
    *,
    age: Any = None,
    published: int = 0,
    dimension: str = "",
) -> str:
    """A reason as a short phrase ("Outdated \u2014 9 years old"; "" for no reason).

    Args:
        reason: a code of ``gaps.REASONS`` or "".
        lang: language.
        age: years since the latest split (``stale``).
        published: how many values the country publishes of the series (``not_published``).
        dimension: the group's dimension in words (``not_published``: "never by disability").
    """
    if not reason:
        return ""
    head = t(f"reason.{reason}", lang)
    detail = _reason_detail(reason, lang, age, published, dimension)
    return f"{head} \u2014 {detail}" if detail else head


def _reason_detail(reason: str, lang: str | None, age: Any, published: int, dim: str) -> str:
    if reason == "stale" and age is not None and age is not pd.NA and age == age:
        return t("country.reason_detail.stale", lang, count=int(age), age=int(age))
    if reason == "not_published" and published and dim:
        n = int(published)
        return t("country.reason_detail.not_published", lang, count=n, n=n, dimension=dim)
    return ""


def status_markup(status: str, lang: str | None = None) -> markup.Markup:
    """A status or a ``views_country.cell_key`` as glyph, words and reason in words.

    The glyph is hidden from screen readers; the reason follows the status unless it repeats
    it ("Outdated split \u2014 9 years old", "No data \u2014 Declared but missing").
    """
    code = views_country.split_cell(status)[0]
    if not code:  # not expected: a bare dash that the caption explains
        return markup.esc(_NOT_EXPECTED)
    glyph = markup.tag(
        "span",
        theme.STATUS_GLYPHS[code] + " ",
        {"className": f"glyph-{code}", "aria-hidden": "true"},
    )
    return markup.join([glyph, status_words(status, lang)])


def status_words(cell: str, lang: str | None = None) -> str:
    """A status or ``views_country.cell_key`` in words, with its reason ("" if not expected).

    The page's cells and the downloads' write the same text.
    """
    status, reason, age = views_country.split_cell(cell)
    if not status:
        return ""
    words = t(f"status.{status}", lang)
    if reason == "stale":  # the status says "outdated": the age is what the reason adds
        extra = _reason_detail(reason, lang, age, 0, "")
    else:
        extra = reason_text(reason, lang) if reason != status else ""
    return f"{words} \u2014 {extra}" if extra else words


def status_matrix_table(
    wide: pd.DataFrame, titles: Mapping[str, str], lang: str | None = None
) -> html.Div:
    """Series (rows) x groups (columns) with the status in words and symbol.

    Most cells of a country are "not expected" (a series is split by one or two groups; ~1,500
    of ~1,900 cells for a country of the UN extract): they hold a bare dash that the caption
    explains. The table has hundreds of rows: it scrolls in a named region reachable by
    keyboard, inside a collapsed ``<details>`` (``status_matrix_details``).
    """
    headers = [t("col.series", lang)] + [group_title(g, lang) for g in wide.columns]
    cells = pd.unique(wide.to_numpy().ravel()) if wide.size else []
    marks = {v: status_markup(v, lang) for v in {"", *theme.STATUS_GLYPHS, *cells}}
    rows = [
        [markup.tag("span", titles.get(s, s), {"title": s})] + [marks[v] for v in row]
        for s, row in zip(wide.index, wide.to_numpy(), strict=True)
    ]
    caption = (
        f"{t('country.status_matrix', lang)} ({_NOT_EXPECTED} = {t('value.not_expected', lang)})"
    )
    return scroll_region(
        simple_table(headers, rows, caption, caption_hidden=True),
        t("country.status_matrix_table", lang),
        "table-responsive status-matrix",
    )


def status_matrix_details(
    n: int, summary_id: str, body_id: str, lang: str | None = None
) -> html.Details:
    """The status matrix collapsed: a summary that says how many series, then its body.

    The table is not sent with the page: the body says it is loading until the page's
    callback fills ``body_id`` (asked for by a click or key press on the summary). At 10
    million observations a country's matrix is ~880 rows, half of the page's bytes.
    """
    loading = html.P(t("country.status_matrix_loading", lang), className="text-muted")
    return html.Details(
        [
            html.Summary(t("country.status_matrix_show", lang, n=n), id=summary_id, n_clicks=0),
            html.Div(loading, id=body_id),
        ]
    )


def _dimension_words(group: str, lang: str | None = None) -> str:
    dim = vocab_groups().get(group)
    return dimension_name(dim.dimension, lang) if dim else group


def _ask(
    r: Mapping[str, Any],
    titles: Mapping[str, str],
    lang: str | None,
    memo: dict[tuple, tuple] | None = None,
) -> markup.Markup:
    """One missing split as an ``<li>``: what to ask for, and why in words after a glyph.

    ``memo``: the words of each (status, year, reason, age, count, group) already written
    (a country misses ~800 splits at 10M observations, in a few dozen such combinations).
    """
    year = r["latest_year"] if r["latest_year"] == r["latest_year"] else ""
    age = r.get("age")
    age = None if age is None or age is pd.NA or age != age else age
    published = int(r.get("published") or 0)
    status, group = r["status"], r["group"]
    key = (status, year, str(r.get("reason") or ""), age, published, group)
    words = memo.get(key) if memo is not None else None
    if words is None:
        words = _ask_words(status, year, key[2], age, published, str(group), lang)
        if memo is not None:
            memo[key] = words
    reason, group_name, tail = words
    series = titles.get(r["series"], r["series"])
    if tail is None:
        return markup.tag(
            "li", t("country.ask", lang, series=series, group=group_name, reason=reason)
        )
    if status != "outdated":  # the reason says it better than "(only totals ...)"
        text = t("country.ask_plain", lang, series=series, group=group_name)
    else:
        text = t("country.ask", lang, series=series, group=group_name, reason=reason)
    return markup.Markup(f"<li>{markup.esc(text)}{tail}</li>")


def _ask_words(
    status: str, year: Any, reason_code: str, age: Any, published: int, group: str, lang: str | None
) -> tuple[str, str, markup.Markup | None]:
    """The parts of ``_ask`` that do not name the series.

    The status in words, the group's name and the reason after its glyph (None: no reason).
    """
    reason = (
        t(f"country.ask_reason.{status}", lang, year=year)
        if status == "outdated"
        else t(f"country.ask_reason.{status}", lang)
    )
    why = reason_text(
        reason_code,
        lang,
        age=age,
        published=published,
        dimension=_dimension_words(group, lang),
    )
    if not why:
        return reason, group_title(group, lang), None
    glyph = markup.tag(
        "span",
        theme.STATUS_GLYPHS.get(str(status), "") + " ",
        {"className": f"glyph-{status}", "aria-hidden": "true"},
    )
    why_span = markup.tag("span", why, {"className": "reason"})
    return reason, group_title(group, lang), markup.join([": ", glyph, why_span])


def missing_list(
    frame: pd.DataFrame, titles: Mapping[str, str], lang: str | None = None
) -> dcc.Markdown | html.P:
    """What to ask the statistics office for, in words, grouped by SDG goal and collapsed.

    One markup block (``markup.block``), not ~350 components: a country of the UN extract
    misses hundreds of splits, and Dash pays per component on the server, on the wire and
    in the browser. The lists stay real ``<ul>``/``<li>`` inside ``<details>``.

    Args:
        frame: ``views_country.missing_splits`` output (goal, series, group, status,
            latest_year), ordered by goal.
        titles: series code -> title.
        lang: language.

    Returns:
        A count, then one ``<details>`` per goal whose summary says how many splits are
        missing ("Goal 8 — 5 missing"); a paragraph when nothing is missing.
    """
    if frame.empty:
        return html.P(t("country.missing_none", lang))
    goals = frame["goal"] if "goal" in frame else pd.Series("", index=frame.index)
    blocks: list[Any] = []
    memo: dict[tuple, tuple] = {}  # the words of each kind of missing split, written once
    for goal, part in frame.groupby(goals.astype(str).to_numpy(), sort=False):
        summary = (
            t("country.missing_goal", lang, goal=goal, n=len(part))
            if goal
            else t("country.missing_goal_unknown", lang, n=len(part))
        )
        items = [_ask(r, titles, lang, memo) for r in part.to_dict("records")]
        blocks.append(
            markup.tag(
                "details",
                [
                    markup.tag("summary", summary),
                    markup.tag("ul", items, {"className": "missing-list"}),
                ],
                {"className": "missing-goal"},
            )
        )
    intro = markup.tag("p", t("country.missing_intro", lang, n=len(frame)))
    body = markup.tag("div", [intro, markup.tag("div", blocks, {"className": "missing-goals"})])
    return markup.block(body)


def timeseries_table(
    frame: pd.DataFrame, caption: str, lang: str | None = None, unit: str = ""
) -> html.Div:
    """The time series as a table (its text alternative), lines named as in the legend."""
    headers = [
        t("col.line", lang),
        t("col.period", lang),
        t("col.value", lang),
        t("col.bounds", lang),
        t("col.source_type", lang),
    ]
    rows = [
        [
            trace_name(
                {
                    "line": r["line"],
                    "label": r.get("label") or "",
                    "slice": r.get("slice") or "",
                    "source_type": r["source_type"],
                },
                lang=lang,
            ),
            r["period"],
            with_unit(r["value"], unit, lang),
            f"{_exact(r['lower'], lang)} \u2013 {_exact(r['upper'], lang)}"
            if r["lower"] == r["lower"]
            else _DASH,
            t(f"source.{r['source_type']}", lang),
        ]
        for r in frame.to_dict("records")
    ]
    return scroll_region(
        simple_table(headers, rows, caption),
        t("country.timeseries_table", lang),
        "table-responsive scroll-box country-table",
    )


def provenance_table(frame: pd.DataFrame, caption: str, lang: str | None = None) -> html.Div:
    """Every value with its breakdown and unit in words, dataset, source and source row."""
    headers = [
        t("col.period", lang),
        t("col.breakdown", lang),
        t("col.value", lang),
        t("col.source_type", lang),
        t("col.dataset", lang),
        t("col.source", lang),
        t("col.row", lang),
        t("col.nature", lang),
    ]
    rows = [
        [
            r["period"],
            r["breakdown"] or t("line.total", lang),
            (r["value_flag"] if r["value_flag"] in "<>" else "")
            + with_unit(r["value"], r.get("unit") or "", lang),
            source_badge(r["source_type"], lang),
            r["dataset"],
            r["source"] or _DASH,
            str(r["source_row"]),
            r["nature"] or _DASH,
        ]
        for r in frame.to_dict("records")
    ]
    return scroll_region(
        simple_table(headers, rows, caption),
        t("country.provenance_table", lang),
        "table-responsive scroll-box country-table",
    )


def source_badge(source_type: str, lang: str | None = None) -> Any:
    """The source type in words; community data as a visible badge (issue #9)."""
    text = t(f"source.{source_type}", lang)
    if source_type != "community":
        return text
    return markup.tag("span", text, {"className": "badge text-bg-dark community-badge"})


def side_by_side_table(
    frame: pd.DataFrame, titles: Mapping[str, str], group: str, lang: str | None = None
) -> Any:
    """Official and community values of the group for the same series (never in one cell)."""
    if frame.empty:
        return html.P(t("country.side_none", lang, group=group_title(group, lang)))
    headers = [t("col.series", lang), t("col.official", lang), t("col.community", lang)]

    def cell(r: dict[str, Any], kind: str) -> str:
        return t(
            "value.with_ref",
            lang,
            value=_exact(r[f"{kind}_value"], lang),
            ref=_exact(r[f"{kind}_ref"], lang),
            period=r[f"{kind}_period"],
        )

    rows = [
        [titles.get(r["series"], r["series"]), cell(r, "official"), cell(r, "community")]
        for r in frame.to_dict("records")
    ]
    return scroll_region(
        simple_table(headers, rows, t("country.side_by_side", lang), caption_hidden=True),
        t("country.side_by_side_table", lang),
        "table-responsive country-table",
    )


def progress_table(frame: pd.DataFrame, caption: str, lang: str | None = None) -> html.Div:
    """Coverage by year as a table: the same numbers as the progress chart and the CLI.

    Args:
        frame: ``views_country.progress_rows`` output (year, expected, with_value, share).
        caption: what the table shows.
        lang: language.
    """
    headers = [
        t("col.year", lang),
        t("col.with_value", lang),
        t("col.expected", lang),
        t("col.share", lang),
    ]
    rows = [
        [str(r["year"]), str(r["with_value"]), str(r["expected"]), fmt_share(r["share"], lang)]
        for r in frame.to_dict("records")
    ]
    return scroll_region(
        simple_table(headers, rows, caption),
        t("country.progress_table", lang),
        "table-responsive scroll-box country-table progress-table",
    )


def reasons_key(reasons: Sequence[str], lang: str | None = None) -> html.Details:
    """What each reason means, once per page: a collapsed list of phrase and sentence."""
    items = [
        html.Div(
            [html.Dt(t(f"reason.{r}", lang)), html.Dd(t(f"reason.help.{r}", lang))],
            className="reason-item",
        )
        for r in reasons
    ]
    return html.Details(
        [
            html.Summary(t("country.reasons_key", lang)),
            html.P(t("country.reasons_key_intro", lang), className="mb-1"),
            html.Dl(items, className="reasons-key"),
        ]
    )
