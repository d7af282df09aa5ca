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
