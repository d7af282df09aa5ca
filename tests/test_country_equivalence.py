"""The country page's cheaper cache miss gives exactly the answer of the code it replaced.

On the real-shape store (tests/realshape.py): the old implementations below (as they were
before the country page's look-ups were made cheaper: commit 06b2e0a) are compared with the
current ones, function by function on every country, group, source and series, and payload by
payload (scorecard and status matrix, summary and series, missing splits, series options) for
several countries, groups, series and languages. Any differing value fails.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from data import display, queries, tables
from data import views_country as vc
from data.vocab import groups as all_groups
from layouts.pages import content, country
from tests import realshape as shape

SOURCES = ("all", "official", "community")


# -- the old implementations (06b2e0a) ----------------------------------------------------------
def old_scorecard(cov, disp, iso3, groups, obs=None):
    c = cov[cov["iso3"] == iso3].drop_duplicates("group").set_index("group")
    out = pd.DataFrame({"group": groups}).set_index("group")
    out["expected"] = c["expected"].reindex(out.index).fillna(0).astype(int)
    out["disaggregated"] = c["disaggregated"].reindex(out.index).fillna(0).astype(int)
    out["share"] = c["share"].reindex(out.index)
    d = vc.meaningful_pairs(disp[(disp["iso3"] == iso3) & disp["ratio"].notna()])
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["group", "series", "source_type"])
    d = d.assign(_gap=(d["ratio"] - 1).abs()).sort_values("_gap", ascending=False)
    d = d.drop_duplicates("group").set_index("group")
    text = ["series", "direction", "period", "source_type", "unit"]
    for col in ("series", "value", "ref_value", "ratio", "direction", "period", *text[3:]):
        out[col] = d[col].reindex(out.index).astype(object) if col in d else np.nan
    out[text] = out[text].fillna("").astype(str)
    caveat = vc.footnotes_differ(d, obs) if obs is not None else pd.Series(False, index=d.index)
    out["caveat"] = caveat.reindex(out.index).fillna(False).astype(bool)
    return out.reset_index()


def old_scorecard_table(iso3, source, frames):
    """tables.scorecard_table before only the named rows' provenance was looked up."""
    obs = content.country_observations(iso3, source)
    card = vc.scorecard(frames["coverage"], frames["disparities"], iso3, list(all_groups()), obs)
    d = vc.meaningful_pairs(frames["disparities"])
    d = d.sort_values(["headline", "year", "period_sort"], ascending=False)
    keys = ["group", "series", "source_type", "period", "value", "ref_value"]
    d = tables.with_provenance(d.drop_duplicates(keys), obs)
    extra = [*tables.PROVENANCE, "ref_source_row"]
    found = card[keys].astype(object).merge(d[keys + extra].astype(object), on=keys, how="left")
    named = card.copy()
    for col in extra:
        named[col] = found[col].to_numpy()
    for col in ("dataset", "source_row", "ref_source_row"):
        named[col] = pd.to_numeric(named[col]).astype("Int64")
    return named


def old_slice_key(frame, skip):
    cols = [c for c in vc._SLICE_COLS if c != skip and c in frame]
    return frame[cols].astype(object).astype(str).agg("|".join, axis=1)


def old_slice_labels(frame, skip, constant, words=None):
    blank = {c: vc.TOTAL for c in constant if c in vc.DIMENSIONS}

    def other(value):
        return ";".join(i for i in str(value or "").split(";") if i and i not in constant)

    return [
        display.breakdown_label(
            {**r, **blank, "other_dims": other(r["other_dims"])}, skip=skip, words=words
        )
        for r in frame.to_dict("records")
    ]


