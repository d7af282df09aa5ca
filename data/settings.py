"""Every setting of the project, read from ``GAPMAP_*`` environment variables in one place.

This is the only module that reads ``os.environ``. Everything else receives a ``Settings``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# name -> (environment variable, help). The README documents every row; a test checks it.
HELP: dict[str, tuple[str, str]] = {
    "data_dir": ("GAPMAP_DATA_DIR", "Directory of the embedded store (SQLite + snapshots)."),
    "database_url": (
        "GAPMAP_DATABASE_URL",
        "SQLAlchemy URL of the store; empty = SQLite file gapmap.sqlite in GAPMAP_DATA_DIR.",
    ),
    "recent_years": (
        "GAPMAP_RECENT_YEARS",
        "A split is 'disaggregated' when its latest year is within this many years of the "
        "as-of year (the newest year of official country data in the store); older is "
        "'outdated'.",
    ),
    "small_n": (
        "GAPMAP_SMALL_N",
        "Sample sizes below this are flagged as small (reason small_sample).",
    ),
    "label_maps": (
        "GAPMAP_LABEL_MAPS",
        "Extra label-mapping CSV files (dimension,label,code), separated by ':'.",
    ),
    "expectations": (
        "GAPMAP_EXPECTATIONS",
        "CSV of expected breakdowns (series,dimension); "
        "empty = the built-in data/raw/expectations.csv.",
    ),
    "demo_on_empty": (
        "GAPMAP_DEMO_ON_EMPTY",
        "Build the illustrative demo store when the store is empty (1/0).",
    ),
    "warm_poll": (
        "GAPMAP_WARM_POLL",
        "Seconds between the app's checks for a new store version (a finished import or "
        "removal); the new version's results are computed in the background and served once "
        "ready. 0 = never look (restart to see new data).",
    ),
    "recent_payloads": (
        "GAPMAP_RECENT_PAYLOADS",
        "Map answers each worker keeps in its own memory, in front of the shared cache "
        "(about 150 KB each); 0 = none (every answer comes from the shared cache or is computed).",
    ),
    "max_import_mb": ("GAPMAP_MAX_IMPORT_MB", "Largest file an import reads, in MB (on disk)."),
    "max_expanded_mb": (
        "GAPMAP_MAX_EXPANDED_MB",
        "Largest text an import reads once decompressed (gzip, XLSX), in MB; a larger gzip "
        "stops as soon as it passes it.",
    ),
    "max_rows": ("GAPMAP_MAX_ROWS", "Most data rows one file may have."),
    "max_columns": ("GAPMAP_MAX_COLUMNS", "Most columns one file may have."),
    "max_cell_chars": ("GAPMAP_MAX_CELL_CHARS", "Longest cell, in characters."),
    "max_request_kb": (
        "GAPMAP_MAX_REQUEST_KB",
        "Largest request body the web app accepts, in KB (larger: HTTP 413).",
    ),
    "host": ("GAPMAP_HOST", "Host the development server binds to."),
    "port": ("GAPMAP_PORT", "Port of the development server."),
    "debug": ("GAPMAP_DEBUG", "Dash debug mode (1/0)."),
    "language": ("GAPMAP_LANGUAGE", "Interface language (en)."),
    "cache_type": (
        "GAPMAP_CACHE_TYPE",
        "flask-caching backend: SimpleCache, FileSystemCache, RedisCache, NullCache "
        "(a GAPMAP_CACHE_REDIS_URL selects RedisCache by itself).",
    ),
    "cache_dir": ("GAPMAP_CACHE_DIR", "Directory for FileSystemCache."),
    "cache_files": (
        "GAPMAP_CACHE_FILES",
        "Most entries FileSystemCache keeps (0: no bound). Over it cachelib deletes the expired "
        "entries, then all of them; flask-caching's 500 was passed within a minute of 50 users.",
    ),
    "cache_redis_url": (
        "GAPMAP_CACHE_REDIS_URL",
        "Redis URL of the cache shared by all workers and hosts (e.g. redis://host:6379/0); "
        "set, it is used unless GAPMAP_CACHE_TYPE is FileSystemCache or NullCache. While "
        "Redis is unreachable each worker uses a local cache and retries Redis every 5 s.",
    ),
    "cache_timeout": ("GAPMAP_CACHE_TIMEOUT", "Cache entry lifetime in seconds."),
    "sdg_api_url": ("GAPMAP_SDG_API_URL", "Base URL of the UN SDG API used by fetch-sdg."),
    # community submissions (issue #9): /contribute, /review, the submissions API
    "max_upload_mb": ("GAPMAP_MAX_UPLOAD_MB", "Largest file a contributor may upload, in MB."),
    "max_upload_rows": ("GAPMAP_MAX_UPLOAD_ROWS", "Most data rows one uploaded file may have."),
    "secret_key": (
        "GAPMAP_SECRET_KEY",
        "Key signing session cookies and CSRF tokens; empty = a random key made once and kept "
        "in GAPMAP_DATA_DIR/secret_key (mode 0600).",
    ),
    "cookie_secure": (
        "GAPMAP_COOKIE_SECURE",
        "Send the session cookie over HTTPS only (1/0); set 1 behind a TLS front server.",
    ),
    "login_limit": (
        "GAPMAP_LOGIN_LIMIT",
        "Login attempts allowed per client address (Flask-Limiter syntax).",
    ),
    "ratelimit_storage": (
        "GAPMAP_RATELIMIT_STORAGE",
        "Where login attempts are counted (Flask-Limiter storage URI; memory:// = per process).",
    ),
}


def arrow_memory_pool() -> str:
    """Name jemalloc as Arrow's memory pool unless the environment names one; returns it.

    Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` once, at its first allocation (importing pandas
    makes one), so ``data/__init__.py`` calls this before pandas is loaded. Its default on
    Linux, mimalloc, keeps the memory it frees (README "Deploying", "Memory").
    """
    return os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "gapmap"


@dataclass(frozen=True)
class Settings:
    """All settings with their defaults; build from the environment with ``from_env``."""

    data_dir: Path = field(default_factory=_default_data_dir)
    database_url: str = ""
    recent_years: int = 5
    small_n: int = 30
    label_maps: tuple[Path, ...] = ()
    expectations: str = ""
    demo_on_empty: bool = True
    warm_poll: int = 2
    recent_payloads: int = 64
    max_import_mb: int = 250
    max_expanded_mb: int = 500
    max_rows: int = 2_000_000
    max_columns: int = 300
    max_cell_chars: int = 10_000
    max_request_kb: int = 1024
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    language: str = "en"
    cache_type: str = "SimpleCache"
    cache_dir: str = ".cache/gapmap"
    cache_files: int = 10_000
    cache_redis_url: str = ""
    cache_timeout: int = 3600
    sdg_api_url: str = "https://unstats.un.org/sdgapi"
    max_upload_mb: int = 20
    max_upload_rows: int = 100_000
    secret_key: str = ""
    cookie_secure: bool = False
    login_limit: str = "10 per minute"
    ratelimit_storage: str = "memory://"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``GAPMAP_*`` variables; unset or empty ones keep defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(HELP[f.name][0], "")
            if raw == "":
                continue
            values[f.name] = _convert(f.name, raw)
        return cls(**values)

    def store_url(self) -> str:
        """SQLAlchemy URL of the store."""
        return self.database_url or f"sqlite:///{Path(self.data_dir) / 'gapmap.sqlite'}"

    def uses_redis(self) -> bool:
        """Whether the cache is Redis: RedisCache, or a Redis URL with the default SimpleCache."""
        if self.cache_type == "RedisCache":
            return True
        return bool(self.cache_redis_url) and self.cache_type == "SimpleCache"

    def cache_config(self, namespace: str | int = "") -> dict[str, Any]:
        """flask-caching configuration for this settings object.

        ``namespace`` (the store's identity) prefixes the keys of a shared Redis, with the
        settings that change results, so stores and configurations sharing it never mix.
        """
        config: dict[str, Any] = {
            "CACHE_TYPE": self.cache_type,
            "CACHE_DEFAULT_TIMEOUT": self.cache_timeout,
            "CACHE_ENABLE_SIGNALS": True,  # hits and misses can be counted (bench, tests)
        }
        if self.cache_type == "FileSystemCache":  # counted in memory (data.cache)
            config["CACHE_TYPE"] = "data.cache.CountingFileSystemCache"
            config["CACHE_DIR"] = self.cache_dir
            config["CACHE_THRESHOLD"] = self.cache_files
        if self.uses_redis():
            results = f"{self.recent_years}.{self.small_n}.{self.expectations}"
            digest = hashlib.sha256(results.encode()).hexdigest()[:8]
            config["CACHE_TYPE"] = "data.cache.RedisFallbackCache"
            config["CACHE_REDIS_URL"] = self.cache_redis_url or "redis://localhost:6379/0"
            config["CACHE_KEY_PREFIX"] = f"gapmap:{namespace}:{digest}:"
        return config


def _convert(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    var = HELP[name][0]
    try:
        if kind == "int":
            return int(raw)
        if kind == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "Path":
            return Path(raw)
        if name == "label_maps":
            return tuple(Path(p) for p in raw.split(":") if p)
    except ValueError as exc:
        raise ValueError(f"{var}={raw!r} is not a valid {kind}") from exc
    return raw
