"""The gap engine's tables, computed once per store version and kept beside its snapshots.

Statuses, disparities and coverage of every group and source type, and each group's progress
by year, take tens of CPU-seconds on a real store. Computed in every worker and after every
restart, they made each worker's start slow; here the first process to need a version
computes them, writes them as Parquet files into
``<data dir>/snapshots/gaps-<store identity>-v<version>-<fingerprint>/`` (all files at once: a
directory renamed into place), and every worker and every later start reads them instead.
Beside them, the snapshot's catalogue and as-of year (``derived``), which the tables are
computed from: a later start reads them instead of deriving them from every row.

A directory is never stale: its name holds the store's identity and version (a new import is
a new version, a re-created store another identity) and a fingerprint of everything else the
numbers depend on: the engine's code (``_ENGINE``) and packaged files, the settings that change
statuses (recent years, small sample, expectations and label files), pandas' and numpy's versions.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from data import memory
from data.settings import Settings

KINDS = ("statuses", "disparities", "coverage", "progress")
# what the snapshot of this version derives from its observations besides the tables (the
# catalogue, the as-of year): ~3.4 s of every start at 10M observations, read in a moment
_DERIVED = "derived.pickle"
Table = tuple[str, str, str, pd.DataFrame]  # kind, group, source type, the frame
# the modules whose code decides the tables' numbers (and the packaged files in data/raw)
_ENGINE = ("gaps", "catalogue", "queries", "reference", "vocab", "schema", "precomputed", "memory")
_DTYPES = "dtypes.json"  # each column's dtype: Parquet reads object strings back as ``str``


def fingerprint(settings: Settings) -> str:
    """A digest of what the tables depend on besides the store's rows (see the module doc)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = [here / f"{name}.py" for name in _ENGINE]
    files += sorted(p for p in (here / "raw").rglob("*") if p.is_file())
    extra = [Path(settings.expectations)] if settings.expectations else []
    for path in [*files, *extra, *map(Path, settings.label_maps)]:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    params = [settings.recent_years, settings.small_n, pd.__version__, np.__version__]
    digest.update(json.dumps(params).encode())
    return digest.hexdigest()[:16]


def directory(settings: Settings, identity: int, version: int) -> Path:
    """Where the tables of one store version live (whether or not they exist yet)."""
    name = f"gaps-{identity}-v{version}-{fingerprint(settings)}"
    return Path(settings.data_dir) / "snapshots" / name


def _file(kind: str, group: str, source: str) -> str:
    return f"{kind}-{group}-{source}.parquet"


def read(where: Path, kind: str, group: str, source: str) -> pd.DataFrame | None:
    """One table from ``where``, exactly as computed; None when it is not there.

    Its object (string) columns hold one Python string per distinct value, shared by every
    row that has it: read through Parquet's dictionary, not one new string per cell. Equal
    values, dtypes and missing values (NaN) as ``astype(object)`` gives; at 10M observations
    a worker's disparity tables were 2.1 GB of mostly repeated strings. (Since, the queries
    keep those tables ``memory.compact``: categorical columns, read back as written, and float
    columns without a value, never converted.)
    """
    path = where / _file(kind, group, source)
    try:
        dtypes = json.loads((where / _DTYPES).read_text())[path.name]
        plain = [c for c, d in dtypes.items() if d == "object"]
        rest = [c for c in dtypes if c not in plain]
        # valueless float columns never converted (``memory.from_arrow``)
        frame = memory.from_arrow(pq.read_table(path, columns=rest)) if rest or not plain else None
        strings = pq.read_table(path, columns=plain, read_dictionary=plain) if plain else None
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    if strings is None:
        return frame
    index = frame.index if frame is not None else pd.RangeIndex(strings.num_rows)
    columns = {
        c: pd.Series(_shared_strings(strings.column(c)), index=index, dtype=object, copy=False)
        for c in plain
    }
    if frame is None:
        return pd.DataFrame(columns, index=index)[list(dtypes)]
    return frame.assign(**columns)[list(dtypes)]


def _shared_strings(column: pa.ChunkedArray) -> np.ndarray:
    """An object array of a dictionary-encoded column: each distinct string one object."""
    if not pa.types.is_dictionary(column.type):  # not a string column (all missing, say)
        return np.asarray(column.to_pandas().astype(object), dtype=object)
    parts = []
    for chunk in column.unify_dictionaries().chunks if column.num_chunks > 1 else column.chunks:
        words = chunk.dictionary.to_numpy(zero_copy_only=False).astype(object)
        codes = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
        parts.append(np.append(words, np.nan)[codes])  # -1: the last, NaN
    if not parts:
        return np.empty(0, dtype=object)
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def read_derived(where: Path) -> dict[str, Any] | None:
    """What ``write`` kept as ``derived`` in ``where``, exactly (a pickle); None if absent.

    A pickle is read only from the app's own data directory, which it trusts as it trusts
    its database (flask-caching's FileSystemCache pickles too).
    """
    try:
        with open(where / _DERIVED, "rb") as fh:
            found = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return found if isinstance(found, dict) else None


def write(where: Path, tables: Iterable[Table], derived: dict[str, Any] | None = None) -> bool:
    """Write every (kind, group, source, frame) into ``where`` at once; False if it could not.

    The files are written into a temporary directory renamed into place, so a reader finds
    all of them or none. Older tables of the same store (other versions or fingerprints) are
    removed after. ``derived``: other results of the same version (``read_derived``).
    """
    parent = where.parent
    tmp = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".gaps-"))
        dtypes = {}
        for kind, group, source, frame in tables:
            name = _file(kind, group, source)
            frame.to_parquet(tmp / name, index=False)
            dtypes[name] = {str(c): str(d) for c, d in frame.dtypes.items()}
        (tmp / _DTYPES).write_text(json.dumps(dtypes))
        if derived is not None:
            with open(tmp / _DERIVED, "wb") as fh:
                pickle.dump(derived, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o755)
        os.replace(tmp, where)
    except (OSError, ValueError, TypeError, NotImplementedError, pickle.PicklingError):
        # a cache only: a read-only or full disk, or a column Parquet cannot hold, leaves the
        # tables in memory (computed once per process, as before)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        return where.is_dir()
    identity = where.name.split("-")[1]
    for old in parent.glob(f"gaps-{identity}-v*"):
        if old != where:
            shutil.rmtree(old, ignore_errors=True)
    return True


@contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (False, unlocked, when it cannot be created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - closed below
    except OSError:
        yield False
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield True
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def ensure(
    where: Path, compute: Callable[[], Iterable[Table]], derived: dict[str, Any] | None = None
) -> bool:
    """Make sure the tables in ``where`` exist: computed by one process, read by the others.

    Processes starting together wait for the one computing (a lock file in the snapshots
    directory) and then find the tables written. Returns True when the tables are on disk.
    """
    if where.is_dir():
        return True
    with _exclusive(where.parent / "gaps.lock"):
        if where.is_dir():
            return True
        return write(where, compute(), derived)
