"""The indicator store: datasets with provenance and their canonical observations.

SQLAlchemy Core over SQLite by default (a file in ``GAPMAP_DATA_DIR``), or PostgreSQL when
``GAPMAP_DATABASE_URL`` names one (psycopg 3), so that several hosts share one store. Each import
is one transaction: it commits whole or changes nothing. Writers take one lock per store: a file
lock in the data directory (the processes of one host) and, on PostgreSQL, a transaction-level
advisory lock (every host); the schema is created under the same locks, once. Readers get a
columnar snapshot (pandas, categorical columns) that is rebuilt only when the store's version
changes, and cached on each host's local disk as Parquet named by the store's identity and
version, so that the worker processes of a host share one copy of the work.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as pa_feather
import sqlalchemy as sa
from pandas.api.types import union_categoricals

from data import community_tables, memory
from data.schema import (
    FLOAT_COLUMNS,
    INT_COLUMNS,
    OBS_COLUMNS,
    SOURCE_TYPES,
    STR_COLUMNS,
    conform,
    empty_frame,
    is_canonical,
)
from data.settings import Settings

_META = sa.MetaData()
DATASETS = sa.Table(
    "datasets",
    _META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.Column("source_type", sa.String(16), nullable=False),
    sa.Column("licence", sa.Text, nullable=False, default=""),
    sa.Column("attribution", sa.Text, nullable=False, default=""),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("options", sa.Text, nullable=False, default="{}"),
)


def _obs_column(name: str) -> sa.Column:
    if name == "dataset":
        return sa.Column(name, sa.Integer, sa.ForeignKey("datasets.id"), nullable=False, index=True)
    if name in INT_COLUMNS:
        return sa.Column(name, sa.Integer, nullable=False)
    if name in FLOAT_COLUMNS:
        return sa.Column(name, sa.Float(precision=53), nullable=True)
    return sa.Column(name, sa.Text, nullable=False)


OBSERVATIONS = sa.Table("observations", _META, *(_obs_column(c) for c in OBS_COLUMNS))
# Splits a dataset's metadata declares expected (Open SDG ``expected_disaggregations``):
# series x country x canonical dimension. Created by create_all in old stores too.
DECLARED = sa.Table(
    "declared_splits",
    _META,
    sa.Column("dataset", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False, index=True),
    sa.Column("series", sa.Text, nullable=False),
    sa.Column("iso3", sa.String(3), nullable=False),
    sa.Column("dimension", sa.String(32), nullable=False),
)
DECLARED_COLUMNS = ["dataset", "series", "iso3", "dimension"]
STATE = sa.Table(
    "store_state",
    _META,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

DATASET_COLUMNS = [c.name for c in DATASETS.columns]


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from; stored with it and shown wherever its numbers are."""

    name: str
    file_name: str
    checksum: str
    format: str
    source_type: str = "official"
    licence: str = ""
    attribution: str = ""
    illustrative: bool = False
    options: str = "{}"  # JSON of the import options that change the rows (country, indicator)
    # (series, dimension) splits the metadata declares expected; stored in declared_splits
    # for every country of the dataset's rows, not in the datasets table
    declared: tuple[tuple[str, str], ...] = ()