def old_provenance_rows(obs, dataset_names, limit=400, words=None):
    o = obs.sort_values(["period_sort", "source_row"], ascending=[False, True]).head(limit)
    out = pd.DataFrame(
        {
            "period": o["period"].astype(object),
            "breakdown": [display.breakdown_label(r, words=words) for r in o.to_dict("records")],
            "value": o["value"],
            "value_flag": o["value_flag"].astype(object),
            "unit": o["unit"].astype(object).map(lambda u: display.unit_name(u, words)),
            "source_type": o["source_type"].astype(object),
            "dataset": o["dataset"]
            .map(dict(dataset_names))
            .astype(object)
            .fillna(o["dataset"].astype(str)),
            "source": o["source"].astype(object),
            "source_row": o["source_row"],
            "nature": o["nature"].astype(object),
            "footnote": o["footnote"].astype(object),
        }
    )
    return out.reset_index(drop=True)


def old_official_vs_community(disp, iso3):
    d = disp[disp["iso3"] == iso3].sort_values(["headline", "year", "period_sort"], ascending=False)
    d = d.drop_duplicates(["series", "source_type"])
    cols = ["series"]
    parts = []
    for kind in ("official", "community"):
        k = d[d["source_type"] == kind].set_index("series")[["value", "ref_value", "period"]]
        parts.append(k.add_prefix(f"{kind}_").rename(columns={f"{kind}_ref_value": f"{kind}_ref"}))
        cols += [f"{kind}_value", f"{kind}_ref", f"{kind}_period"]
    both = parts[0].join(parts[1], how="inner").reset_index()
    return both[cols].sort_values("series", ignore_index=True)


def old_offered_series(iso3, group, source, goal):
    expected = content.country_series(iso3, group, source, goal)
    frames = queries.country_frames(iso3, group, source)
    st = frames["statuses"]
    has_any = set(st.loc[st["status"] != "no_data", "series"].astype(object))
    split = st["status"].isin(("disaggregated", "outdated", "community_only"))
    with_group = set(frames["disparities"]["series"].astype(object))
    with_group |= set(st.loc[split, "series"].astype(object))
    return vc.rank_series(expected, with_group, has_any)


def old_missing_statuses(iso3, source):
    groups = list(all_groups())
    return pd.concat(
        [queries.country_frames(iso3, g, source)["statuses"] for g in groups], ignore_index=True
    )


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(realshape_store):
    from app import create_app

    return create_app(replace(realshape_store, cache_type="NullCache"), warm=False)


def _old(monkeypatch):
    """Make the country page compute with the old implementations."""
    monkeypatch.setattr(vc, "scorecard", old_scorecard)
    monkeypatch.setattr(vc, "_slice_key", old_slice_key)
    monkeypatch.setattr(vc, "_slice_labels", old_slice_labels)
    monkeypatch.setattr(vc, "provenance_rows", old_provenance_rows)
    monkeypatch.setattr(vc, "official_vs_community", old_official_vs_community)
    monkeypatch.setattr(country, "offered_series", old_offered_series)
    monkeypatch.setattr(
        country,
        "group_frames",
        lambda iso3, source: {
            "statuses": old_missing_statuses(iso3, source),
            **{k: v for k, v in content.group_frames(iso3, source).items() if k != "statuses"},
        },
    )


def _series_of(iso3: str, group: str, source: str) -> list[str]:
    obs = content.country_observations(iso3, source)
    return sorted(set(obs["series"].astype(object))) + [""]


