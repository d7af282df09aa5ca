"""The shared cache on a real redis-server (issue #12, items 3 and 4); nothing is mocked.

The app runs on Redis when ``GAPMAP_CACHE_REDIS_URL`` is set; Redis killed mid-run changes
nothing a visitor sees (one error in the log), and Redis coming back is used again; separate
worker processes share entries, and a store version's default pages are warmed by one of them.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from data.settings import Settings
from tests.servers import redis_server
from tests.test_app_smoke import build_small_store, callback_request, post, router

ROOT = Path(__file__).resolve().parents[1]
PAGES = (("/matrix", ""), ("/country/KEN", "?group=sex"), ("/", "?group=sex&mode=values"))
MAPS = ({}, {"group": "sex"}, {"mode": "values", "region": "002"})  # changes to the defaults
PAYLOADS = {"overview_payload", "matrix_payload"}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return build_small_store(tmp_path_factory.mktemp("store")).data_dir


@pytest.fixture
def redis(tmp_path):
    with redis_server(tmp_path / "redis") as server:
        yield server


def _settings(store_dir: Path, url: str) -> Settings:
    # the default cache type: the Redis URL alone selects Redis; no worker-local copies of map
    # answers in front of it, so every memoised call is seen going to Redis
    return Settings(
        data_dir=store_dir,
        demo_on_empty=False,
        cache_redis_url=url,
        warm_poll=0,
        recent_payloads=0,
    )


def _pages(app, client) -> dict[str, dict]:
    """Pages through the Pages router, and map and matrix updates through their callbacks.

    Parsed: two processes may order a component's properties differently (same content).
    """
    from layouts import ids, state

    pages = {path + search: json.loads(router(client, path, search)) for path, search in PAGES}
    for change in MAPS:
        s = {**state.DEFAULTS, **change}
        response = post(
            client, callback_request(app, ids.MAP_GRAPH, {f"{ids.OVERVIEW_STATE}.data": s})
        )
        assert response.status_code == 200
        pages[f"map {change}"] = response.get_json()
    for search in ("", "?region=002&sort=gaps"):
        url = {f"{ids.MATRIX_URL}.search": search}
        body = callback_request(
            app, ids.MATRIX_TABLE, url, {f"{ids.MATRIX_URL}.pathname": "/matrix"}
        )
        response = post(client, body)
        assert response.status_code == 200
        pages[f"matrix {search}"] = response.get_json()
    return pages


def _records(caplog, level=logging.ERROR) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= level]


def test_a_redis_url_selects_redis_by_itself():
    url = "redis://127.0.0.1:1/0"
    config = Settings(cache_redis_url=url).cache_config(42)
    assert config["CACHE_TYPE"] == "data.cache.RedisFallbackCache"
    assert config["CACHE_REDIS_URL"] == url
    assert config["CACHE_KEY_PREFIX"].startswith("gapmap:42:")
    # settings that change results change the namespace too
    other = Settings(cache_redis_url=url, recent_years=3).cache_config(42)
    assert other["CACHE_KEY_PREFIX"] != config["CACHE_KEY_PREFIX"]
    assert Settings(cache_redis_url=url, cache_type="NullCache").cache_config()["CACHE_TYPE"] == (
        "NullCache"
    )
    assert Settings().cache_config()["CACHE_TYPE"] == "SimpleCache"


def test_app_serves_from_redis(store_dir, redis):
    from app import create_app
    from data import queries
    from data.cache import cache, counting

    app = create_app(_settings(store_dir, redis.url), warm=False)
    client = app.server.test_client()
    client.get("/")
    with app.server.app_context():
        assert type(cache.cache).__name__ == "RedisFallbackCache"
    first = _pages(app, client)
    prefix = f"gapmap:{queries.store().identity}:".encode()
    keys = redis.client().keys("*")
    assert keys and all(k.startswith(prefix) for k in keys), keys[:5]
    calls: list[tuple[str, bool]] = []
    stop = counting(lambda name, hit: calls.append((name, hit)))
    try:
        again = _pages(app, client)
    finally:
        stop()
    assert again == first
    assert calls and all(hit for _, hit in calls), calls  # every memoised call was a Redis hit
    assert PAYLOADS <= {name for name, _ in calls}


def test_redis_killed_mid_run_pages_stay_right_and_redis_is_used_again(store_dir, redis, caplog):
    from app import create_app
    from data.cache import cache

    app = create_app(_settings(store_dir, redis.url), warm=False)
    client = app.server.test_client()
    client.get("/")
    expected = _pages(app, client)  # computed once, with Redis up
    caplog.set_level(logging.INFO)
    caplog.clear()
    redis.kill()
    for _ in range(3):  # several rounds with Redis gone: same pages, no error reaches anyone
        assert _pages(app, client) == expected
    with app.server.app_context():
        backend = cache.cache
    errors = _records(caplog)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].name == "data.cache" and "unreachable" in errors[0].getMessage()
    assert backend.local._cache, "nothing kept locally"  # the pages came from it meanwhile

    redis.start()  # back, empty, on the same port
    assert redis.client().dbsize() == 0
    deadline = time.monotonic() + 60
    while redis.client().dbsize() == 0:  # tried again after the back-off, then written to
        assert time.monotonic() < deadline, "Redis was never used again"
        assert _pages(app, client) == expected
        time.sleep(0.5)
    assert _pages(app, client) == expected
    assert len(_records(caplog)) == 1  # still the one error of the outage
    back = [r for r in caplog.records if "answers again" in r.getMessage()]
    assert len(back) == 1
    assert not backend.local._cache  # the local copies were let go


def _worker(store_dir: str, url: str, warm: bool) -> None:
    """One app in its own process (as a gunicorn worker is); prints what it computed.

    Run by the tests below as ``python -c``; prints one JSON line: the memoised calls of the
    warm-up and of the pages' requests, as (function, hit) pairs, and the pages' bodies.
    """
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    from app import create_app
    from data.cache import counting

    calls: list[tuple[str, bool]] = []
    counting(lambda name, hit: calls.append((name, hit)))
    app = create_app(_settings(Path(store_dir), url), warm=warm)
    for thread in threading.enumerate():
        if thread.name == "gapmap-warm-up":
            thread.join()
    warmed, calls[:] = list(calls), []
    client = app.server.test_client()
    client.get("/")
    pages = _pages(app, client)
    print(json.dumps({"warm": warmed, "calls": calls, "pages": pages}))  # noqa: T201


def _start(store_dir: Path, url: str, warm: bool) -> subprocess.Popen:
    code = (
        f"from tests.test_redis_cache import _worker; _worker({str(store_dir)!r}, {url!r}, {warm})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen) -> tuple[dict, str]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1]), err


def test_two_worker_processes_share_entries(store_dir, redis):
    first, _ = _result(_start(store_dir, redis.url, warm=False))
    second, _ = _result(_start(store_dir, redis.url, warm=False))
    assert second["pages"] == first["pages"]
    assert PAYLOADS <= {name for name, hit in first["calls"] if not hit}  # computed there
    assert second["calls"] and all(hit for _, hit in second["calls"]), second["calls"]


def test_warm_up_of_a_store_version_is_done_once_across_workers(store_dir, redis):
    procs = [_start(store_dir, redis.url, warm=True) for _ in range(2)]  # racing each other
    results = [_result(p) for p in procs]
    built = [[name for name, hit in r["warm"] if name in PAYLOADS and not hit] for r, _ in results]
    assert sorted(len(b) for b in built) == [0, 2], built  # one worker built both, once
    idle = next(i for i, b in enumerate(built) if not b)
    assert "is warm already" in results[idle][1]
    assert not [n for n, _ in results[idle][0]["warm"] if n in PAYLOADS]  # not even looked up
    # the default overview, first thing a visitor asks, is a hit in both workers
    for r, _ in results:
        assert ("overview_payload", True) in [tuple(c) for c in r["calls"]]
        assert r["pages"] == results[0][0]["pages"]
    # a worker started later (a restart, a new host) finds it warm too
    late, err = _result(_start(store_dir, redis.url, warm=True))
    assert not [n for n, _ in late["warm"] if n in PAYLOADS] and "is warm already" in err