def file_checksum(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Store:
    """Datasets and observations behind one SQLAlchemy engine."""

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.store_url()
        self.where = _where(url)
        self.path = _sqlite_file(url)
        self.read_only = False
        with _explained(self.where):
            if self.path is not None:
                self.read_only = _check_sqlite_file(self.path, settings.data_dir)
                # mode=rw: a database file deleted while the app runs is never re-created
                # empty behind its back; immutable: a read-only copy is read without the WAL
                mode = "ro&immutable=1" if self.read_only else "rw"
                engine_url = f"sqlite:///file:{self.path}?mode={mode}&uri=true"
            else:
                engine_url = _driver_url(url)
            # a server database may restart or drop idle connections: test each on checkout
            remote = not engine_url.startswith("sqlite")
            self.engine = sa.create_engine(engine_url, future=True, pool_pre_ping=remote)
            self.backend = self.engine.dialect.name  # "sqlite" or "postgresql"
            if self.backend == "sqlite":
                pragmas = _sqlite_read_pragmas if self.read_only else _sqlite_pragmas
                sa.event.listen(self.engine, "connect", pragmas)
            # Processes starting together on an empty store create the schema once, one after
            # the other (checkfirst). SQLite: all under the file lock (a file's first
            # connections switch it to WAL, which must not race). PostgreSQL: only a database
            # missing tables takes the writers' locks, so a worker (re)starting while an import
            # runs on any host never waits for that import.
            sqlite = self.backend == "sqlite"
            with self.writing() if sqlite else nullcontext():
                _refuse_vanished(self.engine, settings.data_dir, url, self.where)
                if not self.read_only and _schema_missing(self.engine):
                    with nullcontext() if sqlite else self.writing(), self.engine.begin() as conn:
                        _store_lock(conn)  # every host: the advisory lock
                        _META.create_all(conn)
                        community_tables.META.create_all(conn)  # accounts, submissions
            self.identity = self._identity()
        _remember(settings.data_dir, url, self.identity)

    def _identity(self) -> int:
        """A random number fixed when the store is created.

        Snapshots of a deleted and re-created store (whose versions start again at 1) are then
        never mistaken for this one's.
        """
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(STATE.c.value).where(STATE.c.key == "identity")).first()
            if found is not None:
                return int(found[0])
            if self.read_only:
                raise StoreError(f"{self.where} has no store in it, and it is read-only")
            _store_lock(conn)  # hosts starting together: one identity
            found = conn.execute(sa.select(STATE.c.value).where(STATE.c.key == "identity")).first()
            if found is not None:
                return int(found[0])
            value = secrets.randbelow(2**31 - 1) + 1
            try:
                with conn.begin_nested():
                    conn.execute(STATE.insert().values(key="identity", value=value))
            except sa.exc.IntegrityError:  # another process created it first
                pass
            return int(
                conn.execute(sa.select(STATE.c.value).where(STATE.c.key == "identity")).scalar()
            )

    # -- writing ---------------------------------------------------------------------------
    def import_frame(self, frame: pd.DataFrame, provenance: Provenance) -> tuple[int, bool]:
        """Store one canonical frame as one dataset, all or nothing (see ``import_many``)."""
        return self.import_many([(frame, provenance)])[0]

    def import_many(
        self,
        items: Iterable[tuple[pd.DataFrame, Provenance]],
        progress: Callable[[int], None] | None = None,
        remove: tuple[int, ...] = (),
        within: Callable[[sa.Connection, list[tuple[int, bool]]], None] | None = None,
    ) -> list[tuple[int, bool]]:
        """Store several datasets in ONE transaction: all are committed, or none.

        Args:
            items: (canonical frame, provenance) pairs; ``dataset`` is overwritten. May be an
                iterator that reads each file as it is needed: an exception it raises rolls
                the whole transaction back.
            progress: called with the number of rows written after each chunk.
            remove: dataset ids deleted in the same transaction (e.g. the demo datasets that
                real data replaces): readers never see the store with both, or with neither.
            within: called with the connection and the results before the commit, to write
                more rows in the same transaction (a submission's status and audit entry).

        Returns:
            (dataset id, created) per item; ``created`` is False when the same file with the
            same options was imported before (that item changes nothing).
        """
        results: list[tuple[int, bool]] = []
        added: list[pd.DataFrame] = []
        removed = False
        self._writable()
        with _explained(self.where), self.writing(), ExitStack() as publish:
            with self.engine.begin() as conn:
                _store_lock(conn)  # the writers of every host, one at a time
                for dataset_id in remove:
                    removed |= _delete_dataset(conn, dataset_id)
                for frame, provenance in items:
                    if provenance.source_type not in SOURCE_TYPES:
                        raise ValueError(f"source_type must be one of {SOURCE_TYPES}")
                    existing = conn.execute(
                        sa.select(DATASETS.c.id).where(
                            DATASETS.c.checksum == provenance.checksum,
                            DATASETS.c.source_type == provenance.source_type,
                            DATASETS.c.format == provenance.format,
                            DATASETS.c.options == provenance.options,
                        )
                    ).first()
                    if existing is not None:
                        results.append((int(existing[0]), False))
                        continue
                    # a reader's frame is canonical already: not copied again (at 10M rows
                    # a second copy was the import's memory peak)
                    rows = frame.copy(deep=False) if is_canonical(frame) else conform(frame)
                    values = dict(provenance.__dict__)
                    declared = values.pop("declared")
                    values["imported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
                    values["rows"] = len(rows)
                    inserted = conn.execute(DATASETS.insert().values(**values))
                    dataset_id = int(inserted.inserted_primary_key[0])
                    rows["dataset"] = dataset_id
                    _insert_rows(conn, rows, progress)
                    _insert_declared(conn, dataset_id, declared, rows)
                    # kept for the snapshot in its compact (categorical) form: with several
                    # big files, only one file's rows are ever held as text
                    added.append(_snapshot_part(rows))
                    del rows, frame
                    results.append((dataset_id, True))
                if within is not None:
                    within(conn, results)
                # readers of the new version wait from the commit until its snapshot exists
                publish.enter_context(self.publishing())
                after = _bump_version(conn) if added or removed else 0
            if added or removed:
                rows = (  # categories sorted as one frame's would be
                    (added[0] if len(added) == 1 else _concat_categorical(added, sort=True))
                    if added
                    else None
                )
                del added
                self._extend_snapshot(after - 1, after, rows, dropped=set(remove))
        return results

    def remove(
        self, dataset_id: int, within: Callable[[sa.Connection, bool], None] | None = None
    ) -> bool:
        """Delete a dataset and its observations; False when there is no such dataset.

        ``within`` is called with the connection and whether it was there, before the commit.
        """
        self._writable()
        with _explained(self.where), self.writing(), ExitStack() as publish:
            with self.engine.begin() as conn:
                _store_lock(conn)
                gone = _delete_dataset(conn, dataset_id)
                if within is not None:
                    within(conn, gone)
                publish.enter_context(self.publishing())
                after = _bump_version(conn) if gone else 0
            if gone:
                self._extend_snapshot(after - 1, after, None, dropped={dataset_id})
        return gone

    @contextmanager
    def publishing(self) -> Iterator[None]:
        """Held by a writer from just before its commit until the new snapshot is written.

        A worker that sees the new version then waits (``_await_snapshot``) and reads the
        snapshot, instead of rebuilding all rows from the database in each process at once
        (which held the interpreter lock for seconds while that worker served requests).
        """
        with _exclusive(Path(self.settings.data_dir) / "snapshot.lock"):
            yield

    def _await_snapshot(self, path: Path, timeout: float = 120.0) -> None:
        """Wait (at most ``timeout`` s) while a writer is publishing the snapshot ``path``."""
        if path.exists():
            return
        handle = _lock_file(Path(self.settings.data_dir) / "snapshot.lock")
        if handle is None:
            return
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        return
                    time.sleep(0.05)
        finally:
            handle.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time per store: an import or removal waits for the one under way.

        Two imports of the same file started together would otherwise both find it new and
        store it twice. A file lock in the data directory serialises the processes of one
        host (the README's deployment); on PostgreSQL the transaction also takes an advisory
        lock (``_store_lock``) that serialises the writers of every host sharing the database.
        The check for an earlier import of the same bytes then runs inside the locks.
        """
        with _exclusive(Path(self.settings.data_dir) / "import.lock"):
            yield

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.where} is read-only for this user, so nothing can be imported or "
                "removed (the site can still serve it). Give the importing user write access to "
                "the data directory, or import into a writable copy."
            )

    # -- reading ---------------------------------------------------------------------------
    def version(self) -> int:
        """A number that changes with every committed import or removal."""
        with _explained(self.where), self.engine.connect() as conn:
            value = conn.execute(sa.select(STATE.c.value).where(STATE.c.key == "version")).first()
        return int(value[0]) if value else 0

    def datasets(self) -> pd.DataFrame:
        """All datasets with provenance. Columns: ``DATASET_COLUMNS``."""
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(DATASETS).order_by(DATASETS.c.id))
            return pd.DataFrame(result.fetchall(), columns=DATASET_COLUMNS)

    def declared(self) -> pd.DataFrame:
        """Splits declared expected by datasets' metadata. Columns: ``DECLARED_COLUMNS``."""
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(DECLARED))
            return pd.DataFrame(result.fetchall(), columns=DECLARED_COLUMNS)

    def is_empty(self) -> bool:
        """True when no dataset has been imported."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(DATASETS)).scalar() == 0

    def observations(self) -> pd.DataFrame:
        """Every observation as a read-only columnar snapshot (string columns categorical).

        Returns:
            Frame with ``schema.OBS_COLUMNS``; rebuilt when ``version()`` changes, otherwise read
            from the snapshot on local disk (``OBS_SUFFIX``).
        """
        version = self.version()
        cache = self._snapshot_path(version)
        if cache is not None:
            self._await_snapshot(cache)  # a version committed this instant: its snapshot
        found = _read_obs(cache) if cache is not None else None
        if cache is not None and found is not None:
            if not cache.exists() and _atomic_write(found, cache):  # an earlier release's file
                cache.with_suffix(".parquet").unlink(missing_ok=True)
            return found
        # One statement reads the rows and the version they belong to, so an import that
        # commits meanwhile can never be filed under the version before it.
        current = sa.select(STATE.c.value).where(STATE.c.key == "version").scalar_subquery()
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(current.label("_version"), *OBSERVATIONS.c))
            frame = pd.DataFrame.from_records(result.fetchall(), columns=["_version", *OBS_COLUMNS])
        if len(frame):
            read_at = int(frame["_version"].iloc[0])
        else:
            read_at = version if self.version() == version else -1  # -1: do not cache
        frame = frame.drop(columns="_version")
        frame = _categorical(conform(frame) if len(frame) else empty_frame())
        cache = self._snapshot_path(read_at) if read_at >= 0 else None
        if cache is not None:
            self._write_snapshot(frame, cache)
        return frame

    def _extend_snapshot(
        self, before: int, after: int, rows: pd.DataFrame | None, dropped: set[int] = frozenset()
    ) -> None:
        """After a change, write the new snapshot: the old one less ``dropped`` plus ``rows``."""
        old = self._snapshot_path(before) if before else None
        new = self._snapshot_path(after)
        previous = _read_obs(old) if old is not None else None
        if new is None or (old is not None and previous is None):
            return  # no usable previous snapshot: the next read rebuilds from the database
        parts = [previous] if previous is not None else []
        if dropped and parts:
            parts = [parts[0][~parts[0]["dataset"].isin(dropped)].reset_index(drop=True)]
        if rows is not None:  # categorical columns built beside the rows: no full copy first
            parts.append(_snapshot_part(rows))
        # an emptied store's snapshot has no rows, and its empty categories another dtype
        parts = [p for p in parts if len(p)] or parts[:1]
        if not parts:
            return
        try:
            frame = _concat_categorical(parts) if len(parts) > 1 else parts[0]
            self._write_snapshot(frame, new)
        except (TypeError, ValueError, OSError):
            # The import is committed already: never fail it for its snapshot. Without one for
            # the new version, the next read rebuilds it from the database.
            new.unlink(missing_ok=True)

    def _snapshot_path(self, version: int) -> Path | None:
        directory = Path(self.settings.data_dir) / "snapshots"
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        # keyed by the store's identity, not its path: a copied or restored data directory,
        # or a server started elsewhere, still finds its snapshots
        return directory / f"obs-{self.identity}-v{version}{OBS_SUFFIX}"

    def _write_snapshot(self, frame: pd.DataFrame, path: Path) -> None:
        if not _atomic_write(frame, path):
            return
        version = int(path.stem.rsplit("-v", 1)[1])
        self._write_tables(path.parent, version)
        for kind in SNAPSHOT_KINDS:  # older versions' files, in this format or the one before
            for old in path.parent.glob(f"{kind}-{self.identity}-v*"):
                if old.suffix in (".parquet", OBS_SUFFIX) and _version_of(old) != version:
                    old.unlink(missing_ok=True)

    def _write_tables(self, directory: Path, version: int) -> None:
        """Datasets and declared splits beside the observations snapshot of ``version``.

        With them the app can still serve the last good version when the database cannot be
        opened at start (``last_good``). Written only when no import committed meanwhile.
        """
        tables = {"datasets": self.datasets(), "declared": self.declared()}
        if self.version() != version:
            return
        for kind, frame in tables.items():
            _atomic_write(frame, directory / f"{kind}-{self.identity}-v{version}.parquet")


SNAPSHOT_KINDS = ("obs", "datasets", "declared")  # the files of one snapshot
# The observations snapshot is Arrow IPC (Feather v2, LZ4): at 10 million rows a fresh process
# reads it into the same categorical frame in ~1.0 s against 3.8-4.7 s from Parquet (one
# dictionary per row group, unified on every read), at every server start. The datasets and
# declared splits (small) stay Parquet. A Parquet snapshot of an earlier release is read.
OBS_SUFFIX = ".arrow"


def _version_of(path: Path) -> int:
    """The version in a snapshot file's name (``obs-<identity>-v<version>.<suffix>``)."""
    return int(path.name.split(".", 1)[0].rsplit("-v", 1)[1])


def _read_obs(path: Path) -> pd.DataFrame | None:
    """The observations snapshot ``path``, or the Parquet one of an earlier release, or None."""
    if path.exists():
        # a float column without any value (bounds, sample sizes) takes no memory
        return memory.from_arrow(pa_feather.read_table(path, memory_map=False))
    legacy = path.with_suffix(".parquet")
    return pd.read_parquet(legacy) if legacy.exists() else None


class FrozenStore:
    """The last good snapshot of a store whose database cannot be opened: read-only.

    The app serves it (and says so in its log) rather than nothing; imports and removals are
    refused with the reason the database failed.
    """

    read_only = True

    def __init__(self, settings: Settings, identity: int, version: int, reason: StoreError):
        self.settings = settings
        self.identity = identity
        self._version = version
        self.reason = reason
        self.where = f"the last good snapshot (version {version}) in {settings.data_dir}"

    def _file(self, kind: str) -> Path:
        name = f"{kind}-{self.identity}-v{self._version}.parquet"
        return Path(self.settings.data_dir) / "snapshots" / name

    def version(self) -> int:
        """The snapshot's version (it never changes)."""
        return self._version

    def datasets(self) -> pd.DataFrame:
        """The datasets as they were at the snapshot's version."""
        return pd.read_parquet(self._file("datasets"))

    def declared(self) -> pd.DataFrame:
        """The declared splits as they were at the snapshot's version."""
        return pd.read_parquet(self._file("declared"))

    def observations(self) -> pd.DataFrame:
        """The observations snapshot."""
        found = _read_obs(self._file("obs").with_suffix(OBS_SUFFIX))
        if found is None:
            raise self.reason  # removed since the store was opened
        return found

    def is_empty(self) -> bool:
        """True when the snapshot holds no dataset."""
        return len(self.datasets()) == 0

    def import_many(self, *_: Any, **__: Any) -> list[tuple[int, bool]]:
        """Refused: the database cannot be written."""
        raise self.reason

    def import_frame(self, *_: Any, **__: Any) -> tuple[int, bool]:
        """Refused: the database cannot be written."""
        raise self.reason

    def remove(self, *_: Any, **__: Any) -> bool:
        """Refused: the database cannot be written."""
        raise self.reason


def last_good(settings: Settings, reason: StoreError) -> FrozenStore | None:
    """The newest complete snapshot of the store the data directory remembers, if any."""
    found = _marker(settings.data_dir, settings.store_url())
    if found is None:
        return None
    identity = int(found["identity"])
    directory = Path(settings.data_dir) / "snapshots"
    versions = []
    for path in directory.glob(f"obs-{identity}-v*"):
        if path.suffix not in (".parquet", OBS_SUFFIX):
            continue
        version = _version_of(path)
        names = [f"{kind}-{identity}-v{version}.parquet" for kind in SNAPSHOT_KINDS[1:]]
        if all((directory / name).exists() for name in names):
            versions.append(version)
    return FrozenStore(settings, identity, max(versions), reason) if versions else None


class StoreError(Exception):
    """The store cannot be opened, read or written: what happened, where, and what to do.

    Raised instead of SQLAlchemy's errors for the faults a deployment meets (a vanished,
    corrupted or read-only database, a full disk); the message is meant for the operator.
    """


_MARKER = "store.json"  # in the data directory: which store lived here (see _remember)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases or in-memory SQLite)."""
    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _where(url: str) -> str:
    """The store as named in messages (a file path, or the URL without its password)."""
    path = _sqlite_file(url)
    if path is not None:
        return f"the store database {path}"
    return f"the store {sa.engine.make_url(url).render_as_string(hide_password=True)}"


def _location(url: str, data_dir: Path) -> str:
    """What the marker records of a store: where it lives.

    A SQLite file by its name inside the data directory (so a copied or restored data
    directory is the same store), any other URL without its password.
    """
    path = _sqlite_file(url)
    if path is not None:
        try:
            return str(path.resolve().relative_to(Path(data_dir).resolve()))
        except ValueError:
            return str(path.resolve())
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _marker(data_dir: Path, url: str) -> dict[str, Any] | None:
    """The marker of the store at ``url`` left in ``data_dir``, if one was."""
    try:
        found = json.loads((Path(data_dir) / _MARKER).read_text())
    except (OSError, ValueError):
        return None
    return found if found.get("location") == _location(url, data_dir) else None


def _remember(data_dir: Path, url: str, identity: int) -> None:
    """Note in the data directory that this store exists (best effort: read-only is fine)."""
    record = {"location": _location(url, data_dir), "identity": identity}
    if _marker(data_dir, url) == record:
        return
    tmp = None
    try:  # whole or not at all: a process starting meanwhile never reads half a marker
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".store-", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(record) + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, Path(data_dir) / _MARKER)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _vanished(where: str, data_dir: Path) -> StoreError:
    return StoreError(
        f"{where} is missing or empty, but {data_dir} held a store there. Nothing was created, "
        "so the site never switches silently to an empty or illustrative store. Restore the "
        f"database from a backup, or delete {Path(data_dir) / _MARKER} to start a new store."
    )


