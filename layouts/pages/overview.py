"""The overview ``/``: filters, headline cards, the world map, its legend, summary and table.

``layout(**query)`` renders the state the link asks for (Dash Pages passes the query string);
the callbacks in ``callbacks/overview.py`` keep URL, controls and content in step afterwards.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from dash import dcc, html, no_update

from data import queries, reference
from layouts import components, ids, state
from layouts.i18n import group_label, supported, t
from layouts.pages import content, links

# the filters every payload takes (in its argument order)
CONTROL_IDS: dict[str, str] = {
    "mode": ids.FILTER_MODE,
    "group": ids.FILTER_GROUP,
    "goal": ids.FILTER_GOAL,
    "series": ids.FILTER_SERIES,
    "year": ids.FILTER_YEAR,
    "region": ids.FILTER_REGION,
    "source": ids.FILTER_SOURCE,
}
# every control of the page: the payload's filters and the progress map's base year
FILTER_IDS: dict[str, str] = {**CONTROL_IDS, "base": ids.FILTER_BASE}
# the filters a mode does not use, hidden in their boxes
BOX_IDS: dict[str, str] = {
    "goal": ids.FILTER_GOAL_BOX,
    "series": ids.FILTER_SERIES_BOX,
    "year": ids.FILTER_YEAR_BOX,
    "source": ids.FILTER_SOURCE_BOX,
    "base": ids.FILTER_BASE_BOX,
}


OPTIONS_OF = ("mode", "group", "goal")  # what the series select's options depend on


def series_options(mode: str, group: str, goal: str, lang: str | None = None) -> list[dict]:
    """Options of the series select: series that can be split by the group, by title."""
    first = t("filters.series_all" if mode == "gaps" else "filters.series_auto", lang)
    names = content.titles()
    labelled = [(s, content.series_label(s, names)) for s in content.series_in_goal(group, goal)]
    pairs = [(state.ALL_SERIES, first)] + sorted(labelled, key=lambda p: p[1].casefold())
    return components.options(pairs)


def controls(s: dict[str, str], lang: str | None = None) -> list[Any]:
    """The seven filter controls, showing state ``s``."""
    ch = content.choices()
    return [
        components.radio_group(
            ids.FILTER_MODE,
            t("filters.mode", lang),
            components.options((m, t(f"mode.{m}", lang)) for m in state.MODES),
            s["mode"],
        ),
        components.select(
            ids.FILTER_GROUP,
            t("filters.group", lang),
            components.options(content.group_option_labels(lang)),
            s["group"],
        ),
        components.select(
            ids.FILTER_GOAL,
            t("filters.goal", lang),
            components.options(
                [("all", t("filters.goal_all", lang))]
                + [(g, t("filters.goal_n", lang, goal=g)) for g in ch.goals]
            ),
            s["goal"],
            width=2,
            box_id=ids.FILTER_GOAL_BOX,
            hidden=hidden(s["mode"])["goal"],
        ),
        components.select(
            ids.FILTER_SERIES,
            t("filters.series", lang),
            series_options(s["mode"], s["group"], s["goal"], lang),
            state.control_value("series", s["series"]),
            width=7,
            box_id=ids.FILTER_SERIES_BOX,
            hidden=hidden(s["mode"])["series"],
        ),
        components.select(
            ids.FILTER_YEAR,
            t("filters.year", lang),
            components.options(
                [("latest", t("filters.year_latest", lang))] + [(str(y), str(y)) for y in ch.years]
            ),
            s["year"],
            width=3,  # "Latest available" is cut off at 2 columns
            box_id=ids.FILTER_YEAR_BOX,
            hidden=hidden(s["mode"])["year"],
        ),
        components.select(
            ids.FILTER_BASE,
            t("filters.base", lang),
            components.options((str(y), str(y)) for y in state.base_years(content.choices())),
            s["base"],
            width=2,
            box_id=ids.FILTER_BASE_BOX,
            hidden=hidden(s["mode"])["base"],
        ),
        content.region_select(ids.FILTER_REGION, s["region"], lang, width=4),
        content.source_select(
            ids.FILTER_SOURCE,
            s["source"],
            lang,
            width=3,
            box_id=ids.FILTER_SOURCE_BOX,
            hidden=hidden(s["mode"])["source"],
        ),
    ]


def year_hidden(mode: str) -> bool:
    """Whether the year filter is hidden: "Data gaps" always uses each series' newest data."""
    return hidden(mode)["year"]


def hidden(mode: str) -> dict[str, bool]:
    """Which filters a mode hides (``BOX_IDS``).

    "Data gaps" use the as-of year (no year); "Progress" compares the official coverage of all
    the group's expected series at the base year and the as-of year (no goal, series, year or
    source, a base year instead); only "Progress" has a base year.
    """
    progress = mode == "progress"
    return {
        "goal": progress,
        "series": progress,
        "year": mode in ("gaps", "progress"),
        "source": progress,
        "base": not progress,
    }


