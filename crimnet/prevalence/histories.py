"""Capture histories: which lists saw each case, as a table of counts.

A capture-history table has one 0/1 column per list (agency or source), then ``count``: the number of
cases seen on exactly that combination of lists. The history seen by no list is never a row (it is the
unknown the estimate is about); a combination that is not listed has count 0. This is the format of
the tables bundled in :mod:`crimnet.datasets` and of the R packages SparseMSE and
MultipleSystemsEstimation, so those tables read as they are.

Three sources of a table:

- :func:`read_capture_histories`: a CSV a researcher brings (one 0/1 column per list, ``count``);
- :func:`from_tables`: a resolved case, from the ``sources`` list of every resolved ``Person``
  (optionally only some people, e.g. those a rule or a role score flags as potential victims);
- :func:`capture_table`: any DataFrame in the format above (checked and tidied).

:func:`read_draws` reads bootstrap resamples drawn elsewhere (R's), to replay a published run.

:func:`cell_counts` turns a table into the vector of counts indexed by the history's bit mask
(list ``i`` is bit ``i``), the form every fitting routine of this package works on.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from crimnet.errors import CrimnetError, bad_parameter, check_type
from crimnet.tables import CanonicalTables

__all__ = [
    "CaptureHistoryError",
    "MAX_LISTS",
    "capture_table",
    "cell_counts",
    "from_tables",
    "read_capture_histories",
    "read_draws",
]

MAX_LISTS = 16
"""The most lists a table may have: the model matrices have ``2**lists - 1`` rows."""


class CaptureHistoryError(CrimnetError, ValueError):
    """A capture-history table is malformed; the message names the file, row and field."""


def capture_table(df: pd.DataFrame, *, where: str = "table") -> pd.DataFrame:
    """Check and tidy a capture-history table.

    Parameters
    ----------
    df : pandas.DataFrame
        One 0/1 column per list, then ``count`` (any position); repeated histories are added up.
    where : str, default 'table'
        What to call the table in error messages (a file name).

    Returns
    -------
    pandas.DataFrame
        int64 list columns in the given order, then ``count``; one row per history seen at least once
        (rows of count 0 dropped, the all-zero history refused unless its count is 0), sorted by the
        number of lists and then by bit mask. ``attrs['lists']`` holds the list names; other attrs kept.

    Raises
    ------
    CaptureHistoryError
        On a missing ``count`` column, fewer than two lists, a value other than 0/1, a negative or
        non-integer count, or a positive count for the history seen by no list; the message names
        the row (1-based, as in the file after its header) and field.

    Examples
    --------
    >>> t = capture_table(pd.DataFrame({"A": [1, 0, 1, 1], "B": [0, 1, 1, 1], "count": [5, 3, 1, 1]}))
    >>> t.to_dict("list"), t.attrs["lists"]
    ({'A': [1, 0, 1], 'B': [0, 1, 1], 'count': [5, 3, 2]}, ['A', 'B'])
    """
    check_type(df, pd.DataFrame, param="df", func="capture_table", expected="a pandas DataFrame")
    check_type(where, str, param="where", func="capture_table", expected="a str")
    if "count" not in df.columns:
        raise CaptureHistoryError(f"{where}: no 'count' column (columns: {list(df.columns)})")
    lists = [str(c) for c in df.columns if c != "count"]
    if len(lists) < 2:
        raise CaptureHistoryError(f"{where}: multiple systems estimation needs at least two list columns; got {lists}")
    if len(lists) > MAX_LISTS:
        raise CaptureHistoryError(f"{where}: {len(lists)} lists; at most {MAX_LISTS} are supported")
    if len(set(lists)) < len(lists):
        raise CaptureHistoryError(f"{where}: repeated list column names {lists}")
    values = {}
    for col in [*df.columns]:
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() | (num != np.round(num))
        if col != "count":
            bad |= ~num.isin([0, 1])
        else:
            bad |= num < 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            kind = "a non-negative whole number" if col == "count" else "0 or 1"
            raise CaptureHistoryError(f"{where}: row {i + 1}, field {col!r}: expected {kind}, got {df[col].iloc[i]!r}")
        values[str(col)] = num.astype("int64").to_numpy()
    out = pd.DataFrame({c: values[c] for c in [*lists, "count"]})
    zero = (out[lists].sum(axis=1) == 0) & (out["count"] > 0)
    if zero.any():
        i = int(np.flatnonzero(zero.to_numpy())[0])
        raise CaptureHistoryError(
            f"{where}: row {i + 1}, field 'count': the history seen by no list cannot have a count "
            "(it is what the estimate is for)"
        )
    out = out[(out["count"] > 0)]
    out = out.groupby(lists, as_index=False, sort=False)["count"].sum()
    mask = sum(out[c].to_numpy() << i for i, c in enumerate(lists))
    order = np.lexsort((mask, out[lists].sum(axis=1).to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs = {**df.attrs, "lists": lists}
    return out


def cell_counts(table: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """The counts of a capture-history table indexed by history bit mask.

    Parameters
    ----------
    table : pandas.DataFrame
        A capture-history table (see :func:`capture_table`; it is checked again here).

    Returns
    -------
    lists : list of str
        The list names; list ``i`` is bit ``i`` of a history's mask.
    counts : numpy.ndarray of int64
        Length ``2**len(lists)``: ``counts[h]`` is the number of cases with history mask ``h``;
        ``counts[0]`` (seen by no list) is 0. O(rows + 2**lists).

    Examples
    --------
    >>> import pandas as pd
    >>> cell_counts(pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [5, 3, 2]}))[1].tolist()
    [0, 5, 3, 2]
    """
    check_type(table, pd.DataFrame, param="table", func="cell_counts", expected="a capture-history DataFrame")
    tidy = capture_table(table, where=str(table.attrs.get("dataset", "table")))
    lists = tidy.attrs["lists"]
    counts = np.zeros(2 ** len(lists), dtype=np.int64)
    mask = sum(tidy[c].to_numpy() << i for i, c in enumerate(lists))
    np.add.at(counts, np.asarray(mask, dtype=np.int64), tidy["count"].to_numpy())
    return lists, counts


def read_capture_histories(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a capture-history CSV a researcher brings.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file: one 0/1 column per list and a ``count`` column; histories not listed count 0.

    Returns
    -------
    pandas.DataFrame
        The tidied table of :func:`capture_table`; ``attrs['dataset']`` is the file name.

    Raises
    ------
    CaptureHistoryError
        If the file cannot be read or is malformed; the message names the file, row and field.
    """
    if not isinstance(path, str | os.PathLike):
        raise bad_parameter("path", "read_capture_histories", "a path to a CSV file", path)
    p = Path(path)
    try:
        raw = pd.read_csv(p, dtype=str, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise CaptureHistoryError(f"{p}: cannot read a capture-history CSV ({err})") from err
    raw.columns = [str(c).strip() for c in raw.columns]
    raw.attrs = {"dataset": p.name}
    return capture_table(raw, where=str(p))


def read_draws(path: str | os.PathLike[str], lists: Sequence[str]) -> np.ndarray:
    """Read bootstrap resamples drawn elsewhere (e.g. by R), to replay a run of the reference package.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file: one row per resample, one column per capture history, named by its lists joined
        by ``+`` (``A+C``), holding the number of cases drawn with that history.
    lists : sequence of str
        The table's list names, in the order of :func:`cell_counts` (list ``i`` is bit ``i``).

    Returns
    -------
    numpy.ndarray of int64
        Shape ``(resamples, 2**len(lists))``, indexed by history mask like :func:`cell_counts`; for
        the ``draws`` of :func:`crimnet.prevalence.bootstrap.bootstrap`. O(resamples * columns).

    Raises
    ------
    CaptureHistoryError
        If the file cannot be read, a column names an unknown list, or a count is not a non-negative integer.
    """
    if not isinstance(path, str | os.PathLike):
        raise bad_parameter("path", "read_draws", "a path to a CSV file", path)
    names = list(lists)
    p = Path(path)
    try:
        frame = pd.read_csv(p)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise CaptureHistoryError(f"{p}: cannot read a CSV of resamples ({err})") from err
    masks = []
    for col in frame.columns:
        parts = str(col).split("+")
        unknown = [x for x in parts if x not in names]
        if unknown or len(set(parts)) != len(parts):
            raise CaptureHistoryError(f"{p}: column {col!r} is not a capture history of the lists {names}")
        masks.append(sum(1 << names.index(x) for x in parts))
    if len(set(masks)) != len(masks):
        raise CaptureHistoryError(f"{p}: a capture history is named by two columns")
    values = frame.to_numpy()
    if not np.issubdtype(values.dtype, np.integer) or (values < 0).any():
        raise CaptureHistoryError(f"{p}: every count must be a non-negative integer")
    draws = np.zeros((len(frame), 2 ** len(names)), dtype=np.int64)
    draws[:, masks] = values
    return draws


def from_tables(
    tables: CanonicalTables,
    *,
    people: Collection[str] | None = None,
    sources: Collection[str] | None = None,
) -> pd.DataFrame:
    """Capture histories of a resolved case: which sources list each resolved person.

    Parameters
    ----------
    tables : CanonicalTables
        A resolved case; every ``Person`` row carries ``sources``, the source datasets that mention it.
    people : collection of str, optional
        Only these person ids (e.g. those flagged as potential victims by a rule, a role score or the
        generator's truth); default every person. Ids naming no person are ignored.
    sources : collection of str, optional
        The lists, in this order; default every source that lists at least one of the people, sorted.
        A person on none of them is left out (the estimate adds those no list saw).

    Returns
    -------
    pandas.DataFrame
        A capture-history table (:func:`capture_table`); ``attrs``: ``lists``, ``people`` (how many
        people went in).

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not canonical tables, or `people` / `sources` is not a collection of strings.
    CaptureHistoryError
        If fewer than two sources list anyone.

    Examples
    --------
    >>> t = CanonicalTables.from_partial(
    ...     {"Person": pd.DataFrame({"id": ["a", "b", "c"], "sources": [["police"], ["police", "ngo"], ["ngo"]]})}
    ... )
    >>> from_tables(t).to_dict("list")
    {'ngo': [1, 0, 1], 'police': [0, 1, 1], 'count': [1, 1, 1]}
    """
    check_type(tables, CanonicalTables, param="tables", func="from_tables", expected="CanonicalTables")
    for name, value in (("people", people), ("sources", sources)):
        if value is not None and (
            isinstance(value, str | bytes)
            or not isinstance(value, Collection)
            or not all(isinstance(v, str) for v in value)
        ):
            raise bad_parameter(name, "from_tables", "a collection of str or None", value)
    persons = tables.nodes["Person"]
    if people is not None:
        persons = persons[persons["id"].isin(set(people))]
    seen = [set(s) if s is not None else set() for s in persons["sources"]]
    lists = list(sources) if sources is not None else sorted(set().union(*seen))
    if len(lists) < 2:
        raise CaptureHistoryError(f"Person table: fewer than two sources list the people chosen ({lists})")
    rows = np.array([[int(src in s) for src in lists] for s in seen], dtype=np.int64).reshape(-1, len(lists))
    df = pd.DataFrame(rows, columns=lists)
    df = df[df.sum(axis=1) > 0]
    df["count"] = 1
    out = capture_table(df, where="Person table")
    out.attrs["people"] = int(len(df))
    return out
