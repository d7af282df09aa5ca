"""The brief's findings (data/findings.py) on small hand-made frames whose right sentence is known.

The frames go through the gap engine (``gaps.status``, ``gaps.coverage``, ``gaps.disparity``)
as the country page's do; the expected sentences are written out in full.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from data import findings, gaps, views_country
from data.vocab import group
from layouts import i18n, tables
from layouts.i18n import t
from tests.conftest import obs_frame

DIS = group("disability")
EXPECTED = ["SL_TLF_UEMDIS", "SE_ADT_ACTS", "SI_POV_DAY1"]
TITLES = {
    "SL_TLF_UEMDIS": "Unemployment rate (%)",
    "SE_ADT_ACTS": "Proportion of adults with ICT skills (%)",
    "SI_POV_DAY1": "Proportion below the poverty line (%)",
}
POLARITY = {"SL_TLF_UEMDIS": "lower_better", "SE_ADT_ACTS": "higher_better"}
NAMES = findings.Names(
    country="Kenya",
    group="persons with disabilities",
    dimension="disability",
    titles=TITLES,
    dataset_names={1: "UN SDG extract", 2: "Community survey"},
)


def _row(series, year, code, value, **kw):
    return {
        "series": series,
        "iso3": "KEN",
        "m49": "404",
        "period": str(year),
        "year": year,
        "period_sort": float(year),
        "unit": "PERCENT",
        "disability": code,
        "value": value,
        "source": "ILO, labour force survey",
        **kw,
    }


def _frames(rows):
    obs = obs_frame(rows) if rows else obs_frame([_row("OTHER", 2020, "_T", 1.0)]).iloc[0:0]
    st = gaps.status(obs, DIS, EXPECTED, ["KEN"], 5, as_of=2023)
    disp = gaps.disparity(gaps.pairs(obs, DIS), POLARITY, 30, DIS).assign(group="disability")
    frames = {
        "statuses": st,
        "coverage": gaps.coverage(st),
        "disparities": disp,
        "all_sources": disp,
    }
    rows_p = pd.DataFrame(
        {"year": [2015, 2023], "expected": [3, 3], "with_value": [0, 1], "share": [0.0, 1 / 3]}
    )
    return frames, obs, rows_p


def _build(rows, progress=None):
    frames, obs, prog = _frames(rows)
    return findings.findings(
        iso3="KEN",
        group="disability",
        frames=frames,
        obs=obs,
        progress=prog if progress is None else progress,
        names=NAMES,
        translate=t,
        window=5,
    )


UNEMPLOYMENT = [
    _row("SL_TLF_UEMDIS", 2019, "PD", 12.3),
    _row("SL_TLF_UEMDIS", 2019, "PWD", 8.2),
    _row("SE_ADT_ACTS", 2022, "_T", 40.0, source="ITU"),
]


def test_the_largest_gap_is_said_as_the_issue_asks_with_source_and_year():
    found = _build(UNEMPLOYMENT)
    assert [f.kind for f in found] == ["coverage", "disparity", "missing", "progress"]
    gap = found[1]
    # 12.3 - 8.2 is 4.1000000000000005 in floats: written 4.1, as the two values give it
    assert gap.text == (
        "In 2019, Unemployment rate (%): 12.3% for persons with disabilities in Kenya, "
        "against 8.2% for persons without disabilities \u2014 4.1 percentage points higher "
        "(worse; official data; source: ILO, labour force survey; UN SDG extract)."
    )
    assert gap.facts["value"] == 12.3 and gap.facts["ref_value"] == 8.2
    assert gap.facts["period"] == "2019" and gap.facts["direction"] == "worse"
    assert gap.sources == ((1, 2), (1, 3))  # the PD and PWD rows of the source file


def test_coverage_and_missing_sentences_count_the_gap_engine_statuses():
    found = _build(UNEMPLOYMENT)
    assert found[0].text == (
        "As of 2023, Kenya has recent official data for persons with disabilities in 1 of 3 "
        "series where a split by disability is expected (sources: UN SDG extract)."
    )
    assert found[2].text == (
        "Missing: 2 of 3 expected splits by disability for persons with disabilities are not "
        "available and recent \u2014 not published at all: 1; totals only: 1; outdated splits "
        "only: 0; community data only: 0."
    )
    assert found[3].text.startswith(
        "Kenya: 0 of 3 expected splits for persons with disabilities had an official value in "
        "2015, 1 of 3 in 2023."
    )


def test_no_data_says_what_is_missing_instead_of_inventing():
    found = _build([], progress=pd.DataFrame(columns=["year", "expected", "with_value", "share"]))
    assert [f.kind for f in found] == ["coverage", "no_disparity", "missing"]
    assert found[0].text == (
        "As of 2023, no official series of Kenya gives a recent value for persons with "
        "disabilities: 0 of 3 series where a split by disability is expected "
        "(sources: no dataset)."
    )
    assert "no gap can be stated" in found[1].text
    assert "not published at all: 3;" in found[2].text
    assert all(not f.sources for f in found)  # nothing is cited that does not exist
    assert not any(ch.isdigit() for ch in found[1].text)  # no number is made up


def test_nothing_expected_is_said_as_such():
    frames, obs, _ = _frames(UNEMPLOYMENT)
    frames = {k: v.iloc[0:0] for k, v in frames.items()}
    found = findings.findings(
        iso3="KEN",
        group="disability",
        frames=frames,
        obs=obs.iloc[0:0],
        progress=pd.DataFrame(columns=["year", "expected", "with_value", "share"]),
        names=NAMES,
        translate=t,
    )
    assert found[0].kind == "none_expected"
    assert found[0].text.startswith("No series in the loaded data is expected to be split")


def test_three_gaps_at_most_ordered_as_the_scorecard_and_community_named():
    rows = [
        *UNEMPLOYMENT,
        _row("SE_ADT_ACTS", 2021, "PD", 20.0, source="ITU"),
        _row("SE_ADT_ACTS", 2021, "PWD", 50.0, source="ITU"),
        _row("SL_TLF_UEMDIS", 2022, "PD", 30.5, source_type="community", dataset=2, source="NGO"),
        _row("SL_TLF_UEMDIS", 2022, "PWD", 10.0, source_type="community", dataset=2, source="NGO"),
    ]
    found = _build(rows)
    kinds = [f.kind for f in found]
    assert kinds == ["coverage", "disparity", "disparity", "community", "missing", "progress"]
    # the first gap is the page's scorecard line for the group (largest relative gap)
    frames, obs, _ = _frames(rows)
    card = views_country.scorecard(
        frames["coverage"], frames["disparities"], "KEN", ["disability"], obs
    ).iloc[0]
    assert found[1].facts["series"] == card["series"]
    assert found[1].facts["value"] == card["value"]
    community = found[3]
    assert community.text == (
        "For Unemployment rate (%), community data give 30.5 for persons with disabilities in "
        "Kenya (2022); official data give 12.3 (2019) (source: NGO; Community survey / "
        "ILO, labour force survey; UN SDG extract)."
    )
    assert len(found) <= findings.MAX_FINDINGS


def test_same_data_same_text():
    first = [(f.kind, f.text, f.sources) for f in _build(UNEMPLOYMENT)]
    again = [(f.kind, f.text, f.sources) for f in _build(list(reversed(UNEMPLOYMENT)))]
    assert first == [(f.kind, f.text, f.sources) for f in _build(UNEMPLOYMENT)]
    # the rows in another order (other source rows): the same sentences
    assert [x for _, x, _ in again] == [x for _, x, _ in first]


@pytest.mark.parametrize(
    ("value", "unit"), [(12.85, "%"), (1234.5, "per 1,000"), (None, "%"), (3.0, "")]
)
def test_values_are_written_as_the_page_tables_write_them(value, unit):
    assert findings.with_unit(value, unit) == tables.with_unit(value, unit)


@pytest.mark.parametrize(
    ("diff", "value", "ref", "text"),
    [(12.3 - 8.2, 12.3, 8.2, "4.1"), (-2.5, 1.25, 3.75, "2.5"), (7.0, 10.0, 3.0, "7")],
)
def test_difference_is_written_to_the_decimals_of_its_values(diff, value, ref, text):
    assert findings.difference_text(diff, value, ref) == text


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
@pytest.mark.parametrize(("value", "unit"), [(12.85, "%"), (1234.5, "per 1,000"), (None, "%")])
def test_values_in_the_readers_language_are_written_as_the_page_tables_write_them(
    lang, value, unit
):
    names = dataclasses.replace(
        NAMES,
        number=lambda v: i18n.exact(v, lang),
        with_percent=lambda v: i18n.value_percent(v, lang),
    )
    assert findings.with_unit(value, unit, names) == tables.with_unit(value, unit, lang)


def test_a_french_brief_writes_its_numbers_the_french_way():
    names = dataclasses.replace(
        NAMES,
        number=lambda v: i18n.exact(v, "fr"),
        with_percent=lambda v: i18n.value_percent(v, "fr"),
    )
    frames, obs, prog = _frames(UNEMPLOYMENT)
    found = findings.findings(
        iso3="KEN",
        group="disability",
        frames=frames,
        obs=obs,
        progress=prog,
        names=names,
        translate=lambda key, **fmt: t(key, "fr", **fmt),
        window=5,
    )
    gap = next(f for f in found if f.kind == "disparity")
    assert "12,3\u00a0%" in gap.text and "8,2\u00a0%" in gap.text and "4,1" in gap.text
    assert "12.3" not in gap.text and "4.1" not in gap.text
    assert gap.facts["value"] == 12.3  # the facts stay numbers
