"""The ``GraphStore`` protocol and the helpers both backends share.

Two backends implement the protocol: :class:`crimnet.graphs.store.embedded.EmbeddedStore`
(ladybug, a directory on disk, the default) and
:class:`crimnet.graphs.store.neo4j.Neo4jStore` (the official Neo4j driver over Bolt).
Both write canonical tables (:class:`crimnet.tables.CanonicalTables`) with upsert
semantics keyed as in :mod:`crimnet.schema`: a row whose key is new is added, a
row whose key exists replaces that node's or relationship's properties, and
nothing is ever deleted. Writing the same tables twice therefore changes nothing
and returns zero rows written; writing a superset adds the new rows.

A store belongs to a case (:attr:`crimnet.tables.CanonicalTables.case`): the first tables with a
case written into it (or into it while it holds no rows) name its case, recorded in the store
(one ``CrimnetCase`` node per case, in the embedded store and over Bolt). Tables of another case are refused with a
:class:`~crimnet.errors.StoreError` naming both, unless the write asks to ``merge``: the store
then holds both cases side by side and records both. The store itself resolves nobody across
the cases: written as they are, their people keep their own ids (namespaced by case), and only
nodes whose ids are the identifiers themselves (phones, accounts, addresses, businesses,
vehicles) are shared. :func:`crimnet.pipeline.merge_into` (``crimnet load --merge``,
``run-case --merge``) resolves the new case's people against the store's before it writes.
Tables without a case (built by hand) are never refused and change no record.
:func:`cases_after_write` holds the rule both backends apply.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar, runtime_checkable

import numpy as np
import pandas as pd

from crimnet.errors import SchemaError, StoreError, bad_parameter, check_interval, check_type
from crimnet.schema import NODE_LABELS, REL_TYPES, node_label, table_key
from crimnet.tables import CanonicalTables

__all__ = [
    "GraphStore",
    "content_hash",
    "table_key",
    "rows_to_write",
    "read_back_queries",
    "check_score_columns",
    "plain_records",
    "normalise_frame",
    "batches",
    "BOLT_SCHEMES",
    "cases_after_write",
    "redact_uri",
]

_T = TypeVar("_T")

BOLT_SCHEMES: tuple[str, ...] = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
"""URI prefixes that :func:`open_store` sends to :class:`~crimnet.graphs.store.neo4j.Neo4jStore`."""


@runtime_checkable
class GraphStore(Protocol):
    """A graph database holding one case's canonical tables.

    Attributes
    ----------
    dialect : {'ladybug', 'neo4j', 'falkordb'}
        The Cypher dialect the store speaks (see :mod:`crimnet.graphs.store.dialects`).
    backend : str
        A human-readable description of the backend (for the audit log).
    audit_log : pathlib.Path or None
        Where query runs are logged as JSON lines. None lets
        :func:`crimnet.queries.audit.audit_path` choose (``CRIMNET_AUDIT_LOG``, else a
        per-user file); every query is audited on every backend.
    directory : pathlib.Path or None
        The folder holding the store's files (database, audit log, watch rules), or
        None for a store on a server.
    """

    dialect: str
    backend: str

    # read-only in the protocol, so a backend may narrow it (EmbeddedStore always logs: ``Path``)
    @property
    def audit_log(self) -> Path | None:
        """Where query runs are logged as JSON lines (None: :func:`crimnet.queries.audit.audit_path` chooses)."""
        ...

    @property
    def directory(self) -> Path | None:
        """The folder holding the store's files, or None for a store on a server."""
        ...

    @property
    def cases(self) -> list[str]:
        """The cases the store holds, in the order they were written (empty when none was recorded)."""
        ...

    def write(self, tables: CanonicalTables, *, merge: bool = False) -> dict[str, int]:
        """Upsert canonical tables; return rows added or changed per table (0 when nothing changed).

        Rows are matched by their key (``id``; ``(src, dst)`` for pair relationships; ``id`` for
        events, whose ends a later write may correct). Writing the same tables again changes
        nothing. A failed or killed write leaves the embedded store as it was (it writes a copy
        and swaps it in); a Bolt store keeps the batches committed before the failure and a
        ``(:CrimnetLoad)`` marker, and writing the same tables again completes it (every batch is
        an idempotent ``MERGE``: nothing is written twice).

        Tables of a case other than the store's are refused (:class:`~crimnet.errors.StoreError`
        naming both) unless `merge` is True, which adds their case to the store's (see the
        module's notes and :func:`cases_after_write`).
        """
        ...

    def write_parquet(self, directory: str | os.PathLike[str], *, merge: bool = False) -> dict[str, int]:
        """Upsert the canonical Parquet tables in `directory` as :meth:`write` does; return rows written per table.

        Files are those of :meth:`crimnet.tables.CanonicalTables.write` (absent files are empty
        tables), their case that of ``case.json`` beside them (:func:`crimnet.tables.read_case`),
        checked with `merge` as :meth:`write` does. A backend may load them without building
        DataFrames (the embedded store copies them from Arrow).
        """
        ...

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False) -> pd.DataFrame:
        """Run Cypher read-only (unless `write`) and return the rows as a DataFrame."""
        ...

    def tables(self) -> CanonicalTables:
        """Read every node and relationship back as canonical tables."""
        ...

    def write_scores(self, label: str, scores: pd.DataFrame, *, columns: Sequence[str]) -> int:
        """Write score columns of `scores` (keyed by ``node_id``) as properties of `label` nodes."""
        ...

    def close(self) -> None:
        """Release the connection or database handle."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def _canonical_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with every cell as a hashable canonical value (lists as tuples, missing as None)."""
    out = {}
    for col in df.columns:
        values = df[col].to_numpy(dtype=object)
        out[col] = [_cell(v) for v in values]
    return pd.DataFrame(out, index=df.index, dtype=object)


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, list | tuple | np.ndarray):
        return tuple(_cell(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain_cell(x) for k, x in v.items()}
    if isinstance(v, float) and np.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _plain_cell(v: Any) -> Any:
    c = _cell(v)
    return list(_plain_cell(x) for x in c) if isinstance(c, tuple) else c


def rows_to_write(name: str, new: pd.DataFrame, existing: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split `new` rows of canonical table `name` into rows to add and rows to update against `existing`.

    Parameters
    ----------
    name : str
        Label or relationship type.
    new, existing : DataFrame
        Canonical tables (the rows to write, and what the store holds).

    Returns
    -------
    added : DataFrame
        Rows of `new` whose key is not in `existing`.
    changed : DataFrame
        Rows of `new` whose key is in `existing` with different values.

    Notes
    -----
    O(n + m) hashing of rows; lists compare element-wise, missing values equal.
    """
    key = table_key(name)
    if existing.empty:
        return new, new.iloc[:0]
    new_keys = pd.MultiIndex.from_frame(new[key].astype(str)) if len(key) > 1 else pd.Index(new[key[0]].astype(str))
    old_keys = (
        pd.MultiIndex.from_frame(existing[key].astype(str)) if len(key) > 1 else pd.Index(existing[key[0]].astype(str))
    )
    present = new_keys.isin(old_keys)
    added = new[~present]
    both = new[present]
    if both.empty:
        return added, both
    cols = list(new.columns)
    a = _canonical_cells(both[cols]).apply(tuple, axis=1)
    old = existing.set_index(old_keys)[cols]
    b_rows = _canonical_cells(old).apply(tuple, axis=1)
    both_keys = new_keys[present]
    b = b_rows.reindex(both_keys)
    changed_mask = np.fromiter((x != y for x, y in zip(a.to_numpy(), b.to_numpy(), strict=True)), bool, len(a))
    return added, both[changed_mask]


def content_hash(tables: CanonicalTables) -> str:
    """Return a SHA-256 of the content of `tables`, independent of row order.

    Two stores holding the same nodes and relationships give the same hash.

    >>> content_hash(CanonicalTables()) == content_hash(CanonicalTables())
    True
    """
    check_type(tables, CanonicalTables, param="tables", func="content_hash", expected="a CanonicalTables")
    h = hashlib.sha256()
    for name, df in tables.items():
        rows = sorted(repr(r) for r in _canonical_cells(df).itertuples(index=False, name=None))
        h.update(name.encode())
        h.update(str(len(rows)).encode())
        for r in rows:
            h.update(r.encode())
    return h.hexdigest()


def normalise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with NaN/NA as None and arrays as lists, for comparing results across backends.

    >>> normalise_frame(pd.DataFrame({"a": [1.0, float("nan")], "b": [("x",), None]})).values.tolist()
    [[1.0, ['x']], [None, None]]
    """
    check_type(df, pd.DataFrame, param="df", func="normalise_frame", expected="a DataFrame")
    out = _canonical_cells(df)
    for col in out.columns:
        values = [list(v) if isinstance(v, tuple) else v for v in out[col]]
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def read_back_queries() -> dict[str, str]:
    """Return the Cypher that reads each canonical table back from a store, keyed by label or type.

    Both backends' ``tables()`` run these, so a store reads back exactly the
    columns of :mod:`crimnet.schema` (score properties written later are left out).

    >>> read_back_queries()["Phone"]
    'MATCH (n:Phone) RETURN n.id AS id, n.sources AS sources, n.record_ids AS record_ids'
    """
    queries = {}
    for label in NODE_LABELS:
        ret = ", ".join(f"n.{f.name} AS {f.name}" for f in node_label(label).fields)
        queries[label] = f"MATCH (n:{label}) RETURN {ret}"
    for rel, t in REL_TYPES.items():
        props = [f.name for f in t.fields if f.name not in ("src", "dst")]
        ret = ", ".join(["a.id AS src", "b.id AS dst", *(f"r.{c} AS {c}" for c in props)])
        queries[rel] = f"MATCH (a:{t.src})-[r:{rel}]->(b:{t.dst}) RETURN {ret}"
    return queries


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_score_columns(label: str, scores: pd.DataFrame, columns: Sequence[str], *, func: str) -> list[str]:
    """Check the `scores` table of ``write_scores`` and return its score column names.

    Raises :class:`~crimnet.errors.SchemaError` when columns are missing, are not
    identifiers, or would overwrite a field of `label` in :mod:`crimnet.schema`.
    """
    node_label(label)
    check_type(scores, pd.DataFrame, param="scores", func=func, expected="a DataFrame")
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise SchemaError(f"{func}: no score columns given.")
    missing = [c for c in ["node_id", *cols] if c not in scores.columns]
    if missing:
        raise SchemaError(f"{func}: scores lacks columns {missing}; it has {list(scores.columns)}.")
    bad = [c for c in cols if not _IDENT.match(c)]
    if bad:
        raise SchemaError(f"{func}: score columns {bad} are not identifiers ([A-Za-z_][A-Za-z0-9_]*).")
    reserved = {f.name for f in node_label(label).fields} | {"node_id"}
    clash = sorted(set(cols) & reserved)
    if clash:
        raise SchemaError(f"{func}: score columns {clash} would overwrite {label} fields of crimnet.schema.")
    return cols


def plain_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return `df` as a list of plain-Python dicts (lists as lists, missing as None)."""
    check_type(df, pd.DataFrame, param="df", func="plain_records", expected="a DataFrame")
    cols = {c: [_plain(_cell(v)) for v in df[c].to_numpy(dtype=object)] for c in df.columns}
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)] if cols else []


def _plain(v: Any) -> Any:
    return [_plain(x) for x in v] if isinstance(v, tuple) else v


def batches(items: Sequence[_T], size: int = 5000, max_bytes: int | None = None) -> Iterator[Sequence[_T]]:
    """Cut `items` into consecutive batches of at most `size` items (and about `max_bytes` of JSON).

    Both backends send rows in batches of their ``batch_size``; the Bolt store also caps
    a batch's bytes for FalkorDB. An item larger than `max_bytes` is a batch of its own.

    Parameters
    ----------
    items : sequence
        The rows (plain Python values, see :func:`plain_records`).
    size : int, default 5000
        Most items per batch (at least 1).
    max_bytes : int, optional
        Start a new batch before the items' JSON size would pass this; None: no byte limit.

    Returns
    -------
    iterator of sequence
        Slices of `items`, in order; together they hold every item once.

    >>> [list(b) for b in batches([1, 2, 3, 4, 5], 2)]
    [[1, 2], [3, 4], [5]]
    >>> [len(b) for b in batches(["x" * 50] * 4, 4, max_bytes=110)]
    [2, 2]
    """
    check_type(items, Sequence, param="items", func="batches", expected="a sequence")
    check_interval(size, param="size", func="batches", low=1, closed="left", integer=True)
    if max_bytes is not None:
        check_interval(max_bytes, param="max_bytes", func="batches", low=0, closed="left", integer=True)
        return _byte_batches(items, size, max_bytes)
    return (items[start : start + size] for start in range(0, len(items), size))


def _byte_batches(items: Sequence[_T], size: int, max_bytes: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    used = 0
    for item in items:
        n = _json_size(item)
        if batch and (len(batch) >= size or used + n > max_bytes):
            yield batch
            batch, used = [], 0
        batch.append(item)
        used += n
    if batch:
        yield batch


def _json_size(value: Any) -> int:
    return len(json.dumps(value, default=str))


def cases_after_write(
    stored: Sequence[str], case: str | None, *, has_rows: bool, merge: bool = False, where: str = "the store"
) -> list[str] | None:
    """Check that tables of `case` may be written into a store holding the cases `stored`.

    Parameters
    ----------
    stored : sequence of str
        The cases the store records.
    case : str or None
        The case of the tables to write (None: tables built by hand, never refused).
    has_rows : bool
        Whether the store holds any node (an empty store takes any case, forgetting its record).
    merge : bool, default False
        Allow a case other than the store's: the store then holds and records both.
    where : str, default 'the store'
        The store, for the message.

    Returns
    -------
    list of str or None
        The cases the store must record before the write, or None when its record stays as it is.

    Raises
    ------
    crimnet.errors.StoreError
        `case` is not one of `stored`, the store holds rows and `merge` is False; the message
        names both cases and the way out.

    Examples
    --------
    >>> cases_after_write([], "case-a", has_rows=False)
    ['case-a']
    >>> cases_after_write(["case-a"], "case-a", has_rows=True) is None
    True
    >>> cases_after_write(["case-a"], "case-b", has_rows=True, merge=True)
    ['case-a', 'case-b']
    """
    func = "cases_after_write"
    check_type(stored, Sequence, param="stored", func=func, expected="a sequence of case ids")
    if isinstance(stored, str):
        raise bad_parameter("stored", func, "a sequence of case ids", stored)
    check_type(case, (str, type(None)), param="case", func=func, expected="a str or None")
    check_type(has_rows, bool, param="has_rows", func=func, expected="a bool")
    check_type(merge, bool, param="merge", func=func, expected="a bool")
    if case is None:
        return None
    known = [str(c) for c in stored]
    if not has_rows:
        return None if known == [case] else [case]
    if case in known:
        return None
    if not known:  # rows written without a case (by hand, or before stores recorded cases)
        return [case]
    if merge:
        return [*known, case]
    held = ", ".join(known)
    raise StoreError(
        f"{where} holds case {held}; the tables to write are case {case}. A store holds one case: load the other "
        f"case into its own store, or merge them explicitly (--merge, crimnet.pipeline.merge_into) to hold both, "
        "the new case's people resolved against the store's."
    )


def redact_uri(uri: str) -> str:
    """Return `uri` without the password of its user information, for messages and saved configs.

    ``bolt://neo4j:secret@host:7687`` becomes ``bolt://neo4j:***@host:7687``; a URI without a
    password (or a store directory) comes back as it was. Nothing but the password changes.

    Parameters
    ----------
    uri : str
        A Bolt URI or a store directory.

    Returns
    -------
    str

    >>> redact_uri("bolt://neo4j:s3cret@db.example:7687"), redact_uri("work/store")
    ('bolt://neo4j:***@db.example:7687', 'work/store')
    """
    check_type(uri, str, param="uri", func="redact_uri", expected="a str")
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri
    # the last '@' before the query names the end of the user information (a password may hold '/')
    end = min((i for i in (rest.find(c) for c in "?#") if i >= 0), default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not at or ":" not in userinfo:
        return uri
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{rest[end:]}"
