"""Evidence, and the facts about people that cluster risk and role inference both read.

An :class:`Evidence` is one observable signal: what :mod:`crimnet.graphs.detect.risk`
calls an indicator of a cluster and :mod:`crimnet.graphs.detect.roles` a piece
of evidence about a member. Its raw value, measured from the canonical tables,
becomes a strength in [0, 1] by a linear ramp from a *normal* level ``v0``
(strength 0) to a *saturated* level ``v1`` (strength 1); the strength times a
weight is its contribution to a score, and a sentence template writes it out in
plain words.

Ages and family names are read the same way everywhere:

* a case has one reference date, its "now": the latest date or timestamp any
  relationship of its tables mentions (:func:`reference_date`), never the
  machine's clock, so the same tables give the same ages whenever they are
  analysed;
* an age is the number of completed years between the date of birth and that
  date (:func:`person_ages`);
* a family name is the last word of the normalised name, which the schema
  writes ``'given family'`` (:func:`family_names`).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.tables import CanonicalTables

__all__ = ["DATED_COLUMNS", "Evidence", "family_names", "person_ages", "reference_date"]

DATED_COLUMNS = ("first_seen", "last_seen", "ts")
"""Relationship columns that date what happened (ISO 8601 dates and UTC timestamps, see :mod:`crimnet.schema`)."""


@dataclass(frozen=True)
class Evidence:
    """One observable signal: its ramp, its weight and its sentence.

    Attributes
    ----------
    name : str
        Column of the raw value.
    v0, v1 : float
        Normal level (strength 0) and saturated level (strength 1); with
        ``v1 < v0`` lower values are stronger.
    weight : float
        Score points at full strength (for cluster risk, the default of
        :class:`crimnet.graphs.detect.risk.RiskWeights`).
    sentence : str
        Plain-words template in :meth:`str.format` syntax: ``{v}`` is the raw
        value, any other field a column of the same name (an account, a
        business, an address, ``size``...).

    Examples
    --------
    >>> e = Evidence("people_per_phone", 2, 6, 1.5, "{v:.0f} people share one phone ({phone})")
    >>> e.strength([1.0, 4.0, 9.0]).tolist()
    [0.0, 0.5, 1.0]
    >>> e.sentences(pd.DataFrame({"people_per_phone": [4.0], "phone": ["+4477"]})).tolist()
    ['4 people share one phone (+4477)']
    """

    name: str
    v0: float
    v1: float
    weight: float
    sentence: str

    def strength(self, values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
        """Map raw values to [0, 1] by the linear ramp ``(v - v0) / (v1 - v0)``, clipped (NaN stays NaN)."""
        v = np.asarray(values, dtype=float)
        return np.clip((v - self.v0) / (self.v1 - self.v0), 0.0, 1.0)

    def sentences(self, frame: pd.DataFrame) -> pd.Series:
        """Write the sentence of every row of `frame`, vectorised.

        ``{v}`` reads column :attr:`name`, other fields the column of their
        name; a missing value, or column, is written ``'?'``. The format specs ``.0f``,
        ``.0%`` and ``times`` (a count in words: ``'once'``, ``'3 times'``) are vectorised,
        others go through :func:`format`.
        """
        text = pd.Series("", index=frame.index, dtype=object)
        for literal, field, spec, _ in string.Formatter().parse(self.sentence):
            text = text + literal
            if field is not None:
                col = self.name if field == "v" else field
                values = frame[col] if col in frame.columns else pd.Series(None, index=frame.index, dtype=object)
                text = text + _format(values, spec or "")
        return text


def _format(values: pd.Series, spec: str) -> pd.Series:
    """Format a column like ``format(v, spec)``, ``'?'`` where missing."""
    known = values.notna().to_numpy()
    v = values[known]
    if spec == ".0f":
        done = v.astype(float).round().astype("int64").astype(str)
    elif spec == ".0%":
        done = (v.astype(float) * 100).round().astype("int64").astype(str) + "%"
    elif spec == "times":  # a count of occurrences in words: 'once', '3 times'
        n = v.astype(float).round().astype("int64")
        done = pd.Series(np.where(n == 1, "once", n.astype(str) + " times"), index=v.index)
    elif spec:
        done = v.map(lambda x: format(x, spec))
    else:
        done = v.astype(str)
    out = np.full(len(values), "?", dtype=object)
    out[known] = done.to_numpy(dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def _latest(values: pd.Series) -> pd.Timestamp | None:
    """The latest of a column of ISO 8601 dates or timestamps (None when none parses).

    ISO 8601 strings of one format sort as their dates, so the largest string is
    parsed alone; the whole column only when that one does not parse.
    """
    try:
        top = pd.to_datetime(values.max(), errors="coerce", utc=True)
    except (TypeError, ValueError):
        top = pd.NaT
    if pd.isna(top):
        top = pd.to_datetime(values.astype(str), errors="coerce", utc=True, format="ISO8601").max()
    return None if pd.isna(top) else pd.Timestamp(top)


def reference_date(tables: CanonicalTables) -> pd.Timestamp | None:
    """Return a case's reference date: the latest date or timestamp its relationships mention.

    Ages, and anything else measured "now", are measured at this date, so they
    depend on the data alone: the same tables give the same answer on any day.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of the case.

    Returns
    -------
    pandas.Timestamp or None
        The latest value (UTC) of :data:`DATED_COLUMNS` over every relationship
        table (``first_seen``, ``last_seen`` and the events' ``ts``); None when
        nothing is dated.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`~crimnet.tables.CanonicalTables`.

    Notes
    -----
    One maximum per dated column: O(rows) string comparisons, and one parse.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["a"]}), "Address": pd.DataFrame({"id": ["h"]}),
    ...     "LIVES_AT": pd.DataFrame({"src": ["a"], "dst": ["h"], "last_seen": ["2024-06-30"]}),
    ...     "PAID": pd.DataFrame({"id": ["p"], "src": ["x"], "dst": ["y"], "ts": ["2024-07-02T09:00:00Z"]})})
    >>> reference_date(t)
    Timestamp('2024-07-02 09:00:00+0000', tz='UTC')
    """
    check_type(tables, CanonicalTables, param="tables", func="reference_date", expected="a CanonicalTables")
    latest = [
        _latest(df[col].dropna())
        for df in tables.rels.values()
        for col in DATED_COLUMNS
        if col in df.columns and df[col].notna().any()
    ]
    found = [t for t in latest if t is not None]
    return max(found) if found else None


def person_ages(tables: CanonicalTables, *, reference: pd.Timestamp | str | None = None) -> pd.Series:
    """Return every person's age in completed years at the case's reference date.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of the case (``Person.dob``, ``YYYY-MM-DD``).
    reference : Timestamp or str, optional
        The date ages are measured at; default :func:`reference_date` of `tables`.

    Returns
    -------
    Series of float64
        Indexed by person id (str, first row of a repeated id); NaN where the
        date of birth is unknown or unparsable, and for everyone when the case
        has no dated record and no `reference` is given.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`~crimnet.tables.CanonicalTables` or
        `reference` is not a date.

    Notes
    -----
    One vectorised date parse: O(people).

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["a", "b", "c"], "dob": ["2000-07-03", "2000-07-02", None]})})
    >>> person_ages(t, reference="2018-07-02").to_dict()
    {'a': 17.0, 'b': 18.0, 'c': nan}
    """
    func = "person_ages"
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    if reference is None:
        ref = reference_date(tables)
    else:
        try:
            ref = pd.Timestamp(reference)
        except (TypeError, ValueError):
            raise bad_parameter("reference", func, "a date (Timestamp or ISO 8601 string) or None", reference) from None
        if pd.isna(ref):
            raise bad_parameter("reference", func, "a date (Timestamp or ISO 8601 string) or None", reference)
    persons = tables.nodes["Person"]
    ids = persons["id"].astype(str).to_numpy()
    ages = np.full(len(persons), np.nan)
    if ref is not None and len(persons):
        dob = pd.to_datetime(persons["dob"], errors="coerce", format="ISO8601")
        before_birthday = (dob.dt.month > ref.month) | ((dob.dt.month == ref.month) & (dob.dt.day > ref.day))
        ages = (ref.year - dob.dt.year - before_birthday.astype(float)).to_numpy(dtype=float)  # NaN without a dob
    out = pd.Series(ages, index=ids, dtype=np.float64)
    return out[~out.index.duplicated()]


def family_names(values: pd.Series) -> pd.Series:
    """Return the family name in each normalised full name: its last word (``''`` when there is none).

    Parameters
    ----------
    values : Series of str
        Names as the schema normalises them, ``'given family'``.

    Returns
    -------
    Series of str (object dtype)
        Same index.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> family_names(pd.Series(["ana maria pop", "ion", None, "  "])).tolist()
    ['pop', 'ion', '', '']
    """
    check_type(values, pd.Series, param="values", func="family_names", expected="a pandas Series of names")
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.extract(r"(\S+)\s*$", expand=False).fillna("").astype(object)
