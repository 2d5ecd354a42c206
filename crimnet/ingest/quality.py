"""Quality of ingested data: values that look wrong as a class, and person resolution against truth.

Ingest profiles every field of every source file as it normalises it (:class:`QualityProfile`)
and reports, per source and field, values that look wrong *as a class*, not one by one (a bad
value is the quarantine's business): a person-name field full of month names, numbers or single
letters, a field that is almost always empty, a date field with one value. These are the marks
of a spec that reads the wrong thing (a split that keeps the wrong piece of a list cell, a column
mapped by mistake, a format that drops what varies) and loads nonsense without one error. The
warnings go to ``warnings.csv``, the ``warnings`` column of the ingest summary and the output of
``crimnet ingest``; they never stop an ingest. The thresholds are the named constants below, each
justified by what it guards against (they were set from those arguments, not fitted to the
synthetic generator's files).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_type

__all__ = [
    "resolution_quality",
    "QualityProfile",
    "WARNING_COLUMNS",
    "MIN_VALUES",
    "NAME_JUNK_SHARE",
    "EMPTY_SHARE",
    "DATE_KINDS",
]

WARNING_COLUMNS = ["source", "file", "field", "check", "share", "message"]
"""Columns of the warnings table: ``check`` is ``'name_junk'``, ``'mostly_empty'`` or ``'one_date'``;
``share`` the fraction of the field's rows (or values) the check is about."""

MIN_VALUES = 10
"""Fewest rows (for emptiness) or non-empty values (for the other checks) a field needs before it is
judged. Below ten, one odd value is already a tenth or more of the field: a share says nothing about
a class of values, and a warning on a three-row test file would be noise."""

NAME_JUNK_SHARE = 0.05
"""Share of a person-name field's non-empty values that may be a month name (``'Dec'``, ``'Dec 1997)'``),
a number or a single letter before the field is reported. In a genuine register such a whole name is a
keying slip, a fraction of a percent of rows at most; one value in twenty is ten times that and means a
systematic cause, typically a ``split``/``part`` that keeps the tail of a list cell (``'... (born Dec
1997)'`` loaded as a person called ``'dec'``) or a shifted column. Five percent still catches such a
fault when it touches only some rows (officers 2..n of multi-officer lists)."""

EMPTY_SHARE = 0.9
"""Share of a field's rows with no usable value (blank, or not normalisable and dropped) at which the
field is reported. A column an agency fills in fewer than one row in ten is, far more often than not,
the wrong column (a spec pointing at a mostly blank sibling), a ``split``/``part`` that picks a piece most
values lack, or a ``format`` that fails for nearly every row. A genuinely sparse optional column (a second
phone) trips it too: the message says how many rows were blank and how many failed, and the spec can
declare such a field ``sparse = true`` to silence this check for it."""

DATE_KINDS = frozenset({"date", "timestamp"})
"""Normaliser kinds checked for a single value. A date or time column that holds one value over
:data:`MIN_VALUES` or more rows is a default or placeholder (``1900-01-01``), the extraction date mapped
in place of the event date, or a format that dropped the part that varies; an extract of a single day
trips it legitimately (the message says so)."""

_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|"
    "august|september|october|november|december"
)
_JUNK_CLASSES = (
    ("a month name", re.compile(rf"^\W*(?:{_MONTHS})\.?(?:\s*[0-9]{{2,4}})?\W*$", re.IGNORECASE)),
    ("a number", re.compile(r"^[\W_]*[0-9][0-9\W_]*$")),
    ("a single letter", re.compile(r"^\W*[^\W0-9_]\W*$")),
)
_MAX_TRACKED = 1000  # distinct odd values counted per field, to bound memory on a hostile file


class _FieldStats:
    def __init__(self, kind: str, sparse: bool) -> None:
        self.kind = kind
        self.sparse = sparse
        self.rows = self.blank = self.failed = self.values = self.junk = 0
        self.junk_values: Counter[str] = Counter()
        self.junk_classes: Counter[str] = Counter()
        self.distinct: set[str] = set()


