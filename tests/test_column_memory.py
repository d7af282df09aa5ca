"""The large frames a worker keeps hold the same values in less memory (``data/memory.py``).

String columns become categorical, float columns without any value one shared NaN: in the
observations snapshot read at start and in every disparity table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.feather as pa_feather
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from data import memory, precomputed, queries
from data import store as store_mod
from data.vocab import groups
from tests import realshape as shape


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column's values as Python objects, missing values as NaN: dtypes set aside."""
    return frame.astype(object).where(frame.notna(), np.nan)


def _mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series": np.array(["SL_B", "SL_A", None, "SL_B"], dtype=object),
            "direction": pd.array(["worse", "better", "equal", None], dtype="str"),
            "value": [1.5, np.nan, 3.25, -0.0],
            "lower": np.full(4, np.nan),
            "year": np.array([2019, 2020, 2021, 2022], dtype=np.int64),
            "headline": [True, False, True, True],
            "age": pd.array([15, None, 25, 65], dtype="Int64"),
            "sex": pd.Categorical(["F", "M", "F", "_T"]),
        },
        index=pd.RangeIndex(10, 14),
    )


def test_compact_keeps_every_value_and_missing_value():
    frame = _mixed()
    assert frame["series"].notna().sum() == 3  # the fixture as meant (no index alignment)
    out = memory.compact(frame)
    assert list(out.columns) == list(frame.columns)
    assert out.index.equals(frame.index)
    assert_frame_equal(_as_objects(out), _as_objects(frame), check_exact=True)
    # the kinds of column that change, and those that do not
    for name in ("series", "direction", "sex"):
        assert isinstance(out[name].dtype, pd.CategoricalDtype), name
    assert out["series"].isna().tolist() == [False, False, True, False]
    assert out["direction"].isna().tolist() == [False, False, False, True]
    assert str(out["value"].dtype) == "float64" and str(out["lower"].dtype) == "float64"
    assert str(out["year"].dtype) == "int64" and str(out["headline"].dtype) == "bool"
    assert str(out["age"].dtype) == "Int64"


def test_a_float_column_without_values_holds_one_nan():
    frame = _mixed()
    out = memory.compact(frame)
    lower = out["lower"].to_numpy()
    assert lower.strides == (0,) and not lower.flags.writeable
    assert lower.base is not None and lower.base.nbytes == 8
    # a column with values keeps them in an array of its own (the original block is freed)
    value = out["value"].to_numpy()
    assert value.strides == (8,)
    assert not np.shares_memory(value, frame["value"].to_numpy())
    # a change makes pandas copy the column first: the shared NaN is never written
    changed = out.assign(lower=out["lower"].fillna(0.0))
    assert changed["lower"].tolist() == [0.0] * 4
    assert out["lower"].isna().all()


def test_sorting_by_a_compacted_column_orders_as_the_strings_do():
    frame = pd.DataFrame({"iso3": ["KEN", "BGD", "VNM", "IND", "NPL", "BGD"], "v": range(6)})
    out = memory.compact(frame)
    assert out["iso3"].cat.categories.tolist() == ["BGD", "IND", "KEN", "NPL", "VNM"]
    assert out.sort_values(["iso3", "v"])["v"].tolist() == [1, 5, 3, 0, 4, 2]
    assert frame.sort_values(["iso3", "v"])["v"].tolist() == [1, 5, 3, 0, 4, 2]


def test_an_empty_frame_is_left_as_it_is():
    empty = _mixed().iloc[0:0]
    assert memory.compact(empty) is empty


def test_every_disparity_table_holds_codes_not_python_strings(tmp_path):
    queries.configure(shape.build(tmp_path / "store"))
    seen = 0
    for source in queries.SOURCES:
        for g in groups():
            disp = queries.disparities(g, source)
            if disp.empty:
                continue
            seen += 1
            plain = [c for c, d in disp.dtypes.items() if pd.api.types.is_object_dtype(d)]
            assert not plain, (g, source, plain)
            for c in ("series", "iso3", "period", "source_type", "direction", "ref_code"):
                assert isinstance(disp[c].dtype, pd.CategoricalDtype), (g, source, c)
    assert seen


def test_the_observations_snapshot_holds_a_valueless_column_once(tmp_path):
    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    obs = queries.snapshot().obs
    # the fixture's bounds have a few values: empty them as most SDG data has them
    frame = obs.assign(lower=np.nan, n=np.nan)
    path = tmp_path / f"obs-1-v1{store_mod.OBS_SUFFIX}"
    assert store_mod._atomic_write(frame, path)
    got = store_mod._read_obs(path)
    # the same frame as Arrow's own conversion gives, column for column
    full = pa_feather.read_table(path).to_pandas()
    assert_frame_equal(got, full, check_exact=True)
    assert list(got.columns) == list(obs.columns)
    for name in ("lower", "n"):
        assert got[name].to_numpy().strides == (0,), name
    for name in ("upper", "value", "period_sort"):  # these have values
        assert got[name].to_numpy().strides == (8,), name
    assert_series_equal(got["upper"], obs["upper"], check_exact=True)


@pytest.mark.parametrize("rows", [0, 3])
def test_a_snapshot_with_few_or_no_rows_reads_back_equal(tmp_path, rows):
    settings = shape.build(tmp_path / "store")
    queries.configure(settings)
    frame = queries.snapshot().obs.iloc[:rows].assign(n=np.nan).reset_index(drop=True)
    path = tmp_path / f"obs-1-v1{store_mod.OBS_SUFFIX}"
    assert store_mod._atomic_write(frame, path)
    assert_frame_equal(store_mod._read_obs(path), pa_feather.read_table(path).to_pandas())


def test_numbers_are_copied_only_when_a_column_left_their_block():
    frame = _mixed().assign(lower=1.0)  # every float column has values: nothing is replaced
    out = memory.compact(frame)
    assert np.shares_memory(out["value"].to_numpy(), frame["value"].to_numpy())
    again = memory.compact(memory.compact(_mixed()))  # a shared NaN is kept, not rebuilt
    assert again["lower"].to_numpy().strides == (0,)


def test_a_gap_table_read_from_disk_holds_a_valueless_column_once(tmp_path):
    queries.configure(shape.build(tmp_path / "store"))
    disp = queries.disparities("women").assign(ref_n=np.nan, n=np.nan)
    where = tmp_path / "snapshots" / "gaps-1-v1-test"
    assert precomputed.write(where, [("disparities", "women", "all", disp)])
    got = precomputed.read(where, "disparities", "women", "all")
    assert_frame_equal(got, disp, check_exact=True)
    assert got["ref_n"].to_numpy().strides == (0,) and got["n"].to_numpy().strides == (0,)
    assert got["ref_value"].to_numpy().strides == (8,)
    assert isinstance(got["series"].dtype, pd.CategoricalDtype)