def payload_args(s: dict[str, str]) -> list[str]:
    """The payload's filter arguments of a state: ``CONTROL_IDS`` values, then the base year.

    Only the progress map uses the base year: other modes get the default, so their cached
    payloads are shared by every base year.
    """
    s = state.trusted(s, content.choices()) or state.DEFAULTS  # sent back by the browser
    base = s.get("base") if s.get("mode") == "progress" else None
    return [s[k] for k in CONTROL_IDS] + [base or state.DEFAULTS["base"]]


# A worker's own copies of the payloads it served last, in front of the shared cache: a hit
# there builds a key by inspecting the function's signature and unpickles ~40 KB (~1 ms, more
# than the rest of the callback). Payloads are never modified once built.
# At most ``GAPMAP_RECENT_PAYLOADS`` of them (64 by default: ~10 MB).
_RECENT: OrderedDict[tuple, tuple[weakref.ref, dict[str, Any]]] = OrderedDict()
_recent_lock = threading.Lock()


def payload(s: dict[str, str], lang: str | None) -> dict[str, Any]:
    """The map, headline cards, summary and legend of a filter state (memoised)."""
    args = payload_args(s)
    snap = queries.snapshot()
    # the function in the key: a replaced one (a test's) never answers from the old one's
    # entries; the snapshot checked on a hit: versions restart when another store is opened
    key = (content.overview_payload, snap.version, lang, *args)
    found = _RECENT.get(key)
    if found is not None and found[0]() is snap:
        return found[1]
    p = content.overview_payload(snap.version, *args[:-1], lang, args[-1])
    size = queries.settings().recent_payloads
    with _recent_lock:
        _RECENT[key] = (weakref.ref(snap), p)
        while len(_RECENT) > size:
            _RECENT.popitem(last=False)
    return p


def heading(group: str, lang: str | None = None) -> str:
    """The page heading for a group."""
    return t("overview.heading", lang, group=group_label(group, lang))


def menu(s: dict[str, str], lang: str) -> Any:
    """The download menu of a validated state (the embed code's origin: the browser's)."""
    found = links.menu_links("map", state.to_search(s), "", lang)
    what = t("downloads.what.map", lang)
    return components.download_menu(what, ids.OVERVIEW_DOWNLOADS, found, found["code"], lang)


def layout(lang: str | None = None, **query: Any) -> html.Div:
    """The overview for the filter state of the query string (invalid values -> notice)."""
    lang = supported(lang)  # a cache key: a known language, never None
    s, problems = state.validate(query, content.choices())
    cfg = content.graph_config()
    # the map of this state, drawn with the page (a cache hit after the warm-up): no callback
    # round trip before the first map; the callbacks only answer changes
    p = payload(s, lang)
    return html.Div(
        [
            # the address of the state shown: the Location reports no change when it mounts,
            # so the page's callback (prevent_initial_call) does not run for the first view
            dcc.Location(
                id=ids.OVERVIEW_URL, refresh=False, pathname="/", search=state.to_search(s)
            ),
            dcc.Location(id=ids.OVERVIEW_NAV, refresh="callback-nav"),
            dcc.Store(id=ids.OVERVIEW_STATE, data=filter_state(s)),
            html.H1(heading(s["group"], lang), id=ids.OVERVIEW_HEADING, className="h3 mb-3"),
            html.Div(
                components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
                id=ids.OVERVIEW_NOTICE,
                role="status",
            ),
            components.filter_panel(controls(s, lang), t("filters.heading", lang)),
            html.Section(
                [
                    html.H2(
                        t("overview.map_heading", lang),
                        className="h5 visually-hidden",
                        id=ids.MAP_HEADING,
                    ),
                    # what the filters change, dimmed under "Updating..." while it is computed
                    components.busy(
                        [
                            html.Div(p["headlines"], id=ids.HEADLINES, className="mb-3"),
                            components.figure_block(
                                components.graph(ids.MAP_GRAPH, p["figure"], cfg, "map-graph"),
                                ids.MAP_SUMMARY,
                                p["summary"],
                                t("overview.map_heading", lang),
                            ),
                            html.Div(p["legend"], id=ids.MAP_LEGEND),
                        ],
                        lang,
                    ),
                    # the links of this state; the page's callback sends those of a change
                    menu(s, lang),
                    html.P(t("overview.click_hint", lang), className="small text-muted mb-2"),
                    html.P(
                        t("overview.disclaimer", lang),
                        id=ids.MAP_DISCLAIMER,
                        className="small text-muted boundary-disclaimer",
                    ),
                    table_toggle(False, lang),
                    components.busy(html.Div(id=ids.MAP_TABLE), lang),
                ],
                **{"aria-labelledby": ids.MAP_HEADING},
            ),
        ],
        className="overview-page",
    )


def filter_state(s: dict[str, str]) -> dict[str, str]:
    """The part of a state the overview shows (the store's data)."""
    return {k: s[k] for k in FILTER_IDS}


