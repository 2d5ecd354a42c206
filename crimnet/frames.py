"""Fast pandas helpers for the string columns of canonical tables.

pandas 3 stores text as Arrow-backed strings, and some of its operations on
them fall back to Python loops; the helpers here go through Arrow's compute
kernels instead. Every stage may use them (they depend on nothing in crimnet but its errors).

It also holds the one guard of every CSV crimnet writes for people to open
(:func:`neutralise_formulas`, :func:`write_csv`): a text cell that a spreadsheet
would run as a formula is written with a leading apostrophe (OWASP, *CSV Injection*).
"""

from __future__ import annotations

import os
import re
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import check_type

__all__ = ["isin", "replace_ids", "neutralise_formulas", "restore_formulas", "write_csv", "FORMULA_PREFIXES"]

FORMULA_PREFIXES = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list, with the fullwidth
forms of ``= + - @`` and a line feed); a cell that starts with spaces and then ``= + - @`` is one too."""

# A cell a spreadsheet may run: formula prefix (after optional spaces), or a control prefix; with any
# number of apostrophes before it, so that neutralising (one more apostrophe) can be undone exactly.
_RISKY = re.compile("^'*(?:[ ]*[=+\\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])")
_NEUTRALISED = re.compile("^'+(?:[ ]*[=+\\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])")
# A plain number (a negative amount, an E.164 phone): never a formula, left as it is.
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


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


def replace_ids(ids: pd.Series, old: pd.Series, new: pd.Series) -> pd.Series:
    """Return `ids` with every value found in `old` replaced by the `new` value beside it.

    Parameters
    ----------
    ids : Series of str
        The ids to rewrite (NA stays NA).
    old, new : Series of str
        A mapping as two aligned columns; each `old` value appears once.

    Returns
    -------
    Series
        Same index, dtype and name as `ids`; values not in `old` unchanged.

    Notes
    -----
    One hash lookup per id: O(n + m) for n ids and m mapped values.

    Examples
    --------
    >>> replace_ids(pd.Series(["a", "b", "a"]), pd.Series(["a"]), pd.Series(["z"])).tolist()
    ['z', 'b', 'z']
    """
    check_type(ids, pd.Series, param="ids", func="replace_ids", expected="a Series of ids")
    values = ids.to_numpy(dtype=object)
    at = pd.Index(old.astype("str")).get_indexer(values)
    hit = at >= 0
    if not hit.any():
        return ids
    out = values.copy()
    out[hit] = new.to_numpy(dtype=object)[at[hit]]
    return pd.Series(out, index=ids.index, dtype=ids.dtype, name=ids.name)


def _text_columns(df: pd.DataFrame) -> list[Any]:
    """Columns that may hold text: object, string and categorical dtypes (numbers and dates are left alone)."""
    return [
        c
        for c, t in df.dtypes.items()
        if pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
    ]


def _map_text(df: pd.DataFrame, fn: Any) -> pd.DataFrame:
    out = df.copy()
    for c in _text_columns(df):
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        # built as a Series of the column's own dtype: Series.map would infer one, and a whole-number
        # column with a gap (object: 12845, None) would come back as floats and be written '12845.0'
        out[c] = pd.Series([fn(v) if isinstance(v, str) else v for v in col], index=col.index, dtype=col.dtype)
    return out


def _neutralise(v: str) -> str:
    return "'" + v if _RISKY.match(v) and not _NUMBER.match(v) else v


def _restore(v: str) -> str:
    return v[1:] if _NEUTRALISED.match(v) and not _NUMBER.match(v[1:]) else v


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `df` whose text cells a spreadsheet would run as formulas start with an apostrophe.

    Parameters
    ----------
    df : DataFrame
        Any table about to be written as CSV for a person to open.

    Returns
    -------
    DataFrame
        A copy. A text cell (object, string or categorical column) that starts with one of
        :data:`FORMULA_PREFIXES` (``= + - @``, their fullwidth forms, TAB, CR, LF), or with spaces and
        then ``= + - @``, gets a leading ``'``; so does such a cell that already starts with
        apostrophes, so that :func:`restore_formulas` gives back the exact text. Plain numbers written
        as text (``'-12.50'``, ``'+447700900123'``) and every cell of a numeric column are unchanged.
        Nothing is trimmed first: ``'\\t=1+1'`` becomes ``"'\\t=1+1"``.
        :func:`write_csv` also ends lines with CRLF when a cell holds a carriage return, so that
        the cell is quoted (Python 3.11's csv writer quotes LF but not a lone CR).

    Raises
    ------
    crimnet.errors.ParameterError
        If `df` is not a DataFrame.

    Notes
    -----
    OWASP, *CSV Injection*: spreadsheets (Excel, LibreOffice, Google Sheets) evaluate a cell that
    starts with these characters, so ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` in a source
    extract would run on an investigator's machine. O(cells of text columns).

    Examples
    --------
    >>> df = pd.DataFrame({"v": ["=1+1", "\\t=1+1", "-5", "ok", "'=x"], "n": [-1, 2, 3, 4, 5]})
    >>> neutralise_formulas(df)["v"].tolist()
    ["'=1+1", "'\\t=1+1", '-5', 'ok', "''=x"]
    >>> restore_formulas(neutralise_formulas(df)).equals(df)
    True
    """
    check_type(df, pd.DataFrame, param="df", func="neutralise_formulas", expected="a pandas DataFrame")
    return _map_text(df, _neutralise)


def restore_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_formulas` on a table read back from a CSV crimnet wrote.

    Parameters
    ----------
    df : DataFrame
        A table read from such a CSV (text columns as str).

    Returns
    -------
    DataFrame
        A copy with the one apostrophe :func:`neutralise_formulas` added removed again.

    Raises
    ------
    crimnet.errors.ParameterError
        If `df` is not a DataFrame.

    Examples
    --------
    >>> restore_formulas(pd.DataFrame({"v": ["'=1+1", "''=x", "'plain"]}))["v"].tolist()
    ['=1+1', "'=x", "'plain"]
    """
    check_type(df, pd.DataFrame, param="df", func="restore_formulas", expected="a pandas DataFrame")
    return _map_text(df, _restore)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str] | IO[str] | None = None, **kwargs: Any) -> str | None:
    """Write `df` as CSV (``index=False`` unless given) with formula cells neutralised; the one CSV writer.

    Parameters
    ----------
    df : DataFrame
        The table.
    path : path, text file or None
        Where to write; None returns the CSV text.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv`.

    Returns
    -------
    str or None
        The CSV text when `path` is None.

    Raises
    ------
    crimnet.errors.ParameterError
        If `df` is not a DataFrame.

    Examples
    --------
    >>> print(write_csv(pd.DataFrame({"ref": ["=HYPERLINK(\\"x\\")", "rent"], "amount": [-500, 700]})), end="")
    ref,amount
    "'=HYPERLINK(""x"")",-500
    rent,700
    """
    check_type(df, pd.DataFrame, param="df", func="write_csv", expected="a pandas DataFrame")
    kwargs.setdefault("index", False)
    safe = neutralise_formulas(df)
    # Python 3.11's csv writer quotes a cell holding LF but not one holding a lone CR, which then
    # splits the row in a spreadsheet; with CRLF line ends (RFC 4180) both are quoted
    if "lineterminator" not in kwargs and any(
        safe[c].map(lambda v: isinstance(v, str) and "\r" in v).any() for c in _text_columns(safe)
    ):
        kwargs["lineterminator"] = "\r\n"
    return safe.to_csv(path, **kwargs)
