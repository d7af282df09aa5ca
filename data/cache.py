"""The flask-caching object, unbound; ``app.create_app`` binds it to the server.

With ``GAPMAP_CACHE_REDIS_URL`` the backend is ``RedisFallbackCache``: flask-caching's own
``RedisCache``, shared by every worker and host, that keeps answering from a per-process
``SimpleCache`` while Redis is unreachable (short socket timeouts, one error logged per outage,
Redis tried again after ``RETRY_AFTER`` seconds). Visitors never see a Redis failure: at worst
a worker computes a page it would have found in Redis. ``warming(name)`` makes a store version's
warm-up of the shared entries run once across workers (a Redis lock and a "done" marker).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cachelib import SimpleCache
from flask import Flask
from flask_caching import Cache
from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

cache = Cache()
log = logging.getLogger(__name__)

BACKEND = "data.cache.RedisFallbackCache"  # CACHE_TYPE of the Redis configuration
RECOUNT_EVERY = 128  # a process's new or removed entries between two counts of the directory
RETRY_AFTER = 5.0  # seconds between tries of a Redis that failed
CONNECT_TIMEOUT = 0.25  # seconds: a dead Redis costs one short wait per try, not seconds
SOCKET_TIMEOUT = 2.0  # seconds for a command (payloads are a few hundred KB at most)
LOCAL_THRESHOLD = 500  # entries kept per worker meanwhile (flask-caching SimpleCache default)
WARM_LOCK_TTL = 900  # seconds a warming worker holds the lock at most (if it dies, it expires)
WARM_WAIT = 900.0  # seconds another worker waits for it before warming itself

# cachelib method -> the local cache's method used while Redis is away
_LOCAL = {"unlink": "delete_many"}


class RedisFallbackCache(RedisCache):
    """flask-caching's ``RedisCache``; a local ``SimpleCache`` answers while Redis is away."""

    def __init__(self, *args: Any, retry_after: float = RETRY_AFTER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local = SimpleCache(threshold=LOCAL_THRESHOLD, default_timeout=self.default_timeout)
        self.retry_after = retry_after
        self._down = False  # Redis failed and has not answered since
        self._down_until = 0.0  # monotonic time before which Redis is not tried again
        self._lock = threading.Lock()

    @classmethod
    def factory(
        cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]
    ) -> RedisFallbackCache:
        """Build it from ``CACHE_REDIS_URL`` (options in the URL's query string win)."""
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = Redis.from_url(
            config["CACHE_REDIS_URL"],
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
            # one immediate retry: a pooled connection to a restarted Redis reconnects at once;
            # redis-py's default (10 tries with back-off) would hold a request for seconds
            retry=Retry(NoBackoff(), 1),
        )
        kwargs.update(host=client, key_prefix=config.get("CACHE_KEY_PREFIX") or None)
        return cls(*args, **kwargs)

    @property
    def client(self) -> Any:
        """The ``redis.Redis`` client."""
        return self._write_client

    def where(self) -> str:
        """host:port/db of the server (never the password), for log messages."""
        kw = self.client.connection_pool.connection_kwargs
        return f"{kw.get('host', kw.get('path', '?'))}:{kw.get('port', '')}/{kw.get('db', 0)}"

    def _usable(self) -> bool:
        """Whether to try Redis now: up, or down and this thread's turn to try it again."""
        if not self._down:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._down_until:
                return False
            self._down_until = now + self.retry_after  # others stay local while this one tries
            return True

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            first = not self._down
            self._down, self._down_until = True, time.monotonic() + self.retry_after
        if first:
            log.error(
                "Redis cache %s is unreachable (%s): this worker serves from its local cache "
                "and tries Redis again every %g s.",
                self.where(),
                exc,
                self.retry_after,
            )

    def _answered(self) -> None:
        if self._down:
            with self._lock:
                was, self._down = self._down, False
            if was:
                self.local.clear()  # Redis is the shared cache again; free what was kept here
                log.warning("Redis cache %s answers again: it is used again.", self.where())

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._usable():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except RedisError as exc:
                self._failed(exc)
            else:
                self._answered()
                return result
        return getattr(self.local, _LOCAL.get(name, name))(*args, **kwargs)

    def get(self, key: str) -> Any:  # noqa: D102 (cachelib's API, each method falls back)
        return self._call("get", key)

    def get_many(self, *keys: str) -> list[Any]:  # noqa: D102
        return self._call("get_many", *keys)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:  # noqa: D102
        return self._call("set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:  # noqa: D102
        return self._call("add", key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any:  # noqa: D102
        return self._call("set_many", mapping, timeout)

    def delete(self, key: str) -> bool:  # noqa: D102
        return self._call("delete", key)

    def delete_many(self, *keys: str) -> Any:  # noqa: D102
        return self._call("delete_many", *keys)

    def unlink(self, *keys: str) -> Any:  # noqa: D102
        return self._call("unlink", *keys)

    def has(self, key: str) -> bool:  # noqa: D102
        return self._call("has", key)

    def clear(self) -> bool:  # noqa: D102
        self.local.clear()
        return self._call("clear")

    def inc(self, key: str, delta: int = 1) -> Any:  # noqa: D102
        return self._call("inc", key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:  # noqa: D102
        return self._call("dec", key, delta)

    @contextmanager
    def once(self, name: str, wait: float = WARM_WAIT) -> Iterator[bool]:
        """Yield whether this worker should build ``name``; mark it built when the block ends.

        False when another worker built it already, or built it while this one waited for the
        lock. True otherwise, also when Redis is away (each worker then builds its own).
        """
        done, lock, todo = f"{self._get_prefix()}warm:{name}", None, True
        if self._usable():
            try:
                if self.client.exists(done):
                    todo = False
                else:
                    lock = self.client.lock(
                        f"{self._get_prefix()}warm-lock:{name}",
                        timeout=WARM_LOCK_TTL,
                        blocking_timeout=wait,
                    )
                    if not lock.acquire():
                        lock = None  # its holder took too long (or died): build it here too
                    todo = not self.client.exists(done)
                self._answered()
            except RedisError as exc:
                self._failed(exc)
        try:
            yield todo
            if todo and not self._down:
                try:
                    self.client.set(done, 1, ex=self.default_timeout or None)
                except RedisError as exc:
                    self._failed(exc)
        finally:
            if lock is not None:
                try:
                    lock.release()
                except RedisError:  # expired, or Redis went away: nothing to release
                    pass


class CountingFileSystemCache(FileSystemCache):
    """flask-caching's ``FileSystemCache`` with its number of entries counted in memory.

    cachelib keeps the count in a file that every new entry reads twice (to prune, then to
    add one) and rewrites: on this machine 0.6-0.8 ms more per write at the median and ~2 ms
    at p90 (0.14 ms without), several times per cache miss. Here each process keeps its own
    count, taken from the directory at start and again after every ``RECOUNT_EVERY`` entries
    it adds or removes, so entries the other workers write are seen within that many. Over
    the threshold cachelib's own pruning runs as before (expired entries, then the oldest);
    the bound may be passed by up to ``RECOUNT_EVERY`` entries per worker in between.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._count = 0
        self._changes = 0
        super().__init__(*args, **kwargs)  # counts the directory (``_update_count(value=)``)

    @property
    def _file_count(self) -> int:
        return self._count

    def _update_count(self, delta: int | None = None, value: int | None = None) -> None:
        if self._threshold == 0:
            return
        if delta:
            self._count = max(0, self._count + delta)
            self._changes += 1
            if self._changes < RECOUNT_EVERY:
                return
            value = sum(1 for _ in self._list_dir())
        self._count, self._changes = value or 0, 0


@contextmanager
def warming(name: str, wait: float = WARM_WAIT) -> Iterator[bool]:
    """Whether this worker warms ``name`` (e.g. a store version's default pages) itself.

    On Redis, once across all workers sharing it: one builds, the others wait for it and get
    False. On a per-process backend, always True. Call inside an app context.
    """
    backend = cache.cache
    if not isinstance(backend, RedisFallbackCache):
        yield True
        return
    with backend.once(name, wait) as todo:
        if not todo:
            log.info("%s is warm already (built by another worker).", name)
        yield todo


def counting(record: Callable[[str, bool], None]) -> Callable[[], None]:
    """Report every memoised call as ``record(function name, hit)``; returns the disconnector.

    For the bench and the tests (flask-caching signals; ``CACHE_ENABLE_SIGNALS`` is on).
    """
    from flask_caching import cache_memoize_hit, cache_memoize_miss

    def hit(_: Any, **kw: Any) -> None:
        record(kw["f"].__name__, True)

    def miss(_: Any, **kw: Any) -> None:
        record(kw["f"].__name__, False)

    cache_memoize_hit.connect(hit, weak=False)
    cache_memoize_miss.connect(miss, weak=False)

    def disconnect() -> None:
        cache_memoize_hit.disconnect(hit)
        cache_memoize_miss.disconnect(miss)

    return disconnect
