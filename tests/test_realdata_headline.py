"""Acceptance: on the real extract, the overview's headline numbers for persons with
disabilities equal the gap engine's coverage, computed here directly from the store."""

import pytest

from data import catalogue, gaps, queries, reference
from data.store import Store
from data.vocab import group
from layouts.pages import content

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def _texts(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for n in node:
            yield from _texts(n)
    elif isinstance(node, dict) and "props" in node:
        yield from _texts(node["props"].get("children"))


def test_headline_numbers_equal_gap_engine_coverage(extract):
    settings = extract[1]
    obs = Store(settings).observations()
    cat = catalogue.catalogue(obs, catalogue.expectations_file(), catalogue.series_file())
    disability = group("disability")
    expected = catalogue.expected_series(cat, disability)
    assert "SL_TLF_UEMDIS" in expected
    iso3s = reference.counted_countries()
    about = catalogue.about_group(cat, disability)
    assert "SI_COV_DISAB" in about
    st = gaps.status(
        obs,
        disability,
        expected,
        iso3s,
        settings.recent_years,
        as_of=gaps.as_of_year(obs),
        about=about,
    )
    cov = gaps.coverage(st)
    split = cov["disaggregated"] + cov["outdated"] + cov["community_only"]
    any_data, recent = int((split > 0).sum()), int((cov["disaggregated"] > 0).sum())
    assert 100 < any_data < 250 and 0 < recent < any_data

    payload = content.overview_payload(
        queries.store().version(), "gaps", "disability", "all", "", "latest", "001", "all", "en"
    )
    text = list(_texts(payload["headlines"]))
    assert f"{any_data} countries have any data on persons with disabilities" in text
    assert f"{recent} within the last {settings.recent_years} years" in text
    assert (
        f"{len(iso3s) - any_data} countries publish no split for persons with disabilities "
        "at all" in text
    )
