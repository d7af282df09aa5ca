from dataclasses import fields
from pathlib import Path

import pytest

from data.settings import HELP, Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_from_env_converts_and_defaults():
    s = Settings.from_env(
        {
            "GAPMAP_RECENT_YEARS": "3",
            "GAPMAP_DEBUG": "yes",
            "GAPMAP_LABEL_MAPS": "a.csv:b.csv",
            "GAPMAP_DATA_DIR": "/tmp/x",
            "GAPMAP_PORT": "",
        }
    )
    assert s.recent_years == 3 and s.debug is True and s.port == 8050
    assert s.label_maps == (Path("a.csv"), Path("b.csv")) and s.data_dir == Path("/tmp/x")
    assert s.store_url() == "sqlite:////tmp/x/gapmap.sqlite"


def test_bad_values_name_the_variable():
    with pytest.raises(ValueError, match="GAPMAP_RECENT_YEARS"):
        Settings.from_env({"GAPMAP_RECENT_YEARS": "five"})
    with pytest.raises(ValueError, match="GAPMAP_DEBUG"):
        Settings.from_env({"GAPMAP_DEBUG": "maybe"})


def test_cache_config():
    assert (
        Settings(cache_type="RedisCache", cache_redis_url="redis://x").cache_config()[
            "CACHE_REDIS_URL"
        ]
        == "redis://x"
    )
    assert Settings(cache_type="FileSystemCache").cache_config()["CACHE_DIR"] == ".cache/gapmap"


def test_every_setting_is_documented_in_readme():
    text = README.read_text(encoding="utf-8")
    assert set(HELP) == {f.name for f in fields(Settings)}
    missing = [var for var, _ in HELP.values() if f"`{var}`" not in text]
    assert not missing, f"README does not document {missing}"


def test_only_settings_reads_the_environment():
    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(p.relative_to(root))
        for folder in ("data", "geo", "layouts", "callbacks")
        for p in (root / folder).rglob("*.py")
        if p.name != "settings.py" and ("os.environ" in p.read_text() or "getenv" in p.read_text())
    ] + (["app.py"] if "os.environ" in (root / "app.py").read_text() else [])
    assert not offenders


def test_a_filesystem_cache_keeps_more_than_flask_cachings_500_entries(tmp_path):
    """cachelib empties the whole directory once it holds more than its threshold: with
    flask-caching's 500, 50 users' varied pages made every worker recompute what it had."""
    from flask import Flask
    from flask_caching import Cache

    settings = Settings(cache_type="FileSystemCache", cache_dir=str(tmp_path / "c"))
    server = Flask("t")
    cache = Cache(server, config=settings.cache_config())
    with server.app_context():
        for i in range(600):
            cache.set(f"k{i}", i)
        assert all(cache.get(f"k{i}") == i for i in range(600))
    small = Settings(cache_type="FileSystemCache", cache_dir=str(tmp_path / "d"), cache_files=50)
    cache = Cache(Flask("u"), config=small.cache_config())
    with cache.app.app_context():
        for i in range(60):
            cache.set(f"k{i}", i)
        assert sum(cache.get(f"k{i}") is not None for i in range(60)) < 60  # the bound holds


def test_a_filesystem_cache_counts_its_entries_in_memory_and_keeps_its_bound(tmp_path):
    """cachelib's count file was read twice and rewritten by every new entry (most of a
    cache write's time); the count is kept per process, and the directory counted again after
    ``RECOUNT_EVERY`` changes, so what other workers wrote is seen and the bound holds."""
    import os

    from flask import Flask
    from flask_caching import Cache

    from data.cache import RECOUNT_EVERY, CountingFileSystemCache

    folder = tmp_path / "c"
    config = Settings(cache_type="FileSystemCache", cache_dir=str(folder)).cache_config()
    cache = Cache(Flask("t"), config=config)
    with cache.app.app_context():
        assert isinstance(cache.cache, CountingFileSystemCache)
        for i in range(10):
            cache.set(f"k{i}", i)
        cache.set("k0", "again")  # replaced: still ten entries
        assert len(os.listdir(folder)) == 10  # the entries only: no count file written
        assert cache.cache._file_count == 10
        cache.delete("k1")
        assert cache.cache._file_count == 9 and cache.get("k0") == "again"
    # another worker (another process's cache on the same directory) writes 140 entries
    mine = CountingFileSystemCache(str(tmp_path / "d"), threshold=150)
    other = CountingFileSystemCache(str(tmp_path / "d"), threshold=10_000)
    for i in range(140):
        other.set(f"o{i}", i)
    for i in range(RECOUNT_EVERY + 2):
        mine.set(f"m{i}", i)
    # without the recount this worker would still count its own 130 and keep all 270
    assert len(os.listdir(tmp_path / "d")) <= 151
    assert mine.get(f"m{RECOUNT_EVERY + 1}") == RECOUNT_EVERY + 1  # the newest are kept
    assert CountingFileSystemCache(str(tmp_path / "d"), threshold=150)._file_count <= 151
