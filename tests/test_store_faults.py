"""Store faults a deployment meets: each is a clear message, never a traceback or silent data.

A vanished or emptied database, a corrupted file, a read-only data directory, a full disk and
an import killed at any moment (#11 item 6). Read-only and full-disk cases run inside a
private mount namespace (``unshare -rm``), where a read-only bind mount and a 2 MB tmpfs are
real for root too; nothing outside the test's temporary directory is touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from data.settings import Settings
from data.store import Provenance, Store, StoreError
from tests.conftest import obs_frame

ROOT = Path(__file__).resolve().parents[1]
HEADER = "series,iso3,period,value,sex\n"


def _csv(path: Path, rows: int, series: str = "SL_TLF_UEM", offset: int = 0) -> Path:
    """A template file of ``rows`` rows (distinct bytes per ``series``/``offset``)."""
    isos = ["KEN", "NPL", "IND", "BGD", "VNM", "UGA", "TZA", "ETH"]
    lines = [HEADER]
    for i in range(rows):  # i in mixed radix: one row per (series, year, sex, country)
        sex = ("F", "M", "")[(i // 8) % 3]
        year = 2000 + (i // 24) % 24
        lines.append(f"{series}{i // 576},{isos[i % 8]},{year},{(i + offset) / 8},{sex}\n")
    path.write_text("".join(lines))
    return path


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAPMAP_")}
    env.update({"GAPMAP_DATA_DIR": str(data_dir), "GAPMAP_DEMO_ON_EMPTY": "0", **extra})
    return env


def _cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data", *args],
        cwd=ROOT,
        env=_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _import_args(path: Path) -> list[str]:
    return ["import", str(path), "--format", "template", "--source-type", "community",
            "--keep-demo"]  # fmt: skip


def _seed(data_dir: Path, tmp_path: Path) -> None:
    done = _cli(data_dir, *_import_args(_csv(tmp_path / "seed.csv", 40)))
    assert done.returncode == 0, done.stderr


def _state(data_dir: Path) -> tuple[int, int, int]:
    """(version, datasets, observation rows) read straight from the SQLite file."""
    with sqlite3.connect(data_dir / "gapmap.sqlite") as conn:
        version = conn.execute("select value from store_state where key='version'").fetchone()
        datasets = conn.execute("select count(*), coalesce(sum(rows), 0) from datasets").fetchone()
        rows = conn.execute("select count(*) from observations").fetchone()[0]
    assert datasets[1] == rows  # every dataset whole, no stray rows
    return (version[0] if version else 0), datasets[0], rows


def _namespace() -> None:
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"mount namespaces are not permitted here: {probe.stderr.decode().strip()}")


def _in_namespace(script: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        cwd=ROOT,
        env=_env(data_dir, PY=sys.executable, D=str(data_dir)),
        capture_output=True,
        text=True,
        timeout=300,
    )


# -- a store that vanished ------------------------------------------------------------------
@pytest.mark.parametrize("how", ["deleted", "emptied", "tables dropped"])
def test_vanished_store_is_an_error_never_a_silent_demo(tmp_path, how):
    data_dir = tmp_path / "store"
    _seed(data_dir, tmp_path)
    db = data_dir / "gapmap.sqlite"
    if how == "deleted":
        for f in data_dir.glob("gapmap.sqlite*"):
            f.unlink()
    elif how == "emptied":
        db.write_bytes(b"")
    else:
        with sqlite3.connect(db) as conn:
            names = conn.execute("select name from sqlite_master where type='table'").fetchall()
            for (table,) in names:
                conn.execute(f"drop table {table}")
    # the CLI says so (exit 1) ...
    listed = _cli(data_dir, "datasets", GAPMAP_DEMO_ON_EMPTY="1")
    assert listed.returncode == 1 and "missing or empty" in listed.stderr
    assert "Traceback" not in listed.stderr and "store.json" in listed.stderr
    # ... and the site serves the last good snapshot (logged), never a new demo store
    served = _serve_check(data_dir)
    assert served.returncode == 0, served.stderr
    assert "SERVED 200 40 illustrative=False" in served.stdout
    assert "missing or empty" in served.stderr and "last good snapshot" in served.stderr
    assert (not db.exists()) or db.stat().st_size == 0 or how == "tables dropped"
    if how == "tables dropped":
        with sqlite3.connect(db) as conn:  # nothing was re-created in it either
            assert conn.execute("select count(*) from sqlite_master").fetchone()[0] == 0
        return
    # without any snapshot the app does not start, with one clear line
    shutil.rmtree(data_dir / "snapshots")
    started = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=_env(data_dir, GAPMAP_DEMO_ON_EMPTY="1", GAPMAP_PORT="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 1
    assert started.stderr.startswith("gapmap cannot start:") and "Traceback" not in started.stderr
    assert "missing or empty" in started.stderr
    assert (not db.exists()) or db.stat().st_size == 0


def _serve_check(data_dir: Path) -> subprocess.CompletedProcess:
    """Build the app as a server would (demo on empty) and request a page and the data."""
    code = (
        "from app import create_app; from data import queries; from data.settings import Settings;"
        "app = create_app(Settings.from_env(), warm=False); c = app.server.test_client();"
        "snap = queries.snapshot();"
        "print('SERVED', c.get('/country/KEN').status_code, len(snap.obs),"
        " f'illustrative={snap.illustrative}')"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(data_dir, GAPMAP_DEMO_ON_EMPTY="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_copied_store_finds_its_snapshot_and_files_are_readable_by_others(tmp_path):
    settings = Settings(data_dir=tmp_path / "a", cache_type="NullCache", demo_on_empty=False)
    store = Store(settings)
    rows = obs_frame([{"series": "S", "iso3": "KEN", "period": "2020", "value": 1.5}])
    store.import_frame(rows, Provenance(name="f", file_name="f.csv", checksum="c", format="un"))
    snapshot = store._snapshot_path(store.version())
    assert snapshot.exists() and snapshot.stat().st_mode & 0o777 == 0o644
    shutil.copytree(tmp_path / "a", tmp_path / "restored")
    copy = Store(replace(settings, data_dir=tmp_path / "restored"))
    assert copy.identity == store.identity
    assert copy._snapshot_path(copy.version()).exists()  # same name: no rebuild, no failure
    assert copy.observations()["value"].tolist() == [1.5]


# -- a corrupted file ---------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["header", "pages"])
def test_corrupted_database_is_a_clear_message_at_import_and_start(tmp_path, damage):
    data_dir = tmp_path / "store"
    _seed(data_dir, tmp_path)
    db = data_dir / "gapmap.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    raw = bytearray(db.read_bytes())
    if damage == "header":
        raw[:16] = b"this is not sql\x00"
    else:
        raw[100 : len(raw)] = os.urandom(len(raw) - 100)  # every page after the header
    db.write_bytes(bytes(raw))
    imported = _cli(data_dir, *_import_args(_csv(tmp_path / "more.csv", 10, series="X")))
    assert imported.returncode == 1, imported.stderr
    assert "corrupted" in imported.stderr and "Traceback" not in imported.stderr
    assert db.read_bytes() == bytes(raw)  # nothing written into it
    with pytest.raises(StoreError, match="corrupted"):
        Store(Settings(data_dir=data_dir, demo_on_empty=True)).datasets()
    served = _serve_check(data_dir)  # the site keeps the last good snapshot, and says why
    assert "SERVED 200 40 illustrative=False" in served.stdout, served.stderr
    assert "corrupted" in served.stderr and "read-only" in served.stderr
    assert db.read_bytes() == bytes(raw)


# -- a read-only data directory -----------------------------------------------------------------
def test_read_only_directory_serves_but_refuses_imports(tmp_path):
    _namespace()
    data_dir = tmp_path / "store"
    _seed(data_dir, tmp_path)
    shutil.rmtree(data_dir / "snapshots")  # the worst case: no snapshot to read either
    before = _state(data_dir)
    more = _csv(tmp_path / "more.csv", 10, series="X")
    serve = (
        "from app import create_app; from data import queries; from data.settings import Settings;"
        "app = create_app(Settings.from_env(), warm=False); c = app.server.test_client();"
        "print('SERVED', c.get('/country/KEN').status_code, len(queries.observations()))"
    )
    done = _in_namespace(
        'mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" && '
        f'"$PY" -c "{serve}" && "$PY" -m data {" ".join(_import_args(more))}; echo "IMPORT=$?"',
        data_dir,
    )
    assert f"SERVED 200 {before[2]}" in done.stdout, done.stderr
    assert "IMPORT=1" in done.stdout
    assert "read-only" in done.stderr and "Traceback" not in done.stderr
    assert _state(data_dir) == before


# -- a full disk --------------------------------------------------------------------------------
def test_full_disk_import_changes_nothing_and_says_so(tmp_path):
    _namespace()
    data_dir = tmp_path / "store"
    _seed(data_dir, tmp_path)
    big = _csv(tmp_path / "big.csv", 60_000, series="B")  # ~ 10 MB in the database
    script = (
        'cp -a "$D" "$D.seed" && mount -t tmpfs -o size=2m none "$D" && cp -a "$D.seed/." "$D/" && '
        f'"$PY" -m data {" ".join(_import_args(big))}; echo "IMPORT=$?"; '
        "\"$PY\" -c \"import sqlite3,os; c=sqlite3.connect(os.environ['D']+'/gapmap.sqlite');"
        "print('AFTER', c.execute('select count(*) from datasets').fetchone()[0],"
        "c.execute('select count(*) from observations').fetchone()[0],"
        "c.execute('select value from store_state where key=\\'version\\'').fetchone()[0])\""
    )
    before = _state(data_dir)
    done = _in_namespace(script, data_dir)
    assert "IMPORT=1" in done.stdout, done.stdout + done.stderr
    assert "full disk" in done.stderr and "Traceback" not in done.stderr
    assert f"AFTER {before[1]} {before[2]} {before[0]}" in done.stdout


# -- an import killed at any moment -------------------------------------------------------------
def test_import_killed_at_any_moment_leaves_old_or_new_state(tmp_path):
    data_dir = tmp_path / "store"
    _seed(data_dir, tmp_path)
    rows = 30_000
    # kill points spread over one whole import of the same size, timed on this machine now
    # (start-up, reading, writing rows, commit, snapshot): not an assertion on speed
    started = time.monotonic()
    full = _cli(data_dir, *_import_args(_csv(tmp_path / "timing.csv", rows, series="T_")))
    assert full.returncode == 0, full.stderr
    took = time.monotonic() - started
    delays = [took * f for f in (0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.1)]
    outcomes = set()
    for i, delay in enumerate(delays):
        before = _state(data_dir)
        path = _csv(tmp_path / f"kill{i}.csv", rows, series=f"K{i}_", offset=i)
        proc = subprocess.Popen(
            [sys.executable, "-m", "data", *_import_args(path)],
            cwd=ROOT,
            env=_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        after = _state(data_dir)
        old, new = before, (before[0] + 1, before[1] + 1, before[2] + rows)
        assert after in (old, new), (delay, before, after)
        outcomes.add("new" if after == new else "old")
        # the store stays usable: its snapshot equals the database
        store = Store(Settings(data_dir=data_dir, cache_type="NullCache", demo_on_empty=False))
        assert len(store.observations()) == after[2]
    assert outcomes == {"old", "new"}, outcomes  # the kills did land before and after commit
    redo = _cli(data_dir, *_import_args(tmp_path / "kill0.csv"))
    assert redo.returncode == 0, redo.stderr