def _check_sqlite_file(path: Path, data_dir: Path) -> bool:
    """Check a SQLite store file before it is opened; True when it can only be read.

    A missing file is created (a new store) unless the data directory says one lived here.
    """
    url = f"sqlite:///{path}"
    if not path.exists() or path.stat().st_size == 0:
        if _marker(data_dir, url) is not None:
            raise _vanished(f"the store database {path}", data_dir)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).close()  # creates the (empty) database file
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot create the store database {path}: {exc}. Give the server user write "
                "access to the data directory (GAPMAP_DATA_DIR), or point it elsewhere."
            ) from exc
        return False
    # Read through SQLite itself, never with open(): closing any other descriptor of the file
    # drops this process's POSIX locks on it, which corrupts the store under a writer.
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            probe.execute("PRAGMA schema_version").fetchone()
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise StoreError(
                f"the store database {path} is corrupted ({exc}): it is not a readable SQLite "
                "database. Restore it from a backup; nothing was changed."
            ) from exc
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        return False
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:  # read as immutable, its last commits would
        raise StoreError(  # be missed: never serve older numbers than the store holds
            f"the store database {path} is read-only and its write-ahead log {wal} still holds "
            "committed changes. Open it once with write access (e.g. python -m data datasets) "
            "so they are merged, then make it read-only again."
        )
    return True


