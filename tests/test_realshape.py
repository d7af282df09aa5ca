"""Items of the real-data issue that the demo store never shows, on the real-shape store."""

from __future__ import annotations

import pandas as pd
import pytest

from data import catalogue, gaps, pipeline, queries, reference
from data.schema import ImportError_
from data.store import Store
from data.vocab import group, groups
from tests import realshape as shape
from tests.conftest import obs_frame


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype) == "str":
            frame[col] = frame[col].astype("category")
    return frame


def test_status_with_more_than_127_series_and_community_only_rows():
    # pandas 3.1: reindexing CategoricalIndex by CategoricalIndex raised "Buffer dtype
    # mismatch" once the codes widened past int8 and the official part was empty.
    series = [f"S{i:03d}" for i in range(130)]
    rows = [
        {"iso3": "KEN", "m49": "404", "series": s, "period": "2020", "value": 1.0, "disability": d}
        for s in series
        for d in ("PD", "PWD")
    ]
    rows += [
        {
            "iso3": "NPL",
            "m49": "524",
            "series": "S000",
            "period": "2022",
            "value": v,
            "disability": d,
            "source_type": "community",
        }
        for v, d in ((2.0, "PD"), (1.0, "PWD"))
    ]
    obs = _categorical(obs_frame(rows))
    community = obs[obs["source_type"] == "community"]
    out = gaps.status(community, group("disability"), series, ["KEN", "NPL"])
    npl = out[(out["iso3"] == "NPL") & (out["series"] == "S000")]
    assert npl["status"].tolist() == ["community_only"]
    assert set(out.loc[out["iso3"] == "KEN", "status"]) == {"no_data"}


def test_every_group_and_source_computes_on_the_real_shape(realshape):
    assert queries.snapshot().obs["series"].nunique() > 127
    for source in queries.SOURCES:
        for g in groups():
            cov = queries.coverage(g, source)
            assert len(cov) == len(reference.counted_countries())
            queries.disparities(g, source)


def test_national_series_is_expected_only_of_its_country(realshape):
    cat = queries.snapshot().catalogue.set_index("series")
    assert cat.loc[shape.UK_SERIES, "countries"] == ("GBR",)
    assert cat.loc["FX_000", "countries"] == ()
    st = queries.statuses("disability")
    uk = st[st["series"] == "OSDG_2_1_2"]
    assert uk["iso3"].tolist() == ["GBR"]
    assert uk["status"].tolist() == ["disaggregated"]
    # Kenya's expected disability series: none of them is the UK's
    assert "OSDG_2_1_2" not in set(st.loc[st["iso3"] == "KEN", "series"])


def test_expectations_file_makes_a_national_series_global():
    obs = obs_frame(
        [
            {
                "iso3": "GBR",
                "m49": "826",
                "series": "OSDG_X",
                "period": "2020",
                "value": 1.0,
                "disability": d,
                "dataset": 2,
            }
            for d in ("PD", "PWD")
        ]
        + [{"iso3": "KEN", "m49": "404", "series": "UN_Y", "period": "2020", "value": 1.0}]
    )
    sets = pd.DataFrame(
        {"id": [1, 2], "format": ["un", "opensdg"], "source_type": ["official", "official"]}
    )
    none = pd.DataFrame(columns=["series", "dimension"])
    cat = catalogue.catalogue(obs, none, catalogue.series_file(), sets).set_index("series")
    assert cat.loc["OSDG_X", "countries"] == ("GBR",)
    assert cat.loc["UN_Y", "countries"] == ()
    listed = pd.DataFrame({"series": ["OSDG_X"], "dimension": ["disability"]})
    cat = catalogue.catalogue(obs, listed, catalogue.series_file(), sets).set_index("series")
    assert cat.loc["OSDG_X", "countries"] == ()


def test_uninhabited_territories_are_not_counted(realshape):
    iso3s = set(reference.counted_countries())
    assert {"ATA", "BVT", "HMD", "SGS"}.isdisjoint(iso3s)
    assert {"KEN", "NPL", "GBR", "TUV", "PCN"} <= iso3s  # small but inhabited stay
    assert set(queries.coverage("disability")["iso3"]) == iso3s


def test_real_shape_store_keeps_demo_and_says_so(realshape):
    snap = queries.snapshot()
    assert snap.illustrative and snap.mixed
    assert snap.datasets["illustrative"].astype(bool).sum() == 6


@pytest.fixture
def demo_store(tmp_path):
    from data.settings import Settings

    settings = Settings(data_dir=tmp_path / "s", cache_type="NullCache", demo_on_empty=True)
    store = queries.configure(settings)
    pipeline.ensure_demo(store)
    files = shape.write_files(tmp_path / "files")
    return settings, store, files


def test_import_next_to_demo_is_refused_and_changes_nothing(demo_store):
    settings, store, files = demo_store
    before = (store.version(), len(store.datasets()))
    with pytest.raises(ImportError_) as err:
        pipeline.import_files(store, [files["un"]], settings)
    text = str(err.value)
    assert "--replace-demo" in text and "--keep-demo" in text and "illustrative" in text
    assert (store.version(), len(store.datasets())) == before


def test_replace_demo_removes_it_in_the_same_import(demo_store):
    settings, store, files = demo_store
    [summary] = pipeline.import_files(store, [files["un"]], settings, demo="replace")
    sets = store.datasets()
    assert sets["id"].tolist() == [summary.dataset]
    assert not sets["illustrative"].astype(bool).any()
    obs = Store(settings).observations()  # the snapshot holds no demo row either
    assert set(obs["dataset"]) == {summary.dataset}
    assert len(obs) == summary.rows
    snap = queries.snapshot()
    assert not snap.illustrative and not snap.mixed


def test_cli_flags_for_demo(demo_store, capsys):
    from data import cli

    settings, store, files = demo_store
    assert cli.main(["import", str(files["un"])], settings) == 1
    assert "--replace-demo" in capsys.readouterr().err
    assert cli.main(["import", str(files["un"]), "--keep-demo"], settings) == 0
    assert pipeline.demo_datasets(store)
    assert (
        cli.main(
            ["import", str(files["community"]), "--source-type", "community", "--replace-demo"],
            settings,
        )
        == 0
    )
    assert pipeline.demo_datasets(store) == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.85, "12.85"),
        (11.98, "11.98"),
        (1234567.0, "1,234,567"),
        (1e-05, "0.00001"),
        (-3.5, "-3.5"),
        (2.0, "2"),
        (float("nan"), ""),
        (None, ""),
    ],
)
def test_exact_shows_the_stored_value(value, text):
    from data.display import exact

    assert exact(value) == text
    if text:
        assert float(text.replace(",", "")) == value  # reads back as the stored float


def test_every_canonical_code_of_a_closed_list_has_words():
    from data.display import code_label
    from data.vocab import CANONICAL

    for dim in ("sex", "disability", "location", "quantile", "migratory", "education"):
        for code in CANONICAL[dim] - {"_Z", "_U", "_X", "_O", "_N"}:
            assert code_label(dim, code) != code, (dim, code)