# -- function by function -----------------------------------------------------------------------
def test_the_country_views_equal_the_old_ones_everywhere(app, monkeypatch):
    groups = list(all_groups())
    with app.server.test_request_context("/"):
        compared = 0
        for source in ("all", "community"):  # "official": in the payload cases below
            for iso3 in shape.COUNTRIES:
                frames = content.group_frames(iso3, source)
                obs = content.country_observations(iso3, source)
                for with_obs in (obs, None):
                    pd.testing.assert_frame_equal(
                        vc.scorecard(
                            frames["coverage"], frames["disparities"], iso3, groups, with_obs
                        ),
                        old_scorecard(
                            frames["coverage"], frames["disparities"], iso3, groups, with_obs
                        ),
                    )
                card = tables.scorecard_table(iso3, source, frames)
                pd.testing.assert_frame_equal(
                    card,
                    _with_old(monkeypatch, lambda: tables.scorecard_table(iso3, source, frames)),
                )
                pd.testing.assert_frame_equal(card, old_scorecard_table(iso3, source, frames))
                for col in card:  # the same Python objects too (NaN stays NaN, not None)
                    assert [type(v) for v in card[col]] == [
                        type(v) for v in old_scorecard_table(iso3, source, frames)[col]
                    ], col
                for group in groups:
                    disp = queries.country_frames(iso3, group, source)["disparities"]
                    pd.testing.assert_frame_equal(
                        vc.official_vs_community(disp, iso3), old_official_vs_community(disp, iso3)
                    )
                    dim = all_groups()[group].dimension
                    for series in _some_series(obs, disp):
                        mine = obs[obs["series"] == series]
                        pairs = disp[disp["series"] == series]
                        new = vc.timeseries_frame(mine, pairs, dim)
                        old = _with_old(monkeypatch, lambda: vc.timeseries_frame(mine, pairs, dim))
                        pd.testing.assert_frame_equal(new, old)
                        compared += 1
                for series in sorted(set(obs["series"].astype(object)))[::3]:
                    mine = obs[obs["series"] == series]
                    names = content.dataset_names()
                    pd.testing.assert_frame_equal(
                        vc.provenance_rows(mine, names), old_provenance_rows(mine, names)
                    )
        assert compared > 100  # every country and group, many series each, not a few


def _some_series(obs: pd.DataFrame, disp: pd.DataFrame) -> list[str]:
    """Series with a pair of the group (12 at most), and a few with values but no pair."""
    paired = sorted(set(disp["series"].astype(object)))
    others = sorted(set(obs["series"].astype(object)) - set(paired))
    return paired[:12] + others[:: max(1, len(others) // 3)]


def _with_old(monkeypatch, compute):
    with monkeypatch.context() as m:
        _old(m)
        return compute()


# -- payload by payload -------------------------------------------------------------------------
CASES = [
    ("KEN", "disability", shape.TOTAL_ONLY_SERIES, "en"),
    ("KEN", "women", "", "fr"),
    ("NPL", "disability", shape.COMMUNITY_SERIES, "en"),
    ("NPL", "older", "", "ar"),
    ("GBR", "disability", shape.UK_SERIES, "es"),
    ("GBR", "women", "", "en"),
    ("IND", "youth", "", "en"),
    ("BRA", "rural", "", "fr"),
]


def _payloads(iso3: str, group: str, series: str, lang: str, source: str) -> str:
    ver = content.version()
    s = {"group": group, "series": series, "source": source, "goal": "all"}
    shown = country.pick_series(iso3, s)
    out = {
        "static": country.static_payload.uncached(ver, iso3, source, lang),
        "matrix": country.matrix_payload.uncached(ver, iso3, source, lang),
        "missing": country.missing_payload.uncached(ver, iso3, source, lang),
        "detail": country.detail_payload.uncached(ver, iso3, group, shown, source, lang),
        "options": country.series_options(iso3, group, source, "all"),
        "offered": country.offered_series(iso3, group, source, "all"),
        "shown": shown,
    }
    return json.dumps(out, sort_keys=True, default=str)


@pytest.mark.parametrize("iso3, group, series, lang", CASES)
def test_the_country_payloads_equal_the_old_ones(app, monkeypatch, iso3, group, series, lang):
    with app.server.test_request_context(f"/country/{iso3}?lang={lang}"):
        for source in SOURCES:
            new = _payloads(iso3, group, series, lang, source)
            old = _with_old(monkeypatch, lambda: _payloads(iso3, group, series, lang, source))
            assert new == old, (iso3, group, series, lang, source)
            # and once more from the kept look-ups (the second call of a page open)
            assert _payloads(iso3, group, series, lang, source) == new