def sync(
    from_url: bool,
    search: str | None,
    values: dict[str, Any],
    current: dict | None,
    lang: str | None = None,
) -> tuple:
    """Outputs of the URL <-> controls part of the page's callback (``SYNC_OUTPUTS`` values).

    Returns:
        (search, 8 control values (``FILTER_IDS``), series options (``no_update`` when the
        ``OPTIONS_OF`` of ``current`` are unchanged), notice, state, heading, styles of the
        ``BOX_IDS`` boxes); all ``no_update`` when the URL changed to the state already shown.
    """
    s, problems, write = state.resolve(from_url, search, values, content.choices())
    shown = filter_state(s)
    if from_url and shown == current:
        return (no_update,) * SYNC_OUTPUTS
    hide = hidden(s["mode"])
    # after a control's change, a control is set only where the state corrects it: a control
    # the person changed again while this answer was on its way keeps the newer choice
    controls = [state.control_value(k, s[k]) for k in FILTER_IDS]
    if not from_url:
        controls = [v if v != values.get(k) else no_update for k, v in zip(FILTER_IDS, controls)]
    # the series list depends on the mode, group and goal: the one shown (sent with ``current``)
    # is kept when they did not change (~12 KB of JSON less per series, year or region change,
    # and no select of a thousand options rebuilt); a new store version's series are listed
    # from the next change of these three, or the next page load
    kept = isinstance(current, dict) and all(current.get(k) == s[k] for k in OPTIONS_OF)
    return (
        state.to_search(s) if write else no_update,
        *controls,
        no_update if kept else series_options(s["mode"], s["group"], s["goal"], lang),
        components.notice(problems, lambda p, v: content.describe(p, v, lang), lang),
        shown,
        heading(s["group"], lang),
        *[components.hidden_style(hide[k]) for k in BOX_IDS],
    )


# outputs of the page's callback (callbacks/overview.py), in order: the sync part, the map
# part (figure, headline cards, summary, legend), the table part (table, toggle text, expanded)
SYNC_OUTPUTS = 1 + len(FILTER_IDS) + 4 + len(BOX_IDS)
MAP_OUTPUTS = 4
TABLE_OUTPUTS = 3
STATE_AT = 1 + len(FILTER_IDS) + 2  # the state's place among the sync outputs


def update(
    trigger: str,
    search: str | None,
    values: dict[str, Any],
    clicks: Any,
    current: dict | None,
    lang: str | None = None,
) -> tuple:
    """All outputs of the overview's one callback: URL <-> controls, map, table.

    One request per change instead of one for the controls and then one per part: the map
    of the new state travels in the same answer.

    Args:
        trigger: ``"url"`` (load, back/forward), ``"table"`` (the table's toggle),
            ``"control"`` (a filter) or ``"state"`` (the map and table of ``current``, the
            controls left as they are).
        search: the page's query string.
        values: the controls' values by parameter name (``FILTER_IDS``).
        clicks: the table toggle's clicks (the table is shown after an odd number).
        current: the state shown (the page's store, as the browser sends it back).
        lang: language.
    """
    shown = isinstance(clicks, int) and clicks % 2 == 1
    if trigger in ("table", "state"):
        s = state.trusted(current, content.choices()) or state.DEFAULTS
        synced = (no_update,) * SYNC_OUTPUTS
        if trigger == "table":
            return synced + (no_update,) * MAP_OUTPUTS + table_outputs(s, shown, lang)
    else:
        synced = sync(trigger == "url", search, values, current, lang)
        s = synced[STATE_AT]
    if s is no_update:
        return synced + (no_update,) * (MAP_OUTPUTS + TABLE_OUTPUTS)
    p = payload(s, lang)
    parts = (p["figure"], p["headlines"], p["summary"], p["legend"])
    table = table_outputs(s, True, lang)[:1] + (no_update,) * 2 if shown else None
    return synced + parts + (table or (no_update,) * TABLE_OUTPUTS)


def table_outputs(s: dict[str, str], shown: bool, lang: str | None) -> tuple:
    """(table, toggle text, aria-expanded): the table of state ``s`` only when it is shown."""
    if not shown:
        return [], t("overview.table_show", lang), "false"
    args = payload_args(s)
    table = content.table_payload(content.version(), *args[:-1], lang, args[-1])
    return table, t("overview.table_hide", lang), "true"


def clicked_iso3(click: dict | None) -> str:
    """ISO3 of the country a map click landed on ("" when none)."""
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points else None
    location = first.get("location") if isinstance(first, dict) else None
    known = isinstance(location, str) and location in set(reference.countries()["iso3"])
    return location if known else ""


def table_toggle(shown: bool, lang: str | None = None) -> html.Button:
    """The button that shows or hides the map's data table (the table is sent only if shown)."""
    return html.Button(
        t("overview.table_hide" if shown else "overview.table_show", lang),
        id=ids.MAP_TABLE_TOGGLE,
        n_clicks=0,
        type="button",
        className="btn btn-outline-primary btn-sm mb-2",
        **{"aria-expanded": "true" if shown else "false", "aria-controls": ids.MAP_TABLE},
    )


def is_here(pathname: str | None) -> bool:
    """Whether the browser's path is the overview's (else the page is being left)."""
    return (pathname or "/").rstrip("/") == ""
