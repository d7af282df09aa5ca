"""A new import is warmed in the background and only then served: no visitor waits for it."""

from __future__ import annotations

import time
from dataclasses import replace

from data import pipeline, queries
from tests import realshape as shape


def test_new_version_is_served_only_once_warm(tmp_path):
    from app import create_app

    settings = replace(shape.build(tmp_path / "store"), cache_type="SimpleCache", warm_poll=1)
    create_app(settings, warm=True)
    served = queries.current_version()
    assert served == queries.store().version()
    queries.coverage("disability")  # warm now (the start-up warm-up may still be running)
    extra = shape.write_files(tmp_path / "more")["community"].read_text()
    more = tmp_path / "more" / "npl_more.csv"
    more.write_text(extra.replace(",2022,", ",2023,"))
    pipeline.import_files(
        queries.store(),
        [more],
        settings,
        demo="keep",
        source_type="community",
        format="template",
    )
    latest = queries.store().version()
    assert latest == served + 1
    # readers keep the warm version while the new one is built ...
    assert queries.current_version() == served
    deadline = time.monotonic() + 120
    while queries.current_version() != latest:
        assert time.monotonic() < deadline, "the new version was never served"
        time.sleep(0.2)
    # ... and once it is served, its results were computed already (cache hits, no misses)
    before = queries._coverage.cache_info()
    queries.coverage("disability", "community")
    after = queries._coverage.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1
    st = queries.statuses("disability", "community")
    assert 2023 in set(st.loc[st["iso3"] == "NPL", "latest_community_year"].dropna())
    queries.configure(replace(settings))  # stop the watcher (another store configured)


def test_a_preloading_master_warms_everything_the_workers_would(tmp_path):
    """gunicorn's master warms all before forking: its workers have nothing left to compute."""
    import threading

    import app
    from data import cache
    from data.vocab import groups
    from layouts import state
    from layouts.pages import content

    settings = replace(shape.build(tmp_path / "store"), cache_type="SimpleCache")
    dash_app = app.create_app(settings, preload=True)
    for source in queries.SOURCES:
        for group in groups():
            before = queries._by_country.cache_info()
            queries.country_frames("NPL", group, source)  # a country page's look-up
            after = queries._by_country.cache_info()
            assert (after.hits, after.misses) == (before.hits + 1, before.misses), (group, source)
    # the world matrix is memoised under its callback's key
    seen: list[tuple[str, bool]] = []
    stop = cache.counting(lambda name, hit: seen.append((name, hit)))
    try:
        with dash_app.server.app_context():
            s = state.DEFAULTS
            content.matrix_payload(
                content.version(), s["region"], s["source"], s["sort"], state.to_search(s), "en"
            )
    finally:
        stop()
    assert seen == [("matrix_payload", True)]
    # a forked worker starts no warm-up of its own
    assert app.after_fork() == queries.current_version()
    assert not [t for t in threading.enumerate() if t.name.startswith("gapmap-warm")]
    queries.configure(replace(settings))  # stop the keep-warm watcher
