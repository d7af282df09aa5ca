"""The store shared by several processes and hosts, on a real PostgreSQL (#12 items 2-4).

The PostgreSQL server is tests/pgserver.py (Debian's binaries, a free loopback port, one new
database per test). "Hosts" are processes with their own data directory (their own file locks
and snapshots) sharing one database; "workers" share a data directory too.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from data.settings import Settings
from data.store import Provenance, Store
from tests import test_cli
from tests.conftest import obs_frame
from tests.test_store_faults import ROOT, _csv, _env, _import_args

SPAWN = mp.get_context("spawn")


def _pg_state(settings: Settings) -> tuple[int, int, int]:
    """(version, datasets, observation rows) read straight from PostgreSQL."""
    dsn = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        version = conn.execute("select value from store_state where key='version'").fetchone()
        datasets = conn.execute("select count(*), coalesce(sum(rows), 0) from datasets").fetchone()
        rows = conn.execute("select count(*) from observations").fetchone()[0]
    assert datasets[1] == rows  # every dataset whole, no stray rows
    return (version[0] if version else 0), datasets[0], rows


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data", *args],
        cwd=ROOT,
        env=_env(settings.data_dir, GAPMAP_DATABASE_URL=settings.database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )


# -- the CLI's import cases on PostgreSQL --------------------------------------------------------
def test_cli_import_datasets_remove_and_refusal_on_pg(capsys, pg_settings, tmp_path):
    test_cli.test_import_datasets_remove_and_refusal(capsys, pg_settings, tmp_path)


def test_cli_same_file_other_options_is_flagged_on_pg(capsys, pg_settings):
    test_cli.test_same_file_other_options_is_flagged(capsys, pg_settings)


def test_cli_gaps_coverage_export_on_pg(capsys, pg_settings):
    test_cli.test_gaps_coverage_export_outputs(capsys, pg_settings)


def test_postgresql_url_without_driver_uses_psycopg(pg_settings):
    plain = pg_settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    store = Store(replace(pg_settings, database_url=plain))
    assert store.backend == "postgresql" and store.engine.dialect.driver == "psycopg"
    assert store.version() == 0


def test_unreachable_server_is_a_clear_message(tmp_path):
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql://gapmap@127.0.0.1:9/none", demo_on_empty=False
    )  # nothing listens on port 9
    done = _cli(settings, "datasets")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot be reached" in done.stderr and "GAPMAP_DATABASE_URL" in done.stderr


# -- an import killed with SIGKILL -----------------------------------------------------------------
def test_import_killed_at_any_moment_leaves_pg_at_old_or_new_state(pg_settings, tmp_path):
    settings = pg_settings
    seeded = _cli(settings, *_import_args(_csv(tmp_path / "seed.csv", 40)))
    assert seeded.returncode == 0, seeded.stderr
    rows = 30_000
    # kill points spread over one whole import of the same size, timed on this machine now
    # (start-up, reading, COPY, commit, snapshot): not an assertion on speed
    started = time.monotonic()
    full = _cli(settings, *_import_args(_csv(tmp_path / "timing.csv", rows, series="T_")))
    assert full.returncode == 0, full.stderr
    took = time.monotonic() - started
    outcomes = set()
    for i, fraction in enumerate((0.2, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.2)):
        before = _pg_state(settings)
        path = _csv(tmp_path / f"kill{i}.csv", rows, series=f"K{i}_", offset=i)
        proc = subprocess.Popen(
            [sys.executable, "-m", "data", *_import_args(path)],
            cwd=ROOT,
            env=_env(settings.data_dir, GAPMAP_DATABASE_URL=settings.database_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(took * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        after = _pg_state(settings)  # the server has rolled back the killed client's work
        new = (before[0] + 1, before[1] + 1, before[2] + rows)
        assert after in (before, new), (fraction, before, after)
        outcomes.add("new" if after == new else "old")
        store = Store(settings)  # usable, and what it serves equals the database
        assert len(store.observations()) == after[2]
        store.engine.dispose()
    assert outcomes == {"old", "new"}, outcomes  # the kills did land before and after commit
    redo = _cli(settings, *_import_args(tmp_path / "kill0.csv"))  # no lock was left held
    assert redo.returncode == 0, redo.stderr


# -- two workers (and two hosts) see one import ------------------------------------------------
def _watch(settings: Settings, ready, out) -> None:
    """A worker: read the store, then wait for the next version and report what it reads."""
    store = Store(settings)
    first = store.version()
    store.observations()
    ready.wait(60)
    deadline = time.monotonic() + 120
    while store.version() == first and time.monotonic() < deadline:
        time.sleep(0.05)
    obs = store.observations()
    values = sorted(obs["value"].tolist())
    out.put((store.version(), len(obs), sorted(set(obs["series"].astype(str))), values))


def test_two_workers_see_one_import(backend_settings, tmp_path):
    _see_one_import(backend_settings, tmp_path, hosts=1)


def test_two_hosts_see_one_import(pg_settings, tmp_path):
    _see_one_import(pg_settings, tmp_path, hosts=2)


def _see_one_import(settings: Settings, tmp_path: Path, hosts: int) -> None:
    store = Store(settings)
    first = obs_frame([{"series": "A", "iso3": "KEN", "period": "2020", "value": 1}])
    store.import_frame(first, Provenance(name="a", file_name="a", checksum="a", format="un"))
    dirs = [settings.data_dir, tmp_path / "host2" if hosts == 2 else settings.data_dir]
    ready, out = SPAWN.Barrier(3), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=_watch, args=(replace(settings, data_dir=d), ready, out)) for d in dirs
    ]
    for worker in workers:
        worker.start()
    ready.wait(60)  # both have read version 1 (and built or read its snapshot)
    imported = _cli(settings, *_import_args(_csv(tmp_path / "new.csv", 500, series="B_")))
    assert imported.returncode == 0, imported.stderr
    seen = [out.get(timeout=150) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert seen[0] == seen[1]  # the same version and the very same observations
    version, rows, series, _values = seen[0]
    assert version == 2 and rows == 501 and series[0] == "A" and len(series) == 2


def _import_same(settings: Settings, path: str, ready, out) -> None:
    ready.wait(60)
    done = subprocess.run(
        [sys.executable, "-m", "data", *_import_args(Path(path))],
        cwd=ROOT,
        env=_env(settings.data_dir, GAPMAP_DATABASE_URL=settings.database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out.put((done.returncode, done.stdout + done.stderr))


def test_two_hosts_importing_the_same_file_together_store_it_once(pg_settings, tmp_path):
    path = _csv(tmp_path / "same.csv", 2_000)
    ready, out = SPAWN.Barrier(2), SPAWN.Queue()
    hosts = [replace(pg_settings, data_dir=tmp_path / f"host{i}") for i in (1, 2)]
    procs = [
        SPAWN.Process(target=_import_same, args=(h, str(path), ready, out)) for h in hosts
    ]  # different data directories: only the database's advisory lock is shared
    for proc in procs:
        proc.start()
    results = [out.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(30)
    assert all(code == 0 for code, _ in results), results
    texts = " ".join(text for _, text in results)
    assert texts.count("already imported as dataset 1") == 1  # the other one imported it
    assert texts.count("imported as dataset 1") == 2
    assert _pg_state(pg_settings) == (1, 1, 2_000)


# -- a first start on an empty directory never fails --------------------------------------------
def _open_each(stores: list[Settings], ready, out) -> None:
    """One starting process: open each empty store at the same moment as the others."""
    for settings in stores:
        try:
            ready.wait(60)
            store = Store(settings)
            out.put((str(settings.data_dir), "ok", store.identity, store.version()))
        except Exception as exc:  # reported to the test, which fails with it
            out.put((str(settings.data_dir), "failed", repr(exc), 0))


def test_first_start_by_several_processes_at_once_never_fails(request, backend_settings):
    processes, tries = 4, 6
    stores = []
    for attempt in range(tries):  # a fresh, empty store each time (directory and database)
        url = backend_settings.database_url
        if url and attempt:
            url = request.getfixturevalue("pg_server").url(
                request.getfixturevalue("pg_server").create_database()
            )
        data_dir = backend_settings.data_dir / f"try{attempt}"
        stores.append(replace(backend_settings, data_dir=data_dir, database_url=url))
    ready, out = SPAWN.Barrier(processes), SPAWN.Queue()
    procs = [SPAWN.Process(target=_open_each, args=(stores, ready, out)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in range(processes * tries)]
    for proc in procs:
        proc.join(30)
    assert all(r[1] == "ok" for r in results), [r for r in results if r[1] != "ok"]
    for settings in stores:  # each store created once: one identity seen by every process
        assert len({r[2] for r in results if r[0] == str(settings.data_dir)}) == 1
        assert Store(settings).version() == 0


# -- community contributions on PostgreSQL -------------------------------------------------------
@pytest.fixture
def pg_site(pg_settings, tmp_path):
    from tests.community import make_site

    return make_site(tmp_path / "site", database_url=pg_settings.database_url)


def test_publish_and_revert_a_contribution_on_pg(pg_site):
    from tests import test_submissions

    test_submissions.test_publish_adds_a_community_dataset_and_revert_withdraws_it(pg_site)


def test_reject_and_api_submissions_on_pg(pg_site):
    from tests import test_submissions

    test_submissions.test_reject_keeps_the_note_for_the_contributor(pg_site)
    test_submissions.test_api_submissions(pg_site)


def test_accounts_on_pg(pg_site):
    from tests import test_accounts

    test_accounts.test_contributor_cannot_publish_reject_or_revert(pg_site)
    test_accounts.test_admin_page_manages_accounts(pg_site)
    test_accounts.test_passwords_and_tokens_are_hashed_at_rest(pg_site)


def test_a_worker_starting_during_an_import_does_not_wait_for_it(pg_settings):
    # PostgreSQL only: on SQLite a starting process still opens the file under the import lock
    import threading

    from data.store import _exclusive, _store_lock

    settings = pg_settings
    Store(settings).engine.dispose()  # the store exists; now an import holds the writers' locks
    writer = Store(settings)
    with _exclusive(settings.data_dir / "import.lock"), writer.engine.begin() as conn:
        _store_lock(conn)
        opened = []
        thread = threading.Thread(target=lambda: opened.append(Store(settings).version()))
        thread.start()
        thread.join(60)  # a deadlock check, not a timing: it would wait for the commit
        assert opened == [0], "a starting worker waited for the import's locks"
