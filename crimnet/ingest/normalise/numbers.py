"""Normaliser for integer counts and durations."""

from __future__ import annotations

import re

import pandas as pd

from crimnet.errors import ParameterError
from crimnet.ingest.normalise.base import Result, check_series, map_distinct, quote

__all__ = ["normalise_integer"]

_INTEGER = re.compile(r"^[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0*)?$")


def normalise_integer(values: pd.Series, *, minimum: int | None = None, maximum: int | None = None) -> pd.DataFrame:
    """Normalise whole numbers (counts, durations in seconds) to Int64.

    Parameters
    ----------
    values : pandas.Series
        Integers as text (``'42'``, ``'1,200'``, ``'42.0'``) or numbers.
    minimum, maximum : int or None, default None
        Inclusive bounds; values outside are errors (e.g. ``minimum=0`` for durations).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (Int64) or NA; ``error`` (string) for non-empty
        values that are not whole numbers in range, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series or an option is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_integer(pd.Series(["42", "1,200", "4.5", "-1"]), minimum=0)["value"].tolist()
    [42, 1200, <NA>, <NA>]
    """
    func = "normalise_integer"
    check_series(values, func)
    for name, bound in (("minimum", minimum), ("maximum", maximum)):
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
            raise ParameterError(f"The {name!r} parameter of {func} must be an int or None. Got {bound!r} instead.")
    lo = -(2**63) if minimum is None else minimum
    hi = 2**63 - 1 if maximum is None else maximum

    def one(text: str) -> Result:
        if len(text) > 32 or not _INTEGER.match(text):
            return None, f"{quote(text)} is not a whole number"
        n = int(text.split(".")[0].replace(",", ""))
        if not (lo <= n <= hi):
            lo_s = "-inf" if minimum is None else str(lo)
            hi_s = "inf" if maximum is None else str(hi)
            return None, f"{quote(text)} is outside [{lo_s}, {hi_s}]"
        return n, None

    return map_distinct(one, values, func=func, dtype="Int64")
