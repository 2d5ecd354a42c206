"""Shared machinery of the normalisers: distinct-value mapping, result assembly and text helpers.

Every normaliser works on the distinct non-missing values of its input once and
maps the results back with integer codes (:func:`pandas.factorize`), so a column
of 1M rows holding 200k distinct values costs 200k normalisations, not 1M.

A normaliser module writes a scalar function ``text -> (value, None) or (None, reason)``
(a :data:`Result`) and hands it to :func:`map_distinct`; one that parses a whole block
of values at once (timestamps) uses :func:`map_distinct_texts`; a key builder that
returns a value without a reason uses :func:`map_values`. A value is missing (NA in both
result columns, no error) when it is None, NaN, NA, NaT, or text made only of
whitespace, control and zero-width characters.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crimnet.errors import ParameterError, bad_parameter

__all__ = [
    "Result",
    "check_series",
    "map_distinct",
    "map_distinct_texts",
    "map_values",
    "ascii_fold",
    "quote",
    "collapse_spaces",
    "remove_control",
]

Result = tuple[Any, str | None]
"""What a scalar normaliser returns: ``(value, None)`` or ``(None, reason)``."""

_INVISIBLE = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff"
_CONTROL = re.compile(f"[{_INVISIBLE}]")
_EDGES = re.compile(rf"^[\s{_INVISIBLE}]+|[\s{_INVISIBLE}]+$")
_SPACES = re.compile(r"\s+")

# Letters that Unicode NFKD does not decompose into ASCII, mapped by hand.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
        "ŧ": "t",
        "Ŧ": "T",
        "ŋ": "ng",
        "Ŋ": "Ng",
        "ĸ": "k",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def _to_text(x: Any) -> str | None:
    """Return `x` as stripped text, or None when it is missing, NaN or blank.

    Whitespace, control and zero-width characters at either end are stripped;
    a value made only of them is blank.

    Integral floats (``7700900123.0``, as a CSV reader produces for a numeric
    column with gaps) become ``'7700900123'``.
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, str):
        if x and "!" <= x[0] <= "~" and "!" <= x[-1] <= "~":  # printable ASCII at both ends: nothing to strip
            return x
        s = x
    elif isinstance(x, (bool, np.bool_)):
        s = str(bool(x))
    elif isinstance(x, (int, np.integer)):
        s = str(int(x))
    elif isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f):
            return None
        s = str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)
    else:
        s = str(x)
    s = _EDGES.sub("", s)
    return s or None


def ascii_fold(text: str) -> str:
    """Fold `text` to ASCII: hand-mapped letters, NFKD decomposition, non-ASCII dropped.

    >>> ascii_fold("Łukasz Größe-Ødegård")
    'Lukasz Grosse-Odegard'
    """
    _check_text(text, "ascii_fold")
    text = text.translate(_SPECIAL)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def quote(text: str, limit: int = 60) -> str:
    """Return ``repr(text)``, shortened to about `limit` characters, for error messages.

    >>> quote("x" * 100, limit=10)
    "'xxxxxxx...'"
    """
    _check_text(text, "quote")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def check_series(values: Any, func: str) -> pd.Series:
    """Raise :class:`~crimnet.errors.ParameterError` (naming `func`) unless `values` is a pandas Series; return it."""
    if not isinstance(values, pd.Series):
        raise ParameterError(
            f"The 'values' parameter of {func} must be a pandas Series. Got {type(values).__name__} instead."
        )
    return values


