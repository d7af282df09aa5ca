"""Shared fixtures: tiny canonical frames, settings on a temporary store, the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data.schema import conform
from data.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """Path in ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (see shared/data/README.md)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "store", cache_type="NullCache", demo_on_empty=False)


def obs_frame(rows: list[dict]) -> pd.DataFrame:
    """Canonical frame from partial rows (defaults: dataset 1, official, source_row = position)."""
    full = []
    for i, row in enumerate(rows):
        base = {"dataset": 1, "source_type": "official", "source_row": i + 2}
        base.update(row)
        if "year" not in base and "period" in base:
            base["year"] = int(str(base["period"])[:4])
        full.append(base)
    return conform(pd.DataFrame(full))


@pytest.fixture(scope="session")
def extract_store(tmp_path_factory):
    """The real UN extract imported once into a fresh store: (path, settings, summary)."""
    from data import queries
    from data.pipeline import import_files

    path = shared_data("sdg-global-extract", "sdg_disaggregated_long.csv.gz")
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("extract"), demo_on_empty=False, cache_type="NullCache"
    )
    [summary] = import_files(queries.configure(settings), [path], settings)
    return path, settings, summary


@pytest.fixture
def extract(extract_store):
    """The extract store, made the one ``data.queries`` answers from."""
    from data import queries

    queries.configure(extract_store[1])
    return extract_store


@pytest.fixture(scope="session")
def realshape_store(tmp_path_factory) -> Settings:
    """The real-shape store (tests/realshape.py): > 127 series, demo, Open SDG, community."""
    from tests import realshape

    return realshape.build(tmp_path_factory.mktemp("realshape"))


@pytest.fixture
def realshape(realshape_store):
    """The real-shape store, made the one ``data.queries`` answers from (its Settings)."""
    from data import queries

    queries.configure(realshape_store)
    return realshape_store


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server (tests/pgserver.py) on a free loopback port, for the session.

    Never skipped: without the binaries this fails with the command that installs them.
    """
    from tests.pgserver import PgServer

    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_settings(pg_server, tmp_path: Path):
    """Settings of a store in a new, empty PostgreSQL database (dropped after the test)."""
    name = pg_server.create_database()
    yield Settings(
        data_dir=tmp_path / "store",
        database_url=pg_server.url(name),
        cache_type="NullCache",
        demo_on_empty=False,
    )
    pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_settings(request, tmp_path: Path) -> Settings:
    """Store settings on each backend in turn: the SQLite file, then PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_settings")
    return Settings(data_dir=tmp_path / "store", cache_type="NullCache", demo_on_empty=False)
