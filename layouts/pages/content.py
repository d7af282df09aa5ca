"""Page content for a filter state: data-layer lookups turned into components, memoised.

Shared by the page layouts (first render) and the callbacks (updates). Every memoised function
takes only scalars, the store version first, so flask-caching keys are the filter values and an
import is seen at once. Results are plain JSON-able dicts (serialised components and figures):
cheap to cache in any backend and returned by callbacks as they are.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.io as pio
from flask import g, has_app_context, has_request_context
from flask_caching import cache_memoize_hit, cache_memoize_miss

from data import queries, reference, views
from data import tables as data_tables
from data.cache import cache
from data.vocab import groups as all_groups
from layouts import components, state, tables, theme
from layouts.i18n import graph_locale, group_label, group_title, known, language, supported, t

WORLD = "001"
log = logging.getLogger(__name__)


def memoized(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` memoised in the app's cache inside a Flask app; a plain call outside one.

    One cache read per call and one write per miss, keyed by the function's name and its
    arguments (scalars and tuples of them, the store version first). flask-caching's
    ``memoize`` costs two more round trips per call (it reads, and on a cleared cache writes,
    a version key per function, for ``delete_memoized``, which nothing here uses): on
    FileSystemCache each write is a file replaced, about a third of a cache miss's time.
    Hits and misses are still sent as flask-caching's signals (``data.cache.counting``); a
    result of None is never kept; a failing backend means the function is called.
    """
    prefix = f"memo:{fn.__module__}.{fn.__qualname__}:"

    @wraps(fn)
    def wrapper(*args: Any) -> Any:
        if not has_app_context():
            return fn(*args)
        key = prefix + hashlib.blake2b(repr(args).encode(), digest_size=16).hexdigest()
        try:
            value = cache.get(key)
        except Exception:  # a failing backend never fails the page: log it and compute
            log.exception("cache read failed for %s", prefix)
            return fn(*args)
        hit = value is not None
        signal = cache_memoize_hit if hit else cache_memoize_miss
        signal.send(cache=cache, cache_key=key, f=fn, args=args, kwargs={})
        if hit:
            return value
        value = fn(*args)
        if value is not None:
            try:
                cache.set(key, value)
            except Exception:
                log.exception("cache write failed for %s", prefix)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper


