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
* ``action`` (str): ``'row quarantined'`` (the row was not loaded),
  ``'field dropped'`` (the row loaded without that optional field), or
  ``'file quarantined'`` (the file, from ``row`` on, could not be read: row 0 for the whole
  file, e.g. an empty file; the others still ingest);
* ``sha256`` (str): SHA-256 (64 hex characters) of the content of the file the
  row came from (for an in-memory source, of its column names and row hashes),
  telling apart files of the same name from different batches (``''`` in
  outputs written before this column existed).

When identifiers are pseudonymised, ``value`` and the quoted value that starts
``reason`` are replaced by keyed tokens (:func:`withhold_values`).

A row is counted once as quarantined however many problems it has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crimnet.errors import check_type

__all__ = [
    "QUARANTINE_COLUMNS", "ROW_QUARANTINED", "FIELD_DROPPED", "FILE_QUARANTINED", "WITHHELD", "QuarantineLog",
    "quarantine_messages", "withhold_values",
]  # fmt: skip

QUARANTINE_COLUMNS = ["source", "file", "row", "field", "value", "reason", "action", "sha256"]
ROW_QUARANTINED = "row quarantined"
FIELD_DROPPED = "field dropped"
FILE_QUARANTINED = "file quarantined"
WITHHELD = "<withheld>"
"""Stands in a pseudonymised quarantine's ``reason`` for a quoted value that has no token."""

# A Python string literal (repr) at the start of a reason: how every reason quotes its value.
_LEADING_LITERAL = r"^(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"


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
        sha256: str = "",
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
                    "sha256": sha256,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """Return every entry as one table, sorted by source, file, content hash, row and field."""
        if not self._parts:
            return empty_quarantine()
        df = pd.concat(self._parts, ignore_index=True)
        return df.sort_values(["source", "file", "sha256", "row", "field"], kind="stable").reset_index(drop=True)


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


def withhold_values(quarantine: pd.DataFrame, *, key: bytes) -> pd.DataFrame:
    """Replace the raw values of a quarantine table by keyed tokens, for pseudonymised output.

    Parameters
    ----------
    quarantine : DataFrame
        Columns of :data:`QUARANTINE_COLUMNS` (at least ``value`` and ``reason``).
    key : bytes
        The pseudonymisation key (at least 16 bytes), as given to ingest.

    Returns
    -------
    DataFrame
        A copy where ``value`` (a field's raw text, or a malformed line's whole text) is the
        token ``'raw_<32 hex>'`` of :func:`crimnet.ingest.pseudonymise.pseudonymise` with domain
        ``'raw'`` (``''`` stays ``''``), and the quoted value that starts ``reason`` is that same
        token (:data:`WITHHELD` where the row has no value); any other occurrence in ``reason``
        of a raw value of six or more characters is replaced too. ``source``, ``file``, ``row``, ``field``,
        ``action``, ``sha256`` and the kind of problem (the rest of ``reason``) are kept.

    Raises
    ------
    crimnet.errors.ParameterError
        If `quarantine` is not a DataFrame with ``value`` and ``reason``, or `key` is not bytes
        of at least 16 bytes.

    Notes
    -----
    Tokens are of the raw text, not of the normalised identifier, so they show which
    quarantined values are equal without linking them to the tokens in the tables; the file and
    row still point an investigator holding the extracts at the line. Time O(n) plus one HMAC
    per distinct value.

    Examples
    --------
    >>> q = pd.DataFrame({"source": ["police_intel"], "file": ["police_intel.csv"], "row": [3],
    ...     "field": ["PHONE"], "value": ["07700 12"],
    ...     "reason": ["'07700 12' is not a valid phone number for region GB"],
    ...     "action": ["field dropped"], "sha256": [""]})
    >>> w = withhold_values(q, key=bytes(range(16)))
    >>> w["value"][0].startswith("raw_"), w["reason"][0] == w["value"][0] + " is not a valid phone number for region GB"
    (True, True)
    """
    from crimnet.errors import ParameterError
    from crimnet.ingest.pseudonymise import pseudonymise

    func = "withhold_values"
    check_type(quarantine, pd.DataFrame, param="quarantine", func=func, expected="a pandas DataFrame")
    if not {"value", "reason"} <= set(quarantine.columns):
        raise ParameterError(
            f"The 'quarantine' parameter of {func} must have columns 'value' and 'reason'. "
            f"Got columns {list(quarantine.columns)} instead."
        )
    out = quarantine.copy()
    if not len(out):
        return out
    value = out["value"].fillna("").astype(str).reset_index(drop=True)
    token = pseudonymise(value, key=key, domain="raw").fillna("").astype(object)
    reason = out["reason"].fillna("").astype(str).reset_index(drop=True)
    lead = reason.str.contains(_LEADING_LITERAL, regex=True)
    stand_in = token.where(token != "", WITHHELD)
    rest = reason.str.replace(_LEADING_LITERAL, "", n=1, regex=True).astype(object)
    # any other place a raw value of 6 characters or more shows (no reason ingest writes has one
    # today; shorter values would match words of the reason itself)
    for i in np.flatnonzero([len(v) >= 6 and v in r for v, r in zip(value, rest, strict=True)]):
        rest[i] = rest[i].replace(value[i], stand_in[i])
    reason = (stand_in.where(lead, "") + rest).astype(object)
    out["value"] = token.to_numpy(object)
    out["reason"] = reason.to_numpy(object)
    return out