def _schema_missing(engine: sa.Engine) -> bool:
    """True when any table of the store (data or community) does not exist yet."""
    needed = set(_META.tables) | set(community_tables.META.tables)
    return not needed <= set(sa.inspect(engine).get_table_names())


def _refuse_vanished(engine: sa.Engine, data_dir: Path, url: str, where: str) -> None:
    """A store whose tables are gone while the data directory remembers it is an error."""
    if _marker(data_dir, url) is not None and not sa.inspect(engine).has_table(STATE.name):
        raise _vanished(where, data_dir)


@contextmanager
def _explained(where: str) -> Iterator[None]:
    """Turn the database faults a deployment meets into a ``StoreError`` saying what to do."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        text = str(exc.orig or exc).lower()
        if "readonly" in text or "read-only" in text:
            what = (
                "is read-only for this user: nothing was changed. Give the user write access to "
                "the data directory (GAPMAP_DATA_DIR)"
            )
        elif "full" in text or "no space" in text:
            what = "is on a full disk: nothing was changed. Free some space and try again"
        elif "malformed" in text or "not a database" in text or "corrupt" in text:
            what = "is corrupted (not a readable database). Restore it from a backup"
        elif "unable to open" in text:
            what = "cannot be opened (moved, deleted or not accessible to this user)"
        elif "connection" in text and ("refused" in text or "failed" in text):
            what = (
                "cannot be reached: nothing was changed. Check that the database server is "
                "running and that GAPMAP_DATABASE_URL names it"
            )
        else:
            what = f"failed: {exc.orig or exc}"
        raise StoreError(f"{where} {what}. ({str(exc.orig or exc).strip()})") from exc


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` for the block.

    None in a read-only data directory: nothing can be written there anyway.
    """
    handle = _lock_file(path)
    if handle is None:
        yield
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _lock_file(path: Path) -> Any:
    """An open handle on a lock file, or None where it cannot be created (read-only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+")  # noqa: SIM115 - closed by the caller
    except OSError:
        return None


def _insert_declared(
    conn: sa.Connection, dataset_id: int, declared: tuple[tuple[str, str], ...], rows: pd.DataFrame
) -> None:
    iso3s = sorted({str(c) for c in rows["iso3"].astype(object) if c})
    records = [
        {"dataset": dataset_id, "series": s, "iso3": c, "dimension": d}
        for s, d in declared
        for c in iso3s
    ]
    if records:
        conn.execute(DECLARED.insert(), records)


def _delete_dataset(conn: sa.Connection, dataset_id: int) -> bool:
    conn.execute(DECLARED.delete().where(DECLARED.c.dataset == dataset_id))
    conn.execute(OBSERVATIONS.delete().where(OBSERVATIONS.c.dataset == dataset_id))
    return bool(conn.execute(DATASETS.delete().where(DATASETS.c.id == dataset_id)).rowcount)


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _insert_rows(
    conn: sa.Connection,
    rows: pd.DataFrame,
    progress: Callable[[int], None] | None = None,
    chunk: int = 50_000,
) -> None:
    """Write canonical ``rows`` (``OBS_COLUMNS``, as ``conform`` returns them) to observations.

    PostgreSQL: ``COPY ... FROM STDIN`` through psycopg. SQLite: the DBAPI's ``executemany``
    on plain tuples built column by column (``zip`` of ``tolist()``: no per-row pandas work).
    Any other database: SQLAlchemy Core's executemany.
    """
    columns = list(OBS_COLUMNS)
    names = ", ".join(f'"{c}"' for c in columns)
    dialect = conn.dialect.name
    copy_from = f"COPY observations ({names}) FROM STDIN"
    stmt = f"INSERT INTO observations ({names}) VALUES ({', '.join('?' * len(columns))})"
    plain = _PlainColumns(rows)
    for start in range(0, len(rows), chunk):
        tuples = list(zip(*plain.part(start, start + chunk), strict=True))
        if dialect == "postgresql":
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(copy_from) as copy:
                for row in tuples:
                    copy.write_row(row)
        elif dialect == "sqlite":
            conn.exec_driver_sql(stmt, tuples)
        else:
            conn.execute(
                OBSERVATIONS.insert(), [dict(zip(columns, t, strict=True)) for t in tuples]
            )
        if progress is not None:
            progress(len(tuples))
        del tuples


class _PlainColumns:
    """The columns of a canonical frame as Python values, one chunk of rows at a time.

    Text columns are factorised once: a chunk takes its cells from the distinct texts (one
    shared ``str`` each) by code, never converting every cell to a new Python object.
    Missing numbers become None.
    """

    def __init__(self, rows: pd.DataFrame):
        self.columns: list[tuple[str, np.ndarray, np.ndarray | None]] = []
        for col in OBS_COLUMNS:
            values = rows[col]
            if col in STR_COLUMNS:
                codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
                texts = np.asarray(uniques, dtype=object)
                small = np.int32 if len(texts) < 2**31 else np.int64
                self.columns.append(("text", np.asarray(codes).astype(small), texts))
            elif col in FLOAT_COLUMNS:
                self.columns.append(("float", values.to_numpy(dtype="float64"), None))
            else:
                self.columns.append(("int", values.to_numpy().astype("int64"), None))

    def part(self, start: int, stop: int) -> list[list[Any]]:
        out: list[list[Any]] = []
        for kind, values, texts in self.columns:
            piece = values[start:stop]
            if kind == "text":
                out.append(texts[piece].tolist())
            elif kind == "float":
                boxed = piece.astype(object)
                boxed[np.isnan(piece)] = None
                out.append(boxed.tolist())
            else:
                out.append(piece.tolist())
        return out


# one advisory lock per database: the writers (and schema creators) of every host in turn
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"gapmap store writers").digest()[:8], "big", signed=True)


def _store_lock(conn: sa.Connection) -> None:
    """On PostgreSQL, wait for the store's writer lock; held until the transaction ends.

    A transaction-level advisory lock is released by the commit or rollback, and by the server
    when the client dies (a killed import never leaves it held). SQLite needs none: its
    writers are the processes of one host, serialised by the data directory's file lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _driver_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs through psycopg 3, the installed driver."""
    parsed = sa.engine.make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _bump_version(conn: sa.Connection) -> int:
    updated = conn.execute(
        STATE.update().where(STATE.c.key == "version").values(value=STATE.c.value + 1)
    ).rowcount
    if not updated:
        conn.execute(STATE.insert().values(key="version", value=1))
    return int(conn.execute(sa.select(STATE.c.value).where(STATE.c.key == "version")).scalar())