def per_request(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` computed once per request and its arguments; a plain call outside a request.

    For values several parts of one answer read but that are not worth the shared cache: its
    write costs more than the value is worth to another request.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"

    @wraps(fn)
    def wrapper(*args: Any) -> Any:
        if not has_request_context():
            return fn(*args)
        kept = g.setdefault("gapmap_per_request", {})
        key = (name, args)
        if key not in kept:
            kept[key] = fn(*args)
        return kept[key]

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper


def jsonable(obj: Any) -> Any:
    """A component tree or figure as plain JSON data (what Dash sends anyway)."""
    return json.loads(pio.to_json(obj, validate=False, engine="json"))


# Page layouts served as cached JSON data (``page``): page name -> its layout function
_PAGES: dict[str, Callable[..., Any]] = {}


def page(
    name: str,
    build: Callable[..., Any],
    path: tuple[str, ...] = (),
    path_ok: Callable[[str], bool] = lambda _: True,
) -> Callable[..., Any]:
    """A page's layout function whose output is memoised like the callbacks' answers.

    Building a page's components costs 10-30 ms even when its data are cached (the header's
    countries, the controls' options); the page of an address is asked for by every first load
    (``/_dash-layout``) and every navigation (Dash's router callback). The key is the store
    version, the page's language, its path variables (``path``) and the filter state of its
    query (other parameters do not change a page: ``state.validate`` ignores them), so it is
    cached only when the query is valid (a notice quotes what the address said) and
    ``path_ok`` accepts the path variables (an unknown country's page is not kept): random
    addresses never fill the shared cache. Outside a request (scripts, the tests' wiring
    checks), the components themselves.
    """
    _PAGES[name] = build

    @wraps(build)
    def layout(lang: str | None = None, **query: Any) -> Any:
        if not has_request_context():
            return build(lang=lang, **query)
        lang_asked, lang = lang, supported(lang)  # the request's language when the URL names none
        where = tuple((k, query.get(k)) for k in path)
        s, problems = state.validate(query, choices())
        if problems or not all(isinstance(v, str) and path_ok(v) for _, v in where):
            return build(lang=lang, **query)
        # an address written as the app writes it: its answer may be kept whole
        g.gapmap_page_memoised = canonical(lang_asked, query, path, s)
        return page_json(version(), name, lang, where, tuple(s[k] for k in state.PARAMS))

    return layout


def canonical(lang: Any, query: dict[str, Any], path: tuple[str, ...], s: dict) -> bool:
    """Whether a valid page address is written as the app writes it.

    As ``state.to_search`` writes it: no other parameter, no value spelled another way, a
    known ``lang`` or none.
    """
    if lang is not None and not known(lang):
        return False
    given = [(k, v) for k, v in query.items() if k not in path]
    if not all(isinstance(v, str) for _, v in given):
        return False
    return ("?" + urlencode(given) if given else "") == state.to_search(s)


@memoized
def page_json(
    ver: int, name: str, lang: str, where: tuple, filters: tuple[str, ...]
) -> dict[str, Any]:
    """The layout of page ``name`` for a valid state, as JSON data (memoised: ``page``)."""
    return jsonable(_PAGES[name](lang=lang, **dict(where), **dict(zip(state.PARAMS, filters))))


def graph_config() -> dict[str, Any]:
    """``dcc.Graph`` config with the topojson served by this app, at a fingerprinted URL."""
    from dash import get_relative_path

    from geo.boundaries import topojson_url_path

    # the modebar in the page's language (issue #10)
    return {**theme.graph_config(get_relative_path(topojson_url_path())), **graph_locale()}


def version() -> int:
    """The store version (part of every cache key)."""
    return queries.snapshot().version


@lru_cache(maxsize=4)
def _choices(ver: int) -> state.Choices:
    snap = queries.snapshot()
    years = pd.unique(snap.obs["year"]) if len(snap.obs) else []
    regions = reference.regions_for_picker()["m49"].tolist()
    found = views.filter_choices(snap.catalogue, years, regions, list(all_groups()))
    return state.Choices(**found, as_of=int(snap.as_of or 0))


def choices() -> state.Choices:
    """Valid filter values for the current store."""
    return _choices(version())


@lru_cache(maxsize=64)
def members(region: str) -> tuple[str, ...]:
    """ISO3 codes of the countries of a region (every inhabited country for the world)."""
    countries = reference.counted_countries()
    if region == WORLD:
        return tuple(countries)
    inside = set(reference.members(region))
    return tuple(c for c in countries if c in inside)


def region_name(region: str, lang: str | None = None) -> str:
    """Display name of a region."""
    return reference.area_name(region, lang or language())


def titles(lang: str | None = None) -> dict[str, str]:
    """Series code -> title in the language (default: the request's).

    A source's own translation (a ``title_<lang>`` catalogue column) when it gives one; else the
    English title, marked as English ("[en anglais]": i18n key ``series.untranslated``).
    """
    return _titles(version(), lang or language())


@lru_cache(maxsize=16)
def _titles(ver: int, lang: str) -> dict[str, str]:
    cat = queries.snapshot().catalogue
    english = dict(zip(cat["series"], cat["title"], strict=True))
    if lang == "en":
        return english
    column = f"title_{lang}"
    own = dict(zip(cat["series"], cat[column], strict=True)) if column in cat else {}
    return {
        code: own.get(code) or t("series.untranslated", lang, title=title)
        for code, title in english.items()
    }


def dataset_names() -> dict[int, str]:
    """Dataset id -> name."""
    return _dataset_names(version())


@lru_cache(maxsize=4)
def _dataset_names(ver: int) -> dict[int, str]:
    sets = queries.snapshot().datasets
    return {int(i): str(n) for i, n in zip(sets["id"], sets["name"], strict=True)}


def reset() -> None:
    """Forget per-version lookups (a new store was configured: versions restart)."""
    for fn in (_choices, _titles, _dataset_names, members, matrix_reasons):
        fn.cache_clear()


def describe(param: str, value: str, lang: str | None = None) -> str:
    """Display text of a filter value (for notices)."""
    if param == "group":
        return group_label(value, lang)
    if param == "region":
        return region_name(value, lang)
    if param == "year" and value == "latest":
        return t("filters.year_latest", lang)
    if param == "goal" and value == "all":
        return t("filters.goal_all", lang)
    if param == "series" and not value:
        return t("filters.series_all", lang)
    return t(f"source.{value}", lang) if param == "source" else value


def series_in_goal(group: str, goal: str) -> list[str]:
    """Expected series of the group within the goal (all goals for "all")."""
    return state.series_for(group, goal, choices())


def group_statuses(group: str, source: str, goal: str) -> pd.DataFrame:
    """Statuses of a group, restricted to the series of one goal unless goal is "all"."""
    return data_tables.group_statuses(group, source, goal)


def group_coverage(group: str, source: str, goal: str) -> pd.DataFrame:
    """Coverage of a group, restricted to the series of one goal unless goal is "all"."""
    if goal == "all":
        return queries.coverage(group, source)
    return data_tables.group_coverage(group, source, goal)


def map_kind(mode: str, series: str) -> str:
    """Which map: coverage, status (gaps with a series), values, disparity or progress."""
    if mode == "gaps":
        return "status" if series else "coverage"
    return mode


def chosen_series(mode: str, group: str, goal: str, series: str, source: str) -> str:
    """The series shown: the chosen one, or in values/disparity the best-covered one."""
    return data_tables.shown_series(mode, group, goal, series, source)


# once per request, not in the shared cache: the map's payload, its table and its image are
# kept there, and the frame was read back only when one of them was asked for on another
# worker; writing it cost ~0.5 ms of each map update's 12 ms at 10M observations
@per_request
def map_frame(
    ver: int,
    mode: str,
    group: str,
    goal: str,
    series: str,
    year: str,
    region: str,
    source: str,
    lang: str | None = None,
    base: str = "2015",
) -> tuple[pd.DataFrame, str]:
    """The overview's map frame and the series it shows (see ``overview_parts.map_frame``)."""
    from layouts.pages import overview_parts

    return overview_parts.map_frame(
        mode=mode,
        group=group,
        goal=goal,
        series=series,
        year=year,
        region=region,
        source=source,
        lang=lang,
        base=base,
    )


@memoized
def overview_payload(
    ver: int,
    mode: str,
    group: str,
    goal: str,
    series: str,
    year: str,
    region: str,
    source: str,
    lang: str | None = None,
    base: str = "2015",
) -> dict[str, Any]:
    """Figure, headline cards and summary of the overview for one filter state."""
    from layouts.pages import overview_parts

    return overview_parts.build(
        mode=mode,
        group=group,
        goal=goal,
        series=series,
        year=year,
        region=region,
        source=source,
        lang=lang,
        base=base,
    )


@memoized
def table_payload(
    ver: int,
    mode: str,
    group: str,
    goal: str,
    series: str,
    year: str,
    region: str,
    source: str,
    lang: str | None = None,
    base: str = "2015",
) -> Any:
    """The overview's table alternative for one filter state (sent only when shown)."""
    from layouts.pages import overview_parts

    return overview_parts.build_table(
        mode=mode,
        group=group,
        goal=goal,
        series=series,
        year=year,
        region=region,
        source=source,
        lang=lang,
        base=base,
    )


@lru_cache(maxsize=6)
def matrix_reasons(ver: int, source: str) -> pd.DataFrame:
    """The main gap reason of every country x group, once per store version and source.

    Every sort order and region of the matrix shares it.
    """
    return data_tables.matrix_reasons(source)


@memoized
def matrix_payload(
    ver: int, region: str, source: str, sort: str, search: str, lang: str | None = None
) -> dict[str, Any]:
    """The coverage matrix table and its summary."""
    ids_ = list(all_groups())
    countries = list(members(region))
    s = {"region": region, "source": source, "sort": sort}
    frame = data_tables.matrix_table(s, lang or language(), matrix_reasons(ver, source))
    base = state.parse_search(search, choices())[0]

    def search_for(group: str) -> str:
        return state.to_search({**base, "group": group})

    name = region_name(region, lang)
    table = tables.matrix_table(
        frame, ids_, search_for, t("matrix.caption", lang, region=name), lang
    )
    summary = t("matrix.summary", lang, count=len(countries), countries=len(countries), region=name)
    return {"table": jsonable(table), "summary": summary}


def group_frames(iso3: str, source: str) -> dict[str, pd.DataFrame]:
    """Statuses, coverage and disparities of every group for one country (concatenated).

    Disparities get a ``group`` column. Uses the per-country split of ``queries.country_frames``
    (dictionary look-ups instead of scans of every country's rows).
    """
    return data_tables.country_frames(iso3, source)


def country_observations(
    iso3: str, source: str, series: str | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """The observations of one country (canonical columns), without scanning every row.

    ``series``/``columns``: only that series' rows, only those columns (nothing else copied).
    """
    return data_tables.country_observations(iso3, source, series, columns)


def country_series(iso3: str, group: str, source: str, goal: str = "all") -> list[str]:
    """Series offered on a country page for a group, those with a group value first."""
    expected = series_in_goal(group, goal) or series_in_goal(group, "all")
    disp = queries.country_frames(iso3, group, source)["disparities"]
    has = set(disp["series"].astype(object))
    return sorted(expected, key=lambda s: (s not in has, s))


def series_label(code: str, names: dict[str, str] | None = None) -> str:
    """Option label of a series: its title, the code second (``names``: titles, looked up once).

    People read the title; the code stays visible for those who search the UN database by it.
    """
    title = (names if names is not None else titles()).get(code, "")
    return f"{title} ({code})" if title else code


def group_option_labels(lang: str | None = None) -> list[tuple[str, str]]:
    """(group id, capitalised label) pairs."""
    return [(g, group_title(g, lang)) for g in all_groups()]


def region_select(control_id: str, value: str, lang: str | None, width: int) -> Any:
    """The region filter (World, M49 regions and sub-regions, SDG regions) of any page."""
    regions = reference.regions_for_picker()["m49"]
    pairs = ((m, region_name(m, lang)) for m in regions)
    return components.select(
        control_id, t("filters.region", lang), components.options(pairs), value, width=width
    )


def source_select(
    control_id: str,
    value: str,
    lang: str | None,
    width: int,
    box_id: str | None = None,
    hidden: bool = False,
) -> Any:
    """The source-type filter (all, official, community) of any page."""
    pairs = ((x, t(f"source.{x}", lang)) for x in state.SOURCES)
    return components.select(
        control_id,
        t("filters.source", lang),
        components.options(pairs),
        value,
        width=width,
        box_id=box_id,
        hidden=hidden,
    )


def recent_years() -> int:
    """The recency window in years (``GAPMAP_RECENT_YEARS``)."""
    return queries.settings().recent_years


def as_of() -> int:
    """The as-of year of the statuses (newest year of official country data)."""
    return int(queries.snapshot().as_of or 0)
