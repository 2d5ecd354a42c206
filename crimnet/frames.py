"""Fast pandas helpers for the string columns of canonical tables.

pandas 3 stores text as Arrow-backed strings, and some of its operations on
them fall back to Python loops; the helpers here go through Arrow's compute
kernels instead. Every stage may use them (they depend on nothing in crimnet but its errors).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import check_type

__all__ = ["isin"]


def isin(values: Any, candidates: Any) -> np.ndarray:
    """Return ``values.isin(candidates)`` as a bool array, through Arrow's hash set.

    Parameters
    ----------
    values : Series, Index, ndarray, list or tuple of str
        The values to test (a Series, Index, array or list; nulls are never in).
    candidates : Series, Index, ndarray, list, tuple or set of str
        The set to test against.

    Returns
    -------
    ndarray of bool
        One entry per value.

    Notes
    -----
    pandas' ``isin`` on Arrow-backed strings converts every value to a Python
    object first (seconds per million rows); this is one hash-set pass in C,
    O(n + m) for n values and m candidates.

    Examples
    --------
    >>> isin(pd.Series(["a", "b", None]), {"b", "c"}).tolist()
    [False, True, False]
    """
    arrays = (pd.Series, pd.Index, np.ndarray, list, tuple)
    check_type(values, arrays, param="values", func="isin", expected="a Series, Index, array or list")
    check_type(candidates, (*arrays, set), param="candidates", func="isin", expected="a Series, Index, array or set")
    if len(values) == 0 or len(candidates) == 0:
        return np.zeros(len(values), dtype=bool)
    # Arrow-backed strings convert without a copy into Python objects; is_in ignores duplicate candidates
    va = pa.array(pd.Series(values, copy=False), from_pandas=True).cast(pa.large_string())
    pool = list(candidates) if isinstance(candidates, set) else candidates
    ca = pa.array(pd.Series(pool, copy=False), from_pandas=True).cast(pa.large_string())
    return np.asarray(pc.is_in(va, value_set=ca).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