def _distinct_texts(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """Factorise `values`; return the codes (-1 for missing) and each distinct value as text.

    Notes
    -----
    Time O(n) hashing plus O(k) text conversion for k distinct values.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # one bulk conversion to Python objects (iterating an Arrow-backed array value by value is slow)
    return codes, [_to_text(u) for u in np.asarray(uniques, dtype=object)]


def _assemble(
    index: pd.Index,
    codes: np.ndarray,
    values: Sequence[Any],
    errors: Sequence[str | None],
    *,
    dtype: str = "string",
) -> pd.DataFrame:
    """Build the ``value``/``error`` frame from per-distinct results and factorisation codes."""
    k = len(values)
    vals = np.empty(k + 1, dtype=object)
    errs = np.empty(k + 1, dtype=object)
    vals[:k] = values
    errs[:k] = errors
    vals[k] = None
    errs[k] = None
    take = np.where(codes < 0, k, codes)
    return pd.DataFrame(
        {"value": _take_array(vals, take, dtype), "error": _take_array(errs, take, "string")}, index=index
    )


def _take_array(distinct: np.ndarray, take: np.ndarray, dtype: str) -> Any:
    """``pd.array(distinct[take], dtype)``; strings are converted once per distinct value, then taken in Arrow."""
    if dtype == "string":
        try:
            arr = pa.array(distinct, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all str/None: the general path
            pass
        else:
            return pd.array(arr.take(pa.array(take)), dtype=dtype)
    return pd.array(distinct[take], dtype=dtype)


def map_distinct_texts(
    fn: Callable[[list[str | None]], tuple[Sequence[Any], Sequence[str | None]]],
    values: pd.Series,
    *,
    func: str,
    dtype: str = "string",
) -> pd.DataFrame:
    """Apply the block normaliser `fn` to the distinct values of `values` at once and map the results back.

    Parameters
    ----------
    fn : callable
        Takes the distinct values as a list of stripped text (None for a blank value) and
        returns ``(values, errors)``: two sequences of that length, a normalised value or
        None and a reason or None for each (None and None for a blank one).
    values : pandas.Series
        The raw column.
    func : str
        The normaliser's name, for the error when `values` is not a Series.
    dtype : str, default 'string'
        pandas dtype of the ``value`` column.

    Returns
    -------
    pandas.DataFrame
        ``value`` (`dtype`) and ``error`` (string), with the index of `values`; NA for missing values.

    Examples
    --------
    >>> def lengths(texts):
    ...     return [None if t is None else len(t) for t in texts], [None] * len(texts)
    >>> map_distinct_texts(lengths, pd.Series(["ab", None, " ab ", "abc"]), func="f", dtype="Int64")["value"].tolist()
    [2, <NA>, 2, 3]
    """
    _check_callable(fn, "map_distinct_texts")
    check_series(values, func)
    codes, texts = _distinct_texts(values)
    out_v, out_e = fn(texts)
    return _assemble(values.index, codes, out_v, out_e, dtype=dtype)


def map_distinct(
    fn: Callable[[str], Result],
    values: pd.Series,
    *,
    func: str,
    dtype: str = "string",
) -> pd.DataFrame:
    """Apply the scalar normaliser `fn` to each distinct non-missing value of `values` and map back.

    An exception escaping `fn` is a bug; it is turned into an error reason rather than
    failing the whole column, so one hostile cell cannot stop an ingest.

    Parameters
    ----------
    fn : callable
        Takes stripped non-empty text and returns a :data:`Result`: ``(value, None)`` or
        ``(None, reason)``.
    values, func, dtype
        As for :func:`map_distinct_texts`: the raw column, the normaliser's name (for the
        error when `values` is not a Series) and the dtype of the ``value`` column.

    Returns
    -------
    pandas.DataFrame
        As :func:`map_distinct_texts` returns it.

    Examples
    --------
    >>> def upper(t):
    ...     return (t.upper(), None) if t.isalpha() else (None, f"{quote(t)} is not a word")
    >>> out = map_distinct(upper, pd.Series(["ab", "  ", "a1"]), func="f")
    >>> out["value"].tolist(), out["error"].tolist()
    (['AB', <NA>, <NA>], [<NA>, <NA>, "'a1' is not a word"])
    """
    _check_callable(fn, "map_distinct")

    def each(texts: list[str | None]) -> tuple[list[Any], list[str | None]]:
        out_v: list[Any] = []
        out_e: list[str | None] = []
        for t in texts:
            if t is None:
                out_v.append(None)
                out_e.append(None)
                continue
            try:
                v, e = fn(t)
            except Exception as exc:  # pragma: no cover - defensive
                v, e = None, f"{quote(t)} could not be normalised ({type(exc).__name__})"
            out_v.append(v)
            out_e.append(e)
        return out_v, out_e

    return map_distinct_texts(each, values, func=func, dtype=dtype)


def map_values(fn: Callable[[str], Any], values: pd.Series, *, func: str, dtype: str = "string") -> pd.Series:
    """Apply `fn` (stripped non-empty text -> value or None) to each distinct non-missing value; return a Series.

    Parameters
    ----------
    fn : callable
        Takes stripped non-empty text and returns a value or None (no reasons: for key builders).
    values : pandas.Series
        The raw column.
    func : str
        The caller's name, for the error when `values` is not a Series.
    dtype : str, default 'string'
        pandas dtype of the result.

    Returns
    -------
    pandas.Series
        Index and name of `values`; NA for missing values and where `fn` gave None.

    >>> map_values(str.lower, pd.Series(["AB", None, "Ab "]), func="f").tolist()
    ['ab', <NA>, 'ab']
    """
    _check_callable(fn, "map_values")
    check_series(values, func)
    codes, texts = _distinct_texts(values)
    out = [None if t is None else fn(t) for t in texts]
    k = len(out)
    arr = np.empty(k + 1, dtype=object)
    arr[:k] = out
    arr[k] = None
    take = np.where(codes < 0, k, codes)
    return pd.Series(_take_array(arr, take, dtype), index=values.index, name=values.name)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends.

    >>> collapse_spaces("  1  high\\tstreet ")
    '1 high street'
    """
    _check_text(text, "collapse_spaces")
    return _SPACES.sub(" ", text).strip()


def remove_control(text: str) -> str:
    """Replace control and zero-width characters with spaces.

    >>> remove_control("a\\u200bb\\x00c")
    'a b c'
    """
    _check_text(text, "remove_control")
    return _CONTROL.sub(" ", text)


def _check_text(text: Any, func: str) -> None:
    if not isinstance(text, str):
        raise bad_parameter("text", func, "a str", text)


def _check_callable(fn: Any, func: str) -> None:
    if not callable(fn):
        raise bad_parameter("fn", func, "a callable", fn)
