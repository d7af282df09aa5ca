"""How the large frames a worker keeps (observations, disparity tables) hold their columns.

At 10 million observations a worker held 2.2 GB, most of it in two shapes of column that
store little: string columns repeating a few dozen codes as one 8-byte Python reference per
cell, and float columns with no value at all (confidence bounds and sample sizes, missing in
most SDG data). The values stay the same; only their memory changes:

- a string column becomes categorical (1-2 bytes per cell; categories sorted, so sorting by
  it orders as the strings do);
- a float column without any value becomes one read-only NaN seen by every row (8 bytes in
  all). Nothing writes into these frames: pandas copies a column before changing it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def missing(index: pd.Index) -> pd.Series:
    """A float64 column of NaN over ``index`` that holds one value in memory."""
    values = np.broadcast_to(np.float64(np.nan), (len(index),))
    return pd.Series(values, index=index, dtype="float64", copy=False)


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """``table.to_pandas()``, its float columns without any value made by ``missing``.

    They are left out of the conversion, so they never take memory, even for a moment.
    """
    empty = [
        (at, field.name)
        for at, field in enumerate(table.schema)
        if pa.types.is_floating(field.type)
        and table.num_rows > 1
        and table.column(at).null_count == table.num_rows
    ]
    frame = table.drop_columns([name for _, name in empty]).to_pandas()
    for at, name in empty:
        frame.insert(at, name, missing(frame.index))
    return frame


def _is_string(dtype: object) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.na_value is np.nan  # pandas' default ``str`` (NaN as missing value)
    return pd.api.types.is_object_dtype(dtype)


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with string columns categorical and valueless float columns shared NaN.

    Equal to ``frame`` value for value (``assert_frame_equal`` without ``check_dtype``);
    missing values stay missing. When a float column is replaced, the other number columns
    are copied into arrays of their own, so that the block they shared with it is freed once
    the caller lets ``frame`` go.
    """
    if frame.empty:
        return frame
    out: dict[str, object] = {}
    numbers, replaced = [], False
    for name, dtype in frame.dtypes.items():
        col = out[name] = frame[name]
        if _is_string(dtype):
            out[name] = col.astype("category")
        elif not isinstance(dtype, np.dtype) or _shared(col):
            continue
        elif dtype == np.float64 and col.isna().all():
            out[name], replaced = missing(frame.index), True
        else:
            numbers.append(name)
    for name in numbers if replaced else ():
        out[name] = pd.Series(frame[name].to_numpy(copy=True), index=frame.index, copy=False)
    return pd.DataFrame(out, index=frame.index, copy=False)


def _shared(col: pd.Series) -> bool:
    """True for a column that ``missing`` made (one value seen by every row)."""
    return len(col) > 1 and col.to_numpy().strides == (0,)
