"""The engine's tables on disk (data/precomputed.py): equal to a fresh computation, never stale."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import pandas as pd
from pandas.testing import assert_frame_equal

from data import pipeline, precomputed, queries, tables
from data.vocab import groups
from tests import realshape as shape


def _fresh() -> dict[tuple[str, str, str], pd.DataFrame]:
    """Every table computed now, in memory (nothing read from disk)."""
    version = queries.current_version()
    assert not queries._tables_dir(version).exists()
    out = {}
    for source in queries.SOURCES:
        for g in groups():
            out["statuses", g, source] = queries.statuses(g, source).copy()
            out["disparities", g, source] = queries.disparities(g, source).copy()
            out["coverage", g, source] = queries.coverage(g, source).copy()
    return out


def test_tables_on_disk_equal_a_fresh_computation(tmp_path):
    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    fresh = _fresh()
    assert any(len(f) for (kind, *_), f in fresh.items() if kind == "disparities")
    queries.configure(settings)  # forget what was computed
    assert queries.prepare_tables()
    where = queries._tables_dir(queries.current_version())
    assert where.is_dir() and where.parent == settings.data_dir / "snapshots"
    queries.configure(settings)  # a new process: reads, computes nothing
    for (kind, g, source), frame in fresh.items():
        assert queries._stored(queries.current_version(), kind, g, source) is not None
        got = getattr(queries, kind)(g, source)
        assert_frame_equal(got, frame, check_exact=True)


def test_progress_of_every_base_year_is_read_from_the_tables(tmp_path, monkeypatch):
    """Computed once per store version from 2000 (seconds of pairing per group at 10M rows,
    in every worker, for every group and base year a user picked): any later base year is
    the stored rows from it on, equal to pairing the rows again for those years."""
    from data import catalogue, gaps
    from data.vocab import group as get_group

    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    snap, recent = queries.snapshot(), settings.recent_years
    firsts = (2000, 2010, 2015, snap.as_of, snap.as_of + 2, 1995)

    def again(g: str, first: int) -> pd.DataFrame:
        return gaps.progress(
            snap.obs,
            get_group(g),
            queries.statuses(g, "official"),
            range(min(first, snap.as_of), snap.as_of + 1),
            recent,
            specific=queries._specific(snap.version, g),
            about=catalogue.about_group(snap.catalogue, get_group(g)),
        )

    want = {(g, f): again(g, f) for g in groups() for f in firsts}
    assert any(want[g, 2015]["with_value"].sum() for g in groups())
    queries.configure(settings)
    assert queries.prepare_tables()
    queries.configure(settings)  # a new process: reads, pairs nothing

    def never(*_args, **_kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(gaps, "pairs", never)
    monkeypatch.setattr(gaps, "progress", never)
    for g in groups():
        for first in firsts[:-1]:
            assert_frame_equal(queries.progress(g, first), want[g, first], check_exact=True)
    monkeypatch.undo()  # before 2000 (the command line's ``--since``): computed when asked
    assert_frame_equal(queries.progress("disability", 1995), want["disability", 1995])


def test_a_later_start_reads_the_catalogue_and_as_of_year_kept_with_the_tables(
    tmp_path, monkeypatch
):
    """Derived from every row at each start before (~3.4 s at 10M observations)."""
    from data import catalogue, gaps

    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    computed = queries.snapshot()
    assert queries.prepare_tables()
    where = queries._tables_dir(queries.current_version())
    assert precomputed.read_derived(where)["as_of"] == computed.as_of
    queries.configure(settings)  # a new process: neither is derived again

    def never(*_args, **_kwargs):
        raise AssertionError("derived again")

    monkeypatch.setattr(catalogue, "catalogue", never)
    monkeypatch.setattr(gaps, "as_of_year", never)
    kept = queries.snapshot()
    assert_frame_equal(kept.catalogue, computed.catalogue, check_exact=True)
    assert kept.catalogue["countries"].tolist() == computed.catalogue["countries"].tolist()
    assert kept.as_of == computed.as_of and kept.version == computed.version
    # without them (a directory of an earlier release, or unreadable): derived as before
    monkeypatch.undo()
    (where / precomputed._DERIVED).write_bytes(b"not a pickle")
    assert precomputed.read_derived(where) is None
    queries.configure(settings)
    assert_frame_equal(queries.snapshot().catalogue, computed.catalogue, check_exact=True)


def test_a_new_store_version_gets_new_tables(tmp_path):
    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    assert queries.prepare_tables()
    old_version = queries.current_version()
    old = queries._tables_dir(old_version)
    assert old.is_dir()
    extra = shape.write_files(tmp_path / "more")["community"].read_text()
    more = tmp_path / "more" / "npl_more.csv"
    more.write_text(extra.replace(",2022,", ",2023,"))
    pipeline.import_files(
        queries.store(), [more], settings, demo="keep", source_type="community", format="template"
    )
    queries.configure(settings)
    new_version = queries.current_version()
    assert new_version == old_version + 1
    new = queries._tables_dir(new_version)
    assert new != old and not new.exists()
    st = queries.statuses("disability", "community")  # computed: nothing on disk for it
    assert 2023 in set(st.loc[st["iso3"] == "NPL", "latest_community_year"].dropna())
    assert queries.prepare_tables()
    assert new.is_dir() and not old.exists()  # the old version's tables are removed
    queries.configure(settings)
    assert_frame_equal(queries.statuses("disability", "community"), st)


def test_settings_that_change_statuses_change_the_fingerprint(tmp_path):
    settings = shape.build(tmp_path / "store")
    base = precomputed.fingerprint(settings)
    assert precomputed.fingerprint(replace(settings, recent_years=3)) != base
    assert precomputed.fingerprint(replace(settings, small_n=10)) != base
    assert precomputed.fingerprint(replace(settings, cache_type="NullCache")) == base


def _prepare(settings, results) -> None:
    from data import queries as q

    q.configure(settings)
    computed = []
    plain = q._compute_statuses

    def counting(*args):
        computed.append(args)
        return plain(*args)

    q._compute_statuses = counting
    results.put((q.prepare_tables(), len(computed)))


def test_workers_starting_together_compute_the_tables_once(tmp_path):
    settings = shape.build(tmp_path / "store")
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    workers = [ctx.Process(target=_prepare, args=(settings, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(300)
    done = sorted(results.get(timeout=5) for _ in workers)
    assert [ok for ok, _ in done] == [True, True]
    per_table = len(queries.SOURCES) * len(groups())
    assert [n for _, n in done] == [0, per_table]  # one computed them all, the other read


def test_tables_round_trip_with_their_dtypes(tmp_path):
    frame = pd.DataFrame(
        {
            "iso3": pd.Series(["KEN", "NPL"], dtype=object),
            "status": ["disaggregated", "no_data"],
            "latest_year": pd.array([2021, None], dtype="Int64"),
            "value": [1.5, float("nan")],
        }
    )
    where = tmp_path / "snapshots" / "gaps-7-v3-abc"
    assert precomputed.write(where, [("statuses", "women", "all", frame)])
    assert_frame_equal(precomputed.read(where, "statuses", "women", "all"), frame)
    assert precomputed.read(where, "statuses", "women", "official") is None


def test_string_columns_read_back_as_shared_objects_with_their_missing_values(tmp_path):
    """Each distinct string is one object (memory), and the values are what was written."""
    n = 1000
    frame = pd.DataFrame(
        {
            "iso3": pd.Series(["KEN", "NPL", None, "BGD"] * (n // 4), dtype=object),
            "none": pd.Series([None] * n, dtype=object),
            "year": range(n),
        }
    )
    where = tmp_path / "snapshots" / "gaps-7-v3-abc"
    empty = frame.iloc[:0]
    assert precomputed.write(
        where, [("statuses", "women", "all", frame), ("coverage", "women", "all", empty)]
    )
    got = precomputed.read(where, "statuses", "women", "all")
    assert list(got.columns) == ["iso3", "none", "year"]
    assert [str(d) for d in got.dtypes] == ["object", "object", "int64"]
    assert got["iso3"].tolist()[:4] == ["KEN", "NPL", got["iso3"][2], "BGD"]
    assert got["iso3"].isna().tolist() == frame["iso3"].isna().tolist()
    assert got["none"].isna().all() and got["year"].tolist() == list(range(n))
    kept = got["iso3"].dropna()
    assert len({id(v) for v in kept}) == 3  # not one string per row
    assert precomputed.read(where, "coverage", "women", "all").shape == (0, 3)


def test_an_unwritable_directory_leaves_the_tables_in_memory(tmp_path):
    (tmp_path / "snapshots").write_text("a file where the directory should be")
    where = tmp_path / "snapshots" / "gaps-7-v3-abc"
    frame = pd.DataFrame({"iso3": ["KEN"]})
    assert precomputed.write(where, [("statuses", "women", "all", frame)]) is False
    assert precomputed.read(where, "statuses", "women", "all") is None


def _official_only(data_dir):
    from data.settings import Settings

    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="NullCache")
    store = queries.configure(settings)
    files = shape.write_files(data_dir / "files")
    pipeline.import_files(
        store, [files["un"]], settings, licence="CC BY 4.0", attribution="Test fixture"
    )
    return settings


def test_official_is_one_table_with_all_when_every_row_is_official(tmp_path, monkeypatch):
    """The same rows give the same results: one copy of each table, equal to its own computation."""
    settings = _official_only(tmp_path / "store")
    queries.configure(settings)
    assert (queries.observations()["source_type"] == "official").all()
    kinds = ("statuses", "coverage", "disparities")
    shared = {(k, g): getattr(queries, k)(g, "official") for k in kinds for g in groups()}
    for (kind, g), frame in shared.items():
        assert frame is getattr(queries, kind)(g, "all")
    assert any(len(f) for (kind, _), f in shared.items() if kind == "disparities")
    # and one answer for a country's observations (a worker's memory at 10M rows)
    assert tables.country_rows("KEN", "official") is tables.country_rows("KEN", "all")
    # computed on their own (the official rows filtered out of all): the same tables
    monkeypatch.setattr(queries, "_shared", lambda source: source)
    version, recent, small_n = queries.current_version(), settings.recent_years, settings.small_n
    for g in groups():
        own = {
            "statuses": queries._statuses.__wrapped__(version, g, "official", recent),
            "coverage": queries._coverage.__wrapped__(version, g, "official", recent),
            "disparities": queries._disparities.__wrapped__(version, g, "official", small_n),
        }
        for kind, frame in own.items():
            assert_frame_equal(frame, shared[kind, g], check_exact=True)


def test_official_has_its_own_tables_beside_community_rows(tmp_path):
    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    assert (queries.observations()["source_type"] == "community").any()
    assert queries.disparities("disability", "official") is not queries.disparities(
        "disability", "all"
    )
    assert len(queries.observations("official")) < len(queries.observations("all"))
    official, every = tables.country_rows("KEN", "official"), tables.country_rows("KEN", "all")
    assert len(official) < len(every)  # its own rows
    kept = queries.observations("official").iloc[official]
    assert (kept["iso3"] == "KEN").all() and (kept["source_type"] == "official").all()