class QualityProfile:
    """Per-field class statistics of one source file, accumulated over its chunks.

    Call :meth:`add` once per field and chunk with the raw and normalised values, then
    :meth:`warnings` once for the file. Memory is bounded per field (at most
    ``_MAX_TRACKED`` odd values and two distinct dates are kept).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.Series(["Ana Pop"] * 4 + ["Dec 1997)"] * 8, dtype="str")
    >>> value = pd.Series(["ana pop"] * 4 + ["dec"] * 8, dtype="str")
    >>> profile = QualityProfile()
    >>> profile.add("officer", "name", raw, value)
    >>> w = profile.warnings(source="companies", file="companies.csv")
    >>> w[["field", "check", "share"]].values.tolist()
    [['officer', 'name_junk', 0.667]]
    """

    def __init__(self) -> None:
        self._fields: dict[str, _FieldStats] = {}

    def add(self, field: str, kind: str, raw: pd.Series, value: pd.Series, *, sparse: bool = False) -> None:
        """Count one chunk of a field: `raw` (text before normalising) and `value` (normalised, NA when none).

        ``sparse=True`` (the spec's ``sparse = true``) declares the field expected to be mostly
        empty: it is then never reported as such.

        Raises
        ------
        crimnet.errors.ParameterError
            If `raw` or `value` is not a Series or their lengths differ.
        """
        func = "QualityProfile.add"
        check_type(field, str, param="field", func=func, expected="a field name (str)")
        check_type(kind, str, param="kind", func=func, expected="a normaliser kind (str)")
        check_type(raw, pd.Series, param="raw", func=func, expected="a pandas Series")
        check_type(value, pd.Series, param="value", func=func, expected="a pandas Series")
        if len(raw) != len(value):
            raise ParameterError(
                f"The 'value' parameter of {func} must be as long as 'raw' ({len(raw)}). "
                f"Got length {len(value)} instead."
            )
        check_type(sparse, bool, param="sparse", func=func, expected="a bool")
        st = self._fields.setdefault(field, _FieldStats(kind, sparse))
        present = raw.notna().to_numpy()
        has_value = value.notna().to_numpy()
        st.rows += len(raw)
        st.blank += int((~present).sum())
        st.failed += int((present & ~has_value).sum())
        st.values += int(present.sum())
        if kind == "name" and present.any():
            counts = raw[present].astype(str).value_counts()
            for text, n in counts.items():
                what = next((name for name, rx in _JUNK_CLASSES if rx.match(text)), None)
                if what is None:
                    continue
                st.junk += int(n)
                st.junk_classes[what] += int(n)
                if text in st.junk_values or len(st.junk_values) < _MAX_TRACKED:
                    st.junk_values[text] += int(n)
        if kind in DATE_KINDS and len(st.distinct) < 2 and has_value.any():
            st.distinct.update(value[has_value].astype(str).unique()[:2].tolist())

    def warnings(self, *, source: str, file: str, examples: bool = True) -> pd.DataFrame:
        """Return the warnings of the fields seen so far (columns :data:`WARNING_COLUMNS`).

        With ``examples=False`` (a pseudonymised ingest) messages quote no raw value.
        """
        func = "QualityProfile.warnings"
        check_type(source, str, param="source", func=func, expected="a source name (str)")
        check_type(file, str, param="file", func=func, expected="a file name (str)")
        check_type(examples, bool, param="examples", func=func, expected="a bool")
        rows = []
        for name, st in self._fields.items():
            where = f"{file}, field {name!r}"
            if st.kind == "name" and st.values >= MIN_VALUES and st.junk / st.values >= NAME_JUNK_SHARE:
                share = st.junk / st.values
                common = ", ".join(f"{t!r} x{n}" for t, n in st.junk_values.most_common(3))
                common = f" (most common: {common})" if examples else ""
                classes = " or ".join(c for c, _ in st.junk_classes.most_common())
                rows.append((name, "name_junk", share, (
                    f"{where}: {st.junk} of {st.values} names ({share:.0%}) are {classes}, not names"
                    f"{common}; does a split or part keep the wrong piece?"
                )))  # fmt: skip
            empty = st.blank + st.failed
            if not st.sparse and st.rows >= MIN_VALUES and empty / st.rows >= EMPTY_SHARE:
                share = empty / st.rows
                rows.append((name, "mostly_empty", share, (
                    f"{where}: no value in {empty} of {st.rows} rows ({share:.0%}: {st.blank} blank, "
                    f"{st.failed} not normalisable); is it the right column, split or format?"
                )))  # fmt: skip
            if st.kind in DATE_KINDS and len(st.distinct) == 1 and st.values - st.failed >= MIN_VALUES:
                only = next(iter(st.distinct))
                only = only if examples else "the same"
                rows.append((name, "one_date", 1.0, (
                    f"{where}: every one of {st.values - st.failed} dates is {only}; a placeholder, the "
                    "extraction date, or a format that drops what varies? (right only for a one-day extract)"
                )))  # fmt: skip
        out = pd.DataFrame(
            [(source, file, f, c, round(float(s), 3), m) for f, c, s, m in rows], columns=WARNING_COLUMNS
        )
        return out.astype({"share": "float64"})


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def resolution_quality(resolution: pd.DataFrame, truth_entities: pd.DataFrame) -> dict[str, float]:
    """Score person resolution pairwise against the true entities.

    A pair of person records is *predicted* when both records got the same
    entity id, and *true* when both belong to the same true person. Precision
    is the share of predicted pairs that are true, recall the share of true
    pairs that are predicted, F1 their harmonic mean.

    Parameters
    ----------
    resolution : DataFrame
        The resolution table: ``source``, ``record_id``, ``entity_id``.
    truth_entities : DataFrame
        ``truth/entities.csv``: ``source``, ``record_id``, ``entity_type``,
        ``entity_id`` (only ``entity_type == 'Person'`` rows are used, when the
        column is present).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` (float; 1.0 when there are no pairs
        to get wrong), ``pairs_true``, ``pairs_predicted``, ``pairs_correct``
        and ``records`` (int: person records found in both tables).

    Raises
    ------
    crimnet.errors.ParameterError
        If a table lacks the columns above.

    Notes
    -----
    Pairs are never materialised: with cluster sizes from the contingency
    table of (predicted entity, true entity), the pair counts are sums of
    C(n, 2) over groups. Time O(n log n), memory O(n) for n records.

    References
    ----------
    Christen, P. (2012). Data Matching, ch. 7 (pairwise quality measures).
    doi:10.1007/978-3-642-31164-2.

    Examples
    --------
    >>> res = pd.DataFrame({"source": ["a"] * 4, "record_id": ["1", "2", "3", "4"],
    ...                     "entity_id": ["P1", "P1", "P1", "P2"]})
    >>> truth = pd.DataFrame({"source": ["a"] * 4, "record_id": ["1", "2", "3", "4"],
    ...                       "entity_type": ["Person"] * 4, "entity_id": ["T1", "T1", "T2", "T2"]})
    >>> q = resolution_quality(res, truth)
    >>> q["pairs_predicted"], q["pairs_true"], q["pairs_correct"], round(q["precision"], 3), q["recall"]
    (3, 2, 1, 0.333, 0.5)
    """
    for name, df in (("resolution", resolution), ("truth_entities", truth_entities)):
        check_type(df, pd.DataFrame, param=name, func="resolution_quality", expected="a pandas DataFrame")
        missing = {"source", "record_id", "entity_id"} - set(df.columns)
        if missing:
            raise ParameterError(
                f"The {name!r} parameter of resolution_quality must have columns source, record_id, entity_id. "
                f"Got columns {list(df.columns)} instead."
            )
    truth = truth_entities
    if "entity_type" in truth.columns:
        truth = truth[truth["entity_type"] == "Person"]
    left = resolution[["source", "record_id", "entity_id"]].astype(str)
    right = truth[["source", "record_id", "entity_id"]].astype(str).drop_duplicates(["source", "record_id"])
    both = left.merge(right, on=["source", "record_id"], suffixes=("_pred", "_true"))
    predicted = _pairs(both.groupby("entity_id_pred").size().to_numpy())
    true = _pairs(both.groupby("entity_id_true").size().to_numpy())
    correct = _pairs(both.groupby(["entity_id_pred", "entity_id_true"]).size().to_numpy())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "pairs_true": true,
        "pairs_predicted": predicted,
        "pairs_correct": correct,
        "records": len(both),
    }