def _snapshot_part(rows: pd.DataFrame) -> pd.DataFrame:
    """Canonical rows with their text columns categorical (a no-op on such a frame)."""
    return pd.DataFrame(
        {c: rows[c].astype("category") if c in STR_COLUMNS else rows[c] for c in rows}
    )


def _concat_categorical(frames: list[pd.DataFrame], sort: bool = False) -> pd.DataFrame:
    """Concatenate snapshot frames keeping string columns categorical (no object copy).

    ``sort``: categories in sorted order, as ``astype("category")`` of the rows together gives.
    """
    if len(frames) == 1:
        return frames[0]
    out = {}
    for col in OBS_COLUMNS:
        if col in STR_COLUMNS:
            parts = [f[col].astype("category") for f in frames]
            out[col] = union_categoricals(parts, sort_categories=sort, ignore_order=True)
        else:
            out[col] = np.concatenate([f[col].to_numpy() for f in frames])
    return pd.DataFrame(out)


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    for col in STR_COLUMNS:
        frame[col] = frame[col].astype("category")
    return frame


def _atomic_write(frame: pd.DataFrame, path: Path) -> bool:
    """Write ``frame`` to ``path`` whole or not at all; False when it could not be written.

    Arrow IPC for ``OBS_SUFFIX`` (LZ4), else Parquet.

    A snapshot is only a cache: a read-only directory or a full disk leaves the frame in
    memory. Snapshots are readable by every user (0644), like the database file, so a server
    running as another user than the importer can use them.
    """
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".obs-", suffix=".tmp")
        os.close(fd)
        if path.suffix == OBS_SUFFIX:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            pa_feather.write_feather(table, tmp, compression="lz4")
        else:
            frame.to_parquet(tmp, index=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return True
    except (OSError, pa.ArrowException):
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return False


def options_json(**options: Any) -> str:
    """Canonical JSON of import options (sorted, Nones dropped) for idempotence checks."""
    return json.dumps({k: v for k, v in sorted(options.items()) if v is not None})
