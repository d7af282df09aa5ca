"""What the dashboard asks of the data layer, computed once per store version.

``configure(settings)`` is called by ``app.create_app`` (and by tests and benchmarks). Every
function below takes only scalars, so results can be memoised by filter values; the store's
version is part of every key.

Outside the app an import or removal is seen at once. The app ``serve``s one version: readers
keep getting the warm results of that version while a background thread computes the next one
``building`` it, and only then switches, so no visitor waits for a new import's results.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from data import catalogue as cat_mod
from data import gaps, memory, precomputed, reference
from data import store as store_mod
from data.settings import Settings
from data.store import Store, StoreError
from data.vocab import group as get_group
from data.vocab import groups as all_groups

SOURCES = ("all", "official", "community")
_state: dict[str, object] = {}
_local = threading.local()  # the version a warm-up thread is building


@dataclass(frozen=True)
class Snapshot:
    """The store as the app sees it: observations, catalogue and datasets of one version."""

    version: int
    obs: pd.DataFrame  # canonical observations (categorical string columns; ``memory``)
    catalogue: pd.DataFrame  # catalogue.CATALOGUE_COLUMNS
    datasets: pd.DataFrame  # store.DATASET_COLUMNS
    illustrative: bool  # some dataset is illustrative (the demo): the banner shows
    mixed: bool = False  # illustrative datasets next to real ones
    declared: pd.DataFrame | None = None  # store.DECLARED_COLUMNS
    as_of: int = 0  # the year statuses are computed as of (gaps.as_of_year by default)


def configure(settings: Settings, *, last_good: bool = False) -> Store:
    """Point the queries at the store named by ``settings``; returns the store.

    ``last_good`` (the web app): when the database cannot be opened, serve the newest complete
    snapshot the data directory holds instead, read-only, and log why; without one, or for
    scripts and imports, the ``StoreError`` is raised.
    """
    try:
        store = Store(settings)
    except StoreError as exc:
        frozen = store_mod.last_good(settings, exc) if last_good else None
        if frozen is None:
            raise
        logging.getLogger(__name__).error(
            "%s. Serving %s, read-only, until the database is repaired.", exc, frozen.where
        )
        store = frozen  # type: ignore[assignment]
    _state["settings"] = settings
    _state["store"] = store
    _state["serving"] = None
    for cached in (
        _snapshot,
        _observations,
        _statuses,
        _coverage,
        _disparities,
        _by_country,
        _specific,
        _progress,
        _all_progress,
        _reach,
        _tables_dir,
        _all_official,
    ):
        cached.cache_clear()  # results are keyed by version, which another store shares
    return store


def settings() -> Settings:
    """The settings given to ``configure``."""
    if "settings" not in _state:
        raise RuntimeError("data.queries.configure(settings) was not called")
    return _state["settings"]  # type: ignore[return-value]


def store() -> Store:
    """The store given to ``configure``."""
    settings()
    return _state["store"]  # type: ignore[return-value]


def snapshot() -> Snapshot:
    """The current snapshot (rebuilt when the store's version changes)."""
    return _snapshot(current_version())


def current_version() -> int:
    """The version answered from.

    In a thread ``building`` a version, that one; else the version the app ``serve``s; else
    (scripts, tests) the store's newest.
    """
    building_version = getattr(_local, "version", None)
    if building_version is not None:
        return int(building_version)
    served = _state.get("serving")
    return int(served) if served is not None else store().version()  # type: ignore[arg-type]


def serve(version: int | None) -> None:
    """Answer every thread from ``version`` (None: always the store's newest)."""
    _state["serving"] = version


@contextmanager
def building(version: int) -> Iterator[None]:
    """Within this block, this thread computes for ``version`` (others keep theirs)."""
    before = getattr(_local, "version", None)  # blocks may nest (a warm-up inside one)
    _local.version = version
    try:
        yield
    finally:
        _local.version = before


@lru_cache(maxsize=3)  # the served version, the one being built, and one more import
def _snapshot(version: int) -> Snapshot:
    st = store()
    obs = st.observations()
    sets = st.datasets()
    declared = st.declared()
    # derived from every row (~3.4 s at 10M observations): kept with the version's tables
    where = _tables_dir(version)
    kept = precomputed.read_derived(where) if where.is_dir() else None
    if kept is not None and isinstance(kept.get("catalogue"), pd.DataFrame) and len(obs):
        cat, as_of = kept["catalogue"], int(kept["as_of"])
    else:  # an empty store's as-of year is this year's: never kept
        expectations = cat_mod.expectations_file(settings().expectations)
        cat = cat_mod.catalogue(obs, expectations, cat_mod.series_file(), sets, declared)
        as_of = gaps.as_of_year(obs)
    demo = sets["illustrative"].astype(bool)
    return Snapshot(
        version,
        obs,
        cat,
        sets,
        bool(demo.any()),
        bool(demo.any() and not demo.all()),
        declared,
        as_of,
    )


def observations(source: str = "all") -> pd.DataFrame:
    """Observations of one source type (``all``, ``official`` or ``community``)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    return _observations(snapshot().version, _shared(source))


@lru_cache(maxsize=6)
def _observations(version: int, source: str) -> pd.DataFrame:
    obs = snapshot().obs
    return obs if source == "all" else obs[obs["source_type"] == source]


def _shared(source: str) -> str:
    """The source whose results to use: ``official`` is ``all`` when every row is official.

    The same rows give the same results: one table for both instead of two copies in every
    worker (half of the engine's tables at 10M observations without community data).
    """
    if source == "official" and _all_official(snapshot().version):
        return "all"
    return source


@lru_cache(maxsize=4)
def _all_official(version: int) -> bool:
    return bool((snapshot().obs["source_type"] == "official").all())


def expected_series(group: str) -> list[str]:
    """Series the group should be visible in (see ``catalogue.expected_series``)."""
    return cat_mod.expected_series(snapshot().catalogue, get_group(group))


def statuses(group: str, source: str = "all") -> pd.DataFrame:
    """``gaps.status`` for every country x expected series of the group."""
    return _statuses(snapshot().version, group, _shared(source), settings().recent_years)


@lru_cache(maxsize=64)
def _statuses(version: int, group: str, source: str, recent: int) -> pd.DataFrame:
    stored = _stored(version, "statuses", group, source)
    return stored if stored is not None else _compute_statuses(version, group, source, recent)


def _compute_statuses(version: int, group: str, source: str, recent: int) -> pd.DataFrame:
    iso3s = reference.counted_countries()
    snap = snapshot()
    cat = snap.catalogue
    scope = {s: c for s, c in zip(cat["series"], cat["countries"], strict=True) if c}
    g = get_group(group)
    return gaps.status(
        observations(source),
        g,
        expected_series(group),
        iso3s,
        recent,
        scope,
        as_of=snap.as_of,
        specific=_specific(version, group),
        about=cat_mod.about_group(cat, g),
        declared=declared_splits(group),
        small_n=settings().small_n,
    )


@lru_cache(maxsize=32)
def _specific(version: int, group: str) -> frozenset[str]:
    """``gaps.group_specific_series`` over every source (one answer for all source filters)."""
    return frozenset(gaps.group_specific_series(snapshot().obs, get_group(group)))


def not_expected_here(group: str, iso3: str) -> list[str]:
    """Series expected for the group elsewhere, never of this country.

    National series of other countries (see ``catalogue.national_scope``).
    """
    cat = snapshot().catalogue
    mine = cat["series"].isin(expected_series(group))
    other = cat["countries"].map(lambda c: bool(c) and iso3 not in c)
    return sorted(cat.loc[mine & other, "series"])


def declared_splits(group: str) -> dict[str, frozenset[str] | None]:
    """Series -> countries that declared the group's split expected (None = every country).

    From ``expectations.csv`` (every country) and datasets' metadata (the declaring country).
    """
    g = get_group(group)
    snap = snapshot()
    exp = cat_mod.expectations_file(settings().expectations)
    out: dict[str, frozenset[str] | None] = {}
    for s, d in zip(exp["series"], exp["dimension"], strict=True):
        if cat_mod.names_group(d, g):
            out[s] = None
    dec = snap.declared if snap.declared is not None else pd.DataFrame(columns=["series"])
    for s, part in dec.groupby("series"):
        if s not in out and any(cat_mod.names_group(d, g) for d in part["dimension"]):
            out[str(s)] = frozenset(part["iso3"])
    return out


# the earliest year of the progress tables kept per store version (the progress map's earliest
# base year, ``layouts.state.FIRST_BASE``); an earlier first year is computed when asked
PROGRESS_FIRST = 2000


def progress(group: str, first_year: int = 2015) -> pd.DataFrame:
    """``gaps.progress`` of the group from ``first_year`` to the as-of year, every country.

    Each year's row depends on that year alone, so from ``PROGRESS_FIRST`` on it is the rows of
    the group's table from ``PROGRESS_FIRST`` (computed once per store version, kept with the
    other tables): a new base year or group costs a read, not seconds of pairing.
    """
    return _progress(snapshot().version, group, first_year, settings().recent_years)


@lru_cache(maxsize=64)
def _progress(version: int, group: str, first: int, recent: int) -> pd.DataFrame:
    as_of = snapshot().as_of
    if first < PROGRESS_FIRST:
        return _compute_progress(version, group, first, recent)
    every = _all_progress(version, group, recent)
    return every[(every["year"] >= min(first, as_of)).to_numpy()].reset_index(drop=True)


@lru_cache(maxsize=16)
def _all_progress(version: int, group: str, recent: int) -> pd.DataFrame:
    stored = _stored(version, "progress", group, "official")
    if stored is not None:
        return stored
    return _compute_progress(version, group, PROGRESS_FIRST, recent)


def _compute_progress(version: int, group: str, first: int, recent: int) -> pd.DataFrame:
    snap = snapshot()
    g = get_group(group)
    years = range(min(first, snap.as_of), snap.as_of + 1)
    return gaps.progress(
        snap.obs,
        g,
        statuses(group, "official"),
        years,
        recent,
        specific=_specific(version, group),
        about=cat_mod.about_group(snap.catalogue, g),
        paired=disparities(group, "official"),  # the official rows' pairs, computed already
    )


def coverage(group: str, source: str = "all") -> pd.DataFrame:
    """``gaps.coverage`` per country for the group (every country, also those with nothing)."""
    return _coverage(snapshot().version, group, _shared(source), settings().recent_years)


@lru_cache(maxsize=64)
def _coverage(version: int, group: str, source: str, recent: int) -> pd.DataFrame:
    stored = _stored(version, "coverage", group, source)
    if stored is not None:
        return stored
    st = statuses(group, source)
    if st.empty:  # no series is expected for the group: every country, nothing expected
        iso3s = reference.counted_countries()
        zeros = dict.fromkeys(("expected", *gaps.STATUSES), 0)
        frame = pd.DataFrame({"iso3": iso3s, "group": group, **zeros})
        return frame.assign(share=float("nan"))
    return gaps.coverage(st)


def disparities(group: str, source: str = "all") -> pd.DataFrame:
    """``gaps.disparity`` of every matched pair of the group, with polarity from the catalogue.

    Kept ``memory.compact``: string columns categorical, a float column without any value one
    shared NaN (the same values in ~40 % of the memory at 10M observations).
    """
    return _disparities(snapshot().version, group, _shared(source), settings().small_n)


@lru_cache(maxsize=64)
def _disparities(version: int, group: str, source: str, small_n: int) -> pd.DataFrame:
    stored = _stored(version, "disparities", group, source)
    if stored is not None:
        return memory.compact(stored)
    snap = snapshot()
    polarity = dict(zip(snap.catalogue["series"], snap.catalogue["polarity"], strict=True))
    found = gaps.pairs(observations(source), get_group(group))
    return memory.compact(gaps.disparity(found, polarity, small_n, get_group(group)))


def country_frames(
    iso3: str,
    group: str,
    source: str = "all",
    columns: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """One country's rows of ``statuses``, ``coverage`` and ``disparities`` for a group.

    The three frames are split by country once per store version, so a country page costs
    dictionary look-ups instead of scans of every country's rows. ``columns``: frame name ->
    the columns to take of it (those it has), for a caller that reads a few of the
    disparities' ~40 (only those are copied).
    """
    split = _by_country(snapshot().version, group, _shared(source), settings().recent_years)
    out = {}
    for name, (plain, rows) in split.items():
        wanted = columns.get(name) if columns else None
        frame = plain if wanted is None else plain[[c for c in wanted if c in plain]]
        out[name] = frame.iloc[rows.get(iso3, [])]
    return out


@lru_cache(maxsize=64)
def _by_country(
    version: int, group: str, source: str, recent: int
) -> dict[str, tuple[pd.DataFrame, dict[str, np.ndarray]]]:
    frames = {
        "statuses": statuses(group, source),
        "coverage": coverage(group, source),
        "disparities": disparities(group, source),
    }
    out = {}
    for name, frame in frames.items():
        plain = frame.assign(iso3=frame["iso3"].astype(object))
        # each country's row positions (a country's rows are taken when asked: building
        # every country's frame up front cost seconds per group and source)
        rows = plain.groupby("iso3", sort=False).indices
        out[name] = (plain, {str(k): v for k, v in rows.items()})
    return out


def series_reach(group: str, source: str = "all") -> pd.Series:
    """Countries with a group value per series (``views.series_reach`` of ``disparities``)."""
    return _reach(snapshot().version, group, _shared(source))


@lru_cache(maxsize=64)
def _reach(version: int, group: str, source: str) -> pd.Series:
    from data import views

    return views.series_reach(disparities(group, source))


# ---- the engine's tables on disk, once per store version (see ``data.precomputed``) ----


@lru_cache(maxsize=4)
def _tables_dir(version: int) -> Path:
    return precomputed.directory(settings(), store().identity, version)


def _stored(version: int, kind: str, group: str, source: str) -> pd.DataFrame | None:
    where = _tables_dir(version)
    return precomputed.read(where, kind, group, source) if where.is_dir() else None


def prepare_tables() -> bool:
    """Statuses, disparities, coverage and progress of every group of this version, on disk.

    The first process computes and writes them; others starting meanwhile wait for it and
    read them (``precomputed.ensure``). The snapshot's catalogue and as-of year are kept with
    them (``_snapshot`` reads them from there). Returns True when they are on disk.
    """
    version = current_version()
    recent = settings().recent_years

    def compute() -> Iterator[tuple[str, str, str, pd.DataFrame]]:
        with building(version):
            for source in SOURCES:
                for group in all_groups():
                    yield "statuses", group, source, statuses(group, source)
                    yield "disparities", group, source, disparities(group, source)
                    yield "coverage", group, source, coverage(group, source)
            for group in all_groups():  # official rows only, whatever the source filter
                yield "progress", group, "official", _all_progress(version, group, recent)

    snap = _snapshot(version)
    derived = {"catalogue": snap.catalogue, "as_of": snap.as_of} if len(snap.obs) else None
    return precomputed.ensure(_tables_dir(version), compute, derived)
