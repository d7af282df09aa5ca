"""The catalogue decided per distinct code (issue #12) equals the previous row-by-row version.

``_reference_*`` below is the implementation before the change, kept verbatim as the oracle:
it tested 6.6 million strings on the real extract (3-5 s of every start).
"""

from __future__ import annotations

import pandas as pd
import pytest

from data import catalogue, queries
from data.catalogue import derived_about, names_group
from data.schema import DIMENSIONS, NOT_APPLICABLE, TOTAL, UNMAPPED_PREFIX
from data.vocab import Group, groups
from tests.conftest import obs_frame


def _reference_observed_dimensions(obs: pd.DataFrame) -> pd.DataFrame:
    found = []
    plain = {TOTAL, NOT_APPLICABLE}
    for dim in DIMENSIONS:
        codes = obs[dim].astype(object)
        split = ~codes.isin(plain) & ~codes.str.startswith(UNMAPPED_PREFIX)
        for series in pd.unique(obs.loc[split, "series"].astype(object)):
            found.append((series, dim))
    return pd.DataFrame(found, columns=["series", "dimension"])


def _reference_national_scope(obs: pd.DataFrame, datasets: pd.DataFrame) -> dict:
    if obs.empty or datasets.empty:
        return {}
    national = datasets["format"].isin(catalogue.NATIONAL_FORMATS) | (
        datasets["source_type"] != "official"
    )
    local_ids = set(datasets.loc[national, "id"].astype(int))
    is_local = obs["dataset"].isin(local_ids)
    international = set(obs.loc[~is_local, "series"].astype(object))
    rows = obs.loc[is_local & (obs["iso3"].astype(object) != ""), ["series", "iso3"]]
    rows = rows.astype(object).drop_duplicates()
    rows = rows[~rows["series"].isin(international)]
    return {s: tuple(sorted(g["iso3"])) for s, g in rows.groupby("series")}


def _reference_observed_groups(obs: pd.DataFrame) -> pd.Series:
    found: dict[str, set[str]] = {}
    for g in groups().values():
        codes = pd.Series(pd.unique(obs[g.dimension].astype(object)))
        hit = set(codes[codes.map(g.is_group_code).astype(bool)])
        for series in pd.unique(obs.loc[obs[g.dimension].isin(hit), "series"].astype(object)):
            found.setdefault(series, set()).add(g.id)
    return pd.Series(found, dtype=object)


def _reference_expected(g: Group, series: str, observed: object, exp: pd.DataFrame) -> bool:
    if isinstance(observed, set) and g.id in observed:
        return True
    return any(names_group(d, g) for d in exp.loc[exp["series"] == series, "dimension"])


def _reference_catalogue(obs, expectations, series, datasets=None, declared=None):
    first = obs.drop_duplicates("series")[
        ["series", "indicator", "goal", "target", "series_title", "unit"]
    ]
    first = first.astype(object).rename(columns={"series_title": "title"})
    known = series.set_index("series")
    out = first.set_index("series")
    for col in ("indicator", "goal", "target", "title", "unit", "polarity", "about"):
        given = known[col].reindex(out.index) if col in known else None
        current = out[col] if col in out else pd.Series("", index=out.index)
        if given is not None:
            current = given.where(given.fillna("") != "", current)
        out[col] = current.fillna("")
    out["polarity"] = out["polarity"].replace("", "unknown")
    dims = pd.concat(
        [_reference_observed_dimensions(obs), expectations[expectations["series"].isin(out.index)]]
    )
    by_series = dims.groupby("series")["dimension"].agg(lambda d: tuple(sorted(set(d))))
    out["dimensions"] = by_series.reindex(out.index).apply(
        lambda d: d if isinstance(d, tuple) else ()
    )
    exp = expectations[expectations["series"].isin(out.index)]
    listed = set(exp["series"])
    if declared is not None and len(declared):
        exp = pd.concat([exp, declared[["series", "dimension"]].drop_duplicates()])
        exp = exp[exp["series"].isin(out.index)]
    official = obs[obs["source_type"] == "official"]
    out["about"] = [
        given or derived_about(title, dims)
        for given, title, dims in zip(out["about"], out["title"], out["dimensions"], strict=True)
    ]
    out["groups"] = [
        tuple(
            g.id for g in groups().values() if g.id == about or _reference_expected(g, s, seen, exp)
        )
        for s, seen, about in zip(
            out.index,
            _reference_observed_groups(official).reindex(out.index),
            out["about"],
            strict=True,
        )
    ]
    scope = _reference_national_scope(obs, datasets) if datasets is not None else {}
    out["countries"] = [() if s in listed else scope.get(s, ()) for s in out.index]
    return out.reset_index()[catalogue.CATALOGUE_COLUMNS].sort_values("series", ignore_index=True)


def _inputs():
    st = queries.store()
    return (
        st.observations(),
        catalogue.expectations_file(queries.settings().expectations),
        catalogue.series_file(),
        st.datasets(),
        st.declared(),
    )


def test_catalogue_equals_the_previous_implementation_on_the_real_shape_store(realshape):
    obs, exp, series, sets, declared = _inputs()
    assert obs["series"].nunique() > 127
    new = catalogue.catalogue(obs, exp, series, sets, declared)
    pd.testing.assert_frame_equal(new, _reference_catalogue(obs, exp, series, sets, declared))
    # the store has what each part decides on: national series, community rows, group codes
    scope = catalogue.national_scope(obs, sets)
    assert scope and scope == _reference_national_scope(obs, sets)
    assert (new["countries"].map(len) > 0).any()
    assert (new["groups"].map(len) > 0).any()
    # and without the datasets, the declared splits or any expectations
    none = exp.iloc[0:0]
    pd.testing.assert_frame_equal(
        catalogue.catalogue(obs, none, series), _reference_catalogue(obs, none, series)
    )


def test_observed_dimensions_keep_rows_and_order(realshape):
    obs = _inputs()[0]
    new = catalogue.observed_dimensions(obs)
    assert len(new) > 0
    pd.testing.assert_frame_equal(new, _reference_observed_dimensions(obs))


@pytest.mark.parametrize("as_category", [False, True])
def test_totals_not_applicable_and_unmapped_codes_split_nothing(as_category):
    rows = [
        {"iso3": "KEN", "m49": "404", "series": "A", "period": "2020", "value": 1.0, "sex": c}
        for c in (TOTAL, NOT_APPLICABLE, f"{UNMAPPED_PREFIX}Women?")
    ]
    rows += [
        {"iso3": "KEN", "m49": "404", "series": s, "period": "2020", "value": 1.0, "sex": "F"}
        for s in ("C", "B", "C")
    ]
    older = {"iso3": "NPL", "m49": "524", "series": "D", "period": "2021", "age": "Y60T64"}
    rows.append({**older, "value": 2.0})
    obs = obs_frame(rows)
    if as_category:
        obs = obs.astype(dict.fromkeys(("series", "sex", "age", "iso3"), "category"))
    new = catalogue.observed_dimensions(obs)
    pairs = list(new.itertuples(index=False, name=None))
    assert pairs == [("C", "sex"), ("B", "sex"), ("D", "age")]
    pd.testing.assert_frame_equal(new, _reference_observed_dimensions(obs))
    none = pd.DataFrame(columns=["series", "dimension"])
    sets = pd.DataFrame(
        {"id": [1, 2], "format": ["un", "opensdg"], "source_type": ["official", "official"]}
    )
    pd.testing.assert_frame_equal(
        catalogue.catalogue(obs, none, catalogue.series_file(), sets),
        _reference_catalogue(obs, none, catalogue.series_file(), sets),
    )
