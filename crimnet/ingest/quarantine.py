"""Quarantine: the rows and fields ingest could not load, and why.

The quarantine table has one row per problem, with columns

* ``source`` (str): spec name, e.g. ``'police_intel'``;
* ``file`` (str): file name (``'<DataFrame>'`` for an in-memory source);
* ``row`` (int64): 1-based data row number; the header is row 0, so data row
  *r* of a CSV file without embedded newlines is line *r + 1*;
* ``field`` (str): the raw column (``'A+B'`` for a field read from two
  columns), ``''`` for a problem with the whole line;
* ``value`` (str): the raw value (the whole line for a malformed line);
* ``reason`` (str): what was wrong, quoting the value, e.g.
  ``"'31/02/1990' is not a date (expected DD/MM/YYYY)"``;
* ``action`` (str): ``'row quarantined'`` (the row was not loaded) or
  ``'field dropped'`` (the row loaded without that optional field).

A row is counted once as quarantined however many problems it has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crimnet.errors import check_type

__all__ = ["QUARANTINE_COLUMNS", "ROW_QUARANTINED", "FIELD_DROPPED", "QuarantineLog", "quarantine_messages"]

QUARANTINE_COLUMNS = ["source", "file", "row", "field", "value", "reason", "action"]
ROW_QUARANTINED = "row quarantined"
FIELD_DROPPED = "field dropped"


class QuarantineLog:
    """Accumulates quarantine entries, vectorised per field and chunk."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        *,
        source: str,
        file: str,
        rows: Sequence[int] | np.ndarray,
        field: str,
        values: Sequence[object] | pd.Series,
        reasons: Sequence[str] | pd.Series | str,
        action: str,
    ) -> None:
        """Record one problem for each of `rows` (same length as `values` and `reasons`)."""
        n = len(rows)
        if n == 0:
            return
        vals = pd.Series(np.asarray(values, dtype=object)).where(lambda s: s.notna(), "")
        reas = [reasons] * n if isinstance(reasons, str) else list(reasons)
        self._parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "file": file,
                    "row": np.asarray(rows, dtype=np.int64),
                    "field": field,
                    "value": vals.astype(str).to_numpy(),
                    "reason": reas,
                    "action": action,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """Return every entry as one table, sorted by source, file, row and field."""
        if not self._parts:
            return empty_quarantine()
        df = pd.concat(self._parts, ignore_index=True)
        return df.sort_values(["source", "file", "row", "field"], kind="stable").reset_index(drop=True)


def empty_quarantine() -> pd.DataFrame:
    """Return an empty quarantine table with its columns and dtypes."""
    df = pd.DataFrame({c: pd.Series([], dtype="str") for c in QUARANTINE_COLUMNS})
    df["row"] = df["row"].astype("int64")
    return df


def quarantine_messages(quarantine: pd.DataFrame) -> list[str]:
    """Format quarantine entries as sentences naming file, row, field, value and action.

    >>> q = pd.DataFrame({"source": ["police_intel"], "file": ["police_intel.csv"], "row": [118],
    ...     "field": ["DOB"], "value": ["31/02/1990"], "reason": ["'31/02/1990' is not a date (expected DD/MM/YYYY)"],
    ...     "action": ["row quarantined"]})
    >>> quarantine_messages(q)[0]
    "police_intel.csv row 118, field 'DOB': '31/02/1990' is not a date (expected DD/MM/YYYY); row quarantined."
    """
    check_type(quarantine, pd.DataFrame, param="quarantine", func="quarantine_messages", expected="a pandas DataFrame")
    out = []
    for file, row, field, reason, action in quarantine[["file", "row", "field", "reason", "action"]].itertuples(
        index=False
    ):
        where = f"{file} row {row}" + (f", field '{field}'" if field else "")
        out.append(f"{where}: {reason}; {action}.")
    return out
