"""Exceptions raised by crimnet and the one template for parameter errors.

Every error crimnet raises on purpose subclasses :class:`CrimnetError`, so a
caller can catch them all. Parameter errors at public boundaries use one
message template (after scikit-learn's ``_param_validation``)::

    The 'resolution' parameter of leiden_clusters must be a float in (0, inf). Got -1 instead.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

__all__ = [
    "CrimnetError",
    "ParameterError",
    "SchemaError",
    "SpecError",
    "IngestError",
    "StoreError",
    "QueryError",
    "ReadOnlyError",
    "bad_parameter",
    "check_choice",
    "check_columns",
    "check_interval",
    "check_type",
]


class CrimnetError(Exception):
    """Base class of every error crimnet raises on purpose."""


class ParameterError(CrimnetError, ValueError):
    """A public function was given a parameter it cannot accept."""


class SchemaError(CrimnetError, ValueError):
    """A table or name does not fit the data model in :mod:`crimnet.schema`."""


class SpecError(CrimnetError, ValueError):
    """A source spec file is wrong; the message names the file and line."""


class IngestError(CrimnetError):
    """An ingest could not complete; the message names the file, row and field."""


class StoreError(CrimnetError):
    """A graph store could not be reached or refused an operation."""


class QueryError(CrimnetError, ValueError):
    """A query is unknown, or its parameters do not bind."""


class ReadOnlyError(QueryError):
    """A write was attempted through a read-only query path."""


def bad_parameter(param: str, func: str, expected: str, got: Any) -> ParameterError:
    """Return a :class:`ParameterError` in the one template: *The 'p' parameter of f must be ... Got ... instead.*"""
    return ParameterError(f"The {param!r} parameter of {func} must be {expected}. Got {got!r} instead.")


def check_columns(value: Any, columns: Sequence[str], *, param: str, func: str) -> None:
    """Raise :class:`ParameterError` unless `value` is a pandas DataFrame with every column of `columns`.

    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a", "b"], param="df", func="f")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'df' parameter of f must be a DataFrame with columns ['a', 'b']. Got ...
    """
    import pandas as pd

    check_type(value, pd.DataFrame, param=param, func=func, expected="a DataFrame")
    if not set(columns) <= set(value.columns):
        raise ParameterError(
            f"The {param!r} parameter of {func} must be a DataFrame with columns {list(columns)}. "
            f"Got columns {list(value.columns)!r} instead."
        )


def check_type(value: Any, types: type | tuple[type, ...], *, param: str, func: str, expected: str) -> None:
    """Raise :class:`ParameterError` unless `value` is an instance of `types`.

    >>> check_type("a", int, param="k", func="f", expected="an int")
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'k' parameter of f must be an int. Got 'a' instead.
    """
    # bool is an int subclass but never a meaningful count or weight.
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        raise bad_parameter(param, func, expected, value)


def check_interval(
    value: Any,
    *,
    param: str,
    func: str,
    low: float = -math.inf,
    high: float = math.inf,
    closed: str = "neither",
    integer: bool = False,
) -> None:
    """Raise :class:`ParameterError` unless `value` is a number in the interval.

    Parameters
    ----------
    value : object
        The value to check.
    param, func : str
        Parameter and function names, for the message.
    low, high : float
        Interval bounds.
    closed : {'neither', 'left', 'right', 'both'}
        Which bounds are included.
    integer : bool, default False
        Require an ``int`` rather than any real number.

    >>> check_interval(-1, param="resolution", func="leiden", low=0)
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'resolution' parameter of leiden must be a float in (0, inf). Got -1 instead.
    """
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    kind = "an int" if integer else "a float"
    expected = f"{kind} in {left}{_fmt(low)}, {_fmt(high)}{right}"
    types: tuple[type[Any], ...] = (int,) if integer else (int, float)
    try:
        import numpy as np

        types = types + ((np.integer,) if integer else (np.integer, np.floating))
    except ImportError:  # pragma: no cover - numpy is a core dependency
        pass
    if not isinstance(value, types) or isinstance(value, bool) or math.isnan(value):
        raise bad_parameter(param, func, expected, value)
    too_low = value < low if left == "[" else value <= low
    too_high = value > high if right == "]" else value >= high
    if too_low or too_high:
        raise bad_parameter(param, func, expected, value)


def check_choice(value: Any, options: Collection[Any], *, param: str, func: str) -> None:
    """Raise :class:`ParameterError` unless `value` is one of `options`.

    >>> check_choice("x", ["a", "b"], param="method", func="f")
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'method' parameter of f must be one of ['a', 'b']. Got 'x' instead.
    """
    if value not in options:
        raise bad_parameter(param, func, f"one of {sorted(options)}", value)


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    return f"{x:g}"
